"""Every export format, one function each, behind one entry point.

    content = export(analysis, ExportFormat.BPMN)     # str, or bytes for PNG

- ``bpmn``: BPMN 2.0 XML with lanes and a diagram (:mod:`kafka.export.bpmn`);
- ``dot``, ``svg``, ``png``: the process map of the report alone
  (:mod:`kafka.processmap`): its DOT source, a standalone SVG file, or a PNG
  for slides (on white, at ``dpi``), all rendered in-process by pygraphviz;
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
from kafka.processmap import process_map_dot, render_graphviz, render_svg

ANALYSIS_SCHEMA_FILE = "data/analysis.schema.json"


class ExportFormat(StrEnum):
    BPMN = "bpmn"
    JSON = "json"
    DOT = "dot"
    SVG = "svg"
    PNG = "png"

    @property
    def suffix(self) -> str:
        return f".{self.value}"

    @classmethod
    def from_suffix(cls, suffix: str) -> "ExportFormat | None":
        suffix = suffix.lower().lstrip(".")
        return next((f for f in cls if f.value == suffix), None)


DEFAULT_DPI = 150  # sharp on a projector; a 26-step map is then about 4,000 x 7,700 pixels


@dataclass(frozen=True)
class ExportOptions:
    lane_by: LaneBy = LaneBy.ORGANISATION  # BPMN lanes
    dpi: int = DEFAULT_DPI  # PNG resolution


def export(analysis: Analysis, fmt: ExportFormat, options: ExportOptions = ExportOptions()) -> str | bytes:
    """The content of ``analysis`` in format ``fmt``: text, or bytes for binary formats."""
    if fmt is ExportFormat.BPMN:
        return bpmn_xml(analysis, options.lane_by)
    if fmt is ExportFormat.JSON:
        return analysis_json(analysis)
    if fmt is ExportFormat.DOT:
        return process_map_dot(analysis)
    if fmt is ExportFormat.SVG:
        return map_svg(analysis)
    if fmt is ExportFormat.PNG:
        return map_png(analysis, options.dpi)
    raise ValueError(f"unknown export format {fmt!r}")


def map_svg(analysis: Analysis) -> str:
    """The process map as a standalone SVG file (the report inlines the same drawing)."""
    return '<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n' + render_svg(process_map_dot(analysis)) + "\n"


def map_png(analysis: Analysis, dpi: int = DEFAULT_DPI) -> bytes:
    """The process map as a PNG image on a white background (slides are not always white)."""
    return render_graphviz(process_map_dot(analysis), "png", dpi=str(dpi), bgcolor="white")


def analysis_json(analysis: Analysis) -> str:
    """The analysis as JSON text (the same shape as ``kafka analyze --format json``)."""
    return json.dumps(analysis.to_dict(), indent=1, ensure_ascii=False) + "\n"


@cache
def _schema_text() -> str:
    return resources.files("kafka").joinpath(ANALYSIS_SCHEMA_FILE).read_text(encoding="utf-8")


def analysis_schema() -> dict:
    """The JSON Schema of the analysis JSON (a fresh copy each call)."""
    return json.loads(_schema_text())
