"""Which engine for `kafka log`: the same work in pandas, Polars and DuckDB, side by side.

The work is the core of `kafka log analyze`: read a CSV log, parse the
timestamps, order each case's events, and compute the directly-follows graph
with the median and p90 wait per pair of activities, and the variants with
their number of cases. Each engine runs in its own child process, so its peak
memory (the child's maximum resident set) is its own.

    .venv/bin/python benchmarks/log_engines.py /tmp/log-1m.csv [--engines duckdb polars pandas]

The CSV is the one benchmarks/loggen.py writes (';', columns dossiernummer,
activiteit, begin, einde). Engines that are not installed are skipped:
Polars is not a dependency of kafka, it is measured only to choose.
The figures are in docs/log.md.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import resource
import subprocess
import sys
import time

CASE, ACTIVITY, END = "dossiernummer", "activiteit", "einde"


def run_duckdb(path: str) -> dict:
    import duckdb

    con = duckdb.connect()
    con.execute(f"""
        CREATE TABLE events AS
        SELECT {CASE} AS case_id, {ACTIVITY} AS activity, CAST({END} AS TIMESTAMP) AS ts
        FROM read_csv(?, delim=';', header=true, all_varchar=true)
    """, [path])
    con.execute("""
        CREATE TEMP TABLE steps AS
        SELECT case_id, activity, ts,
               lag(activity) OVER w AS prev_activity,
               epoch(ts - lag(ts) OVER w) / 86400.0 AS wait_days
        FROM events WINDOW w AS (PARTITION BY case_id ORDER BY ts)
    """)
    dfg = con.execute("""
        SELECT prev_activity, activity, count(*), median(wait_days), quantile_cont(wait_days, 0.9)
        FROM steps WHERE prev_activity IS NOT NULL GROUP BY ALL
    """).fetchall()
    variants = con.execute("""
        SELECT trace, count(*) FROM (
            SELECT list(activity ORDER BY ts) AS trace FROM events GROUP BY case_id
        ) GROUP BY trace ORDER BY 2 DESC
    """).fetchall()
    return {"edges": len(dfg), "variants": len(variants), "top": variants[0][1]}


def run_polars(path: str) -> dict:
    import polars as pl

    events = (
        pl.scan_csv(path, separator=";", infer_schema=False)
        .select(pl.col(CASE).alias("case_id"), pl.col(ACTIVITY).alias("activity"),
                pl.col(END).str.to_datetime("%Y-%m-%d %H:%M:%S").alias("ts"))
        .sort(["case_id", "ts"])
        .collect()
    )
    steps = events.with_columns(
        pl.col("activity").shift(1).over("case_id").alias("prev_activity"),
        ((pl.col("ts") - pl.col("ts").shift(1).over("case_id")).dt.total_seconds() / 86400).alias("wait_days"),
    )
    dfg = (steps.filter(pl.col("prev_activity").is_not_null())
           .group_by(["prev_activity", "activity"])
           .agg(pl.len(), pl.col("wait_days").median().alias("median"),
                pl.col("wait_days").quantile(0.9, "linear").alias("p90")))
    variants = (events.group_by("case_id", maintain_order=True).agg(pl.col("activity"))
                .group_by("activity").agg(pl.len()).sort("len", descending=True))
    return {"edges": dfg.height, "variants": variants.height, "top": int(variants["len"][0])}


def run_pandas(path: str) -> dict:
    import pandas as pd

    events = pd.read_csv(path, sep=";", usecols=[CASE, ACTIVITY, END], dtype=str)
    events.columns = ["case_id", "activity", "ts"]
    events["ts"] = pd.to_datetime(events["ts"], format="%Y-%m-%d %H:%M:%S")
    events = events.sort_values(["case_id", "ts"], kind="stable")
    grouped = events.groupby("case_id", sort=False)
    events["prev_activity"] = grouped["activity"].shift(1)
    events["wait_days"] = (events["ts"] - grouped["ts"].shift(1)).dt.total_seconds() / 86400
    dfg = (events.dropna(subset=["prev_activity"]).groupby(["prev_activity", "activity"])["wait_days"]
           .agg(["count", "median", lambda s: s.quantile(0.9)]))
    traces = events.groupby("case_id", sort=False)["activity"].agg(tuple)
    variants = traces.value_counts()
    return {"edges": len(dfg), "variants": len(variants), "top": int(variants.iloc[0])}


ENGINES = {"duckdb": run_duckdb, "polars": run_polars, "pandas": run_pandas}


def child(engine: str, path: str) -> None:
    began = time.perf_counter()
    result = ENGINES[engine](path)
    result["seconds"] = time.perf_counter() - began
    result["peak_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("log")
    parser.add_argument("--engines", nargs="+", default=list(ENGINES), choices=list(ENGINES))
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child, args.log)
        return 0
    with open("/proc/loadavg") as handle:
        print(f"load average: {' '.join(handle.read().split()[:3])}")
    print(f"{'engine':8} {'seconds':>8} {'peak MiB':>9} {'edges':>6} {'variants':>9}")
    for engine in args.engines:
        if importlib.util.find_spec(engine) is None:
            print(f"{engine:8} not installed: skipped (pip install {engine} to measure it)")
            continue
        done = subprocess.run([sys.executable, __file__, args.log, "--child", engine], capture_output=True, text=True)
        if done.returncode != 0:
            last = (done.stderr.strip().splitlines() or ["failed"])[-1]
            print(f"{engine:8} {'-':>8} {'-':>9}   {last}")
            continue
        r = json.loads(done.stdout)
        print(f"{engine:8} {r['seconds']:8.1f} {r['peak_mib']:9.0f} {r['edges']:6} {r['variants']:9}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
