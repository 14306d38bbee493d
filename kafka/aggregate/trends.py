"""The follow-up page of the VVSG site (trends.html): proposals over the years.

For every supralocal proposal the database has seen: in which share of the
cases of each year it occurs ("D02 for the Rijksregister: 60% of the cases
of 2026, 20% of 2027"), its status and history, and since when newer cases
no longer show it. Built from :class:`kafka.aggregate.followup.FollowUp`;
the database itself (history.sqlite) is linked for whoever wants to query it.
"""

from __future__ import annotations

from dataclasses import dataclass

from kafka.aggregate.agenda import Addressee, StatusView, addressee, format_date, status_view
from kafka.aggregate.followup import FollowUp
from kafka.i18n import Translator


@dataclass
class TrendLine:
    key: str
    code: str
    title: str  # the finding's title
    proposal: str
    target: str
    to: Addressee
    cells: list[tuple[str, str, float]]  # per year: (share as shown, "3 van 5", share 0-1)
    status: StatusView
    history: list[StatusView]
    last_seen: str  # as shown
    not_seen_since: str  # as shown, "" when newer cases still show it
    in_this_run: bool


@dataclass
class TrendsPage:
    years: list[str]
    current: list[TrendLine]  # proposals of this run
    gone: list[TrendLine]  # proposals of earlier runs that this run no longer has
    runs: int
    database: str  # file name, "" when none
    unknown_keys: list[tuple[str, int]]  # status register keys no run has seen (key, line)
    register: str  # the status register's file name, "" when none was read
    downloads: list


def trends_page(follow: FollowUp, t: Translator, downloads: list, register: str = "") -> TrendsPage:
    lines = [_line(row, follow, t) for row in follow.trends]
    return TrendsPage(
        years=follow.years,
        current=[line for line in lines if line.in_this_run],
        gone=[line for line in lines if not line.in_this_run],
        runs=follow.runs,
        database=follow.database,
        unknown_keys=[(e.key, e.line) for e in follow.unknown_status_keys],
        register=register,
        downloads=downloads,
    )


def _line(row, follow: FollowUp, t: Translator) -> TrendLine:
    history = [status_view(e, t) for e in follow.history(row.key)]
    cells = [(f"{t.number(cell.share * 100)}%" if cell.total else "–",
              t("aggregate.trends.cell", cases=cell.cases, total=cell.total) if cell.total else "", cell.share)
             for cell in row.cells]
    not_seen = follow.not_seen_since.get(row.key, "") if row.in_this_run else row.last_seen
    return TrendLine(
        key=row.key, code=row.code, title=t(f"findings.{row.code}.title") if t.has(f"findings.{row.code}.title") else row.code,
        proposal=row.proposal, target=row.target, to=addressee(row.administration, [], row.government, t),
        cells=cells, status=history[-1] if history else StatusView("nieuw", t("aggregate.status.nieuw"), "", "", ""),
        history=history[:-1], last_seen=format_date(row.last_seen, t) if row.last_seen else "",
        not_seen_since=format_date(not_seen, t) if not_seen else "", in_this_run=row.in_this_run,
    )
