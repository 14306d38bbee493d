"""The status register: what became of each proposal, kept by hand by VVSG staff.

``kafka aggregate --status FILE`` reads it. FILE is YAML or a sheet saved as
CSV; both hold, per proposal key (the ``key`` column of proposals.csv), one
or more entries: a status, the date it was reached, who follows it up, and a
note. An entry is history: a later status is a new entry, the old one stays.

YAML::

    D02.federal.source.rijksregister:
      - status: geagendeerd
        date: 2026-05-04
        owner: An Peeters (VVSG)
        note: Op het overleg met POD MI van 12 juni.
      - {status: aanvaard, date: 2026-09-20, owner: An Peeters (VVSG)}
    T01.federal.rule.wet-26-mei-2002-art-21.30d:
      status: afgewezen            # one entry may be written without the list
      date: 2026-06-12

CSV (first row the column names; ``owner`` and ``note`` may be left out)::

    key,status,date,owner,note
    D02.federal.source.rijksregister,geagendeerd,2026-05-04,An Peeters (VVSG),Op het overleg van 12 juni.

The file is read with a safe YAML loader (kafka.yamlsource: no tags, no
aliases, bounded size) and checked as a whole: every problem is reported as
``FILE:LINE:COL: key: message`` and nothing is run until the file is right.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
from dataclasses import dataclass, field
from pathlib import Path

from kafka import yamlsource
from kafka.diagnostics import Problem, did_you_mean, format_path

STATUSES = ("nieuw", "geagendeerd", "aanvaard", "uitgevoerd", "afgewezen")
FIELDS = ("status", "date", "owner", "note")
CSV_COLUMNS = ("key", *FIELDS)
MAX_TEXT = 2000  # characters of an owner or a note: a register, not a document store


@dataclass(frozen=True)
class StatusEntry:
    """One step in a proposal's follow-up."""

    key: str
    status: str  # one of STATUSES
    date: dt.date
    owner: str = ""
    note: str = ""
    line: int = 0  # where it is written in the register (0: not from a file)

    def to_dict(self) -> dict:
        return {"key": self.key, "status": self.status, "date": self.date.isoformat(), "owner": self.owner,
                "note": self.note}


@dataclass
class StatusRegister:
    """Every entry of the register, per proposal key, oldest first."""

    path: str = ""
    entries: dict[str, list[StatusEntry]] = field(default_factory=dict)

    def history(self, key: str) -> list[StatusEntry]:
        return self.entries.get(key, [])

    def current(self, key: str) -> StatusEntry | None:
        """The latest entry (by date; of two on one date, the one written last)."""
        history = self.history(key)
        return history[-1] if history else None

    def unknown_keys(self, known: set[str]) -> list[StatusEntry]:
        """The first entry of every key that names no proposal of this run (a typo, or a proposal no longer seen)."""
        return [entries[0] for key, entries in self.entries.items() if key not in known and entries]


class StatusFileError(Exception):
    """The register has problems; ``problems`` lists them all."""

    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


def read_status_file(path: str | os.PathLike[str]) -> StatusRegister:
    """The register in ``path`` (.yaml, .yml or .csv); StatusFileError listing every problem."""
    path = Path(path)
    name = str(path)
    try:
        if path.stat().st_size > yamlsource.MAX_FILE_BYTES:
            raise StatusFileError([Problem(name, 0, 0, "", f"the file is larger than {yamlsource.MAX_FILE_BYTES:,} "
                                                            "bytes; a status register is much smaller", "too-large")])
        raw = path.read_bytes()
    except FileNotFoundError:
        raise StatusFileError([Problem(name, 0, 0, "", "no such file", "not-found")]) from None
    except IsADirectoryError:
        raise StatusFileError([Problem(name, 0, 0, "", "this is a folder, not a status register", "not-a-file")]) from None
    except OSError as exc:
        raise StatusFileError([Problem(name, 0, 0, "", f"cannot read the file: {exc.strerror or exc}", "unreadable")]) from None
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return parse_status_csv(raw, name)
    if suffix in (".yaml", ".yml"):
        return parse_status_yaml(raw, name)
    raise StatusFileError([Problem(name, 0, 0, "", "a status register is a .yaml, .yml or .csv file", "unknown-format")])


def parse_status_yaml(raw: bytes | str, name: str = "<status>") -> StatusRegister:
    try:
        text = yamlsource.decode(raw) if isinstance(raw, bytes) else yamlsource.normalize(raw)
        parsed = yamlsource.parse(text)
    except yamlsource.YamlProblem as exc:
        if exc.kind == "empty":
            return StatusRegister(name)  # an empty register: nothing followed up yet
        raise StatusFileError([Problem(name, exc.line, exc.col, "", exc.message, exc.kind)]) from None
    problems = [Problem(name, p.line, p.col, "", p.message, p.kind) for p in parsed.problems]
    data, positions = parsed.data, parsed.positions
    register = StatusRegister(name)
    if data is None:
        return register
    if not isinstance(data, dict):
        raise StatusFileError([Problem(name, 1, 1, "", "the register is a mapping: proposal key -> entries "
                                                       "(see docs/aggregate.md)", "not-a-mapping")])
    for key, value in data.items():
        where = (key,)
        if not isinstance(key, str) or not key.strip():
            line, col = positions.of(where, prefer_key=True)
            problems.append(Problem(name, line, col, str(key), "a proposal key is text, as in the 'key' column of "
                                                               "proposals.csv", "bad-key"))
            continue
        items = value if isinstance(value, list) else [value]
        for index, item in enumerate(items):
            path = (*where, index) if isinstance(value, list) else where
            entry = _entry(key, item, path, name, positions, problems)
            if entry is not None:
                register.entries.setdefault(key, []).append(entry)
    if problems:
        raise StatusFileError(problems)
    _sort(register)
    return register


def _entry(key: str, item, path: tuple, name: str, positions: yamlsource.Positions,
           problems: list[Problem]) -> StatusEntry | None:
    line, col = positions.of(path)
    shown = format_path(path)
    if not isinstance(item, dict):
        problems.append(Problem(name, line, col, shown, "an entry is a mapping with status, date and optionally "
                                                        "owner and note", "bad-entry"))
        return None
    before = len(problems)
    for extra in item:
        if extra not in FIELDS:
            at = positions.of((*path, extra), prefer_key=True)
            problems.append(Problem(name, *at, format_path((*path, extra)),
                                    f"unknown field '{extra}'{did_you_mean(extra, FIELDS)}; an entry has "
                                    f"{', '.join(FIELDS)}", "unknown-field"))
    values = {}
    for field_name in FIELDS:
        at = positions.of((*path, field_name)) if field_name in item else (line, col)
        values[field_name] = _check(field_name, item.get(field_name), name, at,
                                    format_path((*path, field_name)), problems)
    if len(problems) > before:
        return None
    return StatusEntry(key, values["status"], values["date"], values["owner"] or "", values["note"] or "", line)


def _check(field_name: str, value, name: str, at: tuple[int, int], shown: str, problems: list[Problem]):
    """The value of one field, checked; None (and a problem) when it is wrong."""
    def problem(message: str, kind: str) -> None:
        problems.append(Problem(name, at[0], at[1], shown, message, kind))

    if field_name == "status":
        if value is None:
            return problem(f"the status is missing; one of: {', '.join(STATUSES)}", "missing-status")
        if str(value).strip().lower() not in STATUSES:
            return problem(f"unknown status '{value}'{did_you_mean(str(value), STATUSES)}; one of: "
                           f"{', '.join(STATUSES)}", "unknown-status")
        return str(value).strip().lower()
    if field_name == "date":
        if value is None:
            return problem("the date is missing (YYYY-MM-DD): when the proposal reached this status", "missing-date")
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value).strip())
        except ValueError:
            return problem(f"'{value}' is not a date; write it as YYYY-MM-DD, e.g. 2026-05-04", "bad-date")
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        return problem(f"the {field_name} is text, not a list or mapping", "not-text")
    text = str(value).strip()
    if len(text) > MAX_TEXT:
        return problem(f"the {field_name} is {len(text):,} characters; at most {MAX_TEXT:,}", "too-long")
    return text


def parse_status_csv(raw: bytes | str, name: str = "<status>") -> StatusRegister:
    """A register saved from a spreadsheet as CSV (UTF-8, comma or semicolon separated)."""
    try:
        text = yamlsource.decode(raw) if isinstance(raw, bytes) else yamlsource.normalize(raw)
    except yamlsource.YamlProblem as exc:
        raise StatusFileError([Problem(name, exc.line, exc.col, "", exc.message, exc.kind)]) from None
    if not text.strip():
        return StatusRegister(name)
    first = text.split("\n", 1)[0]
    # Excel in a Flemish locale separates with semicolons.
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = [h.strip().lower() for h in next(reader)]
    problems: list[Problem] = []
    missing = [c for c in ("key", "status", "date") if c not in header]
    unknown = [h for h in header if h and h not in CSV_COLUMNS]
    if missing or unknown:
        parts = []
        if missing:
            parts.append(f"missing column(s): {', '.join(missing)}")
        if unknown:
            parts.append(f"unknown column(s): {', '.join(unknown)}")
        raise StatusFileError([Problem(name, 1, 1, "", f"{'; '.join(parts)}; the columns are "
                                                       f"{', '.join(CSV_COLUMNS)}", "bad-header")])
    register = StatusRegister(name)
    for row in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        values = dict(zip(header, row))
        key = values.get("key", "").strip()
        if not key:
            problems.append(Problem(name, line, 1, "key", "the proposal key is empty", "bad-key"))
            continue
        checked = {}
        before = len(problems)
        for field_name in FIELDS:
            column = header.index(field_name) + 1 if field_name in header else 1
            cell = values.get(field_name, "").strip()
            checked[field_name] = _check(field_name, cell or None, name, (line, column), f"{key}.{field_name}",
                                         problems)
        if len(problems) == before:
            register.entries.setdefault(key, []).append(
                StatusEntry(key, checked["status"], checked["date"], checked["owner"] or "", checked["note"] or "", line))
    if problems:
        raise StatusFileError(problems)
    _sort(register)
    return register


def _sort(register: StatusRegister) -> None:
    for entries in register.entries.values():
        entries.sort(key=lambda e: (e.date, e.line))  # stable: two entries on one date keep the file's order
