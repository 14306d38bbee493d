"""What a run of ``kafka aggregate`` does beyond analysing the cases: the site's own options."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the status module reads YAML and CSV: only for a run with a register
    from kafka.aggregate.status import StatusRegister


@dataclass(frozen=True)
class AgendaOptions:
    """Which proposals are big enough for the agenda.

    A proposal is kept when at least ``min_ocmws`` organisations share it,
    and it saves at least ``min_saving`` euro a year or shortens the lead
    time by at least ``min_days`` days per case. A proposal of the theme
    ``automatic_granting`` is kept whatever it saves: it is about the people
    a right reaches, and the minutes it takes away are counted once, at the
    data proposals about the same items (kafka.detectors.settle).
    """

    min_saving: float = 1000.0
    min_ocmws: int = 1
    min_days: float = 7.0


@dataclass(frozen=True)
class SiteOptions:
    """The agenda's thresholds, the status register, and the date the run counts as.

    ``run_date`` is today unless a test (or a re-run of last year's data) sets it:
    it dates the agenda and the run in the database.
    """

    agenda: AgendaOptions = AgendaOptions()
    status: "StatusRegister | None" = None
    run_date: dt.date | None = None
    history: bool = True  # record the run in DIR/history.sqlite
    csv_dialect: str | None = None  # findings.csv, proposals.csv: kafka.csvfile (None: the language's)

    @property
    def date(self) -> dt.date:
        return self.run_date or dt.date.today()
