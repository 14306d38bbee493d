"""The case file as a typed model (case-format.md, version 1).

This module only describes the *structure* of a case file: types, required
keys, allowed values, the id pattern, non-negative numbers. Whether references
resolve is checked afterwards by :mod:`kafka.validate`, so that a structural
error is never drowned in follow-up reference errors.

Keys beyond the contract are refused (a typo such as ``client_minute`` would
otherwise silently lose the user's data); the optional keys this project adds
are marked "(kafka extension)".
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator

ID_PATTERN = r"^[a-z0-9][a-z0-9_-]*$"
Id = Annotated[str, StringConstraints(pattern=ID_PATTERN, max_length=100)]
Text = Annotated[str, StringConstraints(min_length=1, max_length=20_000)]
Count = Annotated[float, Field(ge=0, allow_inf_nan=False)]


class ActorLevel(StrEnum):
    CLIENT = "client"
    LOCAL = "local"
    FLEMISH = "flemish"
    FEDERAL = "federal"
    EUROPEAN = "european"
    PRIVATE = "private"


class GovernmentLevel(StrEnum):
    """The level of a rule or a source: who can change it."""

    LOCAL = "local"
    FLEMISH = "flemish"
    FEDERAL = "federal"
    EUROPEAN = "european"


class StepKind(StrEnum):
    CONTACT = "contact"
    FORM = "form"
    DOCUMENT = "document"
    VISIT = "visit"
    DECISION = "decision"
    REFERRAL = "referral"
    NOTIFICATION = "notification"
    INTERNAL = "internal"


class Channel(StrEnum):
    IN_PERSON = "in_person"
    HOME_VISIT = "home_visit"
    PHONE = "phone"
    LETTER = "letter"
    EMAIL = "email"
    ONLINE = "online"
    INTERNAL = "internal"


def _lax(enum: type[StrEnum]):
    """An enum field that accepts its value as text (strict mode wants instances)."""
    return Annotated[enum, Field(strict=False)]


class _Strict(BaseModel):
    # strict: "30" is not a number and "yes" is not a boolean in a case file;
    # YAML already gives real numbers and booleans where the user wrote them.
    model_config = ConfigDict(extra="forbid", strict=True, populate_by_name=True)

    @model_validator(mode="before")
    @classmethod
    def _empty_means_default(cls, value: object) -> object:
        # "asks:" or "data:" written with nothing after it reads as null; in a
        # hand-written file that means "none", so it takes the default.
        if isinstance(value, dict):
            return {k: v for k, v in value.items() if v is not None}
        return value


class Tariffs(_Strict):
    """Standard Cost Model tariffs in euro per hour (kafka extension)."""

    client_hour: Count | None = None
    staff_hour: Count | None = None


class CaseInfo(_Strict):
    id: Id
    title: Text
    organisation: Text
    municipality: Text | None = None
    procedure: Id | None = None
    date: Annotated[dt.date, Field(strict=False)] | None = None
    mapped_by: list[Text] = Field(default_factory=list)
    cases_per_year: Count = 1
    initiated_by: Literal["client", "organisation"] = "client"
    story: Text | None = None
    tariffs: Tariffs | None = None  # kafka extension

    @field_validator("mapped_by", mode="before")
    @classmethod
    def _one_name_is_a_list(cls, value: object) -> object:
        return [value] if isinstance(value, str) else value


class Actor(_Strict):
    name: Text
    level: _lax(ActorLevel)
    organisation: Text | None = None

    @property
    def org(self) -> str:
        """The organisation the actor belongs to; defaults to the actor's own name."""
        return self.organisation or self.name


class DataItem(_Strict):
    name: Text
    source: Id | None = None
    description: Text | None = None  # kafka extension


class Source(_Strict):
    name: Text
    level: _lax(GovernmentLevel)
    local_access: bool = False
    via: Text | None = None  # kafka extension
    what: Text | None = None  # kafka extension


class Rule(_Strict):
    name: Text
    level: _lax(GovernmentLevel)
    ref: Text | None = None
    deadline_days: Count | None = None
    from_step: Id | None = Field(default=None, alias="from")
    to_step: Id | None = Field(default=None, alias="to")


class Form(_Strict):
    name: Text
    owner: Id
    rule: Id | None = None
    fields: list[Id] = Field(default_factory=list)
    attachments: list[Id] = Field(default_factory=list)
    pages: Annotated[int, Field(ge=0)] | None = None


class NextStep(_Strict):
    to: Id
    when: Text | None = None
    chance: Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)] | None = None


class Step(_Strict):
    id: Id
    name: Text
    actor: Id
    kind: _lax(StepKind) | None = None
    channel: _lax(Channel) | None = None
    client_minutes: Count = 0
    staff_minutes: Count = 0
    wait_days: Count = 0
    duration_days: Count = 0
    tells_story: bool = False
    asks: list[Id] = Field(default_factory=list)
    form: Id | None = None
    brings: list[Id] = Field(default_factory=list)
    provides: list[Id] = Field(default_factory=list)
    uses: list[Id] = Field(default_factory=list)
    rule: Id | None = None
    next: list[NextStep] | None = None
    note: Text | None = None  # kafka extension: a remark from the workshop

    @field_validator("next", mode="before")
    @classmethod
    def _plain_ids_are_edges(cls, value: object) -> object:
        if isinstance(value, list):
            return [{"to": item} if isinstance(item, str) else item for item in value]
        return value

    @property
    def in_person(self) -> bool:
        return self.channel is Channel.IN_PERSON


class Case(_Strict):
    case: CaseInfo
    actors: dict[Id, Actor]
    data: dict[Id, DataItem] = Field(default_factory=dict)
    sources: dict[Id, Source] = Field(default_factory=dict)
    rules: dict[Id, Rule] = Field(default_factory=dict)
    forms: dict[Id, Form] = Field(default_factory=dict)
    steps: Annotated[list[Step], Field(min_length=1)]

    @property
    def id(self) -> str:
        return self.case.id
