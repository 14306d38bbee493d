"""Findings and metrics as flat rows: one source for CSV, XLSX and pandas views.

Spreadsheet programs run a cell that starts with ``=``, ``+``, ``-`` or ``@``
as a formula, so text cells that start with one are prefixed with ``'``
(OWASP's advice against CSV injection). Numbers are left as numbers.
"""

from __future__ import annotations

import csv
import io
from typing import Iterable, Sequence

from kafka.analysis import Analysis

FINDING_COLUMNS = (
    "case_id", "organisation", "municipality", "procedure", "code", "title", "level", "severity",
    "steps", "data", "message", "proposal", "proposal_text", "target_kind", "target_id", "target_name",
    "owner", "government", "client_minutes_saved", "staff_minutes_saved", "lead_days_saved",
    "client_hours_year_saved", "staff_hours_year_saved", "euro_year_saved",
)

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


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


def to_csv(rows: Iterable[dict], columns: Sequence[str], delimiter: str = ",", *, header: bool = True) -> str:
    """CSV text of ``rows``; without ``header``, a chunk to append to one written with it."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(columns), extrasaction="ignore", lineterminator="\n",
                            delimiter=delimiter)
    if header:
        writer.writeheader()
    for row in rows:
        writer.writerow({k: spreadsheet_safe(row.get(k, "")) for k in columns})
    return out.getvalue()
