"""Start-up: ``kafka --help`` and ``kafka validate`` of one file (issue 19).

Target: each at most 0.4 s of CPU, the whole process (interpreter start,
imports, the work). The floor beside them is a bare ``python -c pass``.
Commands are loaded lazily (kafka.cli.COMMANDS), so these two do not import
networkx, jinja2, pygraphviz, pandas or the web server. Also shown, not
judged: ``kafka report`` and ``kafka analyze`` of one case, whose libraries
must be imported. Run:

    .venv/bin/python benchmarks/bench_startup.py [--repeat 5]

Each figure is the least CPU time of ``--repeat`` runs (user + system of the
child process), so a busy machine changes it less than wall time.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from floors import interpreter_floor, load_line, ratio, run_child, scratch, verdict  # noqa: E402

TARGET_SECONDS = 0.4
CASE = HERE.parent / "cases" / "leefloon-lindenberg.yaml"


def kafka_command() -> list[str]:
    program = Path(sys.executable).with_name("kafka")
    return [str(program)] if program.exists() else [sys.executable, "-m", "kafka"]


def least_cpu(args: list[str], repeat: int) -> float:
    return min(run_child(kafka_command() + args)[1] for _ in range(repeat))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print(f"kafka start-up, CPU of the whole process; {load_line()}")
    floor = interpreter_floor(args.repeat)
    print(f"{'python -c pass (the floor)':<40} {floor:6.3f} s")
    failures = []
    with scratch() as tmp:
        for label, command, judged in (
            ("kafka --help", ["--help"], True),
            ("kafka validate <one case>", ["validate", str(CASE)], True),
            ("kafka analyze <one case>", ["analyze", str(CASE)], False),
            ("kafka report <one case>", ["report", str(CASE), "-o", tmp], False),
        ):
            cpu = least_cpu(command, args.repeat)
            ok = cpu <= TARGET_SECONDS
            if judged and not ok:
                failures.append(label)
            judgement = f"(target <= {TARGET_SECONDS:g} s: {verdict(ok)})" if judged else "(shown, not judged)"
            print(f"{label:<40} {cpu:6.3f} s  {ratio(cpu, floor)} the floor  {judgement}", flush=True)
    print(f"{load_line()} (at the end)")
    for failure in failures:
        print(f"  not met: {failure}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
