"""The case file as a typed model (case-format.md, version 1.1).

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
from functools import cache
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints, field_validator, model_validator

ID_PATTERN = r"^[a-z0-9][a-z0-9_-]*$"
Id = Annotated[str, StringConstraints(pattern=ID_PATTERN, max_length=100)]
# Text limits: what every renderer takes. A name or label is drawn in the process map
# (Graphviz refuses a label of more than about 16 KB once escaped: 2,700 apostrophes,
# each &#x27;), in the BPMN diagram and in spreadsheet cells (at most 32,767 characters);
# a long text (a story, a note, a description) is shown in the report only.
MAX_NAME_CHARS = 1_000
MAX_TEXT_CHARS = 20_000
Name = Annotated[str, StringConstraints(min_length=1, max_length=MAX_NAME_CHARS)]
Text = Annotated[str, StringConstraints(min_length=1, max_length=MAX_TEXT_CHARS)]
# A generous ceiling on every count: far above any real case, low enough that sums
# over 5,000 steps times cases_per_year times a tariff stay finite (no inf/NaN
# in metrics or in the JSON output).
MAX_COUNT = 1_000_000_000
Count = Annotated[float, Field(ge=0, le=MAX_COUNT, allow_inf_nan=False)]


def _whole_float_as_int(value: object) -> object:
    # 365.0 is a whole number as a person means it; 2.5 and "365" stay refused.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _one_id_is_a_list(value: object) -> object:
    # `basis: {identity: csr_verzoekschrift}` is the usual case; a list names several rules.
    return [value] if isinstance(value, str) else value


# A whole number of at least 1 (version 1.1: eligible_per_year, repeats_every_days).
PositiveWhole = Annotated[int, Field(ge=1, le=MAX_COUNT), BeforeValidator(_whole_float_as_int)]


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


def _doc(text: str, **kwargs):
    """A field with a description: shown by editors (``kafka schema``) on hover and completion."""
    return Field(description=text, **kwargs)


class _Strict(BaseModel):
    # strict: "30" is not a number and "yes" is not a boolean in a case file;
    # YAML already gives real numbers and booleans where the user wrote them.
    model_config = ConfigDict(extra="forbid", strict=True, populate_by_name=True)

    @model_validator(mode="before")
    @classmethod
    def _empty_means_default(cls, value: object) -> object:
        # "asks:" or "data:" written with nothing after it reads as null; in a
        # hand-written file that means "none", so it takes the default. Only
        # for known keys: an unknown key stays, to be reported (an unquoted
        # comma in `{name: A, B}` makes a key "B" with no value).
        if isinstance(value, dict) and None in value.values():
            known = _known_keys(cls)
            return {k: v for k, v in value.items() if v is not None or k not in known}
        return value


@cache
def _known_keys(model: type[BaseModel]) -> frozenset[str]:
    """A model's keys, by alias and by name (computed once per model: a case can have 200,000 branches)."""
    return frozenset(f.alias or name for name, f in model.model_fields.items()) | frozenset(model.model_fields)


class Tariffs(_Strict):
    """Standard Cost Model tariffs in euro per hour (kafka extension)."""

    client_hour: Count | None = _doc("What an hour of the client's time is worth, in euro.", default=None)
    staff_hour: Count | None = _doc("What an hour of staff time costs, in euro.", default=None)


class CaseInfo(_Strict):
    """What the case is: one procedure as one client lived it."""

    id: Id = _doc("Unique id of the case across a set of cases, e.g. leefloon-sara.")
    title: Name = _doc("Title of the case, e.g. 'Leefloonaanvraag van Sara (34)'.")
    organisation: Name = _doc("Who runs the procedure, e.g. 'OCMW Voorbeeld'.")
    municipality: Name | None = _doc("The municipality.", default=None)
    procedure: Id | None = _doc(
        "Procedure type, used to compare OCMW's, e.g. leefloon, verwarmingstoelage.", default=None
    )
    date: Annotated[dt.date, Field(strict=False)] | None = _doc("When the case was mapped, e.g. 2026-03-12.", default=None)
    mapped_by: list[Name] = _doc("Who mapped the case: a name or a list of names.", default_factory=list)
    cases_per_year: Count = _doc("How often this procedure runs per year (the quantity in the Standard Cost Model).", default=1)
    eligible_per_year: PositiveWhole | None = _doc(
        "How many people are entitled per year (an estimate); with cases_per_year it gives the take-up "
        "(version 1.1).",
        default=None,
    )
    initiated_by: Literal["client", "organisation"] = _doc(
        "Who starts the procedure: the client (an application) or the organisation.", default="client"
    )
    story: Text | None = _doc("The case in words.", default=None)
    tariffs: Tariffs | None = _doc(
        "Standard Cost Model tariffs in euro per hour (kafka extension).", default=None
    )

    @field_validator("mapped_by", mode="before")
    @classmethod
    def _one_name_is_a_list(cls, value: object) -> object:
        return [value] if isinstance(value, str) else value


class Actor(_Strict):
    """Someone the procedure passes through: the client, a desk, a committee, another office."""

    name: Name = _doc("Name of the actor, e.g. 'Onthaal Sociaal Huis'.")
    level: _lax(ActorLevel) = _doc("client, local, flemish, federal, european or private. Exactly one actor is the client.")
    organisation: Name | None = _doc("The organisation the actor belongs to; defaults to the actor's name.", default=None)
    case_manager: bool = _doc(
        "Guides the client through the whole procedure as one point of contact, e.g. a trajectbegeleider "
        "(version 1.1).",
        default=False,
    )

    @property
    def org(self) -> str:
        """The organisation the actor belongs to; defaults to the actor's own name."""
        return self.organisation or self.name


class DataItem(_Strict):
    """An information item the procedure needs."""

    name: Name = _doc("Name of the item, e.g. 'Gezinssamenstelling'.")
    source: Id | None = _doc(
        "The authentic source that holds it: a key of the built-in catalogue (kafka sources) "
        "or of this case's sources. Leave out when there is none.",
        default=None,
    )
    proves: Id | None = _doc(
        "The data item this document proves, e.g. an aanslagbiljet proves the taxable income; the source "
        "belongs to that fact, not to the document (version 1.1).",
        default=None,
    )
    stable: bool = _doc("A fact that does not change, e.g. a birth date or a recognised handicap (version 1.1).", default=False)
    description: Text | None = _doc("What exactly is meant (kafka extension).", default=None)
    sensitive: bool | None = _doc(
        "Sensitive personal data (health, addiction, psychological problems, debts, a criminal record): "
        "kafka proposes to ask it only when needed, with the client's consent, never simply to drop it. "
        "Left out, kafka decides from the item's name (kafka extension).",
        default=None,
    )
    identifies: bool | None = _doc(
        "The item identifies the client (identity card, national number, residence permit): never "
        "proposed for dropping. Left out, kafka decides from the item's name (kafka extension).",
        default=None,
    )


class Source(_Strict):
    """An authentic source beyond the built-in catalogue."""

    name: Name = _doc("Name of the source.")
    level: _lax(GovernmentLevel) = _doc("Who manages it: local, flemish, federal or european.")
    local_access: bool = _doc("Can a local social service consult it electronically today?", default=False)
    via: Name | None = _doc("The channel through which an OCMW reaches it, e.g. KSZ (kafka extension).", default=None)
    what: Text | None = _doc("What it holds (kafka extension).", default=None)


class Rule(_Strict):
    """A rule that mandates a step or a form: a law, a decree, an internal regulation."""

    name: Name = _doc("Name of the rule.")
    level: _lax(GovernmentLevel) = _doc("Who can change it: local, flemish, federal or european.")
    ref: Name | None = _doc("Legal reference, e.g. 'Wet 26 mei 2002, art. 21'.", default=None)
    deadline_days: Count | None = _doc(
        "Legal deadline in calendar days, counted from the start of step 'from' to the end of step 'to'.",
        default=None,
    )
    from_step: Id | None = _doc("The step where the deadline starts (with deadline_days).", default=None, alias="from")
    to_step: Id | None = _doc("The step where the deadline ends (with deadline_days).", default=None, alias="to")
    binds: Literal["organisation", "client"] = _doc(
        "Whose deadline it is: the organisation must decide in time, or the client must apply in time "
        "(version 1.1).",
        default="organisation",
    )


class Form(_Strict):
    """A form the client fills in."""

    name: Name = _doc("Name of the form.")
    owner: Id = _doc("The actor whose organisation designs the form.")
    rule: Id | None = _doc("The rule that mandates the form.", default=None)
    fields: list[Id] = _doc("The data items the form asks for.", default_factory=list)
    attachments: list[Id] = _doc("The data items the client must attach as proof.", default_factory=list)
    pages: Annotated[int, Field(ge=0, le=MAX_COUNT)] | None = _doc("Number of pages.", default=None)
    basis: dict[Id, Annotated[list[Id], BeforeValidator(_one_id_is_a_list)]] = _doc(
        "The legal basis of the form's content: which rule requires which of its fields and attachments, "
        "as item id -> rule id (or a list of rule ids), e.g. {identity: csr_verzoekschrift}. A field a rule "
        "requires is never proposed for dropping (kafka extension).",
        default_factory=dict,
    )


class NextStep(_Strict):
    """A branch to a following step."""

    to: Id = _doc("The id of the next step.")
    when: Name | None = _doc("When this branch is taken, e.g. 'dossier onvolledig'.", default=None)
    chance: Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)] | None = _doc(
        "The share of cases taking this branch, 0 to 1.", default=None
    )


class Step(_Strict):
    """One step of the procedure, in the order they happen."""

    id: Id = _doc("Unique id of the step, e.g. aanmelding.")
    name: Name = _doc("What happens, e.g. 'Aanmelding aan het onthaal'.")
    actor: Id = _doc("The actor who performs or receives the step.")
    kind: _lax(StepKind) | None = _doc(
        "contact, form, document, visit, decision, referral, notification or internal.", default=None
    )
    channel: _lax(Channel) | None = _doc(
        "in_person, home_visit, phone, letter, email, online or internal.", default=None
    )
    client_minutes: Count = _doc("The client's effort in minutes, travel included.", default=0)
    staff_minutes: Count = _doc("Staff effort in minutes.", default=0)
    wait_days: Count = _doc("Calendar days the client waits before this step can start.", default=0)
    duration_days: Count = _doc("Calendar days the step itself takes.", default=0)
    tells_story: bool = _doc("The client tells their story (again) here.", default=False)
    asks: list[Id] = _doc("Data items asked from the client here.", default_factory=list)
    form: Id | None = _doc("A form filled in here; its fields and attachments count as asked.", default=None)
    brings: list[Id] = _doc("Proof the client must bring to this step.", default_factory=list)
    provides: list[Id] = _doc("Data this step produces, e.g. a certificate.", default_factory=list)
    uses: list[Id] = _doc("Data this step relies on (assessments, decisions).", default_factory=list)
    rule: Id | None = _doc("The rule that mandates the step.", default=None)
    depends_on: list[Id] | None = _doc(
        "The steps this step really needs done first, listed earlier in the file ([] = it could start at "
        "once). Without it, the step waits for the steps before it in the flow (version 1.1).",
        default=None,
    )
    repeats_every_days: PositiveWhole | None = _doc(
        "The step comes back for the same client at this interval in days while the right lasts (a yearly "
        "renewal, a monthly proof); not a loop (version 1.1).",
        default=None,
    )
    next: list[NextStep] | None = _doc(
        "The following steps: step ids, or {to, when, chance} branches. Without next, the next step "
        "in the file follows; next: [] ends the procedure here.",
        default=None,
    )
    presence_required: bool | None = _doc(
        "The client must be there in person (a medical examination, a shelter intake, a placement, a home "
        "visit, showing an identity card): kafka never proposes to do it by phone or online, nor to grant "
        "without seeing the client. Left out, kafka decides from the kind, the channel and the name "
        "(kafka extension).",
        default=None,
    )
    note: Text | None = _doc("A remark from the workshop (kafka extension).", default=None)
    quote: Text | None = _doc(
        "What the client said at this step, in their own words (kafka extension).", default=None
    )
    feeling: Annotated[int, Field(ge=-2, le=2)] | None = _doc(
        "How the client felt at this step, a whole number from -2 (very bad) to +2 (very good) (kafka extension).",
        default=None,
    )

    @field_validator("next", mode="before")
    @classmethod
    def _plain_ids_are_edges(cls, value: object) -> object:
        if isinstance(value, list):
            return [{"to": item} if isinstance(item, str) else item for item in value]
        return value

    @property
    def in_person(self) -> bool:
        return self.channel is Channel.IN_PERSON


ActivityName = Annotated[str, StringConstraints(min_length=1, max_length=500)]


class Evidence(_Strict):
    """An event log that measures this procedure: told versus logged (kafka extension, docs/log.md)."""

    log: Name = _doc("The event log (CSV, XES or Parquet), relative to this case file, e.g. logs/leefloon.csv.")
    mapping: Name = _doc("Its mapping file (kafka log inspect LOG -o FILE), relative to this case file.")
    steps: dict[ActivityName, Id] = _doc(
        "Which step each activity of the log belongs to: 'activity in the log': step id.", default_factory=dict
    )


class Case(_Strict):
    """A kafka case file (case format version 1.1): one procedure as one client lived it."""

    case: CaseInfo = _doc("What the case is: id, title, organisation, procedure.")
    actors: dict[Id, Actor] = _doc("Who the procedure passes through, by id; exactly one has level client.")
    data: dict[Id, DataItem] = _doc("The information items the procedure needs, by id.", default_factory=dict)
    sources: dict[Id, Source] = _doc("Authentic sources beyond the built-in catalogue, by id.", default_factory=dict)
    rules: dict[Id, Rule] = _doc("The rules that mandate steps or forms, by id.", default_factory=dict)
    forms: dict[Id, Form] = _doc("The forms the client fills in, by id.", default_factory=dict)
    steps: Annotated[list[Step], Field(min_length=1)] = _doc("The steps of the procedure, in the order they happen.")
    evidence: Evidence | None = _doc(
        "An event log of this procedure, to show told versus logged (kafka extension).", default=None
    )

    @property
    def id(self) -> str:
        return self.case.id
