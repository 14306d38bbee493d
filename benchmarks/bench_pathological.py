"""Pathological step graphs: loading and analysis must stay polynomial (and quick).

Shapes (``pathological_case(shape, n)``):

- dense: every step links back to every earlier step (and on to the next one):
  about n*n/2 loop-back edges in one strongly connected group;
- chain: n steps one after the other, no ``next`` at all;
- fan-out: the first step branches to every other step, each of which ends;
- ladder: every step goes on to the next and loops back to the one before it
  (n-1 loop groups merged into one);
- fan-in: every step goes on to the next one and jumps to the last one.

A 2 MB case file holds a dense case of about 500 steps, or a chain of the
5,000 steps a case may have (``kafka.loader.MAX_STEPS``).

Before the fix (expected loop days counted with one path search per loop
edge, ``kafka.metrics.loop_expected_extra``) a dense case of 200 steps took
21.7 s to analyse and grew as n^3.5; after it, 0.8 s, about n^2. Run:

    .venv/bin/python benchmarks/bench_pathological.py [--quick]
"""

from __future__ import annotations

import argparse
import time

import yaml

from kafka.analysis import analyze
from kafka.loader import load_text


def _next(shape: str, i: int, n: int) -> list[str] | None:
    forward = [f"s{i + 1}"] if i + 1 < n else []
    if shape == "dense":
        return [f"s{j}" for j in range(i)] + forward
    if shape == "chain":
        return None
    if shape == "fan-out":
        return [f"s{j}" for j in range(1, n)] if i == 0 else []
    if shape == "ladder":
        return forward + ([f"s{i - 1}"] if i > 0 else [])
    if shape == "fan-in":
        return list(dict.fromkeys(forward + ([f"s{n - 1}"] if i < n - 1 else [])))
    raise ValueError(shape)


SHAPES = ("dense", "chain", "fan-out", "ladder", "fan-in")


def pathological_case(shape: str, n: int) -> str:
    """A valid case file of ``n`` steps in the given shape, as YAML text."""
    steps = []
    for i in range(n):
        step = {
            "id": f"s{i}", "name": f"Stap {i}", "actor": "mw" if i % 2 else "client",
            "channel": "in_person", "client_minutes": 5, "staff_minutes": 10, "wait_days": i % 5,
            "duration_days": 1, "tells_story": i % 3 == 0, "asks": ["d0"] if i % 4 == 0 else [],
        }
        nxt = _next(shape, i, n)
        if nxt is not None:
            step["next"] = nxt
        steps.append(step)
    case = {
        "case": {"id": f"{shape}-{n}", "title": f"{shape} {n}", "organisation": "OCMW"},
        "actors": {"client": {"name": "Cliënt", "level": "client"}, "mw": {"name": "MW", "level": "local"}},
        "data": {"d0": {"name": "Identiteit", "source": "rijksregister"}},
        "steps": steps,
    }
    return yaml.safe_dump(case, allow_unicode=True, sort_keys=False, width=10_000)


def measure(shape: str, n: int) -> tuple[float, float, int]:
    """Seconds to load, seconds to analyse, and the number of findings."""
    text = pathological_case(shape, n)
    start = time.perf_counter()
    loaded = load_text(text, f"{shape}-{n}.yaml")
    loaded_at = time.perf_counter()
    assert loaded.ok, [str(p) for p in loaded.problems[:3]]
    analysis = analyze(loaded.case)
    return loaded_at - start, time.perf_counter() - loaded_at, len(analysis.findings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="smaller sizes only")
    args = parser.parse_args()
    sizes = {
        "dense": [50, 100, 200] + ([] if args.quick else [400]),
        "chain": [500, 1000] + ([] if args.quick else [5000]),
        "fan-out": [500, 1000] + ([] if args.quick else [5000]),
        "ladder": [500, 1000] + ([] if args.quick else [5000]),
        "fan-in": [100, 200] + ([] if args.quick else [400]),
    }
    print(f"{'shape':<9}{'steps':>7}{'load s':>9}{'analyse s':>11}{'findings':>10}")
    for shape in SHAPES:
        for n in sizes[shape]:
            load_s, analyse_s, findings = measure(shape, n)
            print(f"{shape:<9}{n:>7}{load_s:>9.2f}{analyse_s:>11.2f}{findings:>10}", flush=True)
    print("target: every shape at the largest size a case file allows, loaded and analysed in under 10 s")


if __name__ == "__main__":
    main()
