"""Read a log's rows into the engine: only the columns the mapping names, as text.

The result is the table ``raw`` (one row per event, the mapped columns as
``c0, c1, ...`` in text) and a :class:`RawLog` that says which column is
which and how a row is found back in the file for an error message. Columns
the mapping does not name are never read from a CSV or Parquet file, so free
text (notes, addresses) does not even reach memory; an XES or OCEL parser sees
every attribute, but only the mapped ones are kept.

- CSV in UTF-8, UTF-16 or Latin-1 is read by DuckDB itself (fast, parallel);
  Windows-1252 goes through Python's csv module, in batches.
- XES (``.xes``, ``.xes.gz``) is streamed through defusedxml's parser, one
  trace at a time; lifecycle ``start`` and ``complete`` events of the same
  activity are paired into one event with a start time (column ``time:start``).
- Parquet is read by DuckDB.
- OCEL 2.0 (JSON, SQLite) is flattened on the mapping's case column
  (:mod:`kafka.log.ocel`), one event at a time from SQLite.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator

import duckdb

from kafka.diagnostics import did_you_mean
from kafka.errors import InputError
from kafka.log.engine import quote_identifier
from kafka.log.mapping import Mapping
from kafka.log.rows import RowCollector
from kafka.log.source import LogSource, open_xes

BATCH_ROWS = 50_000
XES_START = "time:start"  # kafka's column for the paired lifecycle start
XES_CASE_PREFIX = "case:"  # trace attributes, as PM4Py names them

Progress = Callable[[str], None]

# What a note in RawLog.notes means, in English for the terminal (the report has its own words: log.notes.*).
NOTES = {
    "other_transitions": "{n:,} XES events with a lifecycle transition other than start or complete were left out",
    "open_starts": "{n:,} XES start events had no complete event and were left out",
    "unrelated_events": "{n:,} OCEL events related to no object of the type taken as the case were left out",
}


@dataclass(frozen=True)
class RawLog:
    """Where the log's rows are: a table function over the file, or the table ``raw``."""

    source: LogSource
    found: tuple[str, ...]  # every column the log has
    internal: dict[str, str]  # log column -> column name in ``relation`` (c0, c1...)
    relation: str  # SQL for FROM: read_csv(...) / read_parquet(...) with ? parameters, or the table raw
    params: tuple = ()
    materialised: bool = False  # relation is the table raw, with the position in _pos (XES: the line)
    notes: tuple[tuple[str, int], ...] = ()  # (what, how many): XES events left out (see NOTES)

    def col(self, name: str) -> str:
        return self.internal[name]

    def where(self, positions: Iterable[int]) -> list[str]:
        """'line 12' (CSV, XES) or 'row 12' (Parquet) for each position (a 0-based row, or the XES line)."""
        positions = list(positions)
        if self.source.format == "xes":
            return [f"line {p}" for p in positions]
        if self.source.format == "ocel":
            return [f"event {p}" for p in positions]
        if self.source.format == "parquet":
            return [f"row {p + 1}" for p in positions]
        return [f"line {line}" for line in _lines(self.source, positions)]


def read_raw(con: duckdb.DuckDBPyConnection, source: LogSource, mapping: Mapping,
             progress: Progress | None = None) -> RawLog:
    """The log's mapped columns as a relation: nothing is read yet for CSV and Parquet
    (DuckDB reads them once, when the events are staged); XES and Windows-1252 CSV are
    read here into the table ``raw``."""
    wanted = mapping.columns_wanted()
    if source.format == "xes":
        return _read_xes(con, source, mapping, wanted, progress)
    if source.format == "ocel":
        return _read_ocel(con, source, mapping, wanted)
    found = source.header if source.format == "csv" else _parquet_columns(con, source)
    check_columns(found, mapping, source)
    internal = {name: f"c{i}" for i, name in enumerate(wanted)}
    if source.format == "parquet":
        select = ", ".join(f"CAST({quote_identifier(n)} AS VARCHAR) AS {internal[n]}" for n in wanted)
        return RawLog(source, tuple(found), internal, f"(SELECT {select} FROM read_parquet(?))", (str(source.path),))
    if source.encoding in ("utf-8", "utf-16", "latin-1"):
        select = ", ".join(f"{quote_identifier(n)} AS {internal[n]}" for n in wanted)
        relation = (f"(SELECT {select} FROM read_csv(?, delim=?, quote='\"', escape='\"', header=true, "
                    "encoding=?, auto_detect=false, columns=?))")
        params = (str(source.path), source.delimiter, source.encoding, {n: "VARCHAR" for n in source.header})
        return RawLog(source, tuple(found), internal, relation, params)
    _create(con, len(wanted), with_position=False)
    _insert(con, _csv_rows(source, wanted))
    return RawLog(source, tuple(found), internal, "raw")


def run(con, raw: RawLog, sql: str, params: tuple | list = ()):
    """Execute SQL that reads ``raw.relation`` (written as {relation}); engine errors about the
    file become an InputError naming it."""
    try:
        return con.execute(sql.replace("{relation}", raw.relation), [*raw.params, *params])
    except duckdb.Error as exc:
        if isinstance(exc, (duckdb.InvalidInputException, duckdb.ConversionException, duckdb.IOException)):
            raise InputError(csv_error(raw.source, str(exc)) or
                             f"{raw.source.path}: cannot read the log: {_engine_message(exc)}") from None
        raise


_CSV_LINE = re.compile(r"CSV Error on Line: (\d+)")
_COLUMNS = re.compile(r"Expected Number of Columns: (\d+) Found: (\d+)")


def csv_error(source: LogSource, message: str) -> str | None:
    """DuckDB's CSV error in kafka's words, with the line; None when it is not one.

    DuckDB quotes the offending line ("Original Line: ..."): that may hold a
    client's name, so it is never passed on.
    """
    line = _CSV_LINE.search(message)
    if not line:
        return None
    where = f"{source.path}:{line.group(1)}"
    columns = _COLUMNS.search(message)
    if columns:
        return (f"{where}: {columns.group(2)} fields where the header has {columns.group(1)}; is the delimiter "
                f"'{source.delimiter}' right (set 'delimiter:' in the mapping), or is a quote missing?")
    if "unterminated quote" in message:
        return f"{where}: a quoted value is not closed (a '\"' is missing); the file cannot be read past this line"
    if "Invalid unicode" in message or "UTF" in message:
        return f"{where}: the text is not {source.encoding}; set 'encoding:' in the mapping (utf-8, utf-16, latin-1 or cp1252)"
    return f"{where}: the CSV cannot be read there (is it cut off, or not a CSV file?)"


def check_columns(found: Iterable[str], mapping: Mapping, source: LogSource) -> None:
    """Every column the mapping names must be in the log; the message lists the ones found."""
    found = list(found)
    problems = []
    for role, name in mapping.columns.used().items():
        if name not in found:
            problems.append(f"  {mapping.where('columns.' + role)}: the log has no column '{name}'"
                            f"{did_you_mean(name, found)}")
    for i, name in enumerate(mapping.keep):
        if name not in found:
            problems.append(f"  {mapping.where(f'keep[{i}]')}: the log has no column '{name}'{did_you_mean(name, found)}")
    if problems:
        shown = ", ".join(f"'{n}'" for n in found[:60]) + (" ..." if len(found) > 60 else "")
        raise InputError(f"{source.path}: the mapping names columns the log does not have:\n" + "\n".join(problems)
                         + f"\n  the log's columns: {shown}")



def _engine_message(exc: Exception) -> str:
    """DuckDB's first line, with its own advice about options kafka does not expose left out."""
    text = str(exc).split("\n")[0].strip()
    for prefix in ("Invalid Input Error: ", "Conversion Error: ", "IO Error: ", "Invalid Error: "):
        text = text.removeprefix(prefix)
    return text


def _parquet_columns(con, source: LogSource) -> tuple[str, ...]:
    try:
        return tuple(r[0] for r in con.execute("DESCRIBE SELECT * FROM read_parquet(?)", [str(source.path)]).fetchall())
    except duckdb.Error as exc:
        raise InputError(f"{source.path}: cannot read the Parquet file: {_engine_message(exc)}") from None


def _create(con, n: int, with_position: bool) -> None:
    columns = ", ".join([*(["_pos BIGINT"] if with_position else []), *(f"c{i} VARCHAR" for i in range(n))])
    con.execute(f"CREATE TEMP TABLE raw ({columns})")


def _insert(con, batches: Iterable[list[tuple]]) -> None:
    import pandas as pd

    names = [r[0] for r in con.execute("DESCRIBE raw").fetchall()]
    for batch in batches:
        frame = pd.DataFrame.from_records(batch, columns=names)
        con.register("kafka_batch", frame)
        try:
            con.execute("INSERT INTO raw SELECT * FROM kafka_batch")
        finally:
            con.unregister("kafka_batch")


def _csv_rows(source: LogSource, wanted: list[str]) -> Iterator[list[tuple]]:
    index = [source.header.index(n) for n in wanted]
    width = len(source.header)
    batch: list[tuple] = []
    with source.text_stream() as handle:
        reader = csv.reader(handle, delimiter=source.delimiter)
        next(reader, None)
        for row in reader:
            if len(row) != width:
                if not any(cell.strip() for cell in row):
                    continue  # a blank line
                raise InputError(f"{source.path}:{reader.line_num}: {len(row)} fields where the header has {width}; "
                                 f"is the delimiter '{source.delimiter}' right, or is a quote missing?")
            batch.append(tuple(row[i] or None for i in index))
            if len(batch) >= BATCH_ROWS:
                yield batch
                batch = []
    if batch:
        yield batch


def _lines(source: LogSource, rows: list[int]) -> list[int]:
    """The line of each CSV data row (0-based), in one pass over the file."""
    wanted = sorted(set(rows))
    found: dict[int, int] = {}
    with source.text_stream() as handle:
        reader = csv.reader(handle, delimiter=source.delimiter or ",")
        next(reader, None)
        line = reader.line_num + 1
        target = iter(wanted)
        goal = next(target, None)
        for index, _ in enumerate(reader):
            while goal is not None and goal == index:
                found[goal] = line
                goal = next(target, None)
            if goal is None:
                break
            line = reader.line_num + 1
    return [found.get(r, 0) for r in rows]


# --- XES ---------------------------------------------------------------------------------

_ATTRIBUTE_TAGS = {"string", "date", "int", "float", "boolean", "id"}


class _XesReader(RowCollector):
    """A parser target that turns XES into rows, one trace at a time.

    Only the direct attributes of ``<trace>`` (as ``case:<key>``) and of
    ``<event>`` are kept; nested attributes (lists, containers) are skipped.
    """

    def __init__(self, wanted: list[str] | None, line: Callable[[], int]):
        super().__init__(wanted)
        self.line = line
        self.stack: list[str] = []
        self.trace: dict[str, str] = {}
        self.events: list[tuple[int, dict[str, str]]] = []
        self.event: dict[str, str] | None = None
        self.event_line = 0
        self.traces = 0
        self.other_transitions = 0
        self.open_starts = 0

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        local = tag.rpartition("}")[2]
        parent = self.stack[-1] if self.stack else None
        self.stack.append(local)
        if local == "trace" and parent == "log":
            self.trace, self.events = {}, []
        elif local == "event" and parent == "trace":
            self.event, self.event_line = {}, self.line()
        elif local in _ATTRIBUTE_TAGS and "key" in attrib:
            if parent == "event" and self.event is not None:
                self.event[attrib["key"]] = attrib.get("value", "")
            elif parent == "trace":
                self.trace[XES_CASE_PREFIX + attrib["key"]] = attrib.get("value", "")

    def end(self, tag: str) -> None:
        local = self.stack.pop() if self.stack else tag.rpartition("}")[2]
        parent = self.stack[-1] if self.stack else None
        if local == "event" and parent == "trace" and self.event is not None:
            self.events.append((self.event_line, self.event))
            self.event = None
        elif local == "trace" and parent == "log":
            self._close_trace()

    def data(self, text: str) -> None:
        pass

    def close(self) -> None:
        pass

    def _close_trace(self) -> None:
        self.traces += 1
        open_starts: dict[str, list[str]] = {}
        for line, event in self.events:
            transition = event.get("lifecycle:transition", "complete").strip().lower()
            activity = event.get("concept:name", "")
            if transition == "start":
                open_starts.setdefault(activity, []).append(event.get("time:timestamp", ""))
                continue
            if transition != "complete":
                self.other_transitions += 1
                continue
            starts = open_starts.get(activity)
            values = {**self.trace, **event}
            if starts:
                values[XES_START] = starts.pop(0)
            self.emit(line, values)
        self.open_starts += sum(len(s) for s in open_starts.values())
        self.events = []


def xes_parser(source: LogSource, wanted: list[str] | None):
    """defusedxml's parser (no DTDs, no entities, no external references) feeding an _XesReader."""
    from defusedxml.ElementTree import DefusedXMLParser

    holder: dict = {}
    reader = _XesReader(wanted, lambda: holder["parser"].parser.CurrentLineNumber)
    parser = DefusedXMLParser(target=reader, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    holder["parser"] = parser
    return parser, reader


def iter_xes(source: LogSource, wanted: list[str] | None, max_rows: int | None = None):
    """Feed the XES file to the parser in chunks; yields the reader after every chunk with new rows."""
    import defusedxml
    from xml.etree.ElementTree import ParseError

    parser, reader = xes_parser(source, wanted)
    try:
        with open_xes(source.path) as handle:
            while chunk := handle.read(1 << 20):
                parser.feed(chunk)
                if reader.rows:
                    yield reader
                if max_rows is not None and reader.traces and len(reader.rows) >= max_rows:
                    return
            parser.close()
    except ParseError as exc:
        line, col = getattr(exc, "position", (0, 0))
        raise InputError(f"{source.path}:{line}:{col + 1}: this is not valid XES (XML): {exc.msg if hasattr(exc, 'msg') else exc}") from None
    except defusedxml.DefusedXmlException as exc:
        raise InputError(f"{source.path}: refused: the XES file uses {exc.__class__.__name__} "
                         "(DTDs and entities are not allowed in a log)") from None
    except (OSError, EOFError) as exc:
        raise InputError(f"{source.path}: cannot read the XES file: {exc}") from None
    if reader.rows:
        yield reader


def _read_xes(con, source: LogSource, mapping: Mapping, wanted: list[str], progress: Progress | None) -> RawLog:
    # The columns of an XES log are only known once it is read; check the first traces first,
    # so a misnamed key fails in a second rather than after the whole file.
    found = xes_keys(source)
    check_columns(found, mapping, source)
    internal = {name: f"c{i}" for i, name in enumerate(wanted)}
    _create(con, len(wanted), with_position=True)
    reader = None
    for reader in iter_xes(source, wanted):
        rows, reader.rows = reader.rows, []
        _insert(con, [rows])
    notes = []
    if reader is not None and reader.other_transitions:
        notes.append(("other_transitions", reader.other_transitions))
    if reader is not None and reader.open_starts:
        notes.append(("open_starts", reader.open_starts))
    return RawLog(source, tuple(found), internal, "raw", (), True, tuple(notes))


def xes_keys(source: LogSource, sample_rows: int = 5_000) -> tuple[str, ...]:
    """The keys of the first events of an XES log (trace keys as ``case:<key>``), plus ``time:start``
    when there are lifecycle start events."""
    keys: dict[str, int] = {}
    for reader in iter_xes(source, None, max_rows=sample_rows):
        keys = reader.keys
        if len(reader.rows) >= sample_rows:
            break
    return tuple(keys)


# --- OCEL --------------------------------------------------------------------------------

def _read_ocel(con, source: LogSource, mapping: Mapping, wanted: list[str]) -> RawLog:
    from kafka.log.ocel import case_type_of, ocel_keys, iter_ocel

    found = ocel_keys(source)
    check_columns(found, mapping, source)
    internal = {name: f"c{i}" for i, name in enumerate(wanted)}
    _create(con, len(wanted), with_position=True)
    reader = None
    for reader in iter_ocel(source, wanted, case_type_of(mapping.columns.case)):
        rows, reader.rows = reader.rows, []
        if rows:
            _insert(con, [rows])
    notes = [("unrelated_events", reader.unrelated)] if reader is not None and reader.unrelated else []
    return RawLog(source, tuple(found), internal, "raw", (), True, tuple(notes))
