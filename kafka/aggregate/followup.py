"""What the pages show of the follow-up of proposals over runs and years.

:mod:`kafka.aggregate.history` builds a :class:`FollowUp` from the run
database and the status register; the agenda, the index and the trend page
only read it. Without a database (a page built in a test, say) the empty
FollowUp shows every proposal as "nieuw" with no history.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from kafka.aggregate.status import StatusEntry


@dataclass(frozen=True)
class TrendCell:
    year: str
    cases: int  # cases of that year with the proposal
    total: int  # cases of that year of the proposal's procedures
    share: float  # cases / total, 0-1


@dataclass(frozen=True)
class TrendRow:
    key: str
    code: str
    government: str
    administration: str  # a key of kafka.administrations
    target: str
    proposal: str
    cells: tuple[TrendCell, ...]  # one per year of FollowUp.years, oldest first
    last_seen: str  # the date of the latest case that has it (ISO), "" when no case has a date
    in_this_run: bool
    status: str  # the current status


@dataclass
class FollowUp:
    run_date: dt.date = field(default_factory=dt.date.today)
    # per proposal key: its history, oldest first (the register's entries and
    # those the database recorded from registers of earlier runs)
    statuses: dict[str, list[StatusEntry]] = field(default_factory=dict)
    # per proposal key of this run that the new cases of a later run no longer show
    # (cases of its procedures first recorded after its latest case): the date of that latest case
    not_seen_since: dict[str, str] = field(default_factory=dict)
    years: list[str] = field(default_factory=list)
    trends: list[TrendRow] = field(default_factory=list)
    runs: int = 0  # runs recorded in the database, this one included
    database: str = ""  # its file name in the site folder ("" when none was written)
    unknown_status_keys: list[StatusEntry] = field(default_factory=list)  # register keys no run has seen

    def history(self, key: str) -> list[StatusEntry]:
        return self.statuses.get(key, [])

    def status(self, key: str) -> str:
        history = self.history(key)
        return history[-1].status if history else "nieuw"
