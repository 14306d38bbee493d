"""The told-versus-logged part of the case report: data for ``templates/_evidence.html``.

:func:`evidence_view` reads the analysis and its :class:`~kafka.log.evidence.Evidence`
and gives plain rows with the words and numbers a reader sees; the case
report's builder (kafka.report.data) only puts the result in
``CaseReport.evidence``.
"""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup

from kafka.i18n import Translator
from kafka.log.evidence import Evidence
from kafka.log.plots import BoxRow, boxes_svg
from kafka.log.formatting import Formatter


@dataclass(frozen=True)
class EvidenceStepRow:
    step: object  # kafka.report.data.StepRef
    activities: list[str]
    told: str
    logged: bool  # the log has at least one of the step's activities
    cases: str
    median: str
    p90: str
    slower: str  # "12 van 40 (30%)"
    slower_alert: bool  # most logged cases waited longer than told


@dataclass(frozen=True)
class EvidenceRuleRow:
    anchor: str
    name: str
    deadline: str
    told: str  # the days along the case's path, and whether that is over the deadline
    told_over: bool
    logged: bool
    exceeding: str  # "12 van 40 (30%)"
    alert: bool


@dataclass(frozen=True)
class EvidenceView:
    intro: str
    error: str | None
    warnings: list[str]
    per_year: str | None  # the logged cases per year, said in words
    rows: list[EvidenceStepRow]
    rules: list[EvidenceRuleRow]
    plot: Markup | None


def evidence_view(analysis, refs: dict) -> EvidenceView:
    evidence: Evidence = analysis.evidence
    t = Translator(analysis.lang)
    f = Formatter(t)
    if evidence.error:
        return EvidenceView("", t("log.evidence.error", message=evidence.error), [], None, [], [], None)
    intro = t("log.evidence.intro", cases=f.cases(evidence.cases), source=evidence.log_name,
              first=f.date(evidence.first), last=f.date(evidence.last))
    per_year = None
    if evidence.cases_per_year is not None:
        per_year = (t("log.evidence.per_year", n=f.count(round(evidence.cases_per_year, 1)),
                      cases=f.cases(evidence.cases), years=f.years(evidence.span_days)) + " "
                    + t("log.evidence.cases_per_year_told", n=f.count(evidence.told_cases_per_year)))
    rows, boxes = [], []
    for s in evidence.steps:
        logged = bool(s.activities)
        slower = (f"{f.count(s.slower)} / {f.count(s.wait.n)} ({f.share(s.slower_share)})" if s.wait.n else "–")
        rows.append(EvidenceStepRow(
            step=refs[s.step_id], activities=list(s.activities), told=f.days(s.told_days) if s.told_days else "0",
            logged=logged, cases=f.count(s.cases) if logged else "", median=f.days(s.wait.median) if s.wait.n else "–",
            p90=f.days(s.wait.p90) if s.wait.n else "–", slower=slower,
            slower_alert=bool(s.wait.n) and (s.slower_share or 0) > 0.5,
        ))
        if logged:
            boxes.append(BoxRow(f"{refs[s.step_id].number}. {refs[s.step_id].name}", s.wait,
                                t("log.waits.first") if not s.wait.n else f.times(s.wait.n), s.told_days))
    plot = None
    if boxes:
        legend = {"median": t("log.waits.median").lower(), "box": t("log.waits.box"), "p90": "p90",
                  "marker": t("log.evidence.told").lower()}
        plot = boxes_svg(boxes, title=t("log.evidence.section"), x_label=f.days, legend=legend)
    rules = []
    graph = analysis.graph
    for r in evidence.rules:
        rule = analysis.case.rules[r.rule_id]
        path = graph.longest_path_between(rule.from_step, rule.to_step)
        told_days = path.days if path else None
        over = told_days is not None and told_days > r.deadline_days
        told = "–" if told_days is None else t("log.evidence.told_over" if over else "log.evidence.told_ok",
                                                 days=f.days(told_days))
        m = r.measure
        exceeding = (f"{f.count(m.exceeding)} / {f.count(m.known)} ({f.share(m.share)})" if m is not None and m.known
                     else t("log.evidence.not_logged"))
        rules.append(EvidenceRuleRow(f"rule-{r.rule_id}", rule.name, f.days(r.deadline_days), told, over,
                                     m is not None and bool(m.known), exceeding, bool(m and m.exceeding)))
    warnings = [t("log.evidence.unknown_activity", activity=a, source=evidence.log_name)
                for a in evidence.unknown_activities]
    return EvidenceView(intro, None, warnings, per_year, rows, rules, plot)
