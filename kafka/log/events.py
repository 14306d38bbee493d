"""From raw rows to checked, pseudonymised events: the table every measurement reads.

The table ``events`` has one row per event::

    case_id   VARCHAR    the case's pseudonym (c-...)
    activity  VARCHAR
    ts        TIMESTAMP  when the activity ended (or happened), in UTC when the log gave offsets
    start_ts  TIMESTAMP  when the work on it started, or NULL
    resource  VARCHAR    the resource's pseudonym (r-...), or NULL
    org       VARCHAR    organisation or department, or NULL
    seq       BIGINT     the event's position in the file: breaks ties between equal times
    a0, a1... VARCHAR    the columns the mapping keeps
    pos       BIGINT     its place in the case (1 = first): cases are ordered by ts, then seq
    prev_activity, prev_org   of the case's previous event (NULL for the first)
    wait_s    DOUBLE     seconds from the previous event's end to this one's start (its end
                         without start times), never below 0; NULL for the first event
    work_s    DOUBLE     seconds from start to end, or NULL

Before it is built, the raw rows are checked, and a bad log stops with a
message that names the column, the line and the value: an event without a
case or an activity, a time that does not parse, time zones that are mixed,
an event that starts after it ends. Nothing personal is in a message: case
ids and resources are never quoted, only times and line numbers.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Callable

import duckdb

from kafka.errors import InputError
from kafka.log.engine import sql_string
from kafka.log.mapping import Mapping, load_mapping
from kafka.log.pseudonymise import PseudonymKey
from kafka.log.read import RawLog, read_raw, run
from kafka.log.source import LogSource, open_source

SHOWN = 5  # problems listed per kind; the rest are counted

# Timestamp formats tried, in this order, when the mapping gives none: ISO 8601 first
# (with or without T, seconds, fractions, offset), then the day-first forms a Belgian
# system writes, then month-first.
ISO = "ISO 8601"
FORMATS = (
    ISO,
    "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y",
    "%d-%m-%Y %H:%M:%S", "%d-%m-%Y %H:%M", "%d-%m-%Y",
    "%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M", "%d.%m.%Y",
    "%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M", "%m/%d/%Y",
)
# An offset after a time ("10:00:00+02:00", "10:00Z"); the time before it keeps a date's
# "-01" from passing for one. Looked for in the last 24 characters only: fast.
OFFSET = r":\d\d(\.\d+)? ?(Z|z|[+-]\d\d(:?\d\d)?)$"
ZONE = re.compile(OFFSET)
SAMPLE_ROWS = 2_000
EARLIEST, LATEST = dt.datetime(1900, 1, 1), dt.datetime(2200, 1, 1)

Progress = Callable[[str], None]


@dataclass(frozen=True)
class EventLog:
    """A checked, pseudonymised log in the engine (table ``events``), and what it is."""

    con: duckdb.DuckDBPyConnection
    source: LogSource
    mapping: Mapping
    events: int
    cases: int
    activities: int
    first: dt.datetime
    last: dt.datetime
    has_start: bool
    has_resource: bool
    has_org: bool
    kept: tuple[str, ...]  # kept columns, in the order of a0, a1...
    dropped: tuple[str, ...]  # the log's columns that were not read
    timestamp_format: str
    zoned: bool  # the times carried offsets (converted to UTC)
    key_fingerprint: str
    notes: tuple[tuple[str, int], ...] = ()  # (what, how many), see kafka.log.read.NOTES

    @property
    def span_days(self) -> float:
        return (self.last - self.first).total_seconds() / 86400


def load_events(con: duckdb.DuckDBPyConnection, source: LogSource, mapping: Mapping, key: PseudonymKey,
                progress: Progress | None = None) -> EventLog:
    """Read, check and pseudonymise a log into the table ``events`` of ``con``."""
    say = progress or (lambda message: None)
    say(f"reading {source.name}")
    raw = read_raw(con, source, mapping, progress)
    cols = mapping.columns
    zoned, fmt = _sample_times(con, raw, mapping)
    _stage(con, raw, mapping, fmt, zoned)
    pos = "_pos" if raw.materialised else "rowid"  # a CSV's rows keep the file's order in the table
    rows = con.execute("SELECT count(*) FROM staged").fetchall()[0][0]
    if rows == 0:
        raise InputError(f"{source.path}: the log has no events" + (" (only a header)" if source.format == "csv" else ""))
    say(f"checking {rows:,} events")
    _check_present(con, raw, pos, "case_raw", cols.case, "case id", "Every event must belong to a case")
    _check_present(con, raw, pos, "activity", cols.activity, "activity", "Every event must name what happened")
    _check_zones(con, raw, pos, mapping, zoned)
    _check_parsed(con, raw, pos, "ts", cols.timestamp, fmt, required=True)
    if cols.start:
        _check_parsed(con, raw, pos, "start_ts", cols.start, fmt, required=False)
        _check_order(con, raw, pos, mapping)
    say("pseudonymising case ids" + (" and resources" if cols.resource else ""))
    _pseudonym_map(con, "case", "case_raw", key)
    if cols.resource:
        _pseudonym_map(con, "resource", "resource_raw", key)
    cases = con.execute("SELECT count(*) FROM kafka_case_map").fetchall()[0][0]
    _build_events(con, mapping, pos)
    # The staged rows (with the real case ids and resources) go as soon as the events exist.
    for table in ("staged", "raw", "kafka_case_map", "kafka_resource_map"):
        con.execute(f"DROP TABLE IF EXISTS {table}")
    events, activities, first, last, starts, resources, orgs = con.execute("""
        SELECT count(*), count(DISTINCT activity), min(coalesce(start_ts, ts)), max(ts),
               count(start_ts), count(resource), count(org)
        FROM events
    """).fetchall()[0]
    dropped = tuple(c for c in raw.found if c not in set(mapping.columns_wanted()))
    return EventLog(
        con=con, source=source, mapping=mapping, events=events, cases=cases, activities=activities,
        first=first, last=last, has_start=starts > 0, has_resource=resources > 0, has_org=orgs > 0,
        kept=mapping.keep, dropped=dropped, timestamp_format=fmt, zoned=zoned,
        key_fingerprint=key.fingerprint, notes=raw.notes,
    )


def _build_events(con, mapping: Mapping, pos: str) -> None:
    """The table ``events``: pseudonyms instead of ids, each case's events in order with what came
    before each (one pass: the window is computed as the table is made)."""
    cols = mapping.columns
    kept = "".join(f", s.a{i}" for i in range(len(mapping.keep)))

    def local(column: str) -> str:  # times without an offset, read in the mapping's zone, to UTC
        return f"timezone({sql_string(mapping.timezone)}, {column})::TIMESTAMP" if mapping.timezone else column

    con.execute(f"""
        CREATE TEMP TABLE events AS
        SELECT case_id, activity, ts, start_ts, resource, org, seq{''.join(f', a{i}' for i in range(len(mapping.keep)))},
               row_number() OVER w AS pos,
               lag(activity) OVER w AS prev_activity,
               lag(org) OVER w AS prev_org,
               CASE WHEN lag(ts) OVER w IS NOT NULL
                    THEN greatest(epoch(coalesce(start_ts, ts)) - epoch(lag(ts) OVER w), 0) END AS wait_s,
               epoch(ts) - epoch(start_ts) AS work_s
        FROM (
            SELECT pc.pseudonym AS case_id, s.activity, {local('s.ts')} AS ts, {local('s.start_ts')} AS start_ts,
                   {'pr.pseudonym' if cols.resource else 'NULL::VARCHAR'} AS resource, s.org, s.{pos} AS seq{kept}
            FROM staged s
            JOIN kafka_case_map pc ON pc.value = s.case_raw
            {"LEFT JOIN kafka_resource_map pr ON pr.value = s.resource_raw" if cols.resource else ''}
        )
        WINDOW w AS (PARTITION BY case_id ORDER BY ts, seq)
    """)


def _sample_times(con, raw: RawLog, mapping: Mapping) -> tuple[bool, str]:
    """From the first rows: do the times carry an offset, and in which format are they written?
    (_check_zones and _check_parsed then hold every row to what the sample showed.)"""
    cols = mapping.columns
    values: list[str] = []
    for column in (c for c in (cols.timestamp, cols.start) if c):
        c = raw.col(column)
        values += [r[0] for r in run(con, raw, f"""
            SELECT DISTINCT v FROM (SELECT trim({c}) AS v FROM {{relation}} LIMIT {SAMPLE_ROWS}) WHERE v <> ''
        """).fetchall()]
    zoned = any(ZONE.search(v[-24:]) for v in values)
    if mapping.timestamp_format or not values:
        return zoned, mapping.timestamp_format or ISO
    best, best_count = ISO, -1
    for fmt in FORMATS:
        parsed = con.execute(
            f"SELECT count(*) FILTER (WHERE {_parse_one('v', fmt, zoned)} IS NOT NULL) FROM (SELECT unnest(?) AS v)",
            [values]).fetchall()[0][0]
        if parsed == len(values):
            return zoned, fmt
        if parsed > best_count:
            best, best_count = fmt, parsed
    return zoned, best


def _stage(con, raw: RawLog, mapping: Mapping, fmt: str, zoned: bool) -> None:
    """The table ``staged``: the mapped columns trimmed, the times parsed, in one pass over the file."""
    cols = mapping.columns

    def text(column: str | None) -> str:
        return f"nullif(trim({raw.col(column)}), '')" if column else "NULL::VARCHAR"

    def time(column: str | None, name: str) -> str:
        # <name>: the time, NULL when missing or unreadable; <name>_bad: the text of an unreadable
        # one (kept for the message only); <name>_zoned: whether it carries an offset.
        parsed = _parse_one(f"{name}_text", fmt, zoned)
        return (f"{text(column)} AS {name}_text, {parsed} AS {name}_parsed, "
                f"CASE WHEN {name}_parsed >= TIMESTAMP '{EARLIEST}' AND {name}_parsed < TIMESTAMP '{LATEST}' "
                f"THEN {name}_parsed END AS {name}, "
                f"CASE WHEN {name}_text IS NOT NULL AND {name} IS NULL THEN {name}_text END AS {name}_bad, "
                f"regexp_matches(right({name}_text, 24), '{OFFSET}') AS {name}_zoned")

    kept = "".join(f", {text(name)} AS a{i}" for i, name in enumerate(mapping.keep))
    position = "_pos, " if raw.materialised else ""
    run(con, raw, f"""
        CREATE TEMP TABLE staged AS
        SELECT {position}case_raw, activity, ts, ts_bad, ts_zoned, start_ts, start_ts_bad, start_ts_zoned,
               resource_raw, org{''.join(f', a{i}' for i in range(len(mapping.keep)))}
        FROM (
            SELECT {position}{text(cols.case)} AS case_raw, {text(cols.activity)} AS activity,
                   {time(cols.timestamp, 'ts')}, {time(cols.start, 'start_ts')},
                   {text(cols.resource)} AS resource_raw, {text(cols.organisation)} AS org{kept}
            FROM {{relation}}
        )
    """)


def open_log(con, log_path, mapping_or_path, key: PseudonymKey, progress: Progress | None = None) -> EventLog:
    """open_source + load_events, with the mapping given as a Mapping or a path."""
    mapping = mapping_or_path if isinstance(mapping_or_path, Mapping) else load_mapping(mapping_or_path)
    return load_events(con, open_source(log_path, mapping), mapping, key, progress)


# --- checks --------------------------------------------------------------------------------

def _listing(raw: RawLog, positions: list[int], values: list[str] | None = None) -> str:
    places = raw.where(positions)
    if values is None:
        return ", ".join(places)
    return "; ".join(f"{place}: {_show(value)}" for place, value in zip(places, values))


def _show(value) -> str:
    text = str(value)
    return f"'{text if len(text) <= 60 else text[:59] + '…'}'"


def _problem(raw: RawLog, count: int, what: str, listing: str, advice: str = "") -> InputError:
    more = f" (and {count - SHOWN:,} more)" if count > SHOWN else ""
    message = f"{raw.source.path}: {count:,} {what}: {listing}{more}"
    return InputError(message + (f". {advice}" if advice else ""))


def _check_present(con, raw: RawLog, pos: str, column: str, name: str, what: str, advice: str) -> None:
    count, positions = con.execute(f"""
        SELECT count(*), list({pos} ORDER BY {pos})[1:{SHOWN}] FROM staged WHERE {column} IS NULL
    """).fetchall()[0]
    if count:
        noun = "event has" if count == 1 else "events have"
        raise _problem(raw, count, f"{noun} no {what} (column '{name}')", _listing(raw, positions), advice + ".")


def _check_zones(con, raw: RawLog, pos: str, mapping: Mapping, zoned: bool) -> None:
    """All times carry an offset, or none does: "10:00" next to "10:00+02:00" cannot be
    compared without guessing the zone of the first."""
    with_zone, without, zoned_at, naive_at = con.execute(f"""
        SELECT count(*) FILTER (WHERE ts_zoned) + count(*) FILTER (WHERE start_ts_zoned),
               count(*) FILTER (WHERE NOT ts_zoned) + count(*) FILTER (WHERE NOT start_ts_zoned),
               min({pos}) FILTER (WHERE ts_zoned OR start_ts_zoned),
               min({pos}) FILTER (WHERE NOT ts_zoned OR NOT start_ts_zoned)
        FROM staged
    """).fetchall()[0]
    if with_zone and without:
        where_zoned, where_naive = raw.where([zoned_at, naive_at])
        raise InputError(
            f"{raw.source.path}: the times mix time zones: {with_zone:,} carry an offset (first at {where_zoned}) "
            f"and {without:,} do not (first at {where_naive}). Export the log with one convention, "
            "all in local time or all with an offset")
    if zoned and mapping.timezone:
        raise InputError(f"{mapping.where('timezone')}: the log's times carry their own offsets; "
                         "leave 'timezone' out of the mapping")



def _parse_one(expr: str, fmt: str, zoned: bool) -> str:
    """SQL that parses one text to a TIMESTAMP (NULL when it does not parse)."""
    if fmt == ISO:
        # With offsets, TIMESTAMPTZ reads them (to UTC, the session's zone); without, the plain
        # cast is twice as fast and keeps the time as written.
        return f"TRY_CAST({expr} AS TIMESTAMPTZ)::TIMESTAMP" if zoned else f"TRY_CAST({expr} AS TIMESTAMP)"
    return f"try_strptime({expr}, {sql_string(fmt)})::TIMESTAMP"


def _check_parsed(con, raw: RawLog, pos: str, column: str, name: str, fmt: str, required: bool) -> None:
    count, positions, values = con.execute(f"""
        SELECT count(*), list({pos} ORDER BY {pos})[1:{SHOWN}], list({column}_bad ORDER BY {pos})[1:{SHOWN}]
        FROM staged WHERE {column}_bad IS NOT NULL
    """).fetchall()[0]
    if count:
        shape = "ISO 8601 (2024-03-01 09:15:00)" if fmt == ISO else f"'{fmt}'"
        advice = (f"They were read as {shape}; if the log writes times otherwise, set 'timestamp_format:' "
                  "in the mapping (for example '%d/%m/%Y %H:%M')")
        noun = "value is" if count == 1 else "values are"
        raise _problem(raw, count, f"{noun} not a time in column '{name}'", _listing(raw, positions, values), advice)
    if required:
        count, positions = con.execute(f"""
            SELECT count(*), list({pos} ORDER BY {pos})[1:{SHOWN}] FROM staged
            WHERE {column} IS NULL AND {column}_bad IS NULL
        """).fetchall()[0]
        if count:
            noun = "event has" if count == 1 else "events have"
            raise _problem(raw, count, f"{noun} no time in column '{name}'", _listing(raw, positions),
                           "Every event needs the time it happened.")


def _check_order(con, raw: RawLog, pos: str, mapping: Mapping) -> None:
    count, positions, starts, ends = con.execute(f"""
        SELECT count(*), list({pos} ORDER BY {pos})[1:{SHOWN}], list(start_ts ORDER BY {pos})[1:{SHOWN}],
               list(ts ORDER BY {pos})[1:{SHOWN}]
        FROM staged WHERE start_ts > ts
    """).fetchall()[0]
    if count:
        listing = "; ".join(f"{place}: starts {s:%Y-%m-%d %H:%M:%S}, ends {e:%Y-%m-%d %H:%M:%S}"
                            for place, s, e in zip(raw.where(positions), starts, ends))
        noun = "event starts" if count == 1 else "events start"
        raise _problem(raw, count, f"{noun} after {'it ends' if count == 1 else 'they end'} "
                                   f"(columns '{mapping.columns.start}' and '{mapping.columns.timestamp}')",
                       listing, "Are the two columns swapped in the mapping?")


def _pseudonym_map(con, kind: str, column: str, key: PseudonymKey) -> None:
    """The table kafka_<kind>_map (value, pseudonym) for every distinct value of ``column``."""
    con.execute(f"""
        CREATE TEMP TABLE kafka_{kind}_map AS
        SELECT value, {key.sql('value', kind)} AS pseudonym
        FROM (SELECT DISTINCT {column} AS value FROM staged WHERE {column} IS NOT NULL)
    """, key.sql_params())
    distinct, unique = con.execute(f"SELECT count(*), count(DISTINCT pseudonym) FROM kafka_{kind}_map").fetchall()[0]
    if distinct != unique:  # 64 bits: not to be expected below billions of values
        raise InputError(f"two {kind}s got the same pseudonym; please report this")


__all__ = ["EventLog", "load_events", "open_log"]
