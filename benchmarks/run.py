"""Run every benchmark in this folder (``make bench``), one after the other.

Each ``bench_*.py`` is a script with its own targets printed next to its
figures (and, for issue 19, each figure's ratio to its floor measured in the
same run: benchmarks/floors.py); a summary at the end says which met every
target. Pass a name to run only that one: ``python benchmarks/run.py analysis``.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    scripts = sorted(HERE.glob("bench_*.py"))
    if argv:
        scripts = [s for s in scripts if any(name in s.stem for name in argv)]
    results, judged = {}, {}
    for script in scripts:
        print(f"== {script.stem} ==", flush=True)
        with subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True, bufsize=1) as child:
            lines = []
            for line in child.stdout:  # shown as it comes; the lines that judge a target kept for the summary
                print(line, end="", flush=True)
                lines.append(line.rstrip())
        results[script.stem] = child.returncode
        judged[script.stem] = [line.strip() for line in lines if _JUDGED.search(line)]
        print(flush=True)
    print("== summary: each figure next to its target ==")
    for name, code in results.items():
        print(f"{name:<24} {'every target met' if code == 0 else 'NOT every target met'}")
        for line in judged[name]:
            print(f"    {line}")
    return 1 if any(results.values()) else 0


# A line that gives a figure and its verdict (floors.verdict: "met" / "NOT MET").
_JUDGED = re.compile(r"target.*\b(met|NOT MET)\b|\b(met|NOT MET)\b.*target", re.IGNORECASE)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
