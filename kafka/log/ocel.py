"""OCEL 2.0 object-centric event logs, flattened to one case notion.

An object-centric log does not say what a case is: an event ("Beslissing
BCSD") is related to several objects (the dossier, the client, the social
worker, the BCSD meeting), each of a type. kafka reads such a log as rows
with these columns:

- ``ocel:eid``, ``ocel:activity`` (the event type) and ``ocel:timestamp``;
- every event attribute, under its own name;
- ``ocel:type:<T>`` for every object type ``T``: the id of the event's object
  of that type (the first one, when there are several).

The mapping then names the case notion like any other column, e.g.
``case: "ocel:type:dossier"``. For that column the log is *flattened*: an
event related to two dossiers becomes one row per dossier, and an event
related to none is left out (and counted in the report). A worker as an
object type maps to ``resource: "ocel:type:medewerker"``.

Two of the standard's three serialisations are read:

- JSON (``.jsonocel``, or ``format: ocel`` for a ``.json`` file), parsed at
  once, so up to ``MAX_JSON_BYTES``;
- SQLite (``.sqlite``, ``.sqlite3``, ``.db``), opened read-only and
  immutable (nothing is written beside it, its schema's triggers and views
  are not trusted), read one event at a time.

The XML serialisation is not read: export JSON or SQLite.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Iterator

from kafka.errors import InputError
from kafka.log.rows import RowCollector
from kafka.log.source import LogSource

EVENT_ID = "ocel:eid"
ACTIVITY = "ocel:activity"
TIMESTAMP = "ocel:timestamp"
TYPE_PREFIX = "ocel:type:"
MAX_JSON_BYTES = 256 * 1024 * 1024
BATCH_EVENTS = 50_000
SQLITE_MAGIC = b"SQLite format 3\x00"


class OcelReader(RowCollector):
    """Events of an OCEL log as flat rows (see the module's docstring)."""

    activity_key = ACTIVITY

    def __init__(self, wanted: list[str] | None, case_type: str | None):
        super().__init__(wanted)
        self.case_type = case_type  # flatten on this object type; None: one row per event
        self.events = 0
        self.unrelated = 0  # events without an object of the case type: left out

    def event(self, position: int, values: dict[str, str], objects: list[tuple[str, str]]) -> None:
        """One event: its own values and its related objects as (type, id), in the log's order."""
        self.events += 1
        for object_type, object_id in objects:
            values.setdefault(TYPE_PREFIX + object_type, object_id)
        if self.case_type is None:
            self.emit(position, values)
            return
        case_column = TYPE_PREFIX + self.case_type
        cases = list(dict.fromkeys(oid for otype, oid in objects if otype == self.case_type))
        if not cases:
            self.unrelated += 1
        for case_id in cases:
            self.emit(position, {**values, case_column: case_id})


def is_sqlite(path: Path) -> bool:
    try:
        with open(path, "rb") as handle:
            return handle.read(len(SQLITE_MAGIC)) == SQLITE_MAGIC
    except OSError:
        return False


def case_type_of(case_column: str) -> str | None:
    """The object type a mapping's case column flattens on, if it is an ``ocel:type:`` column."""
    return case_column[len(TYPE_PREFIX):] if case_column.startswith(TYPE_PREFIX) else None


def iter_ocel(source: LogSource, wanted: list[str] | None, case_type: str | None = None,
              max_events: int | None = None) -> Iterator[OcelReader]:
    """Read the log, yielding the reader after every batch of events with new rows."""
    reader = OcelReader(wanted, case_type)
    events = _sqlite_events(source.path) if is_sqlite(source.path) else _json_events(source.path)
    for position, values, objects in events:
        reader.event(position, values, objects)
        # Rows for the engine go in batches; inspect (no wanted columns) only counts, so it gets
        # the reader once, at the end.
        if reader.wanted is not None and len(reader.rows) >= BATCH_EVENTS:
            yield reader
        if max_events is not None and reader.events >= max_events:
            break
    yield reader  # the last rows, and the counts (events, unrelated) even when there are none


def ocel_keys(source: LogSource, sample_events: int = 5_000) -> tuple[str, ...]:
    """The columns of the first events: the standard three, event attributes, and ``ocel:type:<T>``
    for every object type related to them."""
    reader = None
    for reader in iter_ocel(source, None, max_events=sample_events):
        pass
    keys = dict.fromkeys([EVENT_ID, ACTIVITY, TIMESTAMP])
    keys.update(reader.keys if reader else {})
    return tuple(keys)


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


# --- JSON --------------------------------------------------------------------------------

def _json_events(path: Path) -> Iterator[tuple[int, dict[str, str], list[tuple[str, str]]]]:
    size = path.stat().st_size
    if size > MAX_JSON_BYTES:
        raise InputError(f"{path}: an OCEL JSON file over {MAX_JSON_BYTES >> 20} MiB is not read at once "
                         f"({size >> 20} MiB); export the log as OCEL 2.0 SQLite, which is read an event at a time")
    try:
        data = json.loads(path.read_bytes())
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}:{exc.lineno}:{exc.colno}: this is not valid JSON: {exc.msg}") from None
    except RecursionError:
        raise InputError(f"{path}: the JSON is nested too deeply to be an OCEL log") from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: the JSON is not UTF-8 text") from None
    if not isinstance(data, dict) or not isinstance(data.get("events"), list):
        raise InputError(f"{path}: this is not an OCEL 2.0 JSON log (it has no list 'events'); "
                         "kafka reads OCEL 2.0 (eventTypes, objectTypes, events, objects)")
    types = _object_types(path, data.get("objects"))
    for index, event in enumerate(data["events"]):
        where = f"{path}: events[{index}]"
        if not isinstance(event, dict):
            raise InputError(f"{where}: an event is a set of keys (id, type, time, ...), not {type(event).__name__}")
        for key in ("id", "type", "time"):
            if not isinstance(event.get(key), str) or not event[key].strip():
                raise InputError(f"{where}: the event has no '{key}' (a text); OCEL 2.0 events have id, type and time")
        values: dict[str, str] = {EVENT_ID: event["id"], ACTIVITY: event["type"], TIMESTAMP: event["time"]}
        for attribute in _list(event, "attributes", where):
            if isinstance(attribute, dict) and isinstance(attribute.get("name"), str):
                values.setdefault(attribute["name"], _text(attribute.get("value")))
        objects = []
        for relation in _list(event, "relationships", where):
            object_id = relation.get("objectId") if isinstance(relation, dict) else None
            if not isinstance(object_id, str):
                raise InputError(f"{where}.relationships: each relationship has an 'objectId' (a text)")
            if object_id not in types:
                raise InputError(f"{where}.relationships: object '{_short(object_id)}' is not among the log's objects")
            objects.append((types[object_id], object_id))
        yield index + 1, values, objects


def _object_types(path: Path, objects: object) -> dict[str, str]:
    if not isinstance(objects, list):
        raise InputError(f"{path}: this is not an OCEL 2.0 JSON log (it has no list 'objects')")
    types = {}
    for index, obj in enumerate(objects):
        if not isinstance(obj, dict) or not isinstance(obj.get("id"), str) or not isinstance(obj.get("type"), str):
            raise InputError(f"{path}: objects[{index}]: an object has an 'id' and a 'type' (texts)")
        types[obj["id"]] = obj["type"]
    return types


def _list(event: dict, key: str, where: str) -> list:
    value = event.get(key, [])
    if value is None:
        return []
    if not isinstance(value, list):
        raise InputError(f"{where}.{key}: must be a list, not {type(value).__name__}")
    return value


def _short(text: str, width: int = 40) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


# --- SQLite ------------------------------------------------------------------------------

def _sqlite_events(path: Path) -> Iterator[tuple[int, dict[str, str], list[tuple[str, str]]]]:
    con = _open_sqlite(path)
    try:
        tables = {name for (name,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        missing = [t for t in ("event_map_type", "event_object", "object") if t not in tables]
        if missing:
            raise InputError(f"{path}: this SQLite file is not an OCEL 2.0 log (no table {', '.join(missing)})")
        position = 0
        for event_type, suffix in con.execute("SELECT ocel_type, ocel_type_map FROM event_map_type ORDER BY ocel_type"):
            table = f"event_{suffix}"
            if table not in tables:
                raise InputError(f"{path}: event type '{_short(str(event_type))}' has no table '{_short(table)}'")
            columns = [row[1] for row in con.execute(f"PRAGMA table_info({_identifier(table)})")]
            if "ocel_id" not in columns or "ocel_time" not in columns:
                raise InputError(f"{path}: table '{_short(table)}' has no ocel_id and ocel_time columns")
            attributes = [c for c in columns if c not in ("ocel_id", "ocel_time")]
            select = ", ".join(f"e.{_identifier(c)}" for c in ["ocel_id", "ocel_time", *attributes])
            rows = con.execute(
                f"SELECT {select}, eo.ocel_object_id, o.ocel_type FROM {_identifier(table)} e "
                "LEFT JOIN event_object eo ON eo.ocel_event_id = e.ocel_id "
                "LEFT JOIN object o ON o.ocel_id = eo.ocel_object_id ORDER BY e.ocel_id")
            current = None
            values: dict[str, str] = {}
            objects: list[tuple[str, str]] = []
            for row in rows:
                event_id = row[0]
                if event_id != current:
                    if current is not None:
                        position += 1
                        yield position, values, objects
                    current, objects = event_id, []
                    values = {EVENT_ID: _text(event_id), ACTIVITY: _text(event_type), TIMESTAMP: _text(row[1])}
                    for name, value in zip(attributes, row[2:-2]):
                        values.setdefault(name, _text(value))
                if row[-2] is not None and row[-1] is not None:
                    objects.append((str(row[-1]), str(row[-2])))
            if current is not None:
                position += 1
                yield position, values, objects
    except sqlite3.DatabaseError as exc:
        raise InputError(f"{path}: cannot read the SQLite log: {exc}") from None
    finally:
        con.close()


def _open_sqlite(path: Path) -> sqlite3.Connection:
    # immutable: no lock, no journal or WAL file beside the log, nothing written
    uri = path.resolve().as_uri() + "?mode=ro&immutable=1"
    try:
        con = sqlite3.connect(uri, uri=True)
        con.execute("PRAGMA trusted_schema = OFF")
        con.execute("PRAGMA query_only = ON")
    except sqlite3.DatabaseError as exc:
        raise InputError(f"{path}: cannot open the SQLite log: {exc}") from None
    return con


def _identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
