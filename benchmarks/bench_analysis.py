"""Analysis speed against the YAML parse floor, and memory (issues "analysis engine" and 19).

Targets: 1,000 ordinary cases loaded, validated and analysed in at most 2x
the time of only parsing their YAML (the floor: PyYAML's C loader, see
benchmarks/floors.py), and under 20 s; ``kafka analyze`` on them streams
(memory of about one case, not of all: under 100 MiB); one case of 3,000
steps and 500 data items in under 5 s. Run:

    .venv/bin/python benchmarks/bench_analysis.py [--cases 1000] [--steps 3000]

The floor and kafka run in this process, one after the other, twice, and
the least of each counts (CPU seconds; the load is printed). ``kafka analyze
--format json`` then runs as a child process on the same folder, as a user
runs it.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from casegen import generate_case  # noqa: E402
from floors import load_line, ratio, run_child, scratch, verdict, yaml_parse_floor  # noqa: E402

TARGET_RATIO = 2.0
TARGET_MANY_SECONDS = 20.0
TARGET_BIG_SECONDS = 5.0
TARGET_ANALYZE_MIB = 100


def kafka_cpu(paths: list[Path]) -> tuple[float, int]:
    """CPU seconds to load and analyse every file here (as kafka analyze does, one by one), and the findings."""
    from kafka.loader import load_case
    from kafka.run import RunOptions, run_case

    options = RunOptions.of()
    findings = 0
    started = time.process_time()
    for path in paths:
        loaded = load_case(path)
        assert loaded.ok, [str(p) for p in loaded.problems[:3]]
        findings += len(run_case(loaded, options, simulate=False).analysis.findings)
    return time.process_time() - started, findings


def children_peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=3000)
    parser.add_argument("--items", type=int, default=500)
    parser.add_argument("--cases", type=int, default=1000)
    args = parser.parse_args()
    from kafka.runtime import tune_gc

    tune_gc()  # as the kafka program does
    print(f"kafka analysis against the YAML parse floor; {load_line()}")
    failures = []
    with scratch() as tmp:
        folder = Path(tmp)
        many = folder / "many"
        many.mkdir()
        for i in range(args.cases):
            doc = generate_case(1000 + i, n_steps=10 + i % 21, n_items=8 + i % 10)
            (many / f"case-{i:05d}.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False))
        paths = sorted(many.glob("*.yaml"))
        kafka_cpu(paths[:20])  # imports and caches
        floors, kafkas = [], []
        for _ in range(2):
            floors.append(yaml_parse_floor(paths))
            seconds, findings = kafka_cpu(paths)
            kafkas.append(seconds)
        floor, kafka = min(floors), min(kafkas)
        ok_ratio, ok_time = kafka / floor <= TARGET_RATIO, kafka <= TARGET_MANY_SECONDS
        failures += [] if ok_ratio else ["ratio"]
        failures += [] if ok_time else ["1,000 cases"]
        print(f"{args.cases:,} ordinary cases (10-30 steps): YAML parse floor {floor:.2f} s, kafka load + validate + "
              f"analyse {kafka:.2f} s = {ratio(kafka, floor).strip()} (target <= {TARGET_RATIO:g}x): "
              f"{verdict(ok_ratio)}; {kafka / args.cases * 1000:.1f} ms per case, {findings:,} findings "
              f"(target < {TARGET_MANY_SECONDS:g} s: {verdict(ok_time)})", flush=True)

        kafka_program = Path(sys.executable).with_name("kafka")
        command = [str(kafka_program)] if kafka_program.exists() else [sys.executable, "-m", "kafka"]
        started = time.perf_counter()
        _, cpu = run_child(command + ["analyze", str(many), "--format", "json"])
        wall = time.perf_counter() - started
        peak = children_peak_mib()
        ok_memory = peak <= TARGET_ANALYZE_MIB
        failures += [] if ok_memory else ["memory"]
        print(f"kafka analyze {args.cases:,} cases --format json: {cpu:.2f} s of CPU ({wall:.1f} s wall), peak "
              f"memory {peak:.0f} MiB (target <= {TARGET_ANALYZE_MIB} MiB, streaming): {verdict(ok_memory)}",
              flush=True)

        from kafka.analysis import analyze
        from kafka.loader import load_case

        big = folder / "big.yaml"
        big.write_text(yaml.safe_dump(generate_case(1, args.steps, args.items), allow_unicode=True, sort_keys=False))
        started = time.process_time()
        loaded = load_case(big)
        loaded_at = time.process_time()
        assert loaded.ok, [str(p) for p in loaded.problems[:5]]
        analysis = analyze(loaded.case)
        done = time.process_time()
        big_floor = yaml_parse_floor([big])
        ok_big = done - started <= TARGET_BIG_SECONDS
        failures += [] if ok_big else ["big case"]
        print(f"one case of {args.steps:,} steps / {args.items} items: load + validate {loaded_at - started:.2f} s, "
              f"analyse {done - loaded_at:.2f} s, {len(analysis.findings)} findings; total {done - started:.2f} s "
              f"(target < {TARGET_BIG_SECONDS:g} s: {verdict(ok_big)}); YAML parse floor {big_floor:.2f} s = "
              f"{ratio(done - started, big_floor).strip()}")
    print(f"{load_line()} (at the end)")
    for failure in failures:
        print(f"  not met: {failure}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
