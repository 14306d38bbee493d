"""What a run of ``kafka aggregate`` does beyond analysing the cases: the site's own options."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from kafka.aggregate.agenda import AgendaOptions
from kafka.aggregate.status import StatusRegister


@dataclass(frozen=True)
class SiteOptions:
    """The agenda's thresholds, the status register, and the date the run counts as.

    ``run_date`` is today unless a test (or a re-run of last year's data) sets it:
    it dates the agenda and the run in the database.
    """

    agenda: AgendaOptions = AgendaOptions()
    status: StatusRegister | None = None
    run_date: dt.date | None = None
    history: bool = True  # record the run in DIR/history.sqlite

    @property
    def date(self) -> dt.date:
        return self.run_date or dt.date.today()
