"""Event logs from case-management systems: read, pseudonymise, measure, report.

One stage per module, a typed object between them, all of it in one
embedded DuckDB connection (:mod:`kafka.log.engine`, why DuckDB: docs/log.md)::

    log file + mapping (kafka.log.mapping, kafka.log.source)
      -> kafka.log.read          the mapped columns, as text (CSV, XES, Parquet)
      -> kafka.log.events        checked, pseudonymised events (kafka.log.pseudonymise)  -> EventLog
      -> kafka.log.measure       waits, lead times, variants, rework, hand-overs, deadlines -> LogMeasures
      -> kafka.log.report        page data (kafka.log.plots, kafka.log.procmap)            -> LogReportPage
      -> kafka.log.render        report.html, measures.json, CSV files (analyze_log: all of the above)
    kafka.log.inspect            columns and a proposed mapping
    kafka.log.tocase             a skeleton case file from the most frequent variant
    kafka.log.evidence           told versus logged: a case file's `evidence:` measured in its log
"""

from __future__ import annotations

from kafka.log.engine import connect
from kafka.log.events import EventLog, load_events, open_log
from kafka.log.mapping import Mapping, load_mapping
from kafka.log.measure import LogMeasures, measure
from kafka.log.pseudonymise import PseudonymKey, load_key, run_key

__all__ = [
    "EventLog", "LogMeasures", "Mapping", "PseudonymKey", "connect", "load_events", "load_key",
    "load_mapping", "measure", "open_log", "run_key",
]
