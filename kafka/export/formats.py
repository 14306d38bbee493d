"""Every export format, one function each, behind one entry point.

    content = export(analysis, ExportFormat.BPMN)     # str, or bytes for PNG

- ``bpmn``: BPMN 2.0 XML with lanes and a diagram (:mod:`kafka.export.bpmn`);
- ``json``: the full analysis, ``Analysis.to_dict()``, whose shape is
  versioned (``schema_version``), documented in docs/json-schema.md and
  described by the JSON Schema :func:`analysis_schema`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib import resources

from kafka.analysis import Analysis
from kafka.export.bpmn import bpmn_xml
from kafka.export.bpmn_process import LaneBy

ANALYSIS_SCHEMA_FILE = "data/analysis.schema.json"


class ExportFormat(StrEnum):
    BPMN = "bpmn"
    JSON = "json"

    @property
    def suffix(self) -> str:
        return f".{self.value}"

    @property
    def binary(self) -> bool:
        return False

    @classmethod
    def from_suffix(cls, suffix: str) -> "ExportFormat | None":
        suffix = suffix.lower().lstrip(".")
        return next((f for f in cls if f.value == suffix), None)


@dataclass(frozen=True)
class ExportOptions:
    lane_by: LaneBy = LaneBy.ORGANISATION  # BPMN lanes


def export(analysis: Analysis, fmt: ExportFormat, options: ExportOptions = ExportOptions()) -> str | bytes:
    """The content of ``analysis`` in format ``fmt``: text, or bytes for binary formats."""
    if fmt is ExportFormat.BPMN:
        return bpmn_xml(analysis, options.lane_by)
    if fmt is ExportFormat.JSON:
        return analysis_json(analysis)
    raise ValueError(f"unknown export format {fmt!r}")


def analysis_json(analysis: Analysis) -> str:
    """The analysis as JSON text (the same shape as ``kafka analyze --format json``)."""
    return json.dumps(analysis.to_dict(), indent=1, ensure_ascii=False) + "\n"


@cache
def _schema_text() -> str:
    return resources.files("kafka").joinpath(ANALYSIS_SCHEMA_FILE).read_text(encoding="utf-8")


def analysis_schema() -> dict:
    """The JSON Schema of the analysis JSON (a fresh copy each call)."""
    return json.loads(_schema_text())
