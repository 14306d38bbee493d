"""Analysis speed: one huge case, and a folder of ordinary ones.

Targets (issue "analysis engine"): a case of 3,000 steps and 500 data items
analysed in under 5 s; 1,000 ordinary cases in under 20 s. Run:

    .venv/bin/python benchmarks/bench_analysis.py [--cases 1000] [--steps 3000]
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from casegen import generate_case  # noqa: E402

from kafka.analysis import analyze  # noqa: E402
from kafka.loader import load_case  # noqa: E402


def timed(label: str, func):
    start = time.perf_counter()
    result = func()
    seconds = time.perf_counter() - start
    print(f"{label:<48} {seconds:8.2f} s")
    return result, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--steps", type=int, default=3000)
    parser.add_argument("--items", type=int, default=500)
    parser.add_argument("--cases", type=int, default=1000)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        big = folder / "big.yaml"
        big.write_text(yaml.safe_dump(generate_case(1, args.steps, args.items), allow_unicode=True, sort_keys=False))
        loaded, load_s = timed(f"load + validate {args.steps} steps / {args.items} items", lambda: load_case(big))
        assert loaded.ok, [str(p) for p in loaded.problems[:5]]
        analysis, analyse_s = timed("analyse it", lambda: analyze(loaded.case))
        print(f"  -> {len(analysis.findings)} findings, lead time {analysis.metrics.lead_time_days:g} days")
        print(f"  big case total: {load_s + analyse_s:.2f} s (target < 5 s)")

        many = folder / "many"
        many.mkdir()
        for i in range(args.cases):
            doc = generate_case(1000 + i, n_steps=10 + i % 21, n_items=8 + i % 10)
            (many / f"case-{i:05d}.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False))

        def run_all():
            count = 0
            for path in sorted(many.glob("*.yaml")):
                case = load_case(path)
                assert case.ok, [str(p) for p in case.problems[:3]]
                count += len(analyze(case.case).findings)
            return count

        findings, total = timed(f"load + analyse {args.cases} ordinary cases", run_all)
        print(f"  -> {findings} findings; {total / args.cases * 1000:.1f} ms per case (target < 20 s in all)")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory: {peak:.0f} MiB")


if __name__ == "__main__":
    main()
