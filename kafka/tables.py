"""Findings and metrics as flat rows: one source for CSV, XLSX and pandas views.

Spreadsheet programs run a cell that starts with ``=``, ``+``, ``-`` or ``@``
as a formula, so text cells that start with one are prefixed with ``'``
(OWASP's advice against CSV injection). Numbers are left as numbers.

A CSV file is also read with separators it was not written with: Belgian
Excel splits at ``;``, others at ``,`` or a tab, and a quote in the middle of
what such a program takes for a cell does not protect anything. So in CSV
every part a separator (or a line end) could start is guarded the same way,
and every cell that holds a separator is quoted, whatever the file's own
separator (:func:`to_csv`).
"""

from __future__ import annotations

import re
from typing import Iterable, Sequence

from kafka.analysis import Analysis

FINDING_COLUMNS = (
    "case_id", "organisation", "municipality", "procedure", "code", "title", "level", "severity",
    "steps", "data", "message", "proposal", "proposal_text", "target_kind", "target_id", "target_name",
    "owner", "government", "client_minutes_saved", "staff_minutes_saved", "lead_days_saved",
    "client_hours_year_saved", "staff_hours_year_saved", "euro_year_saved",
)

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Where any spreadsheet program may split a cell: the list separators of every
# locale and the line ends. A cell holding one (or a quote) is always quoted.
_SEPARATORS = ",;\t\r\n"
_NEEDS_QUOTES = re.compile('[,;\t\r\n"]')
_FORMULA_AFTER_SEPARATOR = re.compile(r"(?<=[,;\t\r\n])(?=[=+\-@\t\r])")


def finding_rows(analysis: Analysis) -> list[dict]:
    info = analysis.case.case
    rows = []
    for f in analysis.findings:
        p, target, saving = f.proposal, f.proposal.target, f.proposal.saving
        rows.append({
            "case_id": info.id,
            "organisation": info.organisation,
            "municipality": info.municipality or "",
            "procedure": info.procedure or "",
            "code": f.code,
            "title": f.title,
            "level": f.level.value,
            "severity": f.severity.value,
            "steps": ";".join(f.steps),
            "data": ";".join(f.data),
            "message": f.message,
            "proposal": p.title,
            "proposal_text": p.text,
            "target_kind": target.kind,
            "target_id": target.id,
            "target_name": target.name,
            "owner": target.owner,
            "government": target.government,
            "client_minutes_saved": saving.client_minutes,
            "staff_minutes_saved": saving.staff_minutes,
            "lead_days_saved": saving.lead_days,
            "client_hours_year_saved": saving.client_hours_year,
            "staff_hours_year_saved": saving.staff_hours_year,
            "euro_year_saved": saving.euro_year,
        })
    return rows


def spreadsheet_safe(value: object) -> object:
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def csv_cell(value: object) -> str:
    """One CSV cell, safe whichever separator the reading program splits at.

    Text is made :func:`spreadsheet_safe`, then every formula start right
    after a separator or line end gets the same ``'`` (``Intake;=2+3`` ->
    ``Intake;'=2+3``); a cell that holds a separator, a line end or a quote is
    quoted. Numbers are written as numbers; None as an empty cell.
    """
    if value is None:
        return ""
    if isinstance(value, str):
        text = _FORMULA_AFTER_SEPARATOR.sub("'", str(spreadsheet_safe(value)))
    else:
        text = str(value)
    if _NEEDS_QUOTES.search(text):
        return '"' + text.replace('"', '""') + '"'
    return text


def to_csv(rows: Iterable[dict], columns: Sequence[str], delimiter: str = ",", *, header: bool = True) -> str:
    """The rows as CSV text with a header row: ``columns`` in that order, one line per row;
    without ``header``, a chunk to append to one written with it.

    Every cell goes through :func:`csv_cell`, so the file is formula-safe
    with any ``delimiter`` and when a program splits it at another one.
    """
    if delimiter not in _SEPARATORS or delimiter in "\r\n":
        raise ValueError(f"unsupported CSV separator {delimiter!r}")
    lines = [delimiter.join(csv_cell(name) for name in columns)] if header else []
    lines += [delimiter.join(csv_cell(row.get(name, "")) for name in columns) for row in rows]
    return "\n".join(lines) + "\n" if lines else ""
