"""HTML report speed against its Graphviz floor (issues 4 and 19).

Targets: a report takes at most 4x its Graphviz floor at 30 and 100 steps;
a 3,000-step report at most 15 s of CPU; no stage above n log n (the CPU
time from 1,000 to 3,000 steps grows at most as n^1.2); a 100-step report
under 2 MB. Run:

    .venv/bin/python benchmarks/bench_report.py [--quick]

The floor (benchmarks/floors.py): one process reads the case file with
PyYAML's C loader and lets Graphviz (``dot``) lay out and draw the report's
three maps (the as-is map and the two to-be maps) as plain SVG. kafka's
report is measured as ``kafka report`` makes it (load, validate, analyse,
simulate the to-be, draw the three maps, write the page), three ways:

* **first render**: in a fresh process, after the imports (the least of
  three processes, as for the floor): what one
  ``kafka report`` does beyond starting Python and importing (catalogues
  read, Graphviz and its fonts started, the compiled templates loaded);
  against the floor's work after its imports;
* **next render**: the same case again in that process, as ``kafka
  aggregate`` and ``kafka serve`` render case after case;
* **command**: the whole ``kafka report`` process (interpreter, imports,
  everything) against the whole floor process. Importing kafka's
  libraries (networkx, pydantic, jinja2) alone costs several times the
  floor's process; that line is shown, not judged.

All figures are CPU seconds (the least of a few runs), so a machine busy
with other work changes them less than wall time; the load is printed.
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests"))
from casegen import generate_case  # noqa: E402
from floors import load_line, map_floor_process, ratio, run_child, scratch, to_be_maps, verdict  # noqa: E402
from report_cases import large_case  # noqa: E402

TARGET_RATIO = 4.0
TARGET_BIG_SECONDS = 15.0
TARGET_EXPONENT = 1.2
TARGET_BYTES = 2_000_000

KAFKA_SCRIPT = r"""
import sys, time
from kafka.loader import load_case
from kafka.report import render_case_report
from kafka.run import RunOptions, run_case
import kafka.analysis, kafka.report.data, kafka.report.to_be, kafka.simulate, pygraphviz  # imported when used
from kafka.runtime import tune_gc
tune_gc()  # as the kafka program does

def once():
    start = time.process_time()
    html = render_case_report(run_case(load_case(sys.argv[1]), RunOptions.of()))
    return time.process_time() - start, len(html.encode("utf-8"))

first, size = once()
later = min([once()[0] for _ in range(int(sys.argv[2]))] or [float("nan")])
print(first, later, size)
"""


def kafka_in_process(path: Path, again: int, repeat: int = 1) -> tuple[float, float, int]:
    """(first render, next render, bytes): CPU seconds in a fresh process, after the imports;
    the least of ``repeat`` processes, as the floor is the least of its runs."""
    firsts, laters = [], []
    for _ in range(repeat):
        done, _ = run_child([sys.executable, "-c", KAFKA_SCRIPT, str(path), str(again)])
        first, later, size = done.stdout.split()
        firsts.append(float(first))
        laters.append(float(later))
    return min(firsts), min(laters), int(size)


def kafka_command(path: Path, out: Path, repeat: int) -> float:
    kafka = Path(sys.executable).with_name("kafka")
    command = [str(kafka)] if kafka.exists() else [sys.executable, "-m", "kafka"]
    return min(run_child(command + ["report", str(path), "-o", str(out)])[1] for _ in range(repeat))


def imports_only() -> float:
    script = "import kafka.report.data, kafka.run, kafka.simulate, kafka.cli.report_cmd, pygraphviz"
    return min(run_child([sys.executable, "-c", script])[1] for _ in range(3))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="skip the 1,000- and 3,000-step cases")
    args = parser.parse_args()
    print(f"kafka report against its Graphviz floor; {load_line()}")
    cases = {
        "realistic, 30 steps": generate_case(3, 30, 16, case_id="bench-30"),
        "realistic, 100 steps": generate_case(7, 100, 40, case_id="bench-realistic"),
        "worst, 100 steps, 12 lanes": large_case(100),
    }
    big = {} if args.quick else {
        "realistic, 1,000 steps": generate_case(7, 1000, 150, case_id="bench-1000"),
        "realistic, 3,000 steps": generate_case(7, 3000, 400, case_id="bench-3000"),
    }
    failures = []
    with scratch() as tmp:
        folder = Path(tmp)
        print(f"\n{'case':<28} {'floor':>7} {'first render':>16} {'next render':>16} "
              f"{'floor proc.':>11} {'kafka report':>18} {'size':>8}")
        rows = {}
        for label, data in {**cases, **big}.items():
            path = folder / f"{data['case']['id']}.yaml"
            path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
            small = label in cases
            floor_work, floor_whole = map_floor_process(path, to_be_maps(path), repeat=3 if small else 1)
            first, later, size = kafka_in_process(path, again=3 if small else 0, repeat=3 if small else 1)
            command = kafka_command(path, folder / "out", repeat=3 if small else 1)
            rows[label] = (floor_work, first, later, command, size)
            again = f"{later:7.3f}s {ratio(later, floor_work)}" if small else f"{'-':>8} {'':>6}"
            print(f"{label:<28} {floor_work:6.3f}s {first:7.3f}s {ratio(first, floor_work)} "
                  f"{again} {floor_whole:10.3f}s {command:8.2f}s "
                  f"{ratio(command, floor_whole)} {size / 1e6:6.2f}MB", flush=True)
            if small:
                for name, value in (("first render", first), ("next render", later)):
                    if value / floor_work > TARGET_RATIO:
                        failures.append(f"{label}: {name} {value / floor_work:.1f}x the floor")
            if label.startswith("realistic, 100") and size >= TARGET_BYTES:
                failures.append(f"{label}: {size / 1e6:.2f} MB")
        print()
        for label, (floor_work, first, later, _, _) in rows.items():
            if label in cases:  # each ratio next to its target, as `make bench` gathers them
                for name, value in (("first render", first), ("next render", later)):
                    print(f"{label}, {name}: {value:.3f} s = {ratio(value, floor_work).strip()} the floor "
                          f"{floor_work:.3f} s (target <= {TARGET_RATIO:g}x): {verdict(value / floor_work <= TARGET_RATIO)}")
        libraries = imports_only()
        print(f"\nimporting kafka's report path and its libraries alone: {libraries:.2f} s of CPU")
        print(f"targets: first and next render <= {TARGET_RATIO:g}x the floor at 30 and 100 steps: "
              f"{verdict(not [f for f in failures if 'render' in f])}; a 100-step report < "
              f"{TARGET_BYTES / 1e6:g} MB: {verdict(not [f for f in failures if 'MB' in f])}")
        print("  (the 'kafka report' command against the floor process is shown, not judged: its imports "
              "alone are several times the floor process)")
        if big:
            _, first_1000, *_ = rows["realistic, 1,000 steps"]
            _, first_3000, _, command_3000, _ = rows["realistic, 3,000 steps"]
            exponent = math.log(first_3000 / first_1000) / math.log(3)
            ok_big, ok_growth = command_3000 <= TARGET_BIG_SECONDS, exponent <= TARGET_EXPONENT
            failures += [] if ok_big else ["3,000 steps"]
            failures += [] if ok_growth else ["growth"]
            print(f"3,000-step report: {command_3000:.1f} s of CPU for the whole command (target <= "
                  f"{TARGET_BIG_SECONDS:g} s): {verdict(ok_big)}")
            print(f"growth from 1,000 to 3,000 steps: n^{exponent:.2f} (target <= n^{TARGET_EXPONENT:g}, "
                  f"n log n is about n^1.1): {verdict(ok_growth)}")
    print(f"{load_line()} (at the end)")
    for failure in failures:
        print(f"  not met: {failure}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
