"""Aggregation speed and memory: `kafka aggregate` on generated folders of cases (issues 5 and 19).

Targets, for 1,000 cases on 2 cores: a full run (every case report included)
at most 3x its floor in CPU (each case parsed and its map drawn once:
benchmarks/floors.py) and under 60 s wall, under 1 GiB of memory; a second
run with nothing changed under 2 s; a run after 1% of the files changed no
longer than that plus what those cases cost in the full run; ``--jobs 2``
faster than ``--jobs 1``. Run:

    .venv/bin/python benchmarks/bench_aggregate.py [--sizes 100 1000 5000] [--jobs 2]

For each size the cases are generated first (benchmarks/generate_cases.py,
not timed), then ``kafka aggregate`` runs as a child process, three times:
a full run, a second run with nothing changed (the manifest cache), and a
run after 1% of the files changed; at the largest size a full run with
``--jobs 1`` follows. Measured per run:

* wall time, and CPU time (user + system of the command and its workers,
  sampled from /proc every 50 ms: the last moments of a process may be missed);
* peak memory: the largest sum of the resident sets of the whole process
  tree (the command, its forkserver and workers), sampled every 50 ms (an
  over-estimate where processes share pages), and the largest resident set
  of a single process;
* the size of the site on disk;
* the runs recorded in the site's history.sqlite after each run (a run with
  nothing changed must not add one).

Each row prints its CPU time as a multiple of the floor; the summary at the
end prints every target next to its figure: the full run's CPU against 3x the
floor and its wall time against 60 s, nothing changed against 2 s, 1% changed
against nothing changed plus those cases' share of the full run, and
``--jobs 2`` against ``--jobs 1``.

The machine's load average is printed with the figures: on a machine shared
with other work, wall time is longer than CPU time / jobs.

kafka runs from a snapshot of the repository's ``kafka/`` and ``templates/``
taken at the start, so that edits made while the benchmark runs (the cache
key includes kafka's own code) do not turn "nothing changed" into a full run.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from floors import aggregate_floor, load_line, ratio, verdict  # noqa: E402
from generate_cases import write_cases  # noqa: E402

TARGET_SECONDS = 60
TARGET_BYTES = 1 << 30
TARGET_RATIO = 3.0
TARGET_WARM_SECONDS = 2.0


_TICKS = os.sysconf("SC_CLK_TCK")


def tree(root: int) -> set[int]:
    """``root`` and all its descendants, from /proc."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as handle:
                fields = handle.read().rsplit(b")", 1)[1].split()
            parents[int(entry)] = int(fields[1])
        except (OSError, IndexError, ValueError):
            continue
    members, frontier = {root}, [root]
    while frontier:
        parent = frontier.pop()
        for pid, ppid in parents.items():
            if ppid == parent and pid not in members:
                members.add(pid)
                frontier.append(pid)
    return members


def cpu_seconds(pid: int) -> float:
    """User + system time of one process so far (not of its children)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            fields = handle.read().rsplit(b")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / _TICKS  # utime, stime
    except (OSError, IndexError, ValueError):
        return 0.0


def rss(pid: int) -> int:
    """Bytes resident in one process."""
    try:
        with open(f"/proc/{pid}/status") as handle:
            for line in handle:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def run(command: list[str], env: dict) -> dict:
    """Run ``command``; its wall time, CPU time and peak memory."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env,
                               cwd=env["PYTHONPATH"])
    peak = largest = 0
    cpu: dict[int, float] = {}  # per process of the tree, the most CPU time seen
    done = threading.Event()

    def sample() -> None:
        # The workers are children of a forkserver that nobody waits for, so
        # getrusage(RUSAGE_CHILDREN) would miss them: their CPU time is sampled too.
        nonlocal peak, largest
        while not done.is_set():
            members = tree(process.pid)
            sizes = [rss(pid) for pid in members]
            peak = max(peak, sum(sizes))
            largest = max(largest, *sizes, 0)
            for pid in members:
                cpu[pid] = max(cpu.get(pid, 0.0), cpu_seconds(pid))
            done.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, stderr = process.communicate()
    wall = time.perf_counter() - start
    done.set()
    sampler.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({process.returncode}):\n{stderr.decode()[-2000:]}")
    return {
        "wall": wall,
        # the command itself, measured exactly when it is reaped, plus what its descendants used
        "cpu": max((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime),
                   sum(cpu.values())),
        "tree_rss": peak,
        "max_process_rss": max(largest, after.ru_maxrss * 1024),  # ru_maxrss: kB on Linux
    }


def folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


REPO = HERE.parent


def snapshot(work: Path) -> dict:
    """A frozen copy of kafka to run, and the environment that runs it."""
    target = work / "snapshot"
    shutil.rmtree(target, ignore_errors=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(REPO / "kafka", target / "kafka", ignore=ignore)
    shutil.copytree(REPO / "templates", target / "templates", ignore=ignore)
    env = {**os.environ, "PYTHONPATH": str(target)}
    # As an installed kafka: its modules compiled once (pip does it at install), not at every run.
    # A shell with PYTHONDONTWRITEBYTECODE set would make every run compile all of kafka again
    # (0.3 s of CPU here), which no user pays; the snapshot's first run writes the compiled files.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def bench(size: int, jobs: int, work: Path, env: dict, extra: list[str], jobs_one: bool = False) -> list[dict]:
    cases, site = work / f"cases-{size}", work / f"site-{size}"
    start = time.perf_counter()
    paths = write_cases(cases, size, seed=7)
    print(f"\n{size:,} cases generated in {time.perf_counter() - start:.1f} s (not timed below)", flush=True)
    command = [sys.executable, "-m", "kafka", "aggregate", str(cases), "-o", str(site), "--jobs", str(jobs), *extra]
    floor = aggregate_floor(paths)
    print(f"  floor (each case parsed and its map drawn once, one process): {floor:.1f} s of CPU", flush=True)
    rows = []
    runs = [
        ("full run", lambda: shutil.rmtree(site, ignore_errors=True), command),
        ("nothing changed", lambda: None, command),
        ("1% of files changed", lambda: _touch(paths[:: 100]), command),
    ]
    if jobs_one:
        runs.append(("full run, --jobs 1", lambda: shutil.rmtree(site, ignore_errors=True),
                     [*command[:command.index("--jobs") + 1], "1", *command[command.index("--jobs") + 2:]]))
    for label, prepare, argv in runs:
        prepare()
        load = os.getloadavg()[0]
        figures = run(argv, env)
        figures.update(label=label, size=size, load=load, disk=folder_size(site), floor=floor,
                       changed=len(paths[:: 100]), runs=recorded_runs(site))
        rows.append(figures)
        _print(figures, jobs if "--jobs 1" not in label else 1)
    return rows


def recorded_runs(site: Path) -> int:
    """The runs history.sqlite holds (0 when there is none)."""
    path = site / "history.sqlite"
    if not path.is_file():
        return 0
    with sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True) as db:
        return db.execute("SELECT count(*) FROM runs").fetchone()[0]


def _touch(paths: list[Path]) -> None:
    for path in paths:  # a real change: the content hash must differ
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("cases_per_year: ", "cases_per_year: 1", 1), encoding="utf-8")


def _print(f: dict, jobs: int) -> None:
    mib = 1 << 20
    print(f"  {f['label']:<22} wall {f['wall']:6.1f} s   cpu {f['cpu']:6.1f} s ({f['cpu'] / jobs:5.1f} s per core, "
          f"{ratio(f['cpu'], f['floor']).strip()} the floor)   "
          f"peak tree RSS {f['tree_rss'] / mib:6.0f} MiB   largest process {f['max_process_rss'] / mib:5.0f} MiB   "
          f"site {f['disk'] / mib:6.0f} MiB   runs in history.sqlite {f['runs']}   load avg at start {f['load']:.1f}",
          flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--jobs", type=int, default=2, help="worker processes (default 2: the target machine)")
    parser.add_argument("--keep", type=Path, help="keep the generated cases and sites in this folder")
    parser.add_argument("--to-be", action="store_true", help="run kafka aggregate --to-be (the to-be maps too)")
    args = parser.parse_args()
    extra = ["--to-be"] if args.to_be else []
    print(f"kafka aggregate benchmark: {os.cpu_count()} cores here, --jobs {args.jobs} {' '.join(extra)}")
    with tempfile.TemporaryDirectory() as tmp:
        work = (args.keep or Path(tmp)).resolve()
        work.mkdir(parents=True, exist_ok=True)
        env = snapshot(work)
        results = [row for size in args.sizes
                   for row in bench(size, args.jobs, work, env, extra, jobs_one=size == max(args.sizes))]
    failed = judge(results, args.jobs)
    print(f"{load_line()} (at the end)")
    return 1 if failed else 0


def judge(results: list[dict], jobs: int) -> bool:
    """Print each target next to its figure; True when one is missed."""
    failed = False
    for size in sorted({row["size"] for row in results}):
        by = {row["label"]: row for row in results if row["size"] == size}
        full, warm, changed = by["full run"], by["nothing changed"], by["1% of files changed"]
        per_case = full["cpu"] / size / jobs  # wall a case costs, both cores busy
        checks = [
            (f"full run CPU {full['cpu']:.1f} s = {ratio(full['cpu'], full['floor']).strip()} the floor "
             f"{full['floor']:.1f} s", full["cpu"] <= TARGET_RATIO * full["floor"], f"<= {TARGET_RATIO:g}x"),
            (f"full run wall {full['wall']:.1f} s, peak {full['tree_rss'] / (1 << 20):.0f} MiB",
             size != 1000 or (full["wall"] < TARGET_SECONDS and full["tree_rss"] < TARGET_BYTES),
             f"< {TARGET_SECONDS} s, < 1,024 MiB (1,000 cases)"),
            (f"nothing changed {warm['wall']:.1f} s wall, cpu {warm['cpu']:.1f} s", warm["wall"] <= TARGET_WARM_SECONDS,
             f"<= {TARGET_WARM_SECONDS:g} s"),
            (f"nothing changed added {warm['runs'] - full['runs']} run(s) to history.sqlite",
             warm["runs"] == full["runs"], "0"),
            (f"1% changed {changed['wall']:.1f} s wall", changed["wall"] <= warm["wall"] + changed["changed"] * per_case,
             f"<= nothing changed + {changed['changed']} cases x {per_case:.2f} s = "
             f"{warm['wall'] + changed['changed'] * per_case:.1f} s"),
        ]
        if "full run, --jobs 1" in by:
            one = by["full run, --jobs 1"]
            checks.append((f"--jobs {jobs} {full['wall']:.1f} s wall vs --jobs 1 {one['wall']:.1f} s",
                           full["wall"] < one["wall"], "faster"))
        print(f"\n{size:,} cases:")
        for text, ok, target in checks:
            failed |= not ok
            print(f"  {text:<62} (target {target}): {verdict(ok)}")
    return failed


if __name__ == "__main__":
    sys.exit(main())
