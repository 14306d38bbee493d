"""To-be simulation speed: both scenarios ("local" and "all") of a case.

Targets (issue 6): the to-be of an ordinary case (20 steps) takes under
50 ms, so the aggregation of 1,000 cases spends under a minute on it; a
100-step case under 0.5 s, so a workshop report stays instant; a 3,000-step
case under 30 s. Each figure includes the second analysis of both to-be
cases. Run:

    .venv/bin/python benchmarks/bench_simulate.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from casegen import generate_case  # noqa: E402

TARGETS = {20: 0.05, 100: 0.5, 500: 5.0, 3000: 30.0}  # steps -> seconds for both scenarios


def case_of(seed: int, steps: int):
    from kafka.loader import load_text

    doc = generate_case(seed, n_steps=steps, n_items=max(12, steps // 6))
    loaded = load_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), f"bench-{steps}.yaml")
    assert loaded.ok, [str(p) for p in loaded.errors][:5]
    return loaded.case


def timed(case) -> tuple[float, int, int]:
    from kafka.analysis import analyze
    from kafka.simulate import scenarios

    analysis = analyze(case)
    start = time.perf_counter()
    results = scenarios(analysis)
    seconds = time.perf_counter() - start
    return seconds, len(results["all"].applied), analysis.metrics.steps - results["all"].to_be.steps


def main() -> int:
    failed = False
    print(f"{'steps':>6} {'cases':>6} {'seconds/case':>13} {'target':>8} {'proposals':>10} {'steps gone':>11}")
    for steps, target in TARGETS.items():
        runs = 20 if steps <= 100 else 1
        cases = [case_of(seed, steps) for seed in range(runs)]
        timed(cases[0])  # warm up imports and caches
        results = [timed(c) for c in cases]
        per_case = sum(r[0] for r in results) / len(results)
        ok = per_case <= target
        failed |= not ok
        print(f"{steps:>6} {runs:>6} {per_case:>13.3f} {target:>8.2f} {results[0][1]:>10} {results[0][2]:>11}"
              f"  {'ok' if ok else 'SLOW'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
