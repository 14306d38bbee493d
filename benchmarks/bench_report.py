"""HTML report speed and size.

Targets (issue 4, the HTML case report): a 100-step case renders in under
2 s, and a report stays under 2 MB. Measured on generated cases: the
benchmark generator's realistic one, and a worst case where every step is
in another lane than the one before (every edge crosses the map). Run:

    .venv/bin/python benchmarks/bench_report.py [--steps 100]

"cold" is a fresh process (imports, template compilation, Graphviz start),
as a user running ``kafka report`` sees it; "warm" is a second render in the
same process, as the aggregation renders case after case. Both render the
report as ``kafka report`` writes it: with the to-be scenarios
(kafka.simulate), i.e. three maps. Graphviz runs in-process, so the CPU
time ("cpu") is the render's own cost even on a machine busy with other
work, where the wall-clock time ("wall") is longer.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests"))
from casegen import generate_case  # noqa: E402
from report_cases import large_case  # noqa: E402

TARGET_SECONDS = 2.0
TARGET_BYTES = 2_000_000

_COLD = """
import sys, time
from kafka.loader import load_case
from kafka.report import render_case_report
from kafka.run import RunOptions, run_case
loaded = load_case(sys.argv[1])
wall, cpu = time.perf_counter(), time.process_time()
html = render_case_report(run_case(loaded, RunOptions()))
print(time.perf_counter() - wall, time.process_time() - cpu, len(html.encode("utf-8")))
"""


def cold(path: Path) -> tuple[float, float, int]:
    """(render wall seconds, render CPU seconds, bytes) in a fresh process."""
    out = subprocess.run([sys.executable, "-c", _COLD, str(path)], capture_output=True, text=True, check=True)
    wall, cpu, size = out.stdout.split()
    return float(wall), float(cpu), int(size)


def warm(path: Path) -> tuple[float, float]:
    from kafka.loader import load_case
    from kafka.report import render_case_report
    from kafka.run import RunOptions, run_case

    loaded = load_case(path)
    render_case_report(run_case(loaded, RunOptions()))
    wall, cpu = time.perf_counter(), time.process_time()
    render_case_report(run_case(loaded, RunOptions()))
    return time.perf_counter() - wall, time.process_time() - cpu


def cli(path: Path, out: Path) -> float:
    kafka = Path(sys.executable).with_name("kafka")
    command = [str(kafka)] if kafka.exists() else [sys.executable, "-m", "kafka"]
    start = time.perf_counter()
    subprocess.run(command + ["report", str(path), "-o", str(out)], capture_output=True, check=True)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=100)
    args = parser.parse_args()
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        cases = {
            f"realistic, {args.steps} steps": generate_case(7, args.steps, 40, case_id="bench-realistic"),
            f"worst, {args.steps} steps, 12 lanes": large_case(args.steps),
            "realistic, 30 steps": generate_case(3, 30, 16, case_id="bench-30"),
        }
        print(f"{'case':<36} {'cold wall':>10} {'cold cpu':>9} {'warm wall':>10} {'warm cpu':>9} "
              f"{'kafka report':>13} {'size':>8}")
        for label, data in cases.items():
            path = folder / f"{label.split(',')[0].replace(' ', '-')}-{len(data['steps'])}.yaml"
            path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
            cold_wall, cold_cpu, size = cold(path)
            cli_s = cli(path, folder / "out")
            warm_wall, warm_cpu = warm(path)
            ok = cold_cpu < TARGET_SECONDS and size < TARGET_BYTES
            failures += not ok
            print(f"{label:<36} {cold_wall:8.2f} s {cold_cpu:7.2f} s {warm_wall:8.2f} s {warm_cpu:7.2f} s "
                  f"{cli_s:11.2f} s {size / 1e6:5.2f} MB{'' if ok else '  <- over target'}")
    print(f"targets: render < {TARGET_SECONDS:g} s (cold, CPU), report < {TARGET_BYTES / 1e6:g} MB; "
          "'kafka report' is the whole command (interpreter start, imports, analysis, simulation, render)")
    print(f"load average now: {' '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
