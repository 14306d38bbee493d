"""Write what `kafka log analyze` measured: an HTML report, JSON and CSV, side by side in one folder.

    DIR/report.html      the offline report (kafka's page shell and CSP, no request of any kind)
    DIR/measures.json    every figure of the report (schema_version 1)
    DIR/activities.csv   per activity: waits and working time
    DIR/transitions.csv  per pair of following activities: waits
    DIR/variants.csv     the most frequent variants
    DIR/rework.csv       per activity: repeated and redone
    DIR/handovers.csv    per pair of organisations
    DIR/deadlines.csv    per deadline and month: on time, late, open
    DIR/attributes.csv   lead time per value of a kept column
    DIR/cases.csv        per case (under its pseudonym): events, lead time, variant, deadline outcomes

Every file is written atomically; text cells are made safe for spreadsheets
(kafka.tables.spreadsheet_safe). No file holds a case id or a resource as the
log wrote it: the engine only ever had their pseudonyms in ``events``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
from dataclasses import asdict
from pathlib import Path
from typing import Callable

import duckdb

from kafka import __version__
from kafka.errors import OutputError
from kafka.log.engine import connect, sql_string
from kafka.log.events import EventLog, open_log
from kafka.log.mapping import Mapping
from kafka.log.measure import DAY, LogMeasures, deadline_outcomes_sql, deadline_params, measure, variant_ranks_sql
from kafka.log.pseudonymise import PseudonymKey
from kafka.log.report import build_log_report, stats_row
from kafka.output import ensure_dir, inside, move_into_place, write_atomic
from kafka.csvfile import PLAIN, CsvDialect, dialect_for

REPORT = "report.html"
MEASURES = "measures.json"
JSON_SCHEMA_VERSION = 1


def render_log_report(m: LogMeasures, lang: str) -> str:
    from kafka.render import jinja_env

    return jinja_env(lang).get_template("log_report.html").render(report=build_log_report(m, lang))


def write_outputs(log: EventLog, m: LogMeasures, folder: str | Path, lang: str,
                  csv_dialect: str | None = None) -> list[Path]:
    """report.html, measures.json and the CSV files (in ``csv_dialect``, kafka.csvfile: None is the language's)."""
    out = ensure_dir(folder)
    dialect = dialect_for(lang, csv_dialect)
    written = [write_atomic(inside(out, REPORT), render_log_report(m, lang)),
               write_atomic(inside(out, MEASURES), json.dumps(measures_dict(m), ensure_ascii=False, indent=1) + "\n")]
    for name, (rows, columns) in _tables(m).items():
        written.append(write_atomic(inside(out, name), dialect.text(rows, columns)))
    written.append(_write_case_csv(log, m, inside(out, "cases.csv"), dialect))
    return written


def measures_dict(m: LogMeasures) -> dict:
    """The measures as JSON-ready data: durations in days, times as ISO 8601."""
    s = m.summary
    return {
        "schema_version": JSON_SCHEMA_VERSION,
        "generator": f"kafka {__version__}",
        "summary": {**{k: _plain(v) for k, v in asdict(s).items() if k != "notes"},
                    "notes": [{"kind": k, "count": n} for k, n in s.notes]},
        "lead_time": stats_row(m.lead),
        "lead_time_histogram": {"width_days": m.lead_histogram.width, "counts": list(m.lead_histogram.counts),
                                "overflow": m.lead_histogram.overflow},
        "activities": [_activity_row(a) for a in m.activities],
        "transitions": [_transition_row(t) for t in m.transitions],
        "variant_count": m.variant_count,
        "variants": [{"rank": v.rank, "activities": list(v.activities), "cases": v.cases, "share": round(v.share, 6),
                      "lead_time": stats_row(v.lead)} for v in m.variants],
        "cases_with_rework": m.cases_with_rework,
        "rework": [asdict(r) for r in m.rework],
        "cases_with_handover": m.cases_with_handover,
        "handovers": [_handover_row(h) for h in m.handovers],
        "deadlines": [{
            "name": d.deadline.name, "days": d.deadline.days, "from": d.deadline.from_activity,
            "to": d.deadline.to_activity, "cases": d.cases, "on_time": d.on_time, "late": d.late,
            "open_late": d.open_late, "open": d.open, "exceeding": d.exceeding,
            "share_exceeding": None if d.share is None else round(d.share, 6), "duration": stats_row(d.days),
            "months": [{"month": mo.month.isoformat()[:7], "cases": mo.cases, "on_time": mo.on_time, "late": mo.late,
                        "open_late": mo.open_late, "open": mo.open,
                        "share_exceeding": None if mo.share is None else round(mo.share, 6)} for mo in d.months],
        } for d in m.deadlines],
        "attributes": [{"column": a.column, "other_values": a.other_values,
                        "values": [{"value": v.value, "cases": v.cases, "lead_time": stats_row(v.lead)}
                                   for v in a.values]} for a in m.attributes],
    }


def _plain(value):
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    if isinstance(value, float):
        return round(value, 6)
    if isinstance(value, tuple):
        return list(value)
    return value


def _prefixed(prefix: str, stats: dict) -> dict:
    return {f"{prefix}_{k}": v for k, v in stats.items()}


def _activity_row(a) -> dict:
    return {"activity": a.name, "events": a.events, "cases": a.cases, "starts": a.starts, "ends": a.ends,
            "wait": stats_row(a.wait), "work": stats_row(a.work) if a.work else None}


def _transition_row(t) -> dict:
    return {"from": t.source, "to": t.target, "count": t.count, "cases": t.cases, "wait": stats_row(t.wait)}


def _handover_row(h) -> dict:
    return {"from": h.source, "to": h.target, "count": h.count, "cases": h.cases, "wait": stats_row(h.wait)}


STATS = ("n", "mean_days", "p25_days", "median_days", "p75_days", "p90_days", "min_days", "max_days")


def _tables(m: LogMeasures) -> dict[str, tuple[list[dict], list[str]]]:
    wait_cols = [f"wait_{k}" for k in STATS]
    work_cols = [f"work_{k}" for k in STATS]
    activities = [{"activity": a.name, "events": a.events, "cases": a.cases, "starts": a.starts, "ends": a.ends,
                   **_prefixed("wait", stats_row(a.wait)), **_prefixed("work", stats_row(a.work))}
                  for a in m.activities]
    transitions = [{"from": t.source, "to": t.target, "count": t.count, "cases": t.cases,
                    **_prefixed("wait", stats_row(t.wait))} for t in m.transitions]
    variants = [{"rank": v.rank, "cases": v.cases, "share": round(v.share, 6), "steps": len(v.activities),
                 "activities": " → ".join(v.activities), **_prefixed("lead", stats_row(v.lead))} for v in m.variants]
    handovers = [{"from": h.source, "to": h.target, "count": h.count, "cases": h.cases,
                  **_prefixed("wait", stats_row(h.wait))} for h in m.handovers]
    deadlines = [{"deadline": d.deadline.name, "days": d.deadline.days, "from": d.deadline.from_activity,
                  "to": d.deadline.to_activity, "month": mo.month.isoformat()[:7], "cases": mo.cases,
                  "on_time": mo.on_time, "late": mo.late, "open_late": mo.open_late, "open": mo.open,
                  "share_exceeding": None if mo.share is None else round(mo.share, 6)}
                 for d in m.deadlines for mo in d.months]
    attributes = [{"column": a.column, "value": v.value, "cases": v.cases, **_prefixed("lead", stats_row(v.lead))}
                  for a in m.attributes for v in a.values]
    lead_cols = [f"lead_{k}" for k in STATS]
    return {
        "activities.csv": (activities, ["activity", "events", "cases", "starts", "ends", *wait_cols, *work_cols]),
        "transitions.csv": (transitions, ["from", "to", "count", "cases", *wait_cols]),
        "variants.csv": (variants, ["rank", "cases", "share", "steps", "activities", *lead_cols]),
        "rework.csv": ([asdict(r) for r in m.rework], ["activity", "events", "cases", "repeat", "redo", "unknown"]),
        "handovers.csv": (handovers, ["from", "to", "count", "cases", *wait_cols]),
        "deadlines.csv": (deadlines, ["deadline", "days", "from", "to", "month", "cases", "on_time", "late",
                                      "open_late", "open", "share_exceeding"]),
        "attributes.csv": (attributes, ["column", "value", "cases", *lead_cols]),
    }


def _write_case_csv(log: EventLog, m: LogMeasures, target: Path, dialect: CsvDialect = PLAIN) -> Path:
    """cases.csv, written by the engine itself (a million rows in a second), atomically, in ``dialect``
    (its separator; numbers with its decimal sign; the byte order mark in front).

    Its cells are pseudonyms, numbers, times and outcome words: nothing a
    spreadsheet could take for a formula.
    """
    con = log.con
    joins, selects = [], []
    params: dict = {}
    for i, d in enumerate(m.deadlines):
        sql = deadline_outcomes_sql().replace("$from", f"$from{i}").replace("$to", f"$to{i}") \
            .replace("$limit_s", f"$limit_s{i}").replace("$log_end", f"$log_end{i}")
        params.update({f"{k}{i}": v for k, v in deadline_params(d.deadline, log.last).items()})
        joins.append(f"LEFT JOIN ({sql}) d{i} ON d{i}.case_id = c.case_id")
        selects.append(f", d{i}.outcome AS deadline{i + 1}_outcome, "
                       f"{_decimal(f'round(d{i}.seconds / {DAY}, 6)', dialect)} AS deadline{i + 1}_days")
    query = f"""
        SELECT c.case_id AS "case", c.events, strftime(c.first, '%Y-%m-%d %H:%M:%S') AS first,
               strftime(c.last, '%Y-%m-%d %H:%M:%S') AS last, {_decimal(f'round(c.lead_s / {DAY}, 6)', dialect)} AS lead_days,
               r.rank AS variant{''.join(selects)}
        FROM cases c JOIN ({variant_ranks_sql()}) r USING (trace) {' '.join(joins)}
        ORDER BY c.first, c.case_id
    """
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    try:
        con.execute(f"COPY ({query}) TO {sql_string(tmp)} (FORMAT csv, HEADER, DELIMITER "
                    f"{sql_string(dialect.delimiter)})", params)
        if dialect.bom:  # the engine writes no byte order mark: the file again, with the mark in front
            return write_atomic(target, _with_start(dialect.start, tmp))
        with open(tmp, "rb") as handle:
            os.fsync(handle.fileno())
        move_into_place(tmp, target)  # never onto an input; the umask's or the old file's permissions
    except (OSError, duckdb.IOException) as exc:
        raise OutputError(f"cannot write {target}: {getattr(exc, 'strerror', None) or exc}") from None
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return target


def _with_start(start: str, path: str, size: int = 1 << 20):
    """``start``, then the bytes of the file at ``path``, a piece at a time."""
    yield start.encode("utf-8")
    with open(path, "rb") as handle:
        while piece := handle.read(size):
            yield piece


def _decimal(expression: str, dialect: CsvDialect) -> str:
    """A number in the engine's CSV as the dialect writes numbers (a decimal comma for Belgian Excel)."""
    return f"replace(CAST({expression} AS VARCHAR), '.', ',')" if dialect.decimal_comma else expression


def analyze_log(log_path: str | Path, mapping: Mapping | str | Path, output: str | Path, key: PseudonymKey, *,
                lang: str = "nl", top_variants: int = 10, progress: Callable[[str], None] | None = None,
                csv_dialect: str | None = None) -> list[Path]:
    """The whole of `kafka log analyze`: read, check, pseudonymise, measure, write DIR. Returns the files written."""
    say = progress or (lambda message: None)
    with connect() as con:
        log = open_log(con, log_path, mapping, key, say)
        say(f"measuring {log.events:,} events of {log.cases:,} cases")
        measures = measure(log, top_variants)
        say("writing the report")
        return write_outputs(log, measures, output, lang, csv_dialect)
