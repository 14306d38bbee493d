"""Scenarios: proposals applied to a copy of the case, and the to-be analysed again."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from kafka.analysis import Analysis, analyze
from kafka.detectors import BY_CODE, CODES, codes_matching, effect_order
from kafka.detectors.base import ItemFacts
from kafka.errors import InputError, UsageProblem
from kafka.findings import Finding, Level, Saving
from kafka.i18n import Translator
from kafka.metrics import CONTRACT_METRICS, Metrics
from kafka.model import MAX_NAME_CHARS, Case
from kafka.settings import Settings
from kafka.simulate.editor import Editor, EditorStart
from kafka.validate import check_meaning

# Scenario names, in the order reports show them.
LOCAL, ALL = "local", "all"
SCENARIOS = (LOCAL, ALL)

ID_MAX = 100  # kafka.model: ids are at most 100 characters
TO_BE_SUFFIX = "-to-be"


@dataclass(frozen=True)
class AppliedProposal:
    """One proposal taken, and what it changed in the case, in words."""

    code: str
    title: str  # the finding's title
    proposal: str  # the proposal's title
    level: Level
    steps: tuple[str, ...]
    data: tuple[str, ...]
    changes: tuple[str, ...]  # empty when other proposals had already done it

    def to_dict(self) -> dict:
        return {
            "code": self.code,
            "title": self.title,
            "proposal": self.proposal,
            "level": self.level.value,
            "steps": list(self.steps),
            "data": list(self.data),
            "changes": list(self.changes),
        }


@dataclass
class Scenario:
    """The as-is and the to-be of one case once the chosen proposals are taken."""

    name: str  # "local", "all", or "custom"
    as_is: Metrics
    to_be: Metrics
    to_be_case: Case
    to_be_analysis: Analysis
    applied: list[AppliedProposal]
    level: Level | None = None
    codes: tuple[str, ...] = CODES
    as_is_analysis: Analysis | None = None  # the analysis the proposals came from

    @property
    def saving(self) -> Saving:
        """What the to-be saves per case and per year (the difference of the two analyses)."""
        a, b = self.as_is, self.to_be
        return Saving(
            client_minutes=round(a.client_minutes - b.client_minutes, 2),
            staff_minutes=round(a.staff_minutes - b.staff_minutes, 2),
            lead_days=round(a.lead_time_days - b.lead_time_days, 2),
            client_hours_year=round(a.annual.client_hours - b.annual.client_hours, 2),
            staff_hours_year=round(a.annual.staff_hours - b.annual.staff_hours, 2),
            euro_year=round(a.annual.total_cost_eur - b.annual.total_cost_eur, 2),
        )

    @property
    def remaining(self) -> list[Finding]:
        """The findings the to-be still has."""
        return self.to_be_analysis.findings

    def to_dict(self) -> dict:
        return {
            "scenario": self.name,
            "level": self.level.value if self.level else None,
            "codes": list(self.codes),
            "as_is": metrics_dict(self.as_is),
            "to_be": metrics_dict(self.to_be),
            "saving": self.saving.to_dict(),
            "applied": [a.to_dict() for a in self.applied],
            "remaining": [f.to_dict() for f in self.remaining],
        }


def metrics_dict(metrics: Metrics) -> dict:
    """The contract's metrics first, by their contract names, then kafka's additions."""
    data = _rounded(metrics.to_dict())
    return {**{name: data.pop(name) for name in CONTRACT_METRICS}, **data}


def _rounded(value):
    # Sums of minutes carry float noise (203.26999999999998): data readers deserve 203.27.
    if isinstance(value, float):
        return round(value, 4)
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    return value


def simulate(
    analysis: Analysis,
    codes: Iterable[str] | None = None,
    level: Level | str | None = None,
    *,
    name: str = "custom",
    start: EditorStart | None = None,
) -> Scenario:
    """Take the proposals of ``analysis`` (those with a code in ``codes``, at ``level``;
    all by default) on a copy of its case, and analyse the to-be again, with the
    same detectors (``analysis.select``, ``analysis.ignore``). ``start``: what the
    editor starts from, when several scenarios of this analysis share it.
    """
    chosen_codes = _codes(codes)
    level = Level(level) if level is not None else None
    chosen = [f for f in analysis.findings if f.code in chosen_codes and (level is None or f.level is level)]
    editor = Editor(analysis, own_only=level is Level.LOCAL, start=start)
    applied = []
    # The local proposals first, then the others, each in the order of their effects: the
    # order in which the analysis counts every part of a saving once (kafka.detectors.settle).
    order = {d.code: i for i, d in enumerate(effect_order())}
    ordered = sorted((f for f in chosen if f.code in order), key=lambda f: (f.level is not Level.LOCAL, order[f.code]))
    taken_items = _items_taken(chosen)
    for finding in ordered:
        detector = BY_CODE[finding.code]
        # A proposal that gives way to another one about the same item (one action
        # per item, kafka.detectors.settle) changes nothing itself when that one is taken.
        if _gives_way(finding, taken_items):
            changes = (Translator(analysis.lang)("simulate.change.gives_way"),)
        else:
            detector.effect.apply(editor, finding)
            editor.tidy()
            changes = tuple(editor.take_log())
        applied.append(AppliedProposal(
            finding.code, finding.title, finding.proposal.title, finding.level,
            finding.steps, finding.data, changes,
        ))
    to_be_case = editor.finish()
    _name_to_be(to_be_case, Translator(analysis.lang))
    _check_valid(to_be_case)
    to_be_analysis = analyze(
        to_be_case, analysis.settings, lang=analysis.lang, select=analysis.select, ignore=analysis.ignore,
        # the settings are final already: the case's tariffs must not override the command line's
        explicit_settings=frozenset(Settings.names()),
    )
    return Scenario(name, analysis.metrics, to_be_analysis.metrics, to_be_case, to_be_analysis, applied,
                    level, tuple(c for c in CODES if c in chosen_codes), analysis)


def _items_taken(chosen: list[Finding]) -> set[tuple[str, str]]:
    """(code, fact) of every chosen proposal about one item that acts itself: asked once per
    proposal by _gives_way (scanning every chosen finding for each made simulate quadratic).
    A proposal that gives way is left out, so that one never gives way to itself (a local
    D02 deferring to a supralocal D02 about the same item, where only the local is taken)."""
    return {(f.code, f.facts.fact) for f in chosen if isinstance(f.facts, ItemFacts) and not f.proposal.defers_to}


def _gives_way(finding: Finding, taken_items: set[tuple[str, str]]) -> bool:
    """Whether the proposal gives way to another one about the same item that is also taken."""
    if not finding.proposal.defers_to or not isinstance(finding.facts, ItemFacts):
        return False
    return (finding.proposal.defers_to, finding.facts.fact) in taken_items


def scenarios(analysis: Analysis) -> dict[str, Scenario]:
    """"local": only what the organisation can do on its own; "all": every proposal."""
    start = EditorStart.of(analysis)  # the same for both: worked out once
    return {
        LOCAL: simulate(analysis, level=Level.LOCAL, name=LOCAL, start=start),
        ALL: simulate(analysis, name=ALL, start=start),
    }


def scenario_totals(analysis: Analysis, results: dict[str, Scenario] | None = None) -> dict[str, dict]:
    """Per scenario ("local", "all"): the savings per case and per year, as plain numbers.

    Every value is a number that adds up across cases (for the aggregation):
    ``client_minutes``, ``staff_minutes``, ``lead_days`` per case;
    ``client_hours_year``, ``staff_hours_year``, ``euro_year`` per year; the
    contacts, visits, stories and questions saved per case; and the number of
    proposals applied and of findings before and after.
    """
    results = results or scenarios(analysis)
    totals = {}
    for key, scenario in results.items():
        a, b = scenario.as_is, scenario.to_be
        totals[key] = {
            **scenario.saving.to_dict(),
            "client_contacts": a.client_contacts - b.client_contacts,
            "in_person_visits": a.in_person_visits - b.in_person_visits,
            "organisations": a.organisations - b.organisations,
            "story_count": a.story_count - b.story_count,
            "data_asked": a.data_asked - b.data_asked,
            "loop_days": round(a.loop_extra_days - b.loop_extra_days, 2),
            "applied": len(scenario.applied),
            "findings_before": len(analysis.findings),
            "findings_after": len(scenario.remaining),
        }
    return totals


def _codes(codes: Iterable[str] | None) -> frozenset[str]:
    if codes is None:
        return frozenset(CODES)
    try:
        return frozenset(codes_matching(codes))
    except UsageProblem as exc:
        raise InputError(str(exc)) from None


def _name_to_be(case: Case, t: Translator) -> None:
    info = case.case
    info.id = info.id[: ID_MAX - len(TO_BE_SUFFIX)] + TO_BE_SUFFIX
    suffix = f" ({t('simulate.to_be')})"
    info.title = info.title[: MAX_NAME_CHARS - len(suffix)] + suffix


def _check_valid(case: Case) -> None:
    # The editor is built to keep every reference valid; if it ever does not,
    # that is a bug in kafka, not in the user's case, and it must not pass silently.
    errors = [p for p in check_meaning(case, f"{case.case.id}.yaml") if p.severity == "error"]
    if errors:
        raise RuntimeError("kafka made an invalid to-be case: " + "; ".join(str(p) for p in errors))
