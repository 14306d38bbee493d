"""Resource limits: file size, number of steps, number of problems, and analysis time on
pathological step graphs (benchmarks/bench_pathological.py has the figures)."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

from kafka import yamlsource
from kafka.analysis import analyze
from kafka.loader import MAX_PROBLEMS, MAX_STEPS, load_case, load_text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
from bench_pathological import pathological_case  # noqa: E402

import fuzzlib  # noqa: E402

# Generous: the machine is shared with teammates' test runs. The old loop count took
# 21 s at 200 dense steps and grew as n^3.5, so 250 steps would have taken 40 s.
BOUND_SECONDS = 20


def _small_case(extra_steps: str = "") -> str:
    return (
        "case: {id: a, title: A, organisation: OCMW}\n"
        "actors: {client: {name: C, level: client}}\n"
        "steps:\n  - {id: s0, name: Start, actor: client}\n" + extra_steps
    )


# --- file size ---------------------------------------------------------------------

def test_a_file_over_the_size_limit_is_refused_without_being_read(tmp_path, monkeypatch):
    path = tmp_path / "big.yaml"
    with open(path, "wb") as handle:  # sparse: no need to write 2 MB
        handle.truncate(yamlsource.MAX_FILE_BYTES + 1)
    monkeypatch.setattr(Path, "read_bytes", lambda self: pytest.fail("an oversized file must not be read"))
    loaded = load_case(path)
    assert not loaded.ok
    [problem] = loaded.problems
    assert problem.kind == "too-large"
    assert f"{yamlsource.MAX_FILE_BYTES:,}" in problem.message and str(path) == problem.file


def test_a_file_of_exactly_the_size_limit_is_read(tmp_path):
    text = _small_case()
    text += "#" * (yamlsource.MAX_FILE_BYTES - len(text.encode()) - 1) + "\n"
    path = tmp_path / "full.yaml"
    path.write_text(text, encoding="utf-8")
    assert path.stat().st_size == yamlsource.MAX_FILE_BYTES
    loaded = load_case(path)
    assert loaded.ok, [str(p) for p in loaded.problems]


@pytest.mark.parametrize("as_bytes", [True, False])
def test_content_over_the_size_limit_is_refused(as_bytes):
    text = _small_case() + "#" * yamlsource.MAX_FILE_BYTES + "\n"
    loaded = load_text(text.encode() if as_bytes else text, "live.yaml")
    assert [p.kind for p in loaded.problems] == ["too-large"]


# --- number of steps ----------------------------------------------------------------

def _steps(n: int) -> str:
    return "".join(f"  - {{id: s{i}, name: Stap {i}, actor: client, wait_days: 1}}\n" for i in range(1, n))


def test_a_case_with_the_maximum_number_of_steps_loads_and_is_analysed():
    loaded = load_text(_small_case(_steps(MAX_STEPS)), "max.yaml")
    assert loaded.ok, [str(p) for p in loaded.problems[:3]]
    assert len(loaded.case.steps) == MAX_STEPS
    fuzzlib.check_analysis(analyze(loaded.case))


def test_one_step_over_the_maximum_is_refused_with_a_clear_message():
    loaded = load_text(_small_case(_steps(MAX_STEPS + 1)), "over.yaml")
    assert not loaded.ok
    [problem] = loaded.problems
    assert problem.kind == "too-large" and problem.path == "steps" and problem.line == 4  # the list's first item
    assert f"{MAX_STEPS + 1:,} steps is more than the {MAX_STEPS:,}" in problem.message


# --- number of problems -------------------------------------------------------------------

def test_problems_are_capped_and_the_rest_counted():
    bad = "".join(f"  - {{id: s{i}, name: S, actor: ghost{i}}}\n" for i in range(1, 500))
    loaded = load_text(_small_case(bad), "many.yaml")
    assert len(loaded.problems) == MAX_PROBLEMS + 1
    assert loaded.problems[-1].message == f"{499 - MAX_PROBLEMS:,} more problems are not shown; fix the ones above first"
    assert not loaded.ok


def test_many_warnings_alone_keep_the_case_valid():
    # Every step after an early end is unreachable: one warning each, beyond the cap.
    ends = "  - {id: s1, name: Einde, actor: client, next: []}\n"
    unreachable = "".join(f"  - {{id: s{i}, name: S, actor: client}}\n" for i in range(2, 400))
    loaded = load_text(_small_case(ends + unreachable), "warnings.yaml")
    assert len(loaded.problems) == MAX_PROBLEMS + 1
    assert loaded.ok, "the summary of hidden warnings must not turn them into an error"


# --- pathological step graphs ---------------------------------------------------------------

@pytest.mark.parametrize("shape, n", [
    ("dense", 250),  # every step loops back to every earlier one: 31,000 loop-back edges
    ("chain", MAX_STEPS),
    ("fan-out", 2000),
    ("ladder", 2000),
])
def test_pathological_graphs_are_analysed_in_polynomial_time(shape, n):
    text = pathological_case(shape, n)
    start = time.perf_counter()
    loaded = load_text(text, f"{shape}.yaml")
    assert loaded.ok, [str(p) for p in loaded.problems[:3]]
    analysis = analyze(loaded.case)
    seconds = time.perf_counter() - start
    assert seconds < BOUND_SECONDS, f"{shape} with {n} steps took {seconds:.1f} s"
    fuzzlib.check_analysis(analysis)
    if shape == "dense":
        assert [f.code for f in analysis.findings].count("L01") == 1  # one group holds every step
        assert analysis.metrics.loop_extra_days > 0


def test_dense_loops_take_one_path_search_per_loop_target(monkeypatch):
    # Counted, not timed (timings belong in benchmarks/bench_pathological.py): every
    # step of a dense case loops back to every earlier one, n^2/2 loop edges. The loop
    # days need one linear path pass per loop *target* (n of them), which keeps the
    # analysis quadratic; the old per-edge search was n^3.5.
    from kafka.graph import CaseGraph

    passes = []
    real = CaseGraph.longest_from
    monkeypatch.setattr(CaseGraph, "longest_from", lambda self, *a: passes.append(a[0]) or real(self, *a))
    n = 120
    loaded = load_text(pathological_case("dense", n), "dense.yaml")
    analyze(loaded.case)
    edges = sum(len(s.next or ()) for s in loaded.case.steps)
    assert edges > n * (n - 1) / 2  # really dense
    # compute_metrics and L01 share one pass per target (CaseGraph.path_totals), and the
    # longest path takes one more: n + 1 passes at most, not n^2.
    assert len(passes) <= n + 1, f"{len(passes)} path passes for {n} steps"
