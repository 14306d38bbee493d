"""`kafka log analyze` against PM4Py, side by side on the same generated log.

Targets (issue 17): on a log of 1,000,000 events (100,000 cases), reading the
CSV and computing the directly-follows graph with waits and the variants is
faster than PM4Py 2.7's read_csv + discover_performance_dfg + get_variants on
the same file, with a peak memory under 1 GiB; 10,000,000 events complete.

    .venv/bin/python benchmarks/bench_log.py [--cases 100000 1000000] [--pm4py PYTHON] [--keep DIR]

kafka does all of `kafka log analyze`: read, check, pseudonymise, measure
(waits and working time per activity and transition, lead times, variants,
rework, hand-overs, a deadline) and write the report, JSON and CSV. PM4Py
does its three calls. Each runs in its own child process; the time is the
work only (after imports), the memory the child's peak resident set.

PM4Py is AGPL and never a dependency of kafka: it is looked for in its own
virtual environment outside the project (default /work/bench-venvs/pm4py,
made with `python3 -m venv DIR && DIR/bin/pip install 'pm4py>=2.7,<2.8'`),
and run through that environment's python. Without it: "PM4Py not
installed: skipped". It runs on the sizes of --pm4py-cases only (1,000,000
events by default: on ten million it needs far more memory than kafka).

The logs are made by benchmarks/loggen.py (not timed) in a temporary folder,
or kept in --keep DIR for the next run. The load average is printed: on a
shared machine, wall times stretch.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from loggen import write_log  # noqa: E402

DEFAULT_PM4PY = Path(os.environ.get("KAFKA_BENCH_PM4PY", "/work/bench-venvs/pm4py/bin/python"))
TARGET_BYTES = 1 << 30

MAPPING = """\
columns:
  case: dossiernummer
  activity: activiteit
  timestamp: einde
  start: begin
  resource: medewerker
  organisation: dienst
deadlines:
  - name: "RMI-wet art. 21: beslissing binnen 30 dagen"
    days: 30
    from: Aanvraag geregistreerd
    to: Beslissing BCSD
"""

# kafka's stages one by one: the time compared with PM4Py's is reading + measuring (PM4Py writes
# nothing); writing the report, JSON and CSV is timed on its own.
KAFKA_CHILD = textwrap.dedent("""
    import json, resource, sys, time
    from kafka.log import connect, load_mapping, measure, open_log, run_key
    from kafka.log.render import write_outputs
    began = time.perf_counter()
    with connect() as con:
        log = open_log(con, sys.argv[1], load_mapping(sys.argv[2]), run_key())
        loaded = time.perf_counter()
        measures = measure(log)
        measured = time.perf_counter()
        written = write_outputs(log, measures, sys.argv[3], "nl")
        done = time.perf_counter()
    print(json.dumps({"seconds": measured - began, "write": done - measured,
                      "peak": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
                      "stages": [[round(loaded - began, 2), "read, check, pseudonymise, order"],
                                 [round(measured - began, 2), "measure all"],
                                 [round(done - began, 2), "write report, JSON, CSV"]],
                      "variants": measures.variant_count, "edges": len(measures.transitions)}))
""")

# PM4Py's documented way to read a CSV: its read_csv (pandas) and format_dataframe.
PM4PY_CHILD = textwrap.dedent("""
    import json, resource, sys, time, warnings
    warnings.filterwarnings("ignore")
    import pm4py
    from pm4py.util import pandas_utils
    began = time.perf_counter()
    df = pandas_utils.read_csv(sys.argv[1], sep=";")
    df = pm4py.format_dataframe(df, case_id="dossiernummer", activity_key="activiteit", timestamp_key="einde",
                                start_timestamp_key="begin")
    read = time.perf_counter()
    dfg, starts, ends = pm4py.discover_performance_dfg(df)
    dfg_done = time.perf_counter()
    variants = pm4py.get_variants(df)
    done = time.perf_counter()
    print(json.dumps({"seconds": done - began, "peak": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
                      "stages": [[round(read - began, 2), "read_csv + format_dataframe"],
                                 [round(dfg_done - began, 2), "discover_performance_dfg"],
                                 [round(done - began, 2), "get_variants"]],
                      "edges": len(dfg), "variants": len(variants), "version": pm4py.__version__}))
""")


def load() -> str:
    with open("/proc/loadavg") as handle:
        return " ".join(handle.read().split()[:3])


def run_child(python: str, code: str, *args: str) -> dict | str:
    done = subprocess.run([python, "-c", code, *args], capture_output=True, text=True)
    if done.returncode != 0:
        lines = (done.stderr or done.stdout).strip().splitlines()
        return lines[-1] if lines else f"exit code {done.returncode}"
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    return json.loads(lines[-1]) if lines else f"no result: {done.stdout.strip()[-200:]}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, nargs="+", default=[100_000, 1_000_000],
                        help="log sizes in cases (about 10.4 events each)")
    parser.add_argument("--pm4py-cases", type=int, nargs="*", default=[100_000],
                        help="the sizes PM4Py runs on as well")
    parser.add_argument("--pm4py", type=Path, default=DEFAULT_PM4PY, help="the python of PM4Py's own venv")
    parser.add_argument("--keep", type=Path, help="keep the generated logs in this folder (and reuse them)")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        mapping = folder / "bench.map.yaml"
        mapping.write_text(MAPPING, encoding="utf-8")
        failed = False
        print(f"load average at start: {load()}")
        print(f"{'events':>12} {'cases':>10}  {'tool':28} {'seconds':>8} {'peak MiB':>9}  notes")
        for cases in args.cases:
            log = folder / f"log-{cases}.csv"
            if not log.exists():
                events = write_log(log, cases)
                (folder / f"log-{cases}.events").write_text(str(events))
            events = int((folder / f"log-{cases}.events").read_text()) if (folder / f"log-{cases}.events").exists() \
                else sum(1 for _ in open(log, encoding="utf-8")) - 1
            out = folder / f"out-{cases}"
            k = run_child(sys.executable, KAFKA_CHILD, str(log), str(mapping), str(out))
            if isinstance(k, str):
                print(f"{events:12,} {cases:10,}  {'kafka (read + measure)':28} failed: {k}")
                failed = True
                continue
            within = k["peak"] < TARGET_BYTES
            print(f"{events:12,} {cases:10,}  {'kafka (read + measure)':28} {k['seconds']:8.1f} {k['peak'] / 2**20:9.0f}  "
                  f"{'' if within else 'OVER 1 GiB '}stages: " + "; ".join(f"{s} s {m}" for s, m in k["stages"]))
            if cases == 100_000 and not within:
                failed = True
            if cases not in args.pm4py_cases:
                continue
            if not args.pm4py.exists():
                print(f"{'':12} {'':10}  {'PM4Py':28} PM4Py not installed: skipped (looked for {args.pm4py})")
                continue
            p = run_child(str(args.pm4py), PM4PY_CHILD, str(log))
            if isinstance(p, str):
                print(f"{'':12} {'':10}  {'PM4Py':28} failed: {p}")
                continue
            print(f"{'':12} {'':10}  {'PM4Py ' + p['version']:28} {p['seconds']:8.1f} {p['peak'] / 2**20:9.0f}  "
                  "stages: " + "; ".join(f"{s} s {m}" for s, m in p["stages"]))
            faster = k["seconds"] < p["seconds"]
            print(f"{'':12} {'':10}  -> kafka {'faster' if faster else 'SLOWER'}: "
                  f"{p['seconds'] / k['seconds']:.1f}x PM4Py's time, {k['peak'] / p['peak']:.2f}x its memory")
            failed |= not faster
        print(f"load average at end: {load()}")
        print("targets: 1M events faster than PM4Py, peak under 1024 MiB; 10M events complete")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
