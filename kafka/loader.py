"""Load a case file: bytes -> YAML data -> typed :class:`~kafka.model.Case` -> checked.

Three layers, each reporting every problem it finds, each only run when the
previous one succeeded (so one typo does not cause a cascade of messages):

1. reading (:mod:`kafka.yamlsource`): size, encoding, YAML syntax, tags, aliases;
2. structure (:mod:`kafka.model`): types, required keys, allowed values, ids;
3. meaning (:mod:`kafka.validate`): references resolve, ids unique, flow.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator

from pydantic import BaseModel, ValidationError

from kafka import model, yamlsource
from kafka.diagnostics import Phrase, Problem, Severity, format_path, has_errors, suggestion
from kafka.model import Case
from kafka.output import note_input
from kafka.yamlsource import Positions

CASE_SUFFIXES = (".yaml", ".yml")
MAX_STEPS = 5_000
MAX_PROBLEMS = 200  # per file; the rest are counted in one last problem


@dataclass
class LoadedCase:
    """The outcome of loading one file: a case when it is valid, and every problem."""

    path: Path
    case: Case | None
    problems: list[Problem] = field(default_factory=list)
    positions: Positions | None = None
    text: str = ""

    @property
    def ok(self) -> bool:
        return self.case is not None and not has_errors(self.problems)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.WARNING]


class Unreadable(Exception):
    """A case file that cannot be read at all: missing, a folder, too large, no permission."""

    def __init__(self, phrase: Phrase, kind: str):
        self.message = phrase.text("en")
        super().__init__(self.message)
        self.phrase = phrase
        self.kind = kind


def read_bounded(path: str | os.PathLike[str]) -> bytes:
    """The bytes of a case file, refusing one larger than a case file may be before
    reading it. The one place kafka reads a case file from disk. Raises
    :class:`Unreadable` with a message for the user."""
    path = Path(path)
    note_input(path)  # no output of this run may be written onto it
    try:
        size = path.stat().st_size
        if size > yamlsource.MAX_FILE_BYTES:
            raise Unreadable(Phrase.of("file_too_large", size=size, max=yamlsource.MAX_FILE_BYTES), "too-large")
        return path.read_bytes()
    except IsADirectoryError:
        raise _folder_problem(path) from None
    except FileNotFoundError:
        raise Unreadable(Phrase.of("not_found"), "not-found") from None
    except OSError as exc:
        raise Unreadable(Phrase.of("unreadable", reason=exc.strerror or str(exc)), "unreadable") from None


def read_case(path: str | os.PathLike[str]) -> tuple[LoadedCase, bytes]:
    """Read one case file (bounded) and load it: the loaded case and the bytes read
    (b"" when the file could not be read; the loaded case then says why). Never
    raises for bad content. The bytes are what caches key on (kafka aggregate)
    and what the live page shows beside the problems."""
    try:
        raw = read_bounded(path)
    except Unreadable as exc:
        return _failed(Path(path), exc.phrase, exc.kind), b""
    return load_text(raw, str(path)), raw


def load_case(path: str | os.PathLike[str]) -> LoadedCase:
    """Load and check one case file. Never raises for bad content."""
    return read_case(path)[0]


def load_text(raw: bytes | str, name: str = "<case>") -> LoadedCase:
    """Load and check case-file content (bytes or text) reported under ``name``."""
    loaded = _load_text(raw, name)
    if len(loaded.problems) > MAX_PROBLEMS:
        # A block pasted a thousand times gives a thousand problems; nobody reads past the first ones.
        hidden = loaded.problems[MAX_PROBLEMS:]
        severity = Severity.ERROR if has_errors(hidden) else Severity.WARNING  # warnings alone keep a case valid
        loaded.problems[MAX_PROBLEMS:] = [
            Problem.said(name, 0, 0, "", Phrase.of("too_many_problems", n=len(hidden)), "too-many-problems", severity)
        ]
    return loaded


def _load_text(raw: bytes | str, name: str) -> LoadedCase:
    path = Path(name)
    try:
        if len(raw) > yamlsource.MAX_FILE_BYTES:  # characters for text: close enough, and cheap
            return _failed(path, Phrase.of("content_too_large", max=yamlsource.MAX_FILE_BYTES), "too-large")
        if isinstance(raw, bytes):
            text = yamlsource.decode(raw)
        else:
            if len(raw) > yamlsource.MAX_FILE_BYTES:  # characters: at least as many bytes
                return _failed(path, Phrase.of("content_too_large", max=yamlsource.MAX_FILE_BYTES), "too-large")
            text = yamlsource.normalize(raw)
        # The deeper positions are read again only when a problem asks for one (most files have none).
        parsed = yamlsource.parse(text, every_position=False)
    except yamlsource.YamlProblem as exc:
        return LoadedCase(path, None, [Problem.said(name, exc.line, exc.col, "", exc.phrase, exc.kind)])

    problems = [Problem.said(name, p.line, p.col, p.path, p.phrase, p.kind) for p in parsed.problems]
    loaded = LoadedCase(path, None, problems, parsed.positions, text)
    data = parsed.data
    if not isinstance(data, dict):
        problems.append(Problem.said(name, 1, 1, "", Phrase.of("not_a_mapping", found=_kind_of(data)), "not-a-mapping"))
        return loaded
    steps = data.get("steps")
    if isinstance(steps, list) and len(steps) > MAX_STEPS:
        line, col = parsed.positions.of(("steps",))
        problems.append(Problem.said(name, line, col, "steps", Phrase.of("too_many_steps", n=len(steps), max=MAX_STEPS),
                                     "too-large"))
        return loaded
    try:
        case = Case.model_validate(data)
    except ValidationError as exc:
        problems.extend(structure_problems(exc, name, parsed.positions, data))
        problems.sort(key=lambda p: (p.line, p.col))
        return loaded
    from kafka.validate import check_meaning  # late: validate imports this module's types

    problems.extend(check_meaning(case, name, parsed.positions))
    problems.sort(key=lambda p: (p.line, p.col))
    loaded.case = case
    return loaded


def iter_case_files(paths: Iterable[str | os.PathLike[str]]) -> Iterator[Path]:
    """The case files named, and those under the folders named, in a stable order.

    A file named twice (or named and inside a folder named) comes once. A path
    that does not exist is yielded as it is, so the loader reports it.
    """
    seen: set[Path] = set()
    for raw in paths:
        path = Path(raw)
        found = _case_files_under(path) if path.is_dir() else [path]
        for file in found:
            key = file.resolve()
            if key not in seen:
                seen.add(key)
                yield file


def _case_files_under(folder: Path) -> list[Path]:
    """The case files in ``folder`` and its subfolders, hidden ones left out, sorted.

    A subfolder that cannot be read is listed too, so that the loader reports
    it (:func:`load_case`) instead of its case files silently missing.
    Symbolic links to folders are not followed (a link to ``..`` would loop).
    """
    found: list[Path] = []

    def unreadable(exc: OSError) -> None:
        if exc.filename is not None:
            found.append(Path(exc.filename))

    for root, folders, files in os.walk(folder, onerror=unreadable):
        folders[:] = [name for name in folders if not name.startswith(".")]
        for name in files:
            path = Path(root) / name
            if not name.startswith(".") and path.suffix.lower() in CASE_SUFFIXES and path.is_file():
                found.append(path)
    return sorted(found)


def _folder_problem(path: Path) -> Unreadable:
    """What to say about a folder given (or found) where a case file was expected."""
    try:
        with os.scandir(path):
            pass
    except OSError as exc:
        return Unreadable(Phrase.of("folder_unreadable", reason=exc.strerror or str(exc)), "unreadable")
    return Unreadable(Phrase.of("not_a_file"), "not-a-file")


def _failed(path: Path, phrase: Phrase, kind: str) -> LoadedCase:
    return LoadedCase(path, None, [Problem.said(str(path), 0, 0, "", phrase, kind)])


# --- structure errors: pydantic's error list in the user's words -------------

def structure_problems(exc: ValidationError, name: str, positions: Positions, data: Any) -> list[Problem]:
    problems: list[Problem] = []
    seen: set[tuple] = set()
    for error in exc.errors(include_url=False):
        loc = _clean_loc(error["loc"])
        if error["type"] == "invalid_key" and loc:
            loc = loc[:-1] + (error["input"],)  # pydantic's loc spells the key as text ('None', '3.5') or 1 for true
        message, at_key = _message(error, loc, data)
        key = (loc, message)
        if key in seen:  # unions and lax enums can report the same spot twice
            continue
        seen.add(key)
        if error["type"] == "missing" and not _present(data, loc):
            # Point at the mapping that lacks the key: its own key line ("case:"), or its first line.
            line, col = positions.of(loc[:-1], prefer_key=True)
        else:
            line, col = positions.of(loc, prefer_key=at_key)
        problems.append(Problem.said(name, line, col, format_path(_display_loc(loc, data)), message,
                                     f"structure-{error['type']}"))
    return problems


def _walk(data: Any, loc: tuple) -> Any:
    """The value at ``loc`` in the raw data, or None when there is none."""
    for part in loc:
        if isinstance(data, dict) and part in data:
            data = data[part]
        elif isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data):
            data = data[part]
        else:
            return None
    return data


def _present(data: Any, loc: tuple) -> bool:
    parent = _walk(data, loc[:-1])
    return isinstance(parent, dict) and bool(loc) and loc[-1] in parent


def _display_loc(loc: tuple, data: Any) -> tuple:
    """Mapping keys that YAML read as numbers or booleans print as keys (``actors.1``), not list indexes."""
    out = []
    for i, part in enumerate(loc):
        if not isinstance(part, str) and isinstance(_walk(data, loc[:i]), dict):
            part = "null" if part is None else str(part).lower() if isinstance(part, bool) else str(part)
        out.append(part)
    return tuple(out)


def _clean_loc(loc: tuple) -> tuple:
    """Drop pydantic's markers ('[key]', 'function-after[...]', enum class names)."""
    out = []
    for part in loc:
        if isinstance(part, str) and (part == "[key]" or "[" in part and part.endswith("]")):
            continue
        out.append(part)
    return tuple(out)


def _message(error: dict, loc: tuple, data: Any) -> tuple[Phrase, bool]:
    """A readable message, and whether it is best pointed at the key (not the value)."""
    kind = error["type"]
    value = error.get("input")
    field_name = loc[-1] if loc else ""
    if kind == "missing":
        if _present(data, loc):  # "steps:" with nothing after it reads as null
            return Phrase.of("missing_value", key=field_name), True
        return Phrase.of("missing", key=field_name), False
    if kind == "extra_forbidden":
        allowed = _allowed_keys(loc[:-1], data)
        hint = suggestion(str(field_name), allowed)
        if value is None and not hint and " " in str(field_name):
            hint = Phrase.of("hint.comma_in_text")
        return Phrase.of("unknown_key", key=field_name, hint=hint), True
    if kind == "invalid_key":  # a key YAML read as a number, true/false or nothing (pydantic: "Keys should be strings")
        shown = "null" if field_name is None else str(field_name).lower() if isinstance(field_name, bool) else field_name
        return Phrase.of("key_not_a_word", key=str(shown), found=_kind_of(field_name)), True
    if kind == "string_pattern_mismatch":
        return Phrase.of("bad_id", value=value), isinstance(value, str) and loc and loc[-1] == value
    if kind == "enum":
        expected = error.get("ctx", {}).get("expected", "")
        options = [o.strip(" '") for o in expected.replace(" or ", ",").split(",") if o.strip(" '")]
        return Phrase.of("not_allowed_choice", value=str(value), options=", ".join(options),
                         hint=suggestion(str(value), options)), False
    if kind == "literal_error":
        expected = error.get("ctx", {}).get("expected", "")
        return Phrase.of("not_allowed", value=str(value), expected=expected), False
    if kind in ("greater_than_equal", "greater_than"):
        low = error.get("ctx", {}).get("ge", error.get("ctx", {}).get("gt", 0))
        if low and low >= 1:  # a count such as eligible_per_year or repeats_every_days
            return Phrase.of("at_least_whole", low=_number(low), value=_number(value)), False
        return Phrase.of("at_least", low=_number(low), value=_number(value)), False  # 0, or -2 for a feeling
    if kind in ("less_than_equal", "less_than"):
        return Phrase.of("at_most", high=_number(error['ctx'].get('le', error['ctx'].get('lt'))), value=_number(value)), False
    if kind in ("too_short", "string_too_short"):
        return Phrase.of("empty"), False
    if kind == "string_too_long":
        limit = error["ctx"]["max_length"]
        if limit == model.MAX_NAME_CHARS:
            return Phrase.of("too_long_name", max=limit, n=len(value)), False
        return Phrase.of("too_long", max=limit, n=len(value)), False
    if kind in ("finite_number",):
        return Phrase.of("finite"), False
    expected_type = _EXPECTED.get(kind)
    if expected_type:
        hint: Phrase | str = ""
        if isinstance(value, str) and expected_type in ("number", "whole_number") and _DECIMAL_COMMA.fullmatch(value.strip()):
            # 0,3 as every Belgian writes it (quoted or not: YAML reads it as text either way)
            return Phrase.of("decimal_comma", fixed=value.strip().replace(",", "."), value=value.strip()), False
        if isinstance(value, str) and expected_type == "number":
            if _SCIENTIFIC.fullmatch(value.strip()):  # YAML 1.1 reads 1e3 as text
                hint = Phrase.of("hint.scientific")
            else:
                hint = Phrase.of("hint.no_quotes")
        if isinstance(value, (int, float, dt.date)) and not isinstance(value, bool) and expected_type == "text":
            hint = Phrase.of("hint.quote_it")
        if isinstance(value, bool) and expected_type == "text":
            hint = Phrase.of("hint.yes_no")
        if isinstance(value, int) and not isinstance(value, bool) and expected_type == "number":
            return Phrase.of("number_too_large", value=_number(value)), False
        return Phrase.of("expected", type=Phrase.of(f"type.{expected_type}"), found=_kind_of(value), hint=hint), False
    return Phrase.of("other", message=error.get("msg", kind)), False


_SCIENTIFIC = re.compile(r"[+-]?\d+(\.\d*)?[eE][+-]?\d+")
# A number written with a decimal comma: "0,3", "-1,5" (one comma, digits on both sides).
_DECIMAL_COMMA = re.compile(r"[+-]?\d+,\d+")

# pydantic's error type -> the kind of value expected (validation.type.* in the catalogues)
_EXPECTED = {
    "string_type": "text",
    "int_type": "whole_number",
    "float_type": "number",
    "bool_type": "true_false",
    "list_type": "list",
    "dict_type": "mapping",
    "model_type": "mapping",
    "model_attributes_type": "mapping",
    "date_type": "date",
    "date_parsing": "date",
    "date_from_datetime_parsing": "date",
    "date_from_datetime_inexact": "date",
    "int_from_float": "whole_number",
}


def _kind_of(value: Any) -> Phrase:
    """What YAML read, said in the reader's language: "the text 'x'", "a list"."""
    if value is None:
        return Phrase.of("found.nothing")
    if isinstance(value, bool):
        return Phrase.of("found.word", word=str(value).lower())
    if isinstance(value, int) and len(str(abs(value))) > 20:
        return Phrase.of("found.many_digits", n=len(str(abs(value))))
    if isinstance(value, (int, float)):
        return Phrase.of("found.number", value=_number(value))
    if isinstance(value, str):
        return Phrase.of("found.text", value=value[:60])
    if isinstance(value, list):
        return Phrase.of("found.list")
    if isinstance(value, dict):
        return Phrase.of("found.mapping")
    if isinstance(value, (dt.date, dt.datetime)):  # YAML reads 2026-03-12 as a date
        return Phrase.of("found.date", value=value.isoformat())
    return Phrase.of("found.other", type=type(value).__name__)


def _number(value: object) -> str | int | Phrase:
    """A number as the user would write it; one of many digits is described, not printed.
    A large whole number is left an int: the phrase writes it with the reader's
    thousands separator (12,500 / 12.500)."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        digits = str(abs(value))  # YAML already refused numbers beyond Python's digit limit
        if len(digits) > 20:
            return Phrase.of("found.many_digits", n=len(digits))
        return value if abs(value) >= 10_000 else str(value)
    return str(value)


_SECTION_MODELS: dict[str, type[BaseModel]] = {
    "actors": model.Actor,
    "data": model.DataItem,
    "sources": model.Source,
    "rules": model.Rule,
    "forms": model.Form,
}


def _allowed_keys(parent: tuple, data: Any) -> list[str]:
    """The keys allowed at the mapping ``parent`` points to, for suggestions."""
    target = _model_at(parent)
    if target is None:
        return []
    return [f.alias or name for name, f in target.model_fields.items()]


def _model_at(loc: tuple) -> type[BaseModel] | None:
    if not loc:
        return model.Case
    head = loc[0]
    if head == "case":
        return model.Tariffs if len(loc) >= 2 and loc[1] == "tariffs" else model.CaseInfo
    if head == "steps":
        return model.NextStep if "next" in loc else model.Step
    return _SECTION_MODELS.get(head)
