"""The physical floors the benchmarks measure kafka against (issue 19), in the same run.

A floor is the least work any tool must do for the same output, done with the
same libraries kafka uses, with nothing of kafka's own in it:

* **YAML parse floor** of a case file: reading it and ``yaml.load`` with
  PyYAML's C loader (``CSafeLoader``) - the fastest way to turn the file
  into Python data. kafka reads the same C parser's events, but also keeps
  the line of every value, bounds the work and reports every problem.
* **Graphviz floor** of a map: Graphviz (pygraphviz, in-process) lays out
  and draws a map of the case's steps and edges as SVG with ``dot``: plain
  boxes labelled with the step names, the edges as they are in the file.
  kafka's maps carry much more (lanes, findings, waits, routes of its own).
* **aggregate floor** of a folder: each case file parsed and its map drawn
  once, as above, in one process (:func:`aggregate_floor`): the least an
  aggregation that shows every case must do.

:func:`map_floor_process` runs the Graphviz floor of a report in a fresh
process: it parses the case file and draws the report's maps (the as-is map
from the parsed file, the to-be maps from plain step and edge lists that
kafka worked out beforehand, not timed), and gives both the CPU time of that
work and of the whole process (interpreter start and imports included).
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

MAP_FLOOR_SCRIPT = r"""
import json, sys, time
started = time.process_time()
import pygraphviz, yaml

def plain_map(steps, edges):
    graph = pygraphviz.AGraph(directed=True)
    for step_id, name in steps:
        graph.add_node(step_id, label=name, shape="box")
    for source, target in edges:
        graph.add_edge(source, target)
    return graph.draw(format="svg", prog="dot")

def file_edges(steps):
    edges = []
    for i, step in enumerate(steps):
        following = step.get("next")
        if following is None:
            following = [steps[i + 1]["id"]] if i + 1 < len(steps) else []
        edges += [(step["id"], n["to"] if isinstance(n, dict) else n) for n in following]
    return edges

imported = time.process_time()
with open(sys.argv[1], "rb") as handle:
    data = yaml.load(handle.read(), Loader=yaml.CSafeLoader)
steps = data["steps"]
plain_map([(s["id"], s["name"]) for s in steps], file_edges(steps))
with open(sys.argv[2], encoding="utf-8") as handle:
    extras = json.load(handle)
for extra in extras:
    plain_map(extra["steps"], extra["edges"])
print(time.process_time() - imported, imported - started)
"""


AGGREGATE_FLOOR_SCRIPT = r"""
import sys, time
import pygraphviz, yaml
started = time.process_time()
for path in sys.argv[1:]:
    with open(path, "rb") as handle:
        data = yaml.load(handle.read(), Loader=yaml.CSafeLoader)
    steps = data["steps"]
    graph = pygraphviz.AGraph(directed=True)
    for i, step in enumerate(steps):
        graph.add_node(step["id"], label=step["name"], shape="box")
        following = step.get("next")
        if following is None:
            following = [steps[i + 1]["id"]] if i + 1 < len(steps) else []
        for n in following:
            graph.add_edge(step["id"], n["to"] if isinstance(n, dict) else n)
    graph.draw(format="svg", prog="dot")
print(time.process_time() - started)
"""


def aggregate_floor(paths: list[Path]) -> float:
    """CPU seconds to parse every case file and draw its map once with Graphviz (one process)."""
    total = 0.0
    for start in range(0, len(paths), 500):  # a command line of a few hundred paths at a time
        done, _ = run_child([sys.executable, "-c", AGGREGATE_FLOOR_SCRIPT, *map(str, paths[start:start + 500])])
        total += float(done.stdout.split()[0])
    return total


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_child(command: list[str], **kwargs) -> tuple[subprocess.CompletedProcess, float]:
    """Run a process to its end: its result and the CPU seconds it (and what it waited for) used."""
    before = children_cpu()
    done = subprocess.run(command, capture_output=True, text=True, **kwargs)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(map(str, command))} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return done, children_cpu() - before


def to_be_maps(case_path: Path) -> list[dict]:
    """The steps and edges of the two to-be maps kafka draws for the case (worked out here, not timed)."""
    from kafka.loader import load_case
    from kafka.run import RunOptions, run_case

    run = run_case(load_case(case_path), RunOptions.of())
    maps = []
    for scenario in (run.scenarios or {}).values():
        graph = scenario.to_be_analysis.graph
        maps.append({"steps": [(s.id, s.name) for s in scenario.to_be_case.steps],
                     "edges": [list(edge) for edge in graph.flow.edges()]})
    return maps


def map_floor_process(case_path: Path, to_be: list[dict] | None = None, repeat: int = 3) -> tuple[float, float]:
    """(CPU of the work, CPU of the whole process), the least of ``repeat`` runs."""
    work = whole = float("inf")
    with tempfile.NamedTemporaryFile("w", suffix=".json", encoding="utf-8") as extra:
        json.dump(to_be or [], extra)
        extra.flush()
        for _ in range(repeat):
            done, cpu = run_child([sys.executable, "-c", MAP_FLOOR_SCRIPT, str(case_path), extra.name])
            work = min(work, float(done.stdout.split()[0]))
            whole = min(whole, cpu)
    return work, whole


def yaml_parse_floor(paths: list[Path]) -> float:
    """CPU seconds to read and parse every file with PyYAML's C loader, in this process."""
    started = time.process_time()
    for path in paths:
        with open(path, "rb") as handle:
            yaml.load(handle.read(), Loader=yaml.CSafeLoader)
    return time.process_time() - started


def interpreter_floor(repeat: int = 5) -> float:
    """CPU seconds of a bare ``python -c pass`` (interpreter start), the least of ``repeat``."""
    return min(run_child([sys.executable, "-c", "pass"])[1] for _ in range(repeat))


def load_line() -> str:
    return f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs"


def ratio(value: float, floor: float) -> str:
    return f"{value / floor:5.1f}x" if floor > 0 else "   n/a"


def verdict(ok: bool) -> str:
    return "met" if ok else "NOT MET"


def scratch() -> tempfile.TemporaryDirectory:
    return tempfile.TemporaryDirectory(prefix="kafka-bench-")
