"""Thresholds, tariffs and the assumptions behind the saving estimates.

The thresholds default to the contract's values. The tariffs and the
assumptions are kafka's own, documented in docs/analysis.md; a user sets any
of them with ``--set NAME=VALUE`` (and the tariffs also in the case file under
``case.tariffs``). Precedence: command line, then case file, then default.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields, replace

from kafka.errors import UsageProblem
from kafka.model import MAX_COUNT, Case


def _setting(default, help: str, minimum: float = 0, maximum: float = MAX_COUNT):
    """A setting with its help text and the range a user may set it to."""
    return field(default=default, metadata={"help": help, "min": minimum, "max": maximum})


@dataclass(frozen=True)
class Settings:
    # --- thresholds of the findings (case-format.md) ---
    repeated_question_steps: int = _setting(2, "D01: an item asked in this many distinct steps", 2)
    repeated_story_steps: int = _setting(2, "S01: the story told in this many steps", 2)
    counter_hopping_organisations: int = _setting(3, "S02: in-person visits to this many organisations", 2)
    long_wait_days: float = _setting(14, "T02: a wait of this many days or more")
    heavy_form_fields: int = _setting(15, "P03: a form with this many fields or more", 1)
    heavy_form_attachments: int = _setting(3, "P03: a form with this many attachments or more", 1)
    overlapping_assessment_facts: int = _setting(
        2, "P04: two decisions of distinct organisations that use this many facts in common (or all the facts one uses)", 1
    )
    take_up_below: float = _setting(0.8, "N01: a take-up (cases_per_year / eligible_per_year) below this share", 0, 1)
    single_contact_organisations: int = _setting(
        3, "C01: client steps at this many organisations or more, and no case manager", 2
    )

    # --- Standard Cost Model tariffs, euro per hour (kafka's defaults) ---
    client_hour_eur: float = _setting(20.0, "the value of an hour of the client's time (euro)")
    staff_hour_eur: float = _setting(50.0, "the full cost of an hour of staff time, overhead included (euro)")

    # --- assumptions behind the saving estimates ---
    question_client_minutes: float = _setting(2, "client minutes to answer one question")
    question_staff_minutes: float = _setting(1, "staff minutes to ask one question and note the answer")
    document_client_minutes: float = _setting(20, "client minutes to find, copy or fetch one paper")
    document_staff_minutes: float = _setting(5, "staff minutes to receive, check and file one paper")
    consult_staff_minutes: float = _setting(1, "staff minutes to consult an authentic source instead")
    story_client_minutes: float = _setting(15, "client minutes to tell the story once more")
    story_staff_minutes: float = _setting(15, "staff minutes to hear and write down the story again")
    trip_client_minutes: float = _setting(45, "client minutes to travel to one more counter and back")
    target_wait_days: float = _setting(7, "T01/T02: the wait a proposal brings a long wait back to (days)")
    default_loop_chance: float = _setting(0.25, "the chance of a loop back that has no 'chance'", 0, 1)
    contact_core_share: float = _setting(
        0.25, "to-be: the share of a step's minutes no proposal takes away while the step stays (0-1)", 0, 1
    )

    @classmethod
    def names(cls) -> list[str]:
        return [f.name for f in fields(cls)]

    @classmethod
    def _fields(cls) -> dict:
        return {f.name: f for f in fields(cls)}

    @classmethod
    def describe(cls) -> list[tuple[str, object, str]]:
        """(name, default, help) of every setting, in declaration order."""
        return [(f.name, f.default, f.metadata["help"]) for f in fields(cls)]

    def with_overrides(self, pairs: dict[str, str]) -> "Settings":
        """Apply ``NAME=VALUE`` overrides given as text (command line)."""
        changes = {}
        for name, text in pairs.items():
            if name not in self.names():
                from kafka.diagnostics import did_you_mean

                hint = did_you_mean(name, self.names()).removeprefix("; ")
                raise UsageProblem(f"unknown setting '{name}'" + (f" ({hint})" if hint else "") + "; 'kafka settings' lists them")
            spec = self._fields()[name]
            try:
                number = float(text)
                if not math.isfinite(number):  # inf and nan would spread through every figure
                    raise ValueError(text)
            except ValueError:
                raise UsageProblem(f"setting '{name}' needs a number, not '{text}'") from None
            if spec.type in (int, "int"):
                if not number.is_integer():
                    raise UsageProblem(f"setting '{name}' needs a whole number, not '{text}'")
                number = int(number)
            low, high = spec.metadata["min"], spec.metadata["max"]
            # The upper bound of counts is the case file's ceiling: figures stay finite.
            if not low <= number <= high:
                if high != MAX_COUNT:
                    allowed = f"between {low:g} and {high:g}"
                else:
                    allowed = f"at least {low:g}" if number < low else f"at most {high:,.0f}"
                raise UsageProblem(f"setting '{name}' must be {allowed}, not {text}")
            changes[name] = number
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
