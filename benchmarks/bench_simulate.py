"""To-be simulation speed: both scenarios ("local" and "all") of a case (issues 6 and 19).

Targets: an ordinary case (20 steps) under 50 ms, a 100-step case under
0.5 s, a 3,000-step case under 2 s and a 10,000-step case under 10 s; and
the time grows linearly or as n log n (at most as n^1.2 from 3,000 to
10,000 steps). Each figure includes the second analysis of both to-be
cases. Run:

    .venv/bin/python benchmarks/bench_simulate.py [--quick]

The floor beside each figure is the analysis of the as-is case itself,
twice: a simulation analyses its two to-be cases again, each about as big
as the as-is, so it cannot cost much less; what it costs beyond that is
the editing. A size with one case is timed three times, and the least
counts (its floor likewise). Beside the growth in time, the growth of the
work is printed: the Python function calls of both scenarios (cProfile's
count, one more run per size, not timed), which the machine's caches do
not bend: a case that outgrows them costs more per operation. Cases of more than 5,000 steps are beyond what a case file may
hold (kafka.loader.MAX_STEPS): they are built with the model directly, as
a stress test of the editor's indexes. Figures are CPU seconds, with the
garbage collector set as the kafka program sets it (kafka.runtime).
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from casegen import generate_case  # noqa: E402
from floors import load_line, ratio, verdict  # noqa: E402

TARGETS = {20: 0.05, 100: 0.5, 500: 5.0, 3000: 2.0, 10000: 10.0}  # steps -> seconds for both scenarios
TARGET_EXPONENT = 1.2


def case_of(seed: int, steps: int):
    from kafka.model import Case

    return Case.model_validate(generate_case(seed, n_steps=steps, n_items=max(12, steps // 6)))


def timed(case) -> tuple[float, float, int, int]:
    """(seconds for both scenarios, seconds for one analysis, proposals applied, steps gone)."""
    from kafka.analysis import analyze
    from kafka.simulate import scenarios

    start = time.process_time()
    analysis = analyze(case)
    analysed = time.process_time() - start
    start = time.process_time()
    results = scenarios(analysis)
    seconds = time.process_time() - start
    return seconds, analysed, len(results["all"].applied), analysis.metrics.steps - results["all"].to_be.steps


def calls(case) -> int:
    """Python function calls of both scenarios of ``case`` (analysis included): the work, not its time."""
    import cProfile
    import pstats

    from kafka.analysis import analyze
    from kafka.simulate import scenarios

    profile = cProfile.Profile()
    profile.enable()
    scenarios(analyze(case))
    profile.disable()
    return pstats.Stats(profile).total_calls


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="up to 500 steps only")
    args = parser.parse_args()
    from kafka.runtime import tune_gc

    tune_gc()
    sizes = {n: t for n, t in TARGETS.items() if not args.quick or n <= 500}
    print(f"kafka simulate, both scenarios; {load_line()}")
    print(f"{'steps':>6} {'cases':>6} {'s/case':>8} {'target':>7} {'floor':>8} {'ratio':>6} "
          f"{'proposals':>10} {'steps gone':>11}")
    failed, per_size, work = [], {}, {}
    for steps, target in sizes.items():
        runs = 20 if steps <= 100 else 1
        cases = [case_of(seed, steps) for seed in range(runs)]
        timed(cases[0])  # warm up imports and caches
        # One big case is one sample: the least of three runs, as for the other benchmarks' floors
        # (a single run of the 10,000-step case varied by a fifth from one time to the next).
        repeat = 1 if runs > 1 else 3
        results = [[timed(c) for _ in range(repeat)] for c in cases]
        per_case = sum(min(r[0] for r in runs_of) for runs_of in results) / len(results)
        floor = 2 * sum(min(r[1] for r in runs_of) for runs_of in results) / len(results)
        results = [runs_of[0] for runs_of in results]
        per_size[steps] = per_case
        if steps in (3000, 10000):
            work[steps] = calls(cases[0])
        ok = per_case <= target
        failed += [] if ok else [f"{steps} steps"]
        print(f"{steps:>6} {runs:>6} {per_case:>7.3f}s {target:>6.2f}s {floor:>7.3f}s {ratio(per_case, floor)} "
              f"{results[0][2]:>10} {results[0][3]:>11}  {verdict(ok)}", flush=True)
    if 3000 in per_size and 10000 in per_size:
        exponent = math.log(per_size[10000] / per_size[3000]) / math.log(10000 / 3000)
        ok = exponent <= TARGET_EXPONENT
        failed += [] if ok else ["growth"]
        print(f"growth from 3,000 to 10,000 steps: n^{exponent:.2f} (target <= n^{TARGET_EXPONENT:g}; "
              f"linear is n^1, n log n about n^1.1): {verdict(ok)}")
        print(f"  the work (Python function calls, {work[3000]:,} -> {work[10000]:,}) grows as "
              f"n^{math.log(work[10000] / work[3000]) / math.log(10000 / 3000):.2f}")
    print("floor: analysing the as-is case twice (the simulation analyses both to-be cases again)")
    print(f"{load_line()} (at the end)")
    for failure in failed:
        print(f"  not met: {failure}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
