"""HTML report speed and size.

Targets (issue 4, the HTML case report): a 100-step case renders in under
2 s, and a report stays under 2 MB. Measured on generated cases: the
benchmark generator's realistic one, and a worst case where every step is
in another lane than the one before (every edge crosses the map). Run:

    .venv/bin/python benchmarks/bench_report.py [--steps 100]

"cold" is a fresh process (imports, template compilation, Graphviz start),
as a user running ``kafka report`` sees it; "warm" is a second render in the
same process, as the aggregation renders case after case.
"""

from __future__ import annotations

import argparse
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
start = time.perf_counter()
from kafka.loader import load_case
from kafka.analysis import analyze
from kafka.report import render_case_report
analysis = analyze(load_case(sys.argv[1]).case)
ready = time.perf_counter()
html = render_case_report(analysis)
print(time.perf_counter() - ready, time.perf_counter() - start, len(html.encode("utf-8")))
"""


def cold(path: Path) -> tuple[float, float, int]:
    """(render seconds, seconds from interpreter start, bytes) in a fresh process."""
    out = subprocess.run([sys.executable, "-c", _COLD, str(path)], capture_output=True, text=True, check=True)
    render, total, size = out.stdout.split()
    return float(render), float(total), int(size)


def warm(path: Path) -> float:
    from kafka.analysis import analyze
    from kafka.loader import load_case
    from kafka.report import render_case_report

    analysis = analyze(load_case(path).case)
    render_case_report(analysis)
    start = time.perf_counter()
    render_case_report(analysis)
    return time.perf_counter() - start


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
            f"worst case, {args.steps} steps, 12 lanes": large_case(args.steps),
            "realistic, 30 steps": generate_case(3, 30, 16, case_id="bench-30"),
        }
        print(f"{'case':<40} {'render cold':>12} {'kafka report':>13} {'render warm':>12} {'size':>10}")
        for label, data in cases.items():
            path = folder / f"{label.split(',')[0].replace(' ', '-')}-{len(data['steps'])}.yaml"
            path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
            render_s, _, size = cold(path)
            cli_s = cli(path, folder / "out")
            warm_s = warm(path)
            ok = render_s < TARGET_SECONDS and size < TARGET_BYTES
            failures += not ok
            print(f"{label:<40} {render_s:10.2f} s {cli_s:11.2f} s {warm_s:10.2f} s {size / 1e6:7.2f} MB"
                  f"{'' if ok else '  <- over target'}")
    print(f"targets: render < {TARGET_SECONDS:g} s, report < {TARGET_BYTES / 1e6:g} MB "
          "('kafka report' adds interpreter start and imports)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
