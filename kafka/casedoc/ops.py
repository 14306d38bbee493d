"""The changes the workshop editor makes to a case file, as small typed commands.

Each command is a frozen dataclass with ``apply(document)``, which changes a
ruamel.yaml round-trip document in place; :func:`apply` runs one on a text
and returns the new text (:mod:`kafka.casedoc.roundtrip` keeps the rest of
the file as it was). Steps are named by id, never by position, so a command
made on an older version of the file still means the same on a newer one.

Values are already typed (numbers, lists of ids, booleans): reading the
editor's form input is :mod:`kafka.casedoc.values`' job. Whether the result
is a valid case is the loader's (:mod:`kafka.loader`): a command only refuses
what it cannot do at all (a step that is not there).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

import yaml
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from kafka import yamlsource

from kafka.casedoc import roundtrip
from kafka.casedoc.roundtrip import block_map, flow_list, flow_map, is_flow, text_value

# The order of a step's keys in the contract: a new key goes where a reader expects it.
STEP_KEYS = (
    "id", "name", "actor", "kind", "channel", "client_minutes", "staff_minutes", "wait_days", "duration_days",
    "tells_story", "asks", "form", "brings", "provides", "uses", "rule", "next", "note", "quote", "feeling",
)
LIST_KEYS = frozenset({"asks", "brings", "provides", "uses"})
# What a key that is not written means: setting it to this value adds nothing to the file.
_DEFAULT_WHEN_ABSENT: dict[str, Any] = {
    "client_minutes": 0, "staff_minutes": 0, "wait_days": 0, "duration_days": 0, "tells_story": False,
    "asks": [], "brings": [], "provides": [], "uses": [],
}
# Keys the editor may set on a step (depends_on, repeats_every_days... stay for the file).
EDITABLE_STEP_KEYS = frozenset(STEP_KEYS) - {"next"}


class EditError(Exception):
    """A command that cannot be applied; ``key`` names its text in the ``edit`` catalogue."""

    def __init__(self, key: str, **params: Any):
        super().__init__(key)
        self.key = key
        self.params = params


@dataclass(frozen=True)
class Branch:
    to: str
    when: str | None = None
    chance: float | None = None


@dataclass(frozen=True)
class SetStep:
    """Set keys of a step; a value of None removes the key. A new id renames the step everywhere."""

    step: str
    values: Mapping[str, Any]

    def apply(self, document: CommentedMap) -> None:
        node = _step(document, self.step)
        new_id = self.values.get("id")
        for key, value in self.values.items():
            if key not in EDITABLE_STEP_KEYS:
                raise EditError("errors.unknown_key", key=key)
            _set(node, key, value)
        if new_id and new_id != self.step:
            _rename_step(document, self.step, new_id)


@dataclass(frozen=True)
class AddStep:
    """A new step after ``after`` (at the end when None), with its values."""

    values: Mapping[str, Any]
    after: str | None = None

    def apply(self, document: CommentedMap) -> None:
        steps = _steps(document)
        node = block_map({})
        for key in STEP_KEYS:
            if self.values.get(key) is not None:
                node[key] = _yaml_value(key, self.values[key], None)
        index = len(steps) if self.after is None else _index(document, self.after) + 1
        trailers = _take_trailers(steps)
        steps.insert(index, node)
        trailers.insert(index, None)
        _put_trailers(steps, trailers)


@dataclass(frozen=True)
class RemoveStep:
    """Remove a step, and the branches to it (a branch to a step that is gone means nothing)."""

    step: str

    def apply(self, document: CommentedMap) -> None:
        steps = _steps(document)
        index = _index(document, self.step)
        trailers = _take_trailers(steps)
        del steps[index]
        # The gap after the removed step goes; the last gap (the end of the list) stays the last.
        del trailers[index if index < len(trailers) - 1 else index - 1 if index else index]
        _put_trailers(steps, trailers)
        for other in steps:
            branches = other.get("next") if isinstance(other, CommentedMap) else None
            if isinstance(branches, CommentedSeq):
                kept = [b for b in branches if _target(b) != self.step]
                if len(kept) != len(branches):
                    if kept:
                        _replace_items(branches, kept)
                    else:
                        _set(other, "next", None)


@dataclass(frozen=True)
class MoveStep:
    """Move a step to position ``to`` (0 is first) in the list."""

    step: str
    to: int

    def apply(self, document: CommentedMap) -> None:
        steps = _steps(document)
        index = _index(document, self.step)
        target = max(0, min(self.to, len(steps) - 1))
        if target == index:
            return
        trailers = _take_trailers(steps)  # blank lines and comments between steps stay where they are
        node = steps.pop(index)
        steps.insert(target, node)
        _put_trailers(steps, trailers)


@dataclass(frozen=True)
class SetNext:
    """A step's branches: None follows the file order, () ends the procedure there."""

    step: str
    branches: tuple[Branch, ...] | None

    def apply(self, document: CommentedMap) -> None:
        node = _step(document, self.step)
        if self.branches is None:
            _set(node, "next", None)
            return
        plain = all(b.when is None and b.chance is None for b in self.branches)
        items = [b.to if plain else flow_map(_branch_pairs(b)) for b in self.branches]
        old = node.get("next")
        if isinstance(old, CommentedSeq) and (plain or not is_flow(old)):
            _replace_items(old, items)
        else:
            _set(node, "next", items if plain else _block_or_flow(items, old))


@dataclass(frozen=True)
class AddActor:
    id: str
    name: str
    level: str
    organisation: str | None = None

    def apply(self, document: CommentedMap) -> None:
        pairs = {"name": text_value(self.name), "level": self.level}
        if self.organisation:
            pairs["organisation"] = text_value(self.organisation)
        _add_entry(document, "actors", self.id, pairs)


@dataclass(frozen=True)
class AddData:
    id: str
    name: str
    source: str | None = None

    def apply(self, document: CommentedMap) -> None:
        pairs = {"name": text_value(self.name)}
        if self.source:
            pairs["source"] = self.source
        _add_entry(document, "data", self.id, pairs)


Command = SetStep | AddStep | RemoveStep | MoveStep | SetNext | AddActor | AddData


def apply(text: str, command: Command) -> str:
    """``text`` changed by ``command``; the rest of the file as the user wrote it."""
    if isinstance(command, SetStep):
        in_place = _set_in_place(text, command)
        if in_place is not None:
            return in_place
    return roundtrip.change(text, command.apply)


def _set_in_place(text: str, command: SetStep) -> str | None:
    """The most common change -- a new name or number for a key the step has -- made on the
    text itself, in a few milliseconds instead of ruamel.yaml's tenth of a second. Only for
    one-line values of a block mapping; the result must read as exactly the intended data,
    else None (and ruamel.yaml does it)."""
    if "id" in command.values or not command.values:
        return None
    if not all(isinstance(v, (str, int, float, bool)) and "\n" not in str(v) for v in command.values.values()):
        return None
    try:
        parsed = yamlsource.parse(text)
    except yamlsource.YamlProblem:
        return None
    steps = parsed.data.get("steps") if isinstance(parsed.data, dict) else None
    if not isinstance(steps, list):
        return None
    index = next((i for i, s in enumerate(steps) if isinstance(s, dict) and s.get("id") == command.step), None)
    if index is None:
        return None
    lines = text.splitlines(keepends=True)
    for key, value in command.values.items():
        if key not in steps[index] or isinstance(steps[index][key], (dict, list)):
            return None
        key_at = parsed.positions.keys.get(("steps", index, key))
        value_at = parsed.positions.values.get(("steps", index, key))
        if key_at is None or value_at is None or key_at[0] != value_at[0]:
            return None
        line = lines[key_at[0] - 1]
        if line[:key_at[1] - 1].strip() not in ("", "-"):
            return None  # inside a one-line {...} mapping
        start = value_at[1] - 1
        end = _scalar_end(line, start)
        if end is None:
            return None
        lines[key_at[0] - 1] = line[:start] + _scalar_text(value) + line[end:]
        steps[index][key] = value
    new_text = "".join(lines)
    # PyYAML's C reader checks the result (the same structure as the text kafka's own reader
    # accepted above, one scalar changed: no depth or alias it could choke on).
    try:
        if yaml.load(new_text, Loader=yamlsource._SafeLoader) != parsed.data:  # noqa: S506 - a safe loader
            return None
    except yaml.YAMLError:
        return None
    return new_text


def _scalar_end(line: str, start: int) -> int | None:
    """Where the one-line scalar starting at ``start`` ends (before a comment and the line end)."""
    rest = line[start:]
    if rest[:1] in ("'", '"'):
        quote, i = rest[0], 1
        while i < len(rest):
            if quote == "'" and rest[i] == "'" and rest[i + 1:i + 2] == "'":
                i += 2
                continue
            if quote == '"' and rest[i] == "\\":
                i += 2
                continue
            if rest[i] == quote:
                return start + i + 1
            i += 1
        return None  # the quotes go on over the next line
    if rest[:1] in ("|", ">", "&", "*", "!", "[", "{", ""):
        return None
    comment = rest.find(" #")
    body = rest[:comment] if comment >= 0 else rest.rstrip("\r\n")
    return start + len(body.rstrip())


def _scalar_text(value: Any) -> str:
    if isinstance(value, str):  # PyYAML quotes what YAML 1.1 would read otherwise ('no', '12:30')
        return yaml.safe_dump(value, allow_unicode=True, width=1_000_000).removesuffix("\n...\n").rstrip("\n")
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value) if isinstance(value, float) else str(value)


# --- helpers -------------------------------------------------------------------------

def _steps(document: CommentedMap) -> CommentedSeq:
    steps = document.get("steps")
    if not isinstance(steps, CommentedSeq):
        raise EditError("errors.no_steps")
    return steps


def _index(document: CommentedMap, step_id: str) -> int:
    for i, node in enumerate(_steps(document)):
        if isinstance(node, CommentedMap) and node.get("id") == step_id:
            return i
    raise EditError("errors.no_such_step", step=step_id)


def _step(document: CommentedMap, step_id: str) -> CommentedMap:
    return _steps(document)[_index(document, step_id)]


def _target(branch: Any) -> Any:
    return branch.get("to") if isinstance(branch, CommentedMap) else branch


def _branch_pairs(branch: Branch) -> dict[str, Any]:
    pairs: dict[str, Any] = {"to": branch.to}
    if branch.when is not None:
        pairs["when"] = text_value(branch.when)
    if branch.chance is not None:
        pairs["chance"] = branch.chance
    return pairs


def _block_or_flow(items: list[Any], old: Any) -> CommentedSeq:
    seq = CommentedSeq(items)
    if is_flow(old):
        seq.fa.set_flow_style()
    else:
        seq.fa.set_block_style()
    return seq


def _replace_items(seq: CommentedSeq, items: list[Any]) -> None:
    """New items in an existing list: its style and the comment after it stay."""
    trailer = roundtrip.take_trailer(seq) if not is_flow(seq) else ""
    del seq[:]
    seq.extend(items)
    for key in list(seq.ca.items):
        if isinstance(key, int) and key >= len(items):
            del seq.ca.items[key]
    roundtrip.put_trailer(seq, trailer)


def _yaml_value(key: str, value: Any, old: Any) -> Any:
    if key in LIST_KEYS:
        return flow_list(list(value)) if not isinstance(old, CommentedSeq) or is_flow(old) else _block_or_flow(list(value), old)
    if key == "next":
        return value if isinstance(value, CommentedSeq) else flow_list(list(value))
    if isinstance(value, str):
        return text_value(value)
    return value


def _set(node: CommentedMap, key: str, value: Any) -> None:
    """Set (or with None remove) ``key``, keeping the comment after it and the step's trailing lines."""
    old = node.get(key)
    if key not in node and key in _DEFAULT_WHEN_ABSENT and value == _DEFAULT_WHEN_ABSENT[key]:
        return  # "0 minutes" on a step that says nothing: the file need not say it either
    if value is None:
        if key not in node:
            return
        last = list(node.keys())[-1] == key
        trailer = roundtrip.take_trailer(node) if last else ""
        del node[key]
        node.ca.items.pop(key, None)
        roundtrip.put_trailer(node, trailer)
        return
    if key in LIST_KEYS and isinstance(old, CommentedSeq):
        _replace_items(old, list(value))
        return
    new = _yaml_value(key, value, old)
    if key in node:
        last = list(node.keys())[-1] == key
        trailer = roundtrip.take_trailer(node) if last and isinstance(old, (CommentedMap, CommentedSeq)) else ""
        node[key] = new
        roundtrip.put_trailer(node, trailer)
        return
    position = _position(node, key)
    if position == len(node):
        trailer = roundtrip.take_trailer(node)
        node.insert(position, key, new)
        roundtrip.put_trailer(node, trailer)
    else:
        node.insert(position, key, new)


def _position(node: CommentedMap, key: str) -> int:
    """Where ``key`` goes among the keys the step has: after those the contract lists before it."""
    rank = STEP_KEYS.index(key) if key in STEP_KEYS else len(STEP_KEYS)
    keys = list(node.keys())
    position = 0
    for i, existing in enumerate(keys):
        if (STEP_KEYS.index(existing) if existing in STEP_KEYS else -1) < rank:
            position = i + 1
    return position


def _take_trailers(steps: CommentedSeq) -> list[str | None]:
    return [roundtrip.take_trailer(node) for node in steps]


def _put_trailers(steps: CommentedSeq, trailers: list[str | None]) -> None:
    """Give every step, by position, the lines that follow it; a new gap looks like the others."""
    gaps = [t for t in trailers[:-1] if t is not None]
    usual = max(set(gaps), key=gaps.count) if gaps else "\n"
    usual = usual if not usual.strip() else "\n"  # a comment is not copied, only blank lines
    trailers = list(trailers)
    if trailers and trailers[-1] is None and len(trailers) > 1:
        # A step added at the end: it takes the end of the list, the old last step a usual gap.
        trailers[-1], trailers[-2] = trailers[-2], usual
    for node, trailer in zip(steps, trailers):
        roundtrip.put_trailer(node, usual if trailer is None else trailer)


def _rename_step(document: CommentedMap, old: str, new: str) -> None:
    for node in _steps(document):
        if not isinstance(node, CommentedMap):
            continue
        branches = node.get("next")
        if isinstance(branches, CommentedSeq):
            for i, branch in enumerate(branches):
                if branch == old:
                    branches[i] = new
                elif isinstance(branch, CommentedMap) and branch.get("to") == old:
                    branch["to"] = new
        depends = node.get("depends_on")
        if isinstance(depends, CommentedSeq):
            for i, item in enumerate(depends):
                if item == old:
                    depends[i] = new
    rules = document.get("rules")
    if isinstance(rules, CommentedMap):
        for rule in rules.values():
            if isinstance(rule, CommentedMap):
                for key in ("from", "to"):
                    if rule.get(key) == old:
                        rule[key] = new


def _add_entry(document: CommentedMap, section: str, key: str, pairs: dict[str, Any]) -> None:
    existing = document.get(section)
    if existing is None or not isinstance(existing, CommentedMap):
        if section in document and existing is not None:
            raise EditError("errors.section_not_a_mapping", section=section)
        existing = block_map({})
        _insert_section(document, section, existing)
    if key in existing:
        raise EditError("errors.duplicate_id", id=key)
    # Written as its neighbours are: one line {name: ..., level: ...} when they are.
    siblings = list(existing.values())
    one_line = not siblings or any(is_flow(s) for s in siblings)
    value = flow_map(pairs) if one_line else block_map(pairs)
    trailer = roundtrip.take_trailer(existing) if not is_flow(existing) else ""
    existing[key] = value
    roundtrip.put_trailer(existing, trailer)


_SECTION_ORDER = ("case", "actors", "data", "sources", "rules", "forms", "steps")


def _insert_section(document: CommentedMap, section: str, value: CommentedMap) -> None:
    rank = _SECTION_ORDER.index(section)
    keys = list(document.keys())
    position = 0
    for i, key in enumerate(keys):
        if key in _SECTION_ORDER and _SECTION_ORDER.index(key) < rank:
            position = i + 1
    if position == len(keys):
        trailer = roundtrip.take_trailer(document)
        document.insert(position, section, value)
        roundtrip.put_trailer(document, trailer)
    else:
        document.insert(position, section, value)


__all__ = [
    "AddActor", "AddData", "AddStep", "Branch", "Command", "EditError", "MoveStep", "RemoveStep", "STEP_KEYS",
    "SetNext", "SetStep", "apply",
]
