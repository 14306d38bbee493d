"""Report data: everything the case report shows, as plain dataclasses.

:func:`build_case_report` is the only function that reads an
:class:`~kafka.analysis.Analysis`; the templates only read these objects. All
words a reader sees are looked up here or in the templates through the
translator, and all case texts stay plain strings: jinja2 escapes them.
The two exceptions are the SVG fragments (the process map from Graphviz,
whose labels are escaped in :mod:`kafka.processmap`), carried as
:class:`markupsafe.Markup`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from markupsafe import Markup

from kafka import __version__
from kafka.analysis import Analysis
from kafka.findings import Finding, Level, Severity
from kafka.i18n import Translator
from kafka.report.voice import VoiceLane, voice_lane
from kafka.model import Rule
from kafka.detectors import p03_heavy_form
from kafka.processmap import LANE_HEADER, PAD, build_process_map, lanes, render_svg, step_numbers, worst_severity
from kafka.report.to_be import ToBeReport, build_to_be
from kafka.run import CaseRun

if TYPE_CHECKING:
    from kafka.log.evidence_report import EvidenceView

MAP_ID = "map"  # the as-is map's id prefix: its step nodes are #map-step-<id>


# --- the parts ---------------------------------------------------------------------

@dataclass(frozen=True)
class StepRef:
    """A step as other parts refer to it: its number, its name and its anchors."""

    id: str
    number: int
    name: str

    # Cached: the templates ask a step's anchors once for every finding, cell and card that
    # points at the step (a frozen dataclass keeps the value in its __dict__ all the same).
    @cached_property
    def anchor(self) -> str:  # the row in the steps table
        return f"step-{self.id}"

    @cached_property
    def map_anchor(self) -> str:  # the node on the process map
        return f"{MAP_ID}-step-{self.id}"


@dataclass(frozen=True)
class CaseHeader:
    id: str
    title: str
    organisation: str
    municipality: str | None
    procedure: str | None
    date: str | None
    mapped_by: list[str]
    story: str | None
    cases_per_year: float
    initiated_by: str


@dataclass(frozen=True)
class Figure:
    """A key figure on a card."""

    key: str
    label: str
    value: str
    unit: str = ""
    note: str = ""
    alert: bool = False
    meter: float | None = None  # 0..1 share of a bar, e.g. lead time against the legal deadline


@dataclass(frozen=True)
class LegendItem:
    css: str  # the swatch's class
    label: str


@dataclass(frozen=True)
class MapSlice:
    """A band of the map, cut between rows, for print: (y, height) in the SVG's units."""

    y: float
    height: float


@dataclass(frozen=True)
class ProcessMap:
    svg: Markup
    width: float  # natural size in points, for the zoom control
    height: float
    legend: list[LegendItem]
    lanes: list[str]
    graph_id: str  # the id of the SVG's root group, which the print slices show with <use>
    header_height: float  # the band with the lane names, repeated above every print slice
    slices: list[MapSlice]


@dataclass(frozen=True)
class TimelineRow:
    step: StepRef
    organisation: str
    start: float  # day the wait begins
    wait: float
    work: float
    long_wait: bool
    # drawing, in SVG user units (computed here so the template stays simple)
    y: float
    x_wait: float
    w_wait: float
    x_work: float
    w_work: float
    # The bars' tooltips ("14 dagen wachten"), made here: a t() call from a template costs several
    # from Python, and the timeline has a row per step of the longest path. Empty without a bar.
    wait_title: str = ""
    work_title: str = ""


@dataclass(frozen=True)
class Deadline:
    rule: str
    days: float
    start_day: float  # the day the deadline starts counting (start of its 'from' step)
    end_day: float  # the day the 'to' step ends on the longest path
    exceeded: bool
    x: float  # where the deadline falls, SVG units
    label_left: bool  # near the right edge the label goes on the left of the line
    from_step: StepRef
    to_step: StepRef


@dataclass(frozen=True)
class Timeline:
    rows: list[TimelineRow]
    total_days: float
    waiting_days: float
    working_days: float
    deadlines: list[Deadline]
    ticks: list[tuple[float, str]]  # (x, label)
    width: float
    height: float
    label_width: float
    plot_width: float
    row_height: float
    top: float
    # The sentence above it. Without any duration_days the case tells only how long the
    # client waited, not how long anyone worked on the file: it says so, not "0 days worked".
    intro: str = ""
    work_recorded: bool = True


@dataclass(frozen=True)
class MatrixCell:
    kinds: tuple[str, ...]  # asks, field, attachment, brings, provides, uses
    text: str  # short letters, e.g. "V" or "V M"
    title: str  # the kinds in words, for a tooltip and screen readers
    asked: bool
    could_consult: bool  # asked although the item has an authentic source


@dataclass(frozen=True)
class MatrixRow:
    id: str
    name: str
    source: str | None
    local_access: bool
    times_asked: int
    repeated: bool
    unused: bool
    cells: list[MatrixCell]  # one per column of the matrix; empty in a compact matrix
    codes: list[str]
    marks: list[tuple[StepRef, MatrixCell]] = field(default_factory=list)  # compact: the non-empty cells only

    @property
    def anchor(self) -> str:
        return f"data-{self.id}"


@dataclass(frozen=True)
class DataMatrix:
    steps: list[StepRef]
    rows: list[MatrixRow]
    legend: list[tuple[str, str]]  # (letter, meaning)
    compact: bool = False  # too many cells to show: each item lists its steps instead (no columns)


@dataclass(frozen=True)
class DataRef:
    id: str
    name: str

    @property
    def anchor(self) -> str:
        return f"data-{self.id}"


@dataclass(frozen=True)
class SavingView:
    client_minutes: float
    staff_minutes: float
    lead_days: float
    client_hours_year: float
    staff_hours_year: float
    euro_year: float

    @property
    def empty(self) -> bool:
        return not (self.client_minutes or self.staff_minutes or self.lead_days or self.euro_year)


@dataclass(frozen=True)
class ProposalView:
    anchor: str
    finding_anchor: str
    code: str
    title: str
    text: str
    level: str
    target_kind: str
    target_name: str
    owner: str
    government: str
    saving: SavingView
    # Texts the template shows with every proposal, made here: one t() call from Python costs a
    # fraction of one from a template, and a long case has hundreds of proposals.
    target_label: str  # "Gegevens", "Formulier" ... (report.target.<kind>)
    finding_link: str  # "Bevinding D01"
    saving_text: str = ""  # the saving per case: "12 min voor de cliënt · 5 min voor het personeel · 3 dagen"
    euro_year_text: str = ""  # the saving per year in euro ("€ 1.200 per jaar"), when there is one


@dataclass(frozen=True)
class FindingView:
    anchor: str
    code: str
    title: str
    message: str
    severity: str
    level: str
    steps: list[StepRef]
    data: list[DataRef]
    proposal: ProposalView
    severity_label: str  # the badge: "Ernst: hoog" (report.findings.severity), made here as ProposalView's texts
    level_label: str  # "Lokaal" / "Bovenlokaal"


@dataclass(frozen=True)
class FindingGroup:
    code: str
    title: str
    anchor: str
    findings: list[FindingView]
    worst: str


@dataclass(frozen=True)
class ProposalColumn:
    level: str
    title: str
    intro: str
    proposals: list[ProposalView]
    euro_year: float
    client_hours_year: float
    staff_hours_year: float


@dataclass(frozen=True)
class StepRow:
    step: StepRef
    actor: str
    organisation: str
    kind: str
    channel: str
    client_minutes: float
    staff_minutes: float
    wait_days: float
    duration_days: float
    tells_story: bool
    visit: bool
    on_longest_path: bool
    codes: list[str]
    severity: str | None
    note: str | None
    next: list[StepRef]
    findings: list["StepFinding"] = field(default_factory=list)  # for the step's card beside the map


@dataclass(frozen=True)
class StepFinding:
    """The findings of one code at a step, as the step's card lists them: a link to the first."""

    anchor: str
    code: str
    title: str
    severity: str  # the worst of them
    count: int = 1


@dataclass(frozen=True)
class FormRow:
    id: str
    name: str
    owner: str
    rule: str | None
    fields: list[DataRef]
    attachments: list[DataRef]
    pages: int | None
    steps: list[StepRef]
    heavy: bool

    @property
    def anchor(self) -> str:
        return f"form-{self.id}"


@dataclass(frozen=True)
class RuleRow:
    id: str
    name: str
    level: str
    ref: str | None
    deadline_days: float | None
    from_step: StepRef | None
    to_step: StepRef | None
    actual_days: float | None
    exceeded: bool
    steps: list[StepRef]

    @property
    def anchor(self) -> str:
        return f"rule-{self.id}"


@dataclass(frozen=True)
class SourceRow:
    id: str
    name: str
    level: str
    via: str | None
    local_access: bool
    items: list[DataRef]


@dataclass(frozen=True)
class Section:
    anchor: str
    title: str


@dataclass(frozen=True)
class CaseReport:
    lang: str
    generator: str
    generated_on: str
    case: CaseHeader
    link_back: str | None
    sections: list[Section]
    figures: list[Figure]
    # Under the cards: what a card only counts (the recurring steps, by name): a card holds a
    # figure and a line or two, not a list of step names.
    figures_footnote: str
    process_map: ProcessMap
    timeline: Timeline
    matrix: DataMatrix
    finding_groups: list[FindingGroup]
    n_findings: int
    columns: list[ProposalColumn]  # "Lokaal" and "Bovenlokaal", in that order
    steps: list[StepRow]
    forms: list[FormRow]
    rules: list[RuleRow]
    sources: list[SourceRow]
    tariffs: dict[str, float]
    to_be: ToBeReport | None = None  # templates/_to_be.html, when the run has scenarios to draw
    # The live preview shows the to-be of the version before for a moment, until the new one
    # is worked out (kafka.report.render_live_report): the section says so and is dimmed.
    to_be_pending: bool = False
    # templates/_evidence.html (told versus logged, kafka.log.evidence_report.EvidenceView), when the case names a log
    evidence: EvidenceView | None = None
    # The client's voice (kafka.report.voice): feelings and quotes as an emotion lane, when the case has them.
    voice: VoiceLane | None = None


# --- building --------------------------------------------------------------------

def build_case_report(run: CaseRun, *, link_back: str | None = None) -> CaseReport:
    analysis = run.analysis
    to_be = build_to_be(analysis, run.scenarios) if run.scenarios is not None and run.options.to_be else None
    t = Translator(analysis.lang)
    refs = _step_refs(analysis)
    proposals = _proposals(analysis, t)
    groups = _finding_groups(analysis, t, refs, proposals)
    sections = [
        Section("figures", t("report.sections.figures")),
        Section("map", t("report.sections.map")),
        Section("timeline", t("report.sections.timeline")),
        *_evidence_sections(analysis, t),
    ]
    voice = voice_lane(analysis)
    if voice is not None:
        sections.append(Section("voice", t("report.sections.voice")))
    sections += [
        Section("data", t("report.sections.data")),
        Section("findings", t("report.sections.findings")),
        Section("proposals", t("report.sections.proposals")),
    ]
    if to_be is not None:
        sections.append(Section("to-be", t("report.sections.to_be")))
    sections.append(Section("appendix", t("report.sections.appendix")))
    return CaseReport(
        lang=analysis.lang,
        generator=f"kafka {__version__}",
        generated_on=dt.date.today().isoformat(),
        case=_header(analysis),
        link_back=link_back,
        sections=sections,
        figures=_figures(analysis, t),
        figures_footnote=_recurring_steps(analysis, t),
        process_map=_process_map(analysis, t),
        timeline=_timeline(analysis, t, refs),
        matrix=_matrix(analysis, t, refs),
        finding_groups=groups,
        n_findings=len(analysis.findings),
        columns=_columns(analysis, t, proposals),
        steps=_steps(analysis, t, refs),
        forms=_forms(analysis, refs),
        rules=_rules(analysis, refs),
        sources=_sources(analysis),
        tariffs={"client_hour_eur": analysis.settings.client_hour_eur, "staff_hour_eur": analysis.settings.staff_hour_eur},
        to_be=to_be,
        evidence=_evidence_view(analysis, refs),
        voice=voice,
    )


def _evidence_sections(analysis: Analysis, t: Translator) -> list[Section]:
    """Told versus logged (kafka.log, issue 17), when the case names an event log."""
    return [Section("evidence", t("log.evidence.section"))] if analysis.evidence is not None else []


def _evidence_view(analysis: Analysis, refs: dict[str, StepRef]) -> EvidenceView | None:
    if analysis.evidence is None:
        return None
    from kafka.log.evidence_report import evidence_view

    return evidence_view(analysis, refs)


def _step_refs(analysis: Analysis) -> dict[str, StepRef]:
    numbers = step_numbers(analysis)
    return {s.id: StepRef(s.id, numbers[s.id], s.name) for s in analysis.case.steps}


def _data_ref(analysis: Analysis, key: str) -> DataRef:
    return DataRef(key, analysis.case.data[key].name)


def _header(analysis: Analysis) -> CaseHeader:
    info = analysis.case.case
    return CaseHeader(
        id=info.id, title=info.title, organisation=info.organisation, municipality=info.municipality,
        procedure=info.procedure, date=info.date.isoformat() if info.date else None, mapped_by=list(info.mapped_by),
        story=info.story, cases_per_year=info.cases_per_year, initiated_by=info.initiated_by,
    )


# --- key figures -------------------------------------------------------------------

def main_deadline(analysis: Analysis) -> tuple[str, Rule, float] | None:
    """The legal deadline to hold the lead time against: the most exceeded one, else the longest.

    Returns (rule key, rule, days it takes along the longest path).
    """
    graph = analysis.graph
    candidates = []
    for key, rule in analysis.case.rules.items():
        if rule.deadline_days is None or not rule.from_step or not rule.to_step:
            continue
        path = graph.longest_path_between(rule.from_step, rule.to_step)
        if path is None:
            continue
        over = path.days - rule.deadline_days
        candidates.append((over > 0, over if over > 0 else rule.deadline_days, key, rule, path.days))
    if not candidates:
        return None
    _, _, key, rule, days = max(candidates, key=lambda c: (c[0], c[1]))
    return key, rule, days


def duration_text(t: Translator, minutes: float) -> tuple[str, str]:
    """(value, unit) readable on a card: minutes below an hour, else hours with one decimal."""
    if minutes < 60:
        return t.number(minutes), t("report.units.min")
    hours = minutes / 60
    return t.number(hours, 0 if hours.is_integer() else 1), t("report.units.hours")


def _recurring_steps(analysis: Analysis, t: Translator) -> str:
    """'Terugkerende stappen: «X» (elke 30 dagen: 12,2 keer) en ...', or '' without any."""
    steps = analysis.metrics.repeating_steps
    if not steps:
        return ""
    g = analysis.graph
    repeats = [t.n("report.figures.repeat", round(g.times_per_year(s), 1), step=t.quote(g.steps[s].name),
                   days=t.number(g.steps[s].repeats_every_days), times=_times_text(t, g.times_per_year(s)))
               for s in steps]
    return t("report.figures.recurring_steps", steps=t.join(repeats))


def _figures(analysis: Analysis, t: Translator) -> list[Figure]:
    m = analysis.metrics
    figures = []
    deadline = main_deadline(analysis)
    if work_recorded(analysis):
        lead_note = t("report.figures.lead_time_wait", share=t.number(_share(m.waiting_days, m.lead_time_days) * 100))
    else:
        lead_note = t("report.figures.lead_time_waits_only")
    alert, meter = False, None
    if deadline:
        _, rule, days = deadline
        alert = days > rule.deadline_days
        meter = min(1.0, rule.deadline_days / days) if days else None
        key = "report.figures.deadline_over" if alert else "report.figures.deadline_ok"
        lead_note += " " + t(key, rule=t.quote(rule.name), deadline=t.number(rule.deadline_days), days=t.number(days))
    if m.lead_time_days - m.dependency_lead_time_days >= 1:  # version 1.1: steps wait for what they do not need
        lead_note += " " + t("report.figures.dependency_lead_time", days=t.number(m.dependency_lead_time_days))
    figures.append(Figure("lead_time", t("report.figures.lead_time"), t.number(m.lead_time_days),
                          t.n("report.units.days", m.lead_time_days), lead_note, alert, meter))
    value, unit = duration_text(t, m.client_minutes)
    figures.append(Figure("client_time", t("report.figures.client_time"), value, unit,
                          t.n("report.figures.client_time_note", m.client_contacts, contacts=m.client_contacts)))
    value, unit = duration_text(t, m.staff_minutes)
    figures.append(Figure("staff_time", t("report.figures.staff_time"), value, unit,
                          t.n("report.figures.staff_time_note", m.steps, steps=m.steps)))
    figures.append(Figure("contacts", t("report.figures.contacts"), t.number(m.client_contacts), "",
                          t.n("report.figures.contacts_note", m.in_person_visits) if m.in_person_visits
                          else t("report.figures.contacts_note_none"), m.in_person_visits >= 3))
    figures.append(Figure("organisations", t("report.figures.organisations"), t.number(m.organisations), "",
                          t("report.figures.organisations_note"),
                          m.organisations >= analysis.settings.counter_hopping_organisations))
    figures.append(Figure("stories", t("report.figures.stories"), t.number(m.story_count),
                          t.n("report.units.times", m.story_count), t("report.figures.stories_note"),
                          m.story_count >= analysis.settings.repeated_story_steps))
    repeated = m.data_asked - m.data_unique
    figures.append(Figure("data", t("report.figures.data"), t.number(m.data_asked),
                          t.n("report.units.questions", m.data_asked),
                          t("report.figures.data_note" if repeated else "report.figures.data_note_none",
                            unique=m.data_unique, repeated=repeated), repeated > 0,
                          _share(m.data_unique, m.data_asked) if m.data_asked else None))
    a = m.annual
    burden_note = t.n("report.figures.burden_note", a.cases, cases=t.number(a.cases), client=t.number(a.client_hours),
                      staff=t.number(a.staff_hours))
    if m.repeating_steps:  # Standard Cost Model: a periodic step counts as often as it comes back
        burden_note += " " + t.n("report.figures.repeats", len(m.repeating_steps), n=len(m.repeating_steps))
    figures.append(Figure("burden", t("report.figures.burden"), f"€\u00a0{t.number(a.total_cost_eur)}",
                          t("report.units.per_year"), burden_note))
    if m.take_up is not None:
        info = analysis.case.case
        figures.append(Figure("take_up", t("report.figures.take_up"), t.number(m.take_up * 100), "%",
                              t("report.figures.take_up_note", cases=t.number(info.cases_per_year),
                                eligible=t.number(info.eligible_per_year)),
                              m.take_up < analysis.settings.take_up_below, min(1.0, m.take_up)))
    return figures


def _times_text(t: Translator, times: float) -> str:
    times = round(times, 1)
    return t.number(times, 0 if float(times).is_integer() else 1)


def _share(part: float, whole: float) -> float:
    return part / whole if whole else 0.0


# --- the process map ------------------------------------------------------------------

def _process_map(analysis: Analysis, t: Translator) -> ProcessMap:
    built = build_process_map(analysis, analysis.lang)
    svg = render_svg(built.source, id_prefix=MAP_ID)
    width, height = _svg_size(svg)
    legend = [
        LegendItem("sev-high", t("report.map.legend.high")),
        LegendItem("sev-medium", t("report.map.legend.medium")),
        LegendItem("sev-low", t("report.map.legend.low")),
        LegendItem("sev-none", t("report.map.legend.none")),
        LegendItem("visit", t("report.map.legend.visit")),
        LegendItem("story", t("report.map.legend.story", tag=t("report.map.tag_story"))),
        LegendItem("edge-wait", t("report.map.legend.wait")),
        LegendItem("edge-long", t("report.map.legend.long_wait", days=t.number(analysis.settings.long_wait_days))),
        LegendItem("edge-loop", t("report.map.legend.loop")),
    ]
    header = PAD + LANE_HEADER - 6
    return ProcessMap(Markup(svg), width, height, legend, [lane.name for lane in lanes(analysis)],
                      f"{MAP_ID}-graph0", header, print_slices(built.placement, width, height, header))


# A4 landscape minus margins is 277 x 190 mm; the first page also carries the section's heading.
FIRST_PAGE_RATIO = 0.50
PAGE_RATIO = 0.64


def print_slices(placement, width: float, height: float, header: float) -> list[MapSlice]:
    """Bands of whole rows that each fit a landscape A4 page at the map's full width.

    Neighbouring bands share the gap between their rows, so an edge label in
    that gap is whole in at least one of them; every band but the first gets
    the lane names above it (drawn separately, ``header`` high).
    """
    rows = [(PAD + top, PAD + bottom) for top, bottom in placement.rows]
    if not rows or height <= width * FIRST_PAGE_RATIO:
        return [MapSlice(0.0, height)]
    slices: list[MapSlice] = []
    start, i = 0.0, 0
    while i < len(rows):
        limit = width * FIRST_PAGE_RATIO if not slices else width * PAGE_RATIO - header
        j = i + 1  # rows i..j-1 go in this band; always at least one
        while j < len(rows) and rows[j][1] - start <= limit:
            j += 1
        if j == len(rows):
            slices.append(MapSlice(start, height - start))
            break
        slices.append(MapSlice(start, rows[j][0] - start))  # down to the top of row j, the gap included
        start, i = rows[j - 1][1], j  # the next band starts with that same gap
    return slices


def _svg_size(svg: str) -> tuple[float, float]:
    import re

    match = re.search(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"', svg)
    return (float(match.group(1)), float(match.group(2))) if match else (0.0, 0.0)


# --- the timeline ---------------------------------------------------------------------

TIMELINE_WIDTH = 1000.0
TIMELINE_LABEL = 330.0
TIMELINE_ROW = 24.0
TIMELINE_TOP = 34.0


def _timeline(analysis: Analysis, t: Translator, refs: dict[str, StepRef]) -> Timeline:
    graph = analysis.graph
    path = analysis.metrics.longest_path
    total = analysis.metrics.lead_time_days
    plot = TIMELINE_WIDTH - TIMELINE_LABEL - 20
    scale = plot / total if total else 0.0
    long_wait = analysis.settings.long_wait_days
    rows, day = [], 0.0
    start_of: dict[str, float] = {}  # day each step starts its own work (after its wait)
    end_of: dict[str, float] = {}
    for i, step_id in enumerate(path):
        step = graph.steps[step_id]
        wait, work = step.wait_days, step.duration_days
        start_of[step_id] = day + wait
        end_of[step_id] = day + wait + work
        x = TIMELINE_LABEL + day * scale
        rows.append(TimelineRow(
            step=refs[step_id], organisation=graph.organisation(step_id), start=day, wait=wait, work=work,
            long_wait=wait >= long_wait, y=TIMELINE_TOP + i * TIMELINE_ROW,
            x_wait=x, w_wait=wait * scale, x_work=x + wait * scale, w_work=work * scale,
            wait_title=t.n("report.map.wait_days", wait, days=t.number(wait, 1 if wait % 1 else 0)) if wait else "",
            work_title=t.n("report.timeline.work_days", work, days=t.number(work, 1 if work % 1 else 0)) if work else "",
        ))
        day += wait + work
    deadlines = []
    for key, rule in analysis.case.rules.items():
        if rule.deadline_days is None or rule.from_step not in start_of or rule.to_step not in end_of:
            continue
        # T01 counts from the start of the 'from' step (after its wait) to the end of the 'to' step.
        begin = start_of[rule.from_step]
        end = end_of[rule.to_step]
        deadlines.append(Deadline(
            rule=rule.name, days=rule.deadline_days, start_day=begin, end_day=end,
            exceeded=end - begin > rule.deadline_days,
            x=TIMELINE_LABEL + min(begin + rule.deadline_days, total) * scale,
            label_left=min(begin + rule.deadline_days, total) * scale > plot - 110,
            from_step=refs[rule.from_step], to_step=refs[rule.to_step],
        ))
    height = TIMELINE_TOP + len(rows) * TIMELINE_ROW + 12
    recorded = work_recorded(analysis)
    days = lambda n: t.n("common.days", n)  # noqa: E731
    m = analysis.metrics
    if recorded:
        intro = t("report.timeline.intro", days=days(total), wait=days(m.waiting_days), work=days(m.touch_days))
    else:
        intro = t("report.timeline.intro_waits_only", days=days(total))
    return Timeline(
        rows=rows, total_days=total, waiting_days=analysis.metrics.waiting_days,
        working_days=analysis.metrics.touch_days, deadlines=deadlines, ticks=_ticks(t, total, scale),
        width=TIMELINE_WIDTH, height=height, label_width=TIMELINE_LABEL, plot_width=plot,
        row_height=TIMELINE_ROW, top=TIMELINE_TOP, intro=intro, work_recorded=recorded,
    )


def work_recorded(analysis: Analysis) -> bool:
    """Whether the case tells how long the steps on the longest path take (``duration_days``):
    without, its lead time is all waiting as told, and the working time was not recorded
    (the report says so, never "0 days worked")."""
    return analysis.metrics.touch_days > 0


def _ticks(t: Translator, total: float, scale: float) -> list[tuple[float, str]]:
    if not total:
        return [(TIMELINE_LABEL, "0")]
    step = next(s for s in (1, 2, 7, 14, 30, 60, 90, 180, 365, 730, 10**9) if total / s <= 12)
    return [(TIMELINE_LABEL + d * scale, t.number(d)) for d in range(0, int(total) + 1, step)]


# --- the data matrix ----------------------------------------------------------------------

MATRIX_KINDS = ("asks", "field", "attachment", "brings", "provides", "uses")
ASKED_KINDS = frozenset({"asks", "field", "attachment", "brings"})


# More cells than this (200 steps x 100 items) and the matrix is shown compact: a row per
# item with only the steps that ask, provide or use it. A full matrix grows as steps x
# items (a 3,000-step case: 1.2 million cells, 50 MB of HTML) and nobody reads it.
MATRIX_MAX_CELLS = 20_000


def _matrix(analysis: Analysis, t: Translator, refs: dict[str, StepRef]) -> DataMatrix:
    graph = analysis.graph
    case = analysis.case
    kinds_at: dict[tuple[str, str], list[str]] = {}
    for step_id, items in graph.asked_by_step.items():
        for item, ways in items.items():
            kinds_at.setdefault((item, step_id), []).extend(ways)
    for step in case.steps:
        for rel in ("provides", "uses"):
            for item in dict.fromkeys(getattr(step, rel)):
                kinds_at.setdefault((item, step.id), []).append(rel)
    used_steps = {step_id for item, step_id in kinds_at if item in case.data}
    columns = [refs[s.id] for s in case.steps if s.id in used_steps]
    compact = len(columns) * len(case.data) > MATRIX_MAX_CELLS
    steps_of: dict[str, list[str]] = {}  # item -> its steps, in file order (for the compact form)
    if compact:
        for (item, step_id) in sorted(kinds_at, key=lambda key: graph.order[key[1]]):
            steps_of.setdefault(item, []).append(step_id)
    codes_by_item: dict[str, dict[str, None]] = {}
    for finding in analysis.findings:
        for item in finding.data:
            codes_by_item.setdefault(item, {})[finding.code] = None
    uses_declared = any(s.uses for s in case.steps)
    cell_of = _matrix_cells(t)
    rows = []
    for key, item in case.data.items():
        source = graph.source_of(key)
        if compact:
            cells = []
            marks = [(refs[s], cell_of(kinds_at[(key, s)], source is not None)) for s in steps_of.get(key, ())]
        else:
            cells = [cell_of(kinds_at.get((key, col.id), ()), source is not None) for col in columns]
            marks = []
        times = len(graph.askers.get(key, []))
        rows.append(MatrixRow(
            id=key, name=item.name, source=source.name if source else None,
            local_access=bool(source and source.local_access), times_asked=times,
            repeated=times >= analysis.settings.repeated_question_steps,
            unused=uses_declared and times > 0 and key not in graph.users,
            cells=cells, codes=list(codes_by_item.get(key, {})), marks=marks,
        ))
    rows.sort(key=lambda r: (-r.times_asked, r.name.lower()))
    meanings: dict[str, list[str]] = {}  # one legend entry per letter (a paper is a paper, attached or brought)
    for k in MATRIX_KINDS:
        meanings.setdefault(t(f"report.matrix.letter.{k}"), []).append(t(f"report.matrix.kind.{k}"))
    legend = [(letter, " / ".join(words)) for letter, words in meanings.items()]
    return DataMatrix([] if compact else columns, rows, legend, compact)


def _matrix_cells(t: Translator):
    """A cell for a set of kinds; cells are shared (most are empty or alike) and built once."""
    made: dict[tuple[tuple[str, ...], bool], MatrixCell] = {}

    def cell(found, has_source: bool) -> MatrixCell:
        kinds = tuple(k for k in MATRIX_KINDS if k in found)
        if (kinds, has_source) not in made:
            asked = bool(ASKED_KINDS & set(kinds))
            made[(kinds, has_source)] = MatrixCell(
                kinds=kinds,
                text=" ".join(dict.fromkeys(t(f"report.matrix.letter.{k}") for k in kinds)),
                title=t.join([t(f"report.matrix.kind.{k}") for k in kinds]),
                asked=asked,
                could_consult=asked and has_source,
            )
        return made[(kinds, has_source)]

    return cell


# --- findings and proposals ----------------------------------------------------------------------

def _finding_anchors(analysis: Analysis) -> dict[int, str]:
    """finding-<code>-<n>: stable per code, numbered in the order the analysis found them."""
    anchors, count = {}, {}
    for index, finding in enumerate(analysis.findings):
        count[finding.code] = count.get(finding.code, 0) + 1
        anchors[index] = f"finding-{finding.code}-{count[finding.code]}"
    return anchors


def _proposals(analysis: Analysis, t: Translator) -> list[ProposalView]:
    anchors = _finding_anchors(analysis)
    target_labels: dict[str, str] = {}  # kind -> its label, looked up once per report
    views = []
    for index, finding in enumerate(analysis.findings):
        p, s = finding.proposal, finding.proposal.saving
        kind = p.target.kind
        if kind not in target_labels:
            target_labels[kind] = t(f"report.target.{kind}")
        views.append(ProposalView(
            anchor=anchors[index].replace("finding-", "proposal-", 1), finding_anchor=anchors[index],
            code=finding.code, title=p.title, text=p.text, level=p.level.value, target_kind=p.target.kind,
            target_name=p.target.name, owner=p.target.owner, government=p.target.government,
            saving=SavingView(s.client_minutes, s.staff_minutes, s.lead_days, s.client_hours_year,
                              s.staff_hours_year, s.euro_year),
            target_label=target_labels[kind], finding_link=t("report.proposals.finding", code=finding.code),
            saving_text=_saving_text(s, t),
            euro_year_text=t("report.proposals.euro_year", euro=t.number(s.euro_year)) if s.euro_year else "",
        ))
    return views


def _saving_text(saving, t: Translator) -> str:
    """A proposal's saving per case in words: the client's and the staff's minutes (from half a
    minute) and the days of lead time, joined by " · "."""
    parts = []
    if saving.client_minutes >= 0.5:
        parts.append(t("report.proposals.client_minutes", n=t.number(saving.client_minutes)))
    if saving.staff_minutes >= 0.5:
        parts.append(t("report.proposals.staff_minutes", n=t.number(saving.staff_minutes)))
    if saving.lead_days:
        parts.append(t.n("report.proposals.lead_days", saving.lead_days, days=t.number(saving.lead_days)))
    return " · ".join(parts)


def _finding_groups(analysis: Analysis, t: Translator, refs, proposals: list[ProposalView]) -> list[FindingGroup]:
    groups: dict[str, list[FindingView]] = {}
    worst: dict[str, Finding] = {}
    # Each badge's text looked up once per report, not once per finding.
    severity_labels = {s: t("report.findings.severity", severity=t(f"common.severity.{s.value}")) for s in Severity}
    level_labels = {level: t(f"common.level.{level.value}") for level in Level}
    for finding, proposal in zip(analysis.findings, proposals):
        groups.setdefault(finding.code, []).append(FindingView(
            anchor=proposal.finding_anchor, code=finding.code, title=finding.title, message=finding.message,
            severity=finding.severity.value, level=finding.level.value,
            steps=[refs[s] for s in finding.steps], data=[_data_ref(analysis, d) for d in finding.data],
            proposal=proposal, severity_label=severity_labels[finding.severity], level_label=level_labels[finding.level],
        ))
        if finding.code not in worst or finding.severity.rank > worst[finding.code].severity.rank:
            worst[finding.code] = finding
    from kafka.detectors import CODES

    order = {code: i for i, code in enumerate(CODES)}
    return [
        FindingGroup(code, t(f"findings.{code}.title"), f"code-{code}", views, worst[code].severity.value)
        for code, views in sorted(groups.items(), key=lambda kv: order.get(kv[0], len(order)))
    ]


def _columns(analysis: Analysis, t: Translator, proposals: list[ProposalView]) -> list[ProposalColumn]:
    columns = []
    for level in (Level.LOCAL, Level.SUPRALOCAL):
        chosen = sorted(
            (p for p in proposals if p.level == level.value),
            key=lambda p: (-p.saving.euro_year, -p.saving.lead_days, -p.saving.client_minutes, p.anchor),
        )
        columns.append(ProposalColumn(
            level=level.value, title=t(f"common.level.{level.value}"), intro=t(f"report.proposals.intro.{level.value}"),
            proposals=chosen, euro_year=round(sum(p.saving.euro_year for p in chosen), 2),
            client_hours_year=round(sum(p.saving.client_hours_year for p in chosen), 2),
            staff_hours_year=round(sum(p.saving.staff_hours_year for p in chosen), 2),
        ))
    return columns


# --- the appendix ---------------------------------------------------------------------

def _steps(analysis: Analysis, t: Translator, refs: dict[str, StepRef]) -> list[StepRow]:
    graph = analysis.graph
    worst = worst_severity(analysis)
    on_path = set(analysis.metrics.longest_path)
    codes: dict[str, dict[str, None]] = {}
    for finding in analysis.findings:
        for s in finding.steps:
            codes.setdefault(s, {})[finding.code] = None
    by_step: dict[str, dict[str, StepFinding]] = {}
    for anchor, finding in zip(_finding_anchors(analysis).values(), analysis.findings):
        for s in dict.fromkeys(finding.steps):
            mine = by_step.setdefault(s, {})
            seen = mine.get(finding.code)
            if seen is None:
                mine[finding.code] = StepFinding(anchor, finding.code, finding.title, finding.severity.value)
            else:
                worse = finding.severity.rank > Severity(seen.severity).rank
                mine[finding.code] = StepFinding(seen.anchor, seen.code, seen.title,
                                                 finding.severity.value if worse else seen.severity, seen.count + 1)
    rows = []
    for step in analysis.case.steps:
        actor = analysis.case.actors[step.actor]
        rows.append(StepRow(
            step=refs[step.id], actor=actor.name, organisation=actor.org,
            kind=t(f"report.kind.{step.kind.value}") if step.kind else "",
            channel=t(f"report.channel.{step.channel.value}") if step.channel else "",
            client_minutes=step.client_minutes, staff_minutes=step.staff_minutes, wait_days=step.wait_days,
            duration_days=step.duration_days, tells_story=step.tells_story,
            visit=step.in_person and step.client_minutes > 0, on_longest_path=step.id in on_path,
            codes=list(codes.get(step.id, {})), severity=worst[step.id].value if step.id in worst else None,
            note=step.note, next=[refs[n] for n in graph.flow.successors(step.id)],
            findings=list(by_step.get(step.id, {}).values()),
        ))
    return rows


def _forms(analysis: Analysis, refs: dict[str, StepRef]) -> list[FormRow]:
    heavy = {f.proposal.target.id for f in analysis.findings if isinstance(f.facts, p03_heavy_form.Facts)}
    rows = []
    for key, form in analysis.case.forms.items():
        rule = analysis.case.rules.get(form.rule) if form.rule else None
        rows.append(FormRow(
            id=key, name=form.name, owner=analysis.case.actors[form.owner].name, rule=rule.name if rule else None,
            fields=[_data_ref(analysis, d) for d in form.fields],
            attachments=[_data_ref(analysis, d) for d in form.attachments], pages=form.pages,
            steps=[refs[s] for s in analysis.graph.form_steps(key)], heavy=key in heavy,
        ))
    return rows


def _rules(analysis: Analysis, refs: dict[str, StepRef]) -> list[RuleRow]:
    graph = analysis.graph
    case = analysis.case
    rows = []
    for key, rule in case.rules.items():
        actual = None
        if rule.deadline_days is not None and rule.from_step and rule.to_step:
            path = graph.longest_path_between(rule.from_step, rule.to_step)
            actual = path.days if path else None
        mandated = [s.id for s in case.steps if s.rule == key or (s.form and case.forms[s.form].rule == key)]
        rows.append(RuleRow(
            id=key, name=rule.name, level=rule.level.value, ref=rule.ref, deadline_days=rule.deadline_days,
            from_step=refs.get(rule.from_step) if rule.from_step else None,
            to_step=refs.get(rule.to_step) if rule.to_step else None, actual_days=actual,
            exceeded=actual is not None and rule.deadline_days is not None and actual > rule.deadline_days,
            steps=[refs[s] for s in mandated],
        ))
    return rows


def _sources(analysis: Analysis) -> list[SourceRow]:
    graph = analysis.graph
    items: dict[str, list[DataRef]] = {}
    for key, item in analysis.case.data.items():
        if item.source:
            items.setdefault(item.source, []).append(_data_ref(analysis, key))
    rows = []
    for key, refs in items.items():
        source = graph.sources.get(key)
        if source is None:
            continue
        rows.append(SourceRow(key, source.name, source.level.value, source.via, source.local_access, refs))
    return rows
