"""A small event log whose waits, rework and deadline outcomes are known by construction.

Each case is a list of steps (activity, wait in days before it, working hours,
resource, organisation). The log's times follow from them, so the expected
measurements are the inputs themselves; :func:`quantile` computes the
expected medians and p90s independently of the engine (linear interpolation,
as numpy's default and DuckDB's quantile_cont).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
from dataclasses import dataclass

START = dt.datetime(2024, 1, 1, 9, 0)
DEADLINE_DAYS = 30


@dataclass(frozen=True)
class Step:
    activity: str
    wait_days: float  # before the step starts (from the end of the previous one)
    work_hours: float
    resource: str
    org: str = "OCMW Testgem"


# Dossier numbers and names a pseudonymisation test must never find in an output.
CASES: dict[str, tuple[dt.datetime, list[Step]]] = {
    "DOS-2024-0001": (START, [
        Step("Aanvraag", 0, 1, "Jan Peeters"),
        Step("Onderzoek", 1, 2, "Marie Claes"),
        Step("Beslissing", 15, 1, "BCSD Voorzitter", "BCSD"),
    ]),
    "DOS-2024-0002": (START + dt.timedelta(days=31), [
        Step("Aanvraag", 0, 1, "Jan Peeters"),
        Step("Documenten", 2, 1, "Els Wouters"),
        Step("Documenten", 5, 1, "Els Wouters"),  # repeated by the same worker: a repeat
        Step("Onderzoek", 2, 3, "Marie Claes"),
        Step("Beslissing", 30, 1, "BCSD Voorzitter", "BCSD"),  # 40 days after the start: late
    ]),
    "DOS-2024-0003": (START + dt.timedelta(days=40), [
        Step("Aanvraag", 0, 1, "Jan Peeters"),
        Step("Onderzoek", 3, 2, "Marie Claes"),
        Step("Onderzoek", 1, 2, "Tom Janssens"),  # done over by another worker: a redo
        Step("Beslissing", 10, 1, "BCSD Voorzitter", "BCSD"),
    ]),
    "DOS-2024-0004": (START + dt.timedelta(days=45), [
        Step("Aanvraag", 0, 1, "Sofie Maes"),
        Step("Onderzoek", 4, 2, "Marie Claes"),
        # no decision: still open when the log ends, long after the deadline
    ]),
    "DOS-2024-0005": (START + dt.timedelta(days=46), [
        Step("Aanvraag", 0, 1, "Sofie Maes"),
        Step("Onderzoek", 10, 2, "Tom Janssens"),
        Step("Beslissing", 14, 1, "BCSD Voorzitter", "BCSD"),
    ]),
    "DOS-2024-0006": (START + dt.timedelta(days=120), [
        Step("Aanvraag", 0, 1, "Sofie Maes"),  # the last case: the log ends 2 days after it starts
        Step("Onderzoek", 2, 1, "Marie Claes"),
    ]),
}
SECRET_WORDS = ("DOS-2024", "Jan Peeters", "Marie Claes", "Els Wouters", "Tom Janssens", "Sofie Maes",
                "BCSD Voorzitter", "vertrouwelijk")


@dataclass(frozen=True)
class Event:
    case: str
    activity: str
    start: dt.datetime
    end: dt.datetime
    resource: str
    org: str


def events() -> list[Event]:
    out = []
    for case, (begin, steps) in CASES.items():
        clock = begin
        for step in steps:
            start = clock + dt.timedelta(days=step.wait_days)
            end = start + dt.timedelta(hours=step.work_hours)
            out.append(Event(case, step.activity, start, end, step.resource, step.org))
            clock = end
    return out


def csv_text(delimiter: str = ";", time_format: str = "%Y-%m-%d %H:%M:%S", shuffle: bool = True) -> str:
    """The log as a case-management system exports it, with a free-text column kafka must drop."""
    rows = events()
    if shuffle:  # exports are not always sorted by case: interleave them
        rows = sorted(rows, key=lambda e: (e.end, e.case))
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    writer.writerow(["Dossiernummer", "Activiteit", "Begin", "Einde", "Medewerker", "Dienst", "Opmerking"])
    for e in rows:
        writer.writerow([e.case, e.activity, e.start.strftime(time_format), e.end.strftime(time_format),
                         e.resource, e.org, f"vertrouwelijk: {e.resource} belde de cliënt"])
    return out.getvalue()


MAPPING = """\
columns:
  case: Dossiernummer
  activity: Activiteit
  timestamp: Einde
  start: Begin
  resource: Medewerker
  organisation: Dienst
deadlines:
  - name: "RMI-wet art. 21: beslissing binnen 30 dagen"
    days: 30
    from: Aanvraag
    to: Beslissing
"""


def quantile(values: list[float], q: float) -> float:
    """Linear interpolation between the closest ranks (numpy's default)."""
    ordered = sorted(values)
    position = (len(ordered) - 1) * q
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def waits_before(activity: str) -> list[float]:
    """The known waits (days) before every occurrence of ``activity`` that is not a case's first step."""
    return [step.wait_days for _, steps in CASES.values() for i, step in enumerate(steps)
            if step.activity == activity and i > 0]


def transition_waits(source: str, target: str) -> list[float]:
    return [steps[i].wait_days for _, steps in CASES.values() for i in range(1, len(steps))
            if steps[i - 1].activity == source and steps[i].activity == target]


def lead_days() -> list[float]:
    out = []
    for begin, steps in CASES.values():
        total = sum(s.wait_days for s in steps) + sum(s.work_hours for s in steps) / 24
        out.append(total)
    return out
