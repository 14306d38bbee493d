"""The mapping file: which column of a log is the case, the activity, the time...

A log from a case-management system has its own column names; the mapping
(YAML, written by hand or proposed by ``kafka log inspect``) says which is
which. It is read safely (kafka.yamlsource: no tags, no aliases bombs, the
position of every key), and every problem names the file, line, column and
key, as for a case file::

    columns:
      case: dossiernummer        # required
      activity: activiteit       # required
      timestamp: einde           # required: when the activity ended (or happened)
      start: begin               # optional: when the work on it started
      resource: medewerker       # optional: who did it (pseudonymised)
      organisation: dienst       # optional: organisation or department
    keep: [kanaal]               # other columns to keep; every other column is dropped
    deadlines:
      - name: "RMI-wet art. 21: beslissing binnen 30 dagen"
        days: 30
        from: Aanvraag geregistreerd
        to: Beslissing BCSD
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kafka import yamlsource
from kafka.diagnostics import Problem, did_you_mean, format_path
from kafka.errors import InputError
from kafka.output import note_input

FORMATS = ("csv", "xes", "parquet", "ocel")
ROLES = ("case", "activity", "timestamp", "start", "resource", "organisation")
REQUIRED_ROLES = ("case", "activity", "timestamp")
PSEUDONYMISED_ROLES = ("case", "resource")
ENCODINGS = ("utf-8", "utf-16", "latin-1", "cp1252")
TOP_KEYS = ("format", "delimiter", "encoding", "timestamp_format", "timezone", "columns", "keep", "deadlines")
DEADLINE_KEYS = ("name", "days", "from", "to")
MAX_MAPPING_BYTES = 256 * 1024


@dataclass(frozen=True)
class Deadline:
    """A deadline the log is checked against: ``days`` from the start of ``from`` to the end of ``to``."""

    name: str
    days: float
    from_activity: str
    to_activity: str


@dataclass(frozen=True)
class Columns:
    case: str
    activity: str
    timestamp: str
    start: str | None = None
    resource: str | None = None
    organisation: str | None = None

    def used(self) -> dict[str, str]:
        """role -> column, for the roles that are mapped."""
        return {role: getattr(self, role) for role in ROLES if getattr(self, role)}


@dataclass(frozen=True)
class Mapping:
    columns: Columns
    keep: tuple[str, ...] = ()
    format: str | None = None  # None: from the log's file name
    delimiter: str | None = None  # CSV; None: detected
    encoding: str | None = None  # CSV; None: detected
    timestamp_format: str | None = None  # strftime codes; None: detected
    timezone: str | None = None  # the zone of timestamps written without an offset
    deadlines: tuple[Deadline, ...] = ()
    path: str = "<mapping>"  # where it was read from, for messages
    # key -> (line, col) in the file, so a problem found later (a column not in the
    # log, an activity that never occurs) can still point at the line to fix
    lines: dict[str, tuple[int, int]] = field(default_factory=dict, compare=False)

    def where(self, key: str) -> str:
        line, col = self.lines.get(key, (0, 0))
        return f"{self.path}:{line}:{col}: {key}" if line else f"{self.path}: {key}"

    def columns_wanted(self) -> list[str]:
        """Every column the log must have, in a stable order, without repeats."""
        return list(dict.fromkeys([*self.columns.used().values(), *self.keep]))


def load_mapping(path: str | os.PathLike[str]) -> Mapping:
    """Read and check a mapping file; an InputError lists every problem with file, line and key."""
    path = Path(path)
    name = str(path)
    note_input(path)  # no output of this run may be written onto it
    try:
        if path.stat().st_size > MAX_MAPPING_BYTES:
            raise InputError(f"{name}: the file is larger than {MAX_MAPPING_BYTES:,} bytes; is this a mapping file?")
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{name}: no such mapping file (make one with: kafka log inspect LOG -o {name})") from None
    except IsADirectoryError:
        raise InputError(f"{name}: this is a folder, not a mapping file") from None
    except OSError as exc:
        raise InputError(f"{name}: cannot read the mapping file: {exc.strerror or exc}") from None
    return parse_mapping(raw, name)


def parse_mapping(raw: bytes | str, name: str = "<mapping>") -> Mapping:
    try:
        text = yamlsource.decode(raw) if isinstance(raw, bytes) else yamlsource.normalize(raw)
        parsed = yamlsource.parse(text)
    except yamlsource.YamlProblem as exc:
        where = f"{name}:{exc.line}:{exc.col or 1}" if exc.line else name
        raise InputError(f"{where}: {exc.message}") from None
    checker = _Checker(name, parsed.positions)
    for soft in parsed.problems:
        checker.problems.append(Problem(name, soft.line, soft.col, "", soft.message, soft.kind))
    mapping = checker.mapping(parsed.data)
    if checker.problems or mapping is None:
        raise InputError("the mapping file has problems:\n" + "\n".join(f"  {p}" for p in checker.problems))
    return mapping


class _Checker:
    """Builds a Mapping from plain data, collecting a Problem for everything wrong."""

    def __init__(self, name: str, positions: yamlsource.Positions):
        self.name = name
        self.positions = positions
        self.problems: list[Problem] = []

    def problem(self, path: tuple, message: str, kind: str = "mapping", *, at_key: bool = False) -> None:
        line, col = self.positions.of(path, prefer_key=at_key)
        self.problems.append(Problem(self.name, line, col, format_path(path), message, kind))

    def lines(self) -> dict[str, tuple[int, int]]:
        return {format_path(path): pos for path, pos in self.positions.values.items()}

    def mapping(self, data: Any) -> Mapping | None:
        if not isinstance(data, dict):
            self.problem((), "a mapping file is a set of keys (columns:, keep:, deadlines:...), "
                             "not a list or a single value; make one with: kafka log inspect LOG -o FILE")
            return None
        for key in data:
            if key not in TOP_KEYS:
                self.problem((key,), f"unknown key '{key}'{did_you_mean(key, TOP_KEYS)} "
                                     f"(known: {', '.join(TOP_KEYS)})", "unknown-key", at_key=True)
        columns = self.columns(data.get("columns"))
        keep = self.keep(data.get("keep"), columns)
        fmt = self.choice(data, "format", FORMATS)
        encoding = self.choice(data, "encoding", ENCODINGS, lower=True)
        delimiter = self.delimiter(data.get("delimiter"))
        ts_format = self.text(data, "timestamp_format")
        if ts_format is not None and "%" not in ts_format:
            self.problem(("timestamp_format",), f"'{ts_format}' has no % codes; write it like '%d/%m/%Y %H:%M'")
        timezone = self.timezone(data)
        deadlines = self.deadlines(data.get("deadlines"))
        if columns is None:
            return None
        return Mapping(columns, keep, fmt, delimiter, encoding, ts_format, timezone, deadlines, self.name, self.lines())

    def text(self, data: dict, key: str, path: tuple = ()) -> str | None:
        value = data.get(key)
        if value is None:
            return None
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)  # a column named 2024 is still a column name
        if not isinstance(value, str) or not value.strip():
            self.problem((*path, key), f"'{key}' must be a text, not {_kind(value)}")
            return None
        return value

    def choice(self, data: dict, key: str, allowed: tuple[str, ...], lower: bool = False) -> str | None:
        value = self.text(data, key)
        if value is None:
            return None
        probe = value.lower().replace("_", "-") if lower else value
        if lower and probe in ("utf8", "utf-8-sig"):
            probe = "utf-8"
        if lower and probe in ("iso-8859-1", "latin1", "iso8859-1"):
            probe = "latin-1"
        if lower and probe in ("windows-1252",):
            probe = "cp1252"
        if probe not in allowed:
            self.problem((key,), f"'{value}' is not one of {', '.join(allowed)}{did_you_mean(value, allowed)}")
            return None
        return probe

    def delimiter(self, value: Any) -> str | None:
        if value is None:
            return None
        if value in ("\\t", "tab", "TAB"):
            return "\t"
        if not isinstance(value, str) or len(value) != 1 or value in "\r\n\"":
            self.problem(("delimiter",), f"the delimiter is one character such as ';' ',' '|' or tab, not {value!r}")
            return None
        return value

    def timezone(self, data: dict) -> str | None:
        zone = self.text(data, "timezone")
        if zone is None:
            return None
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            self.problem(("timezone",), f"'{zone}' is not a time zone; write it like Europe/Brussels")
            return None
        return zone

    def columns(self, value: Any) -> Columns | None:
        if value is None:
            self.problem((), "the key 'columns' is missing: it says which column is the case, the activity "
                             "and the timestamp (kafka log inspect LOG proposes one)", "missing-key")
            return None
        if not isinstance(value, dict):
            self.problem(("columns",), f"'columns' must be a set of role: column pairs, not {_kind(value)}")
            return None
        for role in value:
            if role not in ROLES:
                self.problem(("columns", role), f"unknown role '{role}'{did_you_mean(role, ROLES)} "
                                                f"(roles: {', '.join(ROLES)})", "unknown-key", at_key=True)
        names = {}
        for role in ROLES:
            name = self.text(value, role, ("columns",))
            if name is None and role in REQUIRED_ROLES and role not in value:
                self.problem(("columns",), f"the role '{role}' is missing: which column holds the {role}?",
                             "missing-key", at_key=True)
            names[role] = name
        seen: dict[str, str] = {}
        for role, name in names.items():
            if name is None:
                continue
            if name in seen:
                self.problem(("columns", role), f"column '{name}' is already mapped as '{seen[name]}'; "
                                                "one column has one role")
            seen[name] = role
        if any(names[r] is None for r in REQUIRED_ROLES):
            return None
        return Columns(**names)

    def keep(self, value: Any, columns: Columns | None) -> tuple[str, ...]:
        if value is None:
            return ()
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            self.problem(("keep",), f"'keep' is a list of column names, not {_kind(value)}")
            return ()
        out = []
        mapped = set(columns.used().values()) if columns else set()
        for i, name in enumerate(value):
            if isinstance(name, (int, float)) and not isinstance(name, bool):
                name = str(name)
            if not isinstance(name, str) or not name.strip():
                self.problem(("keep", i), f"a column name, not {_kind(name)}")
            elif name in mapped:
                self.problem(("keep", i), f"'{name}' is already mapped in 'columns'; list it once")
            elif name not in out:
                out.append(name)
        return tuple(out)

    def deadlines(self, value: Any) -> tuple[Deadline, ...]:
        if value is None:
            return ()
        if not isinstance(value, list):
            self.problem(("deadlines",), f"'deadlines' is a list of {{name, days, from, to}}, not {_kind(value)}")
            return ()
        out = []
        for i, item in enumerate(value):
            path = ("deadlines", i)
            if not isinstance(item, dict):
                self.problem(path, f"a deadline is {{name, days, from, to}}, not {_kind(item)}")
                continue
            for key in item:
                if key not in DEADLINE_KEYS:
                    self.problem((*path, key), f"unknown key '{key}'{did_you_mean(key, DEADLINE_KEYS)}",
                                 "unknown-key", at_key=True)
            missing = [k for k in DEADLINE_KEYS if k not in item]
            if missing:
                self.problem(path, f"the deadline needs {', '.join(repr(k) for k in missing)}", "missing-key")
                continue
            days = item["days"]
            if isinstance(days, bool) or not isinstance(days, (int, float)) or not 0 < days < 100_000:
                self.problem((*path, "days"), f"'days' is a number of calendar days above 0, not {days!r}")
                continue
            name, start, end = (self.text(item, k, path) for k in ("name", "from", "to"))
            if name and start and end:
                out.append(Deadline(name, float(days), start, end))
        return tuple(out)


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"'{str(value).lower()}'"
    if isinstance(value, dict):
        return "a set of keys"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, (dt.date, dt.datetime)):
        return f"a date ({value})"
    return repr(value)
