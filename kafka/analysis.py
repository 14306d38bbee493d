"""Analyse a case: graph, metrics and the findings of the selected detectors."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kafka import __version__
from kafka.detectors import Context, selected
from kafka.detectors.settle import settle
from kafka.findings import Finding, Level
from kafka.graph import CaseGraph
from kafka.i18n import DEFAULT_LANGUAGE, Translator
from kafka.metrics import Metrics, compute_metrics
from kafka.model import Case
from kafka.settings import Settings, default_settings

# The version of the JSON shape written by Analysis.to_dict (docs/json-schema.md).
JSON_SCHEMA_VERSION = 1


@dataclass
class Analysis:
    case: Case
    graph: CaseGraph
    metrics: Metrics
    findings: list[Finding]
    settings: Settings
    lang: str
    # The detectors chosen (--select, --ignore): the to-be is analysed with the same.
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    evidence: Any = None  # told versus logged (kafka.log.evidence.Evidence), when the case names a log

    def by_level(self, level: Level) -> list[Finding]:
        return [f for f in self.findings if f.level is level]

    def to_dict(self) -> dict:
        info = self.case.case
        metrics = self.metrics.to_dict()
        annual = metrics.pop("annual")
        return {
            "schema_version": JSON_SCHEMA_VERSION,
            "generator": f"kafka {__version__}",
            "lang": self.lang,
            "case": {
                "id": info.id,
                "title": info.title,
                "organisation": info.organisation,
                "municipality": info.municipality,
                "procedure": info.procedure,
                "date": info.date.isoformat() if info.date else None,
                "cases_per_year": info.cases_per_year,
                "eligible_per_year": info.eligible_per_year,
            },
            "metrics": metrics,
            "annual": annual,
            "tariffs": {"client_hour_eur": self.settings.client_hour_eur, "staff_hour_eur": self.settings.staff_hour_eur},
            "findings": [f.to_dict() for f in self.findings],
        }


def analyze(
    case: Case,
    settings: Settings | None = None,
    lang: str = DEFAULT_LANGUAGE,
    select: tuple[str, ...] = (),
    ignore: tuple[str, ...] = (),
    explicit_settings: frozenset[str] = frozenset(),
) -> Analysis:
    """Run the analysis on a valid case (see :func:`kafka.loader.load_case`)."""
    settings = (settings or default_settings()).for_case(case, explicit_settings)
    graph = CaseGraph(case)
    ctx = Context(graph, settings, Translator(lang))
    findings: list[Finding] = []
    detectors = selected(select, ignore)
    for detector in detectors:
        findings.extend(detector.detect(ctx))
    # One action per item and every saving once, among the findings of this selection.
    findings = settle(ctx, findings, detectors)
    return Analysis(case, graph, compute_metrics(graph, settings), findings, settings, lang,
                    tuple(select), tuple(ignore))
