"""Durations, counts and shares in the reader's language: one set of words for the log
report, told versus logged, the findings' added sentences and the skeleton case file."""

from __future__ import annotations

import datetime as dt

from kafka.i18n import Translator


class Formatter:
    """Durations, counts and shares as a reader of the report's language writes them."""

    def __init__(self, t: Translator):
        self.t = t

    def days(self, days: float | None) -> str:
        """Minutes below an hour, hours below a day, else days: '45 min', '5,5 u', '3,2 d'."""
        if days is None:
            return "–"
        t = self.t
        if days == 0:
            return "0"
        if days < 1 / 24:
            return t("log.units.minutes", n=t.number(days * 1440))
        if days * 24 < 23.5:  # from 23.5 hours on, "1 d" reads better than "24 u"
            hours = days * 24
            whole = hours >= 10 or abs(hours - round(hours)) < 1e-9
            return t("log.units.hours", n=t.number(hours, 0 if whole else 1))
        shown = round(float(days), 1)
        return t("log.units.days", n=t.number(days, 0 if shown >= 100 or shown.is_integer() else 1))

    def count(self, n: float) -> str:
        return self.t.number(n)

    def times(self, n: int) -> str:
        return self.t("log.units.times", n=self.t.number(n))

    def cases(self, n: int) -> str:
        return self.t.n("log.units.cases", n, n=self.t.number(n))

    def share(self, share: float | None) -> str:
        if share is None:
            return "–"
        percent = share * 100
        decimals = 1 if 0 < percent < 10 and not float(round(percent, 1)).is_integer() else 0
        return self.t("log.units.percent", n=self.t.number(percent, decimals))

    def date(self, when: dt.date | dt.datetime | None) -> str:
        return when.strftime("%Y-%m-%d") if when else "–"

    def month(self, when: dt.date) -> str:
        return when.strftime("%Y-%m")

    def years(self, days: float) -> str:
        return self.t.number(days / 365.25, 1)
