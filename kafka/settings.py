"""Thresholds, tariffs and the assumptions behind the saving estimates.

The thresholds default to the contract's values. The tariffs and the
assumptions are kafka's own, documented in docs/analysis.md; a user sets any
of them with ``--set NAME=VALUE`` (and the tariffs also in the case file under
``case.tariffs``). Precedence: command line, then case file, then default.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

from kafka.errors import InputError
from kafka.model import Case


@dataclass(frozen=True)
class Settings:
    # --- thresholds of the findings (case-format.md) ---
    repeated_question_steps: int = 2  # D01: an item asked in this many distinct steps
    repeated_story_steps: int = 2  # S01: the story told in this many steps
    counter_hopping_organisations: int = 3  # S02: in-person visits to this many organisations
    long_wait_days: float = 14  # T02
    heavy_form_fields: int = 15  # P03
    heavy_form_attachments: int = 3  # P03

    # --- Standard Cost Model tariffs, euro per hour (kafka's defaults) ---
    client_hour_eur: float = 20.0  # the value of an hour of the client's time
    staff_hour_eur: float = 50.0  # the full hourly cost of a social worker, overhead included

    # --- assumptions behind the saving estimates ---
    question_client_minutes: float = 2  # answering one question on a form or at a desk
    question_staff_minutes: float = 1  # asking it and typing the answer
    document_client_minutes: float = 20  # finding, copying or fetching one paper
    document_staff_minutes: float = 5  # receiving, checking and filing it
    consult_staff_minutes: float = 1  # consulting an authentic source instead (KSZ/MAGDA)
    story_client_minutes: float = 15  # telling the story once more
    story_staff_minutes: float = 15  # listening to it and writing it down again
    trip_client_minutes: float = 45  # travelling to one more counter and back
    target_wait_days: float = 7  # T02/T01: a wait brought back to this
    default_loop_chance: float = 0.25  # a loop back without a 'chance'

    @classmethod
    def names(cls) -> list[str]:
        return [f.name for f in fields(cls)]

    def with_overrides(self, pairs: dict[str, str]) -> "Settings":
        """Apply ``NAME=VALUE`` overrides given as text (command line)."""
        changes = {}
        for name, text in pairs.items():
            if name not in self.names():
                from kafka.diagnostics import did_you_mean

                raise InputError(f"unknown setting '{name}'{did_you_mean(name, self.names())}; see 'kafka settings'")
            kind = type(getattr(self, name))
            try:
                value = kind(float(text)) if kind is int else kind(text)
            except ValueError:
                raise InputError(f"setting '{name}' needs a number, not '{text}'") from None
            if value < 0:
                raise InputError(f"setting '{name}' must be 0 or more")
            changes[name] = value
        return replace(self, **changes)

    def for_case(self, case: Case, explicit: frozenset[str] = frozenset()) -> "Settings":
        """The case file's tariffs, unless set explicitly on the command line."""
        tariffs = case.case.tariffs
        if tariffs is None:
            return self
        changes = {}
        if tariffs.client_hour is not None and "client_hour_eur" not in explicit:
            changes["client_hour_eur"] = tariffs.client_hour
        if tariffs.staff_hour is not None and "staff_hour_eur" not in explicit:
            changes["staff_hour_eur"] = tariffs.staff_hour
        return replace(self, **changes) if changes else self


DEFAULT_SETTINGS = Settings()
