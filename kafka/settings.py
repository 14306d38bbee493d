"""Thresholds, tariffs and the assumptions behind the saving estimates.

A setting is declared once, as a :class:`Setting` with its default, its help
text and the range a user may set it to: a finding's thresholds in the
finding's own module (``Detector.settings``, see :mod:`kafka.detectors`), the
tariffs and the saving assumptions here. :class:`Settings` holds the values
of one run. The thresholds default to the contract's values; the tariffs and
the assumptions are kafka's own, documented in docs/analysis.md. A user sets
any of them with ``--set NAME=VALUE`` (and the tariffs also in the case file
under ``case.tariffs``). Precedence: command line, then case file, then
default.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache
from typing import Iterable, Mapping

from kafka.errors import UsageProblem
from kafka.model import MAX_COUNT, Case


@dataclass(frozen=True)
class Setting:
    """One setting: its name (as ``--set`` takes it), default, help and range."""

    name: str
    default: float
    help: str
    minimum: float = 0
    maximum: float = MAX_COUNT
    whole: bool = False  # a count: only whole numbers

    def check(self, text: str) -> float:
        """The value ``text`` gives this setting; UsageProblem when it cannot."""
        try:
            number = float(text)
            if not math.isfinite(number):  # inf and nan would spread through every figure
                raise ValueError(text)
        except ValueError:
            raise UsageProblem(f"setting '{self.name}' needs a number, not '{text}'") from None
        if self.whole:
            if not number.is_integer():
                raise UsageProblem(f"setting '{self.name}' needs a whole number, not '{text}'")
            number = int(number)
        # The upper bound of counts is the case file's ceiling: figures stay finite.
        if not self.minimum <= number <= self.maximum:
            if self.maximum != MAX_COUNT:
                allowed = f"between {self.minimum:g} and {self.maximum:g}"
            else:
                allowed = f"at least {self.minimum:g}" if number < self.minimum else f"at most {self.maximum:,.0f}"
            raise UsageProblem(f"setting '{self.name}' must be {allowed}, not {text}")
        return number


def threshold(name: str, default: int, help: str, minimum: float = 0, maximum: float = MAX_COUNT) -> Setting:
    """A finding's threshold that counts something (steps, fields, organisations): a whole number."""
    return Setting(name, default, help, minimum, maximum, whole=True)


# --- the settings that belong to no single finding -------------------------------------

# Standard Cost Model tariffs, euro per hour (kafka's defaults).
TARIFFS = (
    Setting("client_hour_eur", 20.0, "the value of an hour of the client's time (euro)"),
    Setting("staff_hour_eur", 50.0, "the full cost of an hour of staff time, overhead included (euro)"),
)

# The assumptions behind the saving estimates.
ASSUMPTIONS = (
    Setting("question_client_minutes", 2, "client minutes to answer one question"),
    Setting("question_staff_minutes", 1, "staff minutes to ask one question and note the answer"),
    Setting("document_client_minutes", 20, "client minutes to find, copy or fetch one paper"),
    Setting("document_staff_minutes", 5, "staff minutes to receive, check and file one paper"),
    Setting("consult_staff_minutes", 1, "staff minutes to consult an authentic source instead"),
    Setting("story_client_minutes", 15, "client minutes to tell the story once more"),
    Setting("story_staff_minutes", 15, "staff minutes to hear and write down the story again"),
    Setting("trip_client_minutes", 45, "client minutes to travel to one more counter and back"),
    Setting("target_wait_days", 7, "T01/T02: the wait a proposal brings a long wait back to (days)"),
    Setting("default_loop_chance", 0.25, "the chance of a loop back that has no 'chance'", 0, 1),
    Setting("contact_core_share", 0.25,
            "to-be: the share of a step's minutes no proposal takes away while the step stays (0-1)", 0, 1),
)


@cache
def declared() -> dict[str, Setting]:
    """Every setting by name, in the order ``kafka settings`` lists them: the
    findings' thresholds (in the registry's order), the tariffs, the assumptions."""
    from kafka.detectors import REGISTRY  # late: the detectors declare their settings with this module's types

    found: dict[str, Setting] = {}
    for setting in [s for d in REGISTRY for s in d.settings] + list(TARIFFS) + list(ASSUMPTIONS):
        if setting.name in found:
            raise RuntimeError(f"the setting '{setting.name}' is declared twice")
        if hasattr(Settings, setting.name) or setting.name.startswith("_"):  # a value would hide it
            raise RuntimeError(f"the setting '{setting.name}' has the name of an attribute of Settings")
        found[setting.name] = setting
    return found


class Settings:
    """The values of every setting for one run; a setting reads as an attribute
    (``settings.long_wait_days``). Immutable: a change makes a new object."""

    # Each value is also an instance attribute, so ``settings.long_wait_days`` is a plain
    # attribute read (the detectors read settings thousands of times a run); __getattr__
    # only answers for a name that is no setting.
    __slots__ = ("_values", "_hash", "__dict__")

    def __init__(self, values: Mapping[str, float] | None = None, **named: float):
        values = {**(values or {}), **named}
        specs = declared()
        unknown = [name for name in values if name not in specs]
        if unknown:
            raise TypeError(f"unknown setting {', '.join(unknown)}")
        object.__setattr__(self, "_values", {name: values.get(name, spec.default) for name, spec in specs.items()})
        object.__setattr__(self, "_hash", None)
        object.__getattribute__(self, "__dict__").update(self._values)

    def __getattr__(self, name: str) -> float:
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(f"no setting '{name}'") from None

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("Settings are immutable: use with_values()")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Settings) and self._values == other._values

    def __hash__(self) -> int:
        if self._hash is None:  # immutable: hashed once (it keys the memos of split minutes)
            object.__setattr__(self, "_hash", hash(tuple(self._values.items())))
        return self._hash

    def __repr__(self) -> str:
        changed = {k: v for k, v in self._values.items() if v != declared()[k].default}
        return f"Settings({changed})"

    def __reduce__(self):  # picklable for the aggregate's worker processes
        return (Settings, (dict(self._values),))

    def as_dict(self) -> dict[str, float]:
        return dict(self._values)

    @staticmethod
    def names() -> list[str]:
        return list(declared())

    @staticmethod
    def describe() -> list[tuple[str, object, str]]:
        """(name, default, help) of every setting, in the order ``kafka settings`` lists them."""
        return [(s.name, s.default, s.help) for s in declared().values()]

    def with_values(self, changes: Mapping[str, float]) -> "Settings":
        return Settings({**self._values, **changes}) if changes else self

    def with_overrides(self, pairs: Mapping[str, str]) -> "Settings":
        """Apply ``NAME=VALUE`` overrides given as text (command line)."""
        specs = declared()
        changes = {}
        for name, text in pairs.items():
            if name not in specs:
                from kafka.diagnostics import did_you_mean

                hint = did_you_mean(name, list(specs)).removeprefix("; ")
                raise UsageProblem(f"unknown setting '{name}'" + (f" ({hint})" if hint else "") + "; 'kafka settings' lists them")
            changes[name] = specs[name].check(text)
        return self.with_values(changes)

    def for_case(self, case: Case, explicit: Iterable[str] = frozenset()) -> "Settings":
        """The case file's tariffs, unless set explicitly on the command line."""
        tariffs = case.case.tariffs
        if tariffs is None:
            return self
        explicit = frozenset(explicit)
        changes = {}
        if tariffs.client_hour is not None and "client_hour_eur" not in explicit:
            changes["client_hour_eur"] = tariffs.client_hour
        if tariffs.staff_hour is not None and "staff_hour_eur" not in explicit:
            changes["staff_hour_eur"] = tariffs.staff_hour
        return self.with_values(changes)


@cache
def default_settings() -> Settings:
    return Settings()


def __getattr__(name: str):
    # DEFAULT_SETTINGS is built on first use, not at import: every finding's module
    # must be imported to know its settings, and those modules import this one.
    if name == "DEFAULT_SETTINGS":
        return default_settings()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
