"""Told versus logged: a case file's ``evidence:`` section measured in its event log.

A case file (kafka extension, docs/case-format.md) may name a log, its
mapping, and which step each activity of the log belongs to::

    evidence:
      log: logs/leefloon-2025.csv          # relative to the case file
      mapping: logs/leefloon-2025.map.yaml
      steps:
        Aanvraag geregistreerd: aanmelding
        Sociaal onderzoek: sociaal_onderzoek
        Beslissing BCSD: beslissing

For every step the log measures the wait before it: in each case, from the
end of the event before the step's first event to that event's start (the
same definition as ``kafka log analyze``), beside the wait told in the room
(``wait_days``). For every rule with a deadline whose ``from`` and ``to``
steps are in the log, the share of logged cases that exceed it. The logged
number of cases per year replaces ``cases_per_year`` for the yearly figures.

No pseudonym is ever shown (only counts and durations), so the log is read
with a key made for the run. Measurements are kept in memory for the
process (the live preview re-renders often), keyed by the files' sizes and
times; nothing is written to disk.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from kafka.diagnostics import did_you_mean
from kafka.errors import KafkaError
from kafka.i18n import Translator
from kafka.detectors import t01_deadline_exceeded, t02_long_wait
from kafka.log.engine import connect
from kafka.log.formatting import Formatter
from kafka.log.events import open_log
from kafka.log.mapping import Deadline, load_mapping
from kafka.log.measure import DAY, DeadlineMeasure, Stats, cases_per_year, deadline_measure, stats_from, stats_sql
from kafka.log.pseudonymise import run_key
from kafka.model import Case


@dataclass(frozen=True)
class StepEvidence:
    step_id: str
    activities: tuple[str, ...]
    told_days: float
    cases: int  # logged cases that have the step
    wait: Stats  # the measured waits before it
    slower: int  # cases that waited longer than told

    @property
    def slower_share(self) -> float | None:
        return self.slower / self.wait.n if self.wait.n else None


@dataclass(frozen=True)
class RuleEvidence:
    rule_id: str
    deadline_days: float
    measure: DeadlineMeasure | None  # None when the log has none of the from or to step's activities


@dataclass(frozen=True)
class Evidence:
    log_name: str
    cases: int = 0
    events: int = 0
    first: dt.datetime | None = None
    last: dt.datetime | None = None
    span_days: float = 0.0
    cases_per_year: float | None = None  # logged; None when the log is too short to say
    told_cases_per_year: float = 1.0
    steps: tuple[StepEvidence, ...] = ()
    rules: tuple[RuleEvidence, ...] = ()
    unknown_activities: tuple[str, ...] = ()  # named in evidence.steps, absent from the log (with a suggestion)
    error: str | None = None  # the log could not be read: the case is analysed as told

    def step(self, step_id: str) -> StepEvidence | None:
        return next((s for s in self.steps if s.step_id == step_id), None)

    def rule(self, rule_id: str) -> RuleEvidence | None:
        return next((r for r in self.rules if r.rule_id == rule_id), None)


def case_evidence(case: Case, case_path: str | Path) -> Evidence | None:
    """The evidence of ``case`` (read from the file at ``case_path``), or None when it names no log."""
    if case.evidence is None:
        return None
    folder = Path(case_path).resolve().parent
    log_path = folder / case.evidence.log
    mapping_path = folder / case.evidence.mapping
    steps = tuple(sorted(case.evidence.steps.items()))
    told = tuple((s.id, s.wait_days) for s in case.steps)
    rules = tuple((key, r.deadline_days, r.from_step, r.to_step) for key, r in case.rules.items()
                  if r.deadline_days is not None and r.from_step and r.to_step)
    def failed(message: str) -> Evidence:
        return Evidence(Path(case.evidence.log).name, told_cases_per_year=case.case.cases_per_year, error=message)

    for written, path, what in ((case.evidence.log, log_path, "log"), (case.evidence.mapping, mapping_path, "mapping")):
        if not path.is_file():
            return failed(f"{written}: no such {what} file (relative to the case file)")
    try:
        stamp = (_stamp(log_path), _stamp(mapping_path))
        evidence = _measured(str(log_path), str(mapping_path), stamp, steps, told, rules)
    except (KafkaError, OSError) as exc:
        return failed(str(exc).replace(str(folder) + "/", ""))
    return dataclasses.replace(evidence, told_cases_per_year=case.case.cases_per_year)


def _stamp(path: Path) -> tuple[int, int]:
    stat = path.stat()
    return stat.st_size, stat.st_mtime_ns


@lru_cache(maxsize=16)
def _measured(log_path: str, mapping_path: str, stamp, steps: tuple, told: tuple, rules: tuple) -> Evidence:
    mapping = load_mapping(mapping_path)
    with connect() as con:
        log = open_log(con, log_path, mapping, run_key())
        known = {r[0] for r in con.execute("SELECT DISTINCT activity FROM events").fetchall()}
        unknown = tuple(f"'{a}'{did_you_mean(a, known)}" for a, _ in steps if a not in known)
        by_step: dict[str, list[str]] = {}
        for activity, step in steps:
            if activity in known:
                by_step.setdefault(step, []).append(activity)
        told_wait = dict(told)
        measured = _step_waits(con, by_step, told_wait)
        step_rows = tuple(  # every step, in the case's order; a step with no activity in the log says so
            StepEvidence(step_id, tuple(by_step.get(step_id, ())), days, *measured.get(step_id, (0, Stats(0), 0)))
            for step_id, days in told
        )
        rule_rows = []
        for key, days, start, end in rules:
            if start in by_step and end in by_step:
                deadline = Deadline(key, days, by_step[start][0], by_step[end][0])
                rule_rows.append(RuleEvidence(key, days, deadline_measure(con, deadline, log.last, by_step[start],
                                                                        by_step[end])))
            else:
                rule_rows.append(RuleEvidence(key, days, None))
        return Evidence(
            log_name=Path(log_path).name, cases=log.cases, events=log.events, first=log.first, last=log.last,
            span_days=log.span_days, cases_per_year=cases_per_year(log.cases, log.span_days),
            steps=step_rows, rules=tuple(rule_rows), unknown_activities=unknown,
        )


def _step_waits(con, by_step: dict[str, list[str]], told: dict[str, float]) -> dict[str, tuple[int, Stats, int]]:
    """step -> (cases, waits before its first event in each case, cases slower than told)."""
    if not by_step:
        return {}
    pairs = [(a, s) for s, acts in by_step.items() for a in acts]
    rows = con.execute(f"""
        WITH m AS (SELECT unnest($activities) AS activity, unnest($steps) AS step),
             t AS (SELECT unnest($told_steps) AS step, unnest($told_days) AS told),
             f AS (SELECT e.case_id, m.step, arg_min(e.wait_s, e.pos) AS wait_s
                   FROM events e JOIN m USING (activity) GROUP BY e.case_id, m.step)
        SELECT f.step, count(*), {stats_sql('f.wait_s')}, count(*) FILTER (WHERE f.wait_s > t.told * {DAY})
        FROM f JOIN t USING (step) GROUP BY f.step
    """, {"activities": [a for a, _ in pairs], "steps": [s for _, s in pairs],
          "told_steps": list(by_step), "told_days": [float(told.get(s, 0)) for s in by_step]}).fetchall()
    return {r[0]: (r[1], stats_from(r[2:7]), r[7]) for r in rows}


def evidence_warnings(loaded, evidence: Evidence | None) -> tuple[str, ...]:
    """What the user should know (in English, for the terminal): the log could not be read, or
    evidence.steps names activities the log does not have. The case is still analysed, as told."""
    if evidence is None:
        return ()
    line, col = loaded.positions.of(("evidence",)) if loaded.positions else (0, 0)
    where = f"{loaded.path}:{line}:{col}" if line else str(loaded.path)
    if evidence.error:
        return (f"{where}: warning: evidence: {evidence.error}; the case is analysed without its log",)
    return tuple(f"{where}: warning: evidence.steps: no activity {a} in {evidence.log_name}"
                 for a in evidence.unknown_activities)


def apply_to_case(case: Case, evidence: Evidence | None) -> Case:
    """The case with the logged number of cases per year, when the log can say it."""
    if evidence is None or evidence.error or evidence.cases_per_year is None:
        return case
    logged = round(evidence.cases_per_year, 1)
    return case.model_copy(update={"case": case.case.model_copy(update={"cases_per_year": logged})})


def annotate_findings(analysis, evidence: Evidence | None):
    """T02 and T01 findings say how many logged cases they concern (in the analysis's language).

    Only the message grows; the finding's typed facts stay as the detector made them (the
    logged counts are in ``analysis.evidence``).
    """
    if evidence is None or evidence.error:
        analysis.evidence = evidence
        return analysis
    t = Translator(analysis.lang)
    f = Formatter(t)
    findings = []
    for finding in analysis.findings:
        extra = None
        if isinstance(finding.facts, t02_long_wait.Facts):
            step = evidence.step(finding.steps[0])
            if step is not None and step.activities:
                extra = (t("log.evidence.finding_wait", slower=f.count(step.slower), cases=f.cases(step.wait.n),
                           share=f.share(step.slower_share), median=f.days(step.wait.median), p90=f.days(step.wait.p90))
                         if step.wait.n else t("log.evidence.finding_no_wait"))
        elif isinstance(finding.facts, t01_deadline_exceeded.Facts):
            rule = evidence.rule(finding.facts.rule)
            if rule is not None and rule.measure is not None:
                m = rule.measure
                extra = (t("log.evidence.finding_deadline", exceeding=f.count(m.exceeding), known=f.cases(m.known),
                           share=f.share(m.share)) if m.known else t("log.evidence.finding_no_deadline"))
        findings.append(finding if extra is None else dataclasses.replace(finding, message=f"{finding.message} {extra}"))
    analysis.findings = findings
    analysis.evidence = evidence
    return analysis
