"""The embedded engine every stage of ``kafka log`` works in: one DuckDB connection.

Why DuckDB (measured, see docs/log.md): it reads a million-event CSV and
computes the directly-follows graph and the variants in a second or two with
a few hundred MiB, spills to disk instead of failing when a log is larger
than memory, reads CSV, Parquet and (through Python) XES into the same
tables, and the same SQL serves a VVSG-wide collection of logs in one
database file. It is MIT-licensed and installs from a wheel with no system
package.

Privacy: an in-memory DuckDB spills to ``./.tmp`` by default, which would put
raw log rows in the user's working folder. Every connection here gets its
own temporary folder (mode 0700, under the system's temporary folder) that
is removed when the work is done, and a memory limit so a large log spills
there instead of filling memory.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from contextlib import contextmanager
from typing import Iterator

import duckdb

# Memory the engine may use before it spills to its private temporary folder.
# The whole command stays under 1 GiB on a million events with this (benchmarks/bench_log.py).
DEFAULT_MEMORY_LIMIT = os.environ.get("KAFKA_LOG_MEMORY", "640MB")


@contextmanager
def connect(memory_limit: str = DEFAULT_MEMORY_LIMIT, threads: int | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """An in-memory DuckDB connection with a private spill folder, closed and removed afterwards."""
    spill = tempfile.mkdtemp(prefix="kafka-log-")  # created 0700
    con = duckdb.connect(":memory:", config={
        "temp_directory": spill, "memory_limit": memory_limit,
        # Nothing is fetched at run time: the extensions kafka needs (ICU, Parquet) are built into the wheel.
        "autoinstall_known_extensions": False, "autoload_known_extensions": False,
    })
    try:
        if threads:
            con.execute(f"SET threads = {int(threads)}")
        # Timestamps are compared as they were written (or in UTC when they carry an
        # offset), never shifted by the machine's zone.
        con.execute("SET TimeZone = 'UTC'")
        # kafka says what stage it is in on stderr; DuckDB's own bar would write to stdout (and into
        # `kafka log to-case` output printed there).
        con.execute("SET enable_progress_bar = false")
        yield con
    finally:
        con.close()
        shutil.rmtree(spill, ignore_errors=True)


def quote_identifier(name: str) -> str:
    """A column name as a DuckDB identifier: any text a log's header may hold, safely quoted."""
    return '"' + name.replace('"', '""') + '"'


def sql_string(text: str) -> str:
    """A text as a DuckDB string literal (for the few places a parameter cannot go, such as a CREATE VIEW)."""
    return "'" + text.replace("'", "''") + "'"
