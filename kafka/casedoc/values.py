"""The editor's requests (JSON from the browser) as typed commands, or what is wrong with them.

This is the first of two checks. Here each field is read as what it must be
-- a number (a decimal comma is fine: ``2,5``), a whole number from -2 to 2,
an id, a text -- and what cannot be read is reported next to its field with
a text from the ``edit`` catalogue (Dutch by default). The second check is
kafka's own loader on the whole would-be file (:mod:`kafka.casedoc.session`):
references, uniqueness, the flow.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from kafka.casedoc.ops import (
    STEP_KEYS, AddActor, AddData, AddStep, Branch, Command, MoveStep, RemoveStep, SetNext, SetStep,
)
from kafka.model import ID_PATTERN, ActorLevel, Channel, StepKind

_ID = re.compile(ID_PATTERN)
MAX_TEXT = 20_000  # as the model's Text
MAX_ITEMS = 500  # ids in one list, branches of one step
NUMBER_KEYS = ("client_minutes", "staff_minutes", "wait_days", "duration_days")
TEXT_KEYS = ("name", "note", "quote")
ID_KEYS = ("actor", "form", "rule")
LIST_KEYS = ("asks", "brings", "provides", "uses")
# What a key that is not in the file means: setting it to this adds nothing.
DEFAULTS: dict[str, Any] = {**{k: 0 for k in NUMBER_KEYS}, "tells_story": False, **{k: [] for k in LIST_KEYS}}


@dataclass(frozen=True)
class FieldProblem:
    """What is wrong with one field of the request: ``field`` as the form names it, a catalogue key."""

    field: str
    key: str
    params: dict[str, Any] = field(default_factory=dict)


class InvalidRequest(Exception):
    def __init__(self, problems: list[FieldProblem]):
        super().__init__(", ".join(p.field for p in problems))
        self.problems = problems


def command_from_json(request: Any, step_ids: list[str] | None = None, ids: dict[str, list[str]] | None = None) -> Command:
    """The command a request asks for; :class:`InvalidRequest` with every field's problem.

    ``step_ids`` (the steps of the current file) and ``ids`` (its actors and data by section) are used
    to make a new id from a name when none is given.
    """
    if not isinstance(request, dict):
        raise InvalidRequest([FieldProblem("", "invalid.request")])
    problems: list[FieldProblem] = []
    op = request.get("op")
    step_ids = step_ids or []
    ids = ids or {}
    if op == "set_step":
        step = _existing_id(request.get("step"), "step", problems)
        values = _step_values(request.get("values"), problems, partial=True)
        if values.get("id") is None and "id" in values:
            problems.append(FieldProblem("id", "invalid.required"))
        command: Command | None = SetStep(step, values)
    elif op == "add_step":
        values = _step_values(request.get("values"), problems, partial=False)
        if not values.get("id") and values.get("name"):
            values["id"] = new_id(values["name"], step_ids, "stap")
        after = request.get("after")
        if after is not None:
            after = _existing_id(after, "after", problems)
        command = AddStep(values, after)
    elif op == "remove_step":
        command = RemoveStep(_existing_id(request.get("step"), "step", problems))
    elif op == "move_step":
        to = request.get("to")
        if not isinstance(to, int) or isinstance(to, bool) or not 0 <= to < 100_000:
            problems.append(FieldProblem("to", "invalid.position"))
        command = MoveStep(_existing_id(request.get("step"), "step", problems), to if isinstance(to, int) else 0)
    elif op == "set_next":
        step = _existing_id(request.get("step"), "step", problems)
        command = SetNext(step, _branches(request, problems))
    elif op == "add_actor":
        name = _text(request.get("name"), "name", problems, required=True)
        level = _choice(request.get("level"), "level", [v.value for v in ActorLevel], problems, required=True)
        organisation = _text(request.get("organisation"), "organisation", problems)
        key = _new_or_given_id(request.get("id"), name, ids.get("actors", []), "actor", problems)
        command = AddActor(key, name or "", level or "", organisation)
    elif op == "add_data":
        name = _text(request.get("name"), "name", problems, required=True)
        source = _id(request.get("source"), "source", problems)
        key = _new_or_given_id(request.get("id"), name, ids.get("data", []), "gegeven", problems)
        command = AddData(key, name or "", source)
    else:
        raise InvalidRequest([FieldProblem("op", "invalid.request")])
    if problems:
        raise InvalidRequest(problems)
    return command


def new_id(name: str, taken: list[str], fallback: str) -> str:
    """An id made from a name ('Intake bij de MW' -> 'intake-bij-de-mw'), not yet in ``taken``."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii").lower()
    stem = re.sub(r"[^a-z0-9]+", "-", plain).strip("-")[:40].strip("-") or fallback
    if not stem[0].isalnum():
        stem = f"{fallback}-{stem}"
    key, n = stem, 1
    while key in taken:
        n += 1
        key = f"{stem}-{n}"
    return key


# --- fields -----------------------------------------------------------------------------

def _step_values(raw: Any, problems: list[FieldProblem], partial: bool) -> dict[str, Any]:
    if not isinstance(raw, dict):
        problems.append(FieldProblem("", "invalid.request"))
        return {}
    values: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in STEP_KEYS or key == "next":
            problems.append(FieldProblem(str(key)[:50], "invalid.unknown_field"))
        elif key == "id":
            values[key] = _id(value, key, problems)
        elif key in TEXT_KEYS:
            values[key] = _text(value, key, problems, required=key == "name")
        elif key in ID_KEYS:
            values[key] = _id(value, key, problems, required=key == "actor")
        elif key == "kind":
            values[key] = _choice(value, key, [v.value for v in StepKind], problems)
        elif key == "channel":
            values[key] = _choice(value, key, [v.value for v in Channel], problems)
        elif key in NUMBER_KEYS:
            values[key] = _number(value, key, problems)
        elif key == "tells_story":
            if not isinstance(value, bool):
                problems.append(FieldProblem(key, "invalid.yes_no"))
            values[key] = value is True
        elif key in LIST_KEYS:
            values[key] = _id_list(value, key, problems)
        elif key == "feeling":
            values[key] = _feeling(value, key, problems)
    if not partial:
        for key in ("name", "actor"):
            if values.get(key) is None and not any(p.field == key for p in problems):
                problems.append(FieldProblem(key, "invalid.required"))
        values = {k: v for k, v in values.items() if v is not None and v != DEFAULTS.get(k, object())}
    return values


def _existing_id(value: Any, name: str, problems: list[FieldProblem]) -> str:
    if not isinstance(value, str) or not _ID.match(value) or len(value) > 100:
        problems.append(FieldProblem(name, "invalid.request"))
        return ""
    return value


def _id(value: Any, name: str, problems: list[FieldProblem], required: bool = False) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            problems.append(FieldProblem(name, "invalid.required"))
        return None
    if not isinstance(value, str) or not _ID.match(value.strip()) or len(value.strip()) > 100:
        problems.append(FieldProblem(name, "invalid.id", {"value": str(value)[:60]}))
        return None
    return value.strip()


def _new_or_given_id(value: Any, name: str | None, taken: list[str], fallback: str,
                     problems: list[FieldProblem]) -> str:
    given = _id(value, "id", problems)
    if given is not None:
        if given in taken:
            problems.append(FieldProblem("id", "invalid.taken", {"value": given}))
        return given
    return new_id(name or fallback, taken, fallback)


def _text(value: Any, name: str, problems: list[FieldProblem], required: bool = False) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            problems.append(FieldProblem(name, "invalid.required"))
        return None
    if not isinstance(value, str):
        problems.append(FieldProblem(name, "invalid.text"))
        return None
    text = value.strip()
    if len(text) > MAX_TEXT:
        problems.append(FieldProblem(name, "invalid.too_long", {"max": MAX_TEXT}))
        return None
    return text


def _choice(value: Any, name: str, options: list[str], problems: list[FieldProblem],
            required: bool = False) -> str | None:
    if value is None or value == "":
        if required:
            problems.append(FieldProblem(name, "invalid.required"))
        return None
    if value not in options:
        problems.append(FieldProblem(name, "invalid.choice", {"value": str(value)[:60]}))
        return None
    return value


def read_number(value: Any) -> float | None:
    """A number as a Fleming types it: ``2,5`` and ``2.5``, ``30 %`` is 30; None when it is none."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        number = float(value)
    elif isinstance(value, str):
        text = value.strip().replace("\u00a0", "").replace(" ", "").removesuffix("%")
        if text.count(",") == 1 and "." not in text:
            text = text.replace(",", ".")
        if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", text):
            return None
        number = float(text)
    else:
        return None
    return number if math.isfinite(number) else None


def _plain(number: float) -> int | float:
    return int(number) if number.is_integer() and abs(number) < 1e15 else number


def _number(value: Any, name: str, problems: list[FieldProblem]) -> int | float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    number = read_number(value)
    if number is None:
        problems.append(FieldProblem(name, "invalid.number", {"value": str(value)[:60]}))
        return None
    if number < 0:
        problems.append(FieldProblem(name, "invalid.negative"))
        return None
    if number > 1_000_000_000:
        problems.append(FieldProblem(name, "invalid.too_large"))
        return None
    return _plain(number)


def _feeling(value: Any, name: str, problems: list[FieldProblem]) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    number = read_number(value)
    if number is None or not number.is_integer() or not -2 <= number <= 2:
        problems.append(FieldProblem(name, "invalid.feeling", {"value": str(value)[:60]}))
        return None
    return int(number)


def _id_list(value: Any, name: str, problems: list[FieldProblem]) -> list[str]:
    if not isinstance(value, list) or len(value) > MAX_ITEMS:
        problems.append(FieldProblem(name, "invalid.request"))
        return []
    items: list[str] = []
    for item in value:
        key = _id(item, name, problems)
        if key is not None and key not in items:
            items.append(key)
    return items


def _branches(request: dict, problems: list[FieldProblem]) -> tuple[Branch, ...] | None:
    mode = request.get("mode")
    if mode == "follow":
        return None
    if mode == "end":
        return ()
    raw = request.get("branches")
    if mode != "branches" or not isinstance(raw, list) or len(raw) > MAX_ITEMS:
        problems.append(FieldProblem("next", "invalid.request"))
        return None
    branches = []
    for i, item in enumerate(raw):
        if not isinstance(item, dict):
            problems.append(FieldProblem(f"next[{i}]", "invalid.request"))
            continue
        to = _id(item.get("to"), f"next[{i}].to", problems, required=True)
        when = _text(item.get("when"), f"next[{i}].when", problems)
        chance = None
        raw_chance = item.get("chance")
        if raw_chance is not None and raw_chance != "":
            chance = read_number(raw_chance)
            if chance is not None and isinstance(raw_chance, str) and raw_chance.strip().endswith("%"):
                chance /= 100
            if chance is None or not 0 <= chance <= 1:
                problems.append(FieldProblem(f"next[{i}].chance", "invalid.chance", {"value": str(raw_chance)[:60]}))
                chance = None
            else:
                chance = _plain(round(chance, 6))
        if to is not None:
            branches.append(Branch(to, when, chance))
    if not branches and not any(p.field.startswith("next") for p in problems):
        problems.append(FieldProblem("next", "invalid.no_branches"))
    return tuple(branches)
