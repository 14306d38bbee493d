"""What the analysis hands on: findings, their proposals and estimated savings."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum


class Level(StrEnum):
    """Who can remove the red tape (case-format.md, "level")."""

    LOCAL = "local"  # the organisation itself
    SUPRALOCAL = "supralocal"  # the Flemish, federal or European level


class Severity(StrEnum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"

    @property
    def rank(self) -> int:
        return _SEVERITY_RANKS[self]


# A constant, not a dict made on every call: the map and the report compare severities per finding and step.
_SEVERITY_RANKS = {Severity.HIGH: 3, Severity.MEDIUM: 2, Severity.LOW: 1}


@dataclass(frozen=True, slots=True)
class Saving:
    """Estimated saving of a proposal, per case and per year (Standard Cost Model)."""

    client_minutes: float = 0.0
    staff_minutes: float = 0.0
    lead_days: float = 0.0
    client_hours_year: float = 0.0
    staff_hours_year: float = 0.0
    euro_year: float = 0.0  # client and staff hours valued at the tariffs

    def to_dict(self) -> dict:
        return {k: round(v, 2) for k, v in asdict(self).items()}


@dataclass(frozen=True, slots=True)
class Target:
    """What must change for a proposal, and who must change it.

    ``kind`` is one of: data, source, form, rule, step, actor, organisation.
    ``key`` (``kind:id``) identifies the same target across cases, so the
    aggregation can merge proposals.
    """

    kind: str
    id: str
    name: str  # in the case's own words
    # Who must change it, in words: the organisation itself or the local-side party that owns
    # the step ("OCMW Voorbeeld", "Syndicus"), or the administration ("POD Maatschappelijke
    # Integratie (POD MI, federaal)", "de federale overheid" when kafka cannot tell which).
    owner: str
    government: str  # local | flemish | federal | european
    administration: str = ""  # a key of kafka/data/administrations.yaml for a supralocal target, else ""

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.id}"

    def to_dict(self) -> dict:
        return {**asdict(self), "key": self.key}


@dataclass(frozen=True, slots=True)
class Proposal:
    title: str
    text: str
    level: Level
    target: Target
    saving: Saving
    # One action per item: the code of the finding whose proposal this one gives way to
    # (kafka.detectors.settle). Its saving is then zero and taking it changes nothing.
    defers_to: str | None = None

    def to_dict(self) -> dict:
        return {
            "title": self.title,
            "text": self.text,
            "level": self.level.value,
            "target": self.target.to_dict(),
            "saving": self.saving.to_dict(),
            "defers_to": self.defers_to,
        }


# What a proposal takes away, part by part, so that a part two proposals both take
# away (one item at one step) is counted once (kafka.detectors.settle).
WHOLE_STEP = "*"  # the part ``what`` of a whole step that goes (an application, a trip to fetch a paper)
# The part ``what`` of a step that goes once nothing is asked there any more (an application
# whose other questions other proposals take away): its rest counts for this proposal then.
WHEN_EMPTIED = "*?"


@dataclass(frozen=True, slots=True)
class Part:
    """The client and staff minutes a proposal takes away at one step: the asking of one
    fact (``what`` is the fact's key), the story, the trip, or the whole step (``WHOLE_STEP``)."""

    step: str
    what: str
    client: float
    staff: float


@dataclass(frozen=True, slots=True)
class Plan:
    """How a proposal's saving is made up: its parts, the days it saves, and the staff
    minutes it keeps once while any part remains (a consultation of a source)."""

    parts: tuple[Part, ...] = ()
    lead_days: float = 0.0
    staff_kept: float = 0.0


@dataclass(frozen=True, slots=True)
class Facts:
    """The figures and ids behind one finding, for the stages after the analysis
    (the to-be, the forms review, the report). Each finding's module declares
    its own subclass, so a reader names the fields it reads and a renamed field
    fails loudly instead of silently switching an effect off."""


@dataclass(frozen=True, slots=True)
class Finding:
    code: str
    title: str
    message: str
    severity: Severity
    level: Level
    steps: tuple[str, ...]
    data: tuple[str, ...]
    proposal: Proposal
    facts: Facts | None = field(default=None, compare=False)  # the finding module's own Facts, or None
    plan: Plan | None = field(default=None, compare=False, repr=False)  # how its saving is made up

    def to_dict(self) -> dict:
        return {
            "code": self.code,
            "title": self.title,
            "message": self.message,
            "severity": self.severity.value,
            "level": self.level.value,
            "steps": list(self.steps),
            "data": list(self.data),
            "proposal": self.proposal.to_dict(),
        }
