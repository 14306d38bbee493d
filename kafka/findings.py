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
        return {"high": 3, "medium": 2, "low": 1}[self.value]


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
    owner: str  # who must change it, in words ("OCMW Voorbeeld", "federale overheid")
    government: str  # local | flemish | federal | european

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

    def to_dict(self) -> dict:
        return {
            "title": self.title,
            "text": self.text,
            "level": self.level.value,
            "target": self.target.to_dict(),
            "saving": self.saving.to_dict(),
        }


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
