"""Report data of the to-be section (issue 6): plain dataclasses for ``templates/_to_be.html``.

Built from the scenarios of :mod:`kafka.simulate` ("local": what the
organisation can do on its own; "all": every proposal): a before/after table
of the contract's metrics, a card per scenario with what it saves, the to-be
process map of each scenario, what each proposal changes in words, and the
findings the to-be still has.

The to-be maps number their steps as the as-is map does (a step keeps its
number when others go), so a reader can point at "step 7" on either map.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Mapping

from markupsafe import Markup

from kafka.analysis import Analysis
from kafka.findings import Saving
from kafka.i18n import Translator
from kafka.metrics import CONTRACT_METRICS, Metrics
from kafka.processmap import build_process_map, render_svg, step_numbers

if TYPE_CHECKING:
    from kafka.simulate import Scenario

# The rows of the before/after table: the contract's metrics, then kafka's, then the year.
_EXTRA_ROWS = ("steps", "loop_extra_days")
_YEAR_ROWS = {"client_hours_year": "client_hours", "staff_hours_year": "staff_hours", "total_cost_eur": "total_cost_eur"}


@dataclass(frozen=True)
class Cell:
    value: float
    diff: float  # to-be minus as-is: never above zero on the contract's metrics

    @property
    def better(self) -> bool:
        return self.diff < -1e-9


@dataclass(frozen=True)
class MetricRow:
    key: str
    label: str
    as_is: float
    cells: list[Cell]  # one per scenario, in the order of ToBeReport.scenarios
    decimals: int


@dataclass(frozen=True)
class AppliedRow:
    code: str
    level: str  # local | supralocal
    level_label: str
    proposal: str
    changes: list[str]  # empty: another proposal had already done it


@dataclass(frozen=True)
class RemainingRow:
    code: str
    title: str
    message: str
    level: str
    level_label: str


@dataclass(frozen=True)
class ToBeMap:
    svg: Markup
    width: float
    height: float


@dataclass(frozen=True)
class ScenarioView:
    key: str  # "local" | "all"
    title: str
    hint: str
    saving: Saving
    as_is: Metrics
    to_be: Metrics
    steps_gone: int
    map: ToBeMap
    applied: list[AppliedRow]
    remaining: list[RemainingRow]

    @property
    def anchor(self) -> str:
        return f"to-be-{self.key}"


@dataclass(frozen=True)
class ToBeReport:
    scenarios: list[ScenarioView]
    rows: list[MetricRow]
    cases_per_year: float


def build_to_be(analysis: Analysis, results: Mapping[str, Scenario]) -> ToBeReport:
    """The to-be section from ``results``, a mapping of scenario name to
    :class:`kafka.simulate.Scenario` (as :func:`kafka.simulate.scenarios` gives it)."""
    t = Translator(analysis.lang)
    numbers = step_numbers(analysis)
    views = [_scenario(analysis, t, key, scenario, numbers) for key, scenario in results.items()]
    return ToBeReport(views, _rows(analysis.metrics, views, t), analysis.metrics.annual.cases)


def _scenario(analysis: Analysis, t: Translator, key: str, scenario, numbers: dict[str, int]) -> ScenarioView:
    label = key if key in ("local", "all") else "custom"
    hint_key = f"simulate.scenario.{label}_hint"
    return ScenarioView(
        key=key,
        title=t(f"simulate.scenario.{label}"),
        hint=t(hint_key) if t.has(hint_key) else "",
        saving=scenario.saving,
        as_is=scenario.as_is,
        to_be=scenario.to_be,
        steps_gone=scenario.as_is.steps - scenario.to_be.steps,
        map=_map(scenario.to_be_analysis, key, numbers),
        applied=[
            AppliedRow(a.code, a.level.value, t(f"common.level.{a.level.value}"), a.proposal, list(a.changes))
            for a in scenario.applied
        ],
        remaining=[
            RemainingRow(f.code, f.title, f.message, f.level.value, t(f"common.level.{f.level.value}"))
            for f in scenario.remaining
        ],
    )


def _map(to_be: Analysis, key: str, numbers: dict[str, int]) -> ToBeMap:
    kept = {step.id: numbers[step.id] for step in to_be.case.steps}
    source = build_process_map(to_be, to_be.lang, numbers=kept).source
    svg = render_svg(source, id_prefix=f"to-be-{key}")
    match = re.search(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"', svg)
    width, height = (float(match.group(1)), float(match.group(2))) if match else (0.0, 0.0)
    return ToBeMap(Markup(svg), width, height)  # noqa: S704 - Graphviz output of escaped labels (kafka.processmap)


def _rows(as_is: Metrics, views: list[ScenarioView], t: Translator) -> list[MetricRow]:
    rows = []
    for name in (*CONTRACT_METRICS, *_EXTRA_ROWS):
        before = float(getattr(as_is, name))
        cells = [Cell(float(getattr(v.to_be, name)), float(getattr(v.to_be, name)) - before) for v in views]
        rows.append(MetricRow(name, t(f"simulate.metric.{name}"), before, cells, 1 if name == "loop_extra_days" else 0))
    for name, field in _YEAR_ROWS.items():
        before = float(getattr(as_is.annual, field))
        cells = [Cell(float(getattr(v.to_be.annual, field)), float(getattr(v.to_be.annual, field)) - before) for v in views]
        rows.append(MetricRow(name, t(f"simulate.metric.{name}"), before, cells, 0))
    return rows
