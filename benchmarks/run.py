"""Run every benchmark in this folder (``make bench``), one after the other.

Each ``bench_*.py`` is a script with its own targets printed next to its
figures (and, for issue 19, each figure's ratio to its floor measured in the
same run: benchmarks/floors.py); a summary at the end says which met every
target. Pass a name to run only that one: ``python benchmarks/run.py analysis``.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    scripts = sorted(HERE.glob("bench_*.py"))
    if argv:
        scripts = [s for s in scripts if any(name in s.stem for name in argv)]
    results = {}
    for script in scripts:
        print(f"== {script.stem} ==", flush=True)
        results[script.stem] = subprocess.call([sys.executable, str(script)])
        print(flush=True)
    print("== summary ==")
    for name, code in results.items():
        print(f"{name:<24} {'every target met' if code == 0 else 'NOT every target met (see above)'}")
    return 1 if any(results.values()) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
