"""Shared by the fuzzers (tests/test_fuzz.py, tests/fuzz_atheris.py): mutators, the
per-input oracle, the analysis invariants and the campaign statistics.

The oracle, :func:`run_one`: every input ends in either a valid case or a list
of :class:`kafka.diagnostics.Problem` -- never another exception, never more
than ``TIME_LIMIT`` seconds. Inputs that load as valid are analysed too, and
the analysis must not crash and must keep its figures sane
(:func:`check_analysis`).
"""

from __future__ import annotations

import json
import math
import random
import re
import signal
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from kafka.analysis import Analysis, analyze
from kafka.detectors import CODES
from kafka.diagnostics import Problem
from kafka.findings import Level
from kafka.loader import LoadedCase, load_text

REPO_ROOT = Path(__file__).resolve().parent.parent
TIME_LIMIT = 10.0  # seconds per input, generous: the machine is shared; real inputs take milliseconds


def seed_files() -> list[Path]:
    """The real case files the mutators start from: cases/ and the shared conformance cases."""
    files = sorted((REPO_ROOT / "cases").glob("*.yaml"))
    files += sorted((REPO_ROOT.parent / "shared" / "conformance").glob("*.yaml"))
    return files


def seed_texts() -> list[str]:
    return [p.read_text(encoding="utf-8") for p in seed_files()]


# --- odd material the mutators insert -------------------------------------------

ODD_TEXT = [
    "\u202e", "\u200f", "\u200b", "\u2060", "\ufeff", "\u00a0", "\u2028", "\u0085",  # bidi, zero-width, BOM, NBSP, separators
    "\U0001f600", "\U0001f469\u200d\U0001f469\u200d\U0001f467", "e\u0301", "\uffff", "\U0010ffff",
    "\x00", "\x07", "\x1b[31m", "\x7f", "\t", "\r\n", "\r", "\n", "\n\n",
    '"', "'", "\\", '"\\0"', '"\\e"', '"\\x00"', '"\\u202e"', ": ", "- ", "? ", "#", "&a ", "*a", "&a [*a, *a] ",
    "{", "}", "[", "]", ",", "|", ">", "%YAML 1.1\n", "---\n", "...\n", "!", "!!python/object/apply:os.system [echo hi]",
    "!!binary aGk=", "<<: *a", "@", "`", "=cmd|' /C calc'!A0", "<script>alert(1)</script>", "{{ 7*7 }}",
    "\\N", "];", "\ud7ff", "\U0001d54f", "٣", "١٢", "½",
]

OTHER_SCALARS = [
    "0", "-1", "-0.5", "3.5", "1e3", "1.0e+400", ".nan", ".inf", "-.inf", "0x1F", "0o17", "1_000", "99999999999999999999999",
    "true", "false", "yes", "no", "on", "null", "~", "''", '""', "[]", "{}", "[a, b]", "{to: x}", "[[[]]]",
    "2026-03-12", "2026-13-45", "12:30:00", "=1+1", "-", "?", "client", "aanmelding", "Ω", "'\u202e'",
]


def mutate(text: str, rng: random.Random, ids: list[str] | None = None) -> str:
    """Apply 1-4 random edits: delete, duplicate or swap lines, change a value's type,
    insert odd characters, swap an id for another one, change line ends or indentation."""
    lines = text.split("\n")
    ids = ids or re.findall(r"\b[a-z][a-z0-9_-]{2,}\b", text)[:200] or ["x"]
    for _ in range(rng.randint(1, 4)):
        if not lines:
            lines = [""]
        i = rng.randrange(len(lines))
        op = rng.randrange(12)
        if op == 0:
            del lines[i]
        elif op == 1:
            lines.insert(i, lines[rng.randrange(len(lines))])
        elif op == 2:
            j = rng.randrange(len(lines))
            lines[i], lines[j] = lines[j], lines[i]
        elif op == 3 and ":" in lines[i]:  # change a scalar to another type
            k = lines[i].index(":")
            lines[i] = lines[i][: k + 1] + " " + rng.choice(OTHER_SCALARS)
        elif op == 4:  # insert odd characters anywhere
            line = lines[i]
            at = rng.randrange(len(line) + 1)
            lines[i] = line[:at] + rng.choice(ODD_TEXT) + line[at:]
        elif op == 5:  # one id for another: dangling and duplicate references
            words = re.findall(r"\b[a-z][a-z0-9_-]{2,}\b", lines[i])
            if words:
                lines[i] = lines[i].replace(rng.choice(words), rng.choice(ids), 1)
        elif op == 6:  # indentation off by one, or a tab
            lines[i] = rng.choice([" ", "\t", ""]) + lines[i][rng.randint(0, 2):]
        elif op == 7:  # a line's value becomes a block of its own
            lines.insert(i + 1, " " * rng.randint(0, 8) + rng.choice(["- x", "a: 1", "- {to: x}", "-", "? y"]))
        elif op == 8:  # a number gets a new value
            lines[i] = re.sub(r"\b\d+(\.\d+)?\b", lambda m: rng.choice(["0", "-3", "1e9", "1000000001", "0.5", "7"]), lines[i], 1)
        elif op == 9:  # truncate the file
            lines = lines[:i]
        elif op == 10:  # a list in flow style loses or gains a bracket
            lines[i] = lines[i].replace(rng.choice("[]{}"), "", 1) if rng.random() < 0.5 else lines[i] + rng.choice("[]{},")
        else:  # repeat a block of lines (duplicate keys and steps)
            j = min(len(lines), i + rng.randint(1, 12))
            lines[j:j] = lines[i:j]
    out = "\n".join(lines)
    whole = rng.randrange(10)
    if whole == 0:
        out = out.replace("\n", "\r\n")
    elif whole == 1:
        out = "\ufeff" + out
    elif whole == 2:
        out = out.replace("  ", "\t")
    return out


PYDANTIC_DEFAULTS = ("Input should", "Field required", "Keys should", "Value error", "Extra inputs", "Assertion failed",
                     "String should", "List should", "Dictionary should", "Object has no attribute", "Unable to")

# --- the oracle --------------------------------------------------------------------

class TookTooLong(BaseException):
    """An input ran past its time limit (a BaseException, so no ``except Exception`` in kafka swallows it)."""


@contextmanager
def time_limit(seconds: float = TIME_LIMIT):
    def expire(signum, frame):
        raise TookTooLong(f"an input took more than {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"|`[^`]*`")
_NUMBER = re.compile(r"\d[\d,._]*")


def normalise(message: str) -> str:
    """A message without the values it quotes or counts: one entry per kind of message."""
    return re.sub(r"\s+", " ", _NUMBER.sub("#", _QUOTED.sub("'…'", message))).strip()


@dataclass
class Stats:
    """What a fuzzing campaign reached: inputs run, valid ones analysed, distinct messages."""

    inputs: int = 0
    valid: int = 0
    messages: Counter = field(default_factory=Counter)
    kinds: Counter = field(default_factory=Counter)

    def record(self, loaded: LoadedCase) -> None:
        self.inputs += 1
        self.valid += loaded.ok
        for problem in loaded.problems:
            self.messages[normalise(problem.message)] += 1
            self.kinds[problem.kind] += 1

    def merge(self, other: "Stats") -> None:
        self.inputs += other.inputs
        self.valid += other.valid
        self.messages.update(other.messages)
        self.kinds.update(other.kinds)

    def summary(self) -> str:
        return (f"{self.inputs:,} inputs, {self.valid:,} valid and analysed, "
                f"{len(self.messages)} distinct error messages ({len(self.kinds)} kinds), 0 crashes")


def run_one(raw: bytes | str, stats: Stats | None = None, *, analyse: bool = True) -> LoadedCase:
    """Load (and, when valid, analyse) one input under the time limit; fail on anything but a clean outcome."""
    with time_limit():
        loaded = load_text(raw, "fuzz.yaml")
        check_loaded(loaded)
        if analyse and loaded.ok:
            check_analysis(analyze(loaded.case))
    if stats is not None:
        stats.record(loaded)
    return loaded


def check_loaded(loaded: LoadedCase) -> None:
    assert isinstance(loaded, LoadedCase)
    if loaded.ok:
        return
    assert loaded.problems, "an invalid input must come with at least one problem"
    for problem in loaded.problems:
        assert isinstance(problem, Problem)
        assert problem.message and isinstance(problem.message, str)
        assert "Traceback" not in problem.message
        # pydantic's own wording means a structure error the loader has no message for yet
        assert not problem.message.startswith(PYDANTIC_DEFAULTS), problem.message
        assert problem.line >= 0 and problem.col >= 0
        str(problem)  # prints
        json.dumps(problem.to_dict())  # and serialises (validate --format json)


def check_analysis(analysis: Analysis) -> None:
    """The analysis of a valid case: no crash, and figures that make sense."""
    case, graph, m = analysis.case, analysis.graph, analysis.metrics
    steps = case.steps
    days = {s.id: s.wait_days + s.duration_days for s in steps}
    eps = 1e-6 * (1 + sum(days.values()))

    numbers = [v for v in _numbers(analysis.to_dict())]
    assert all(math.isfinite(v) and v >= 0 for v in numbers), "metrics must be finite and not negative"
    json.dumps(analysis.to_dict(), allow_nan=False, ensure_ascii=False)

    assert m.data_unique <= m.data_asked
    assert m.data_unique <= len(case.data)
    assert m.client_contacts <= len(steps) and m.story_count <= len(steps)
    assert m.in_person_visits <= m.client_contacts
    assert m.organisations <= m.client_contacts
    # Every step lies on some path from a first step to an end step of the loop-free
    # flow, so the longest path is at least as long as any single step's wait + duration
    # (and, a fortiori, the largest single wait on it), and at most all of them together.
    assert m.lead_time_days + eps >= max(days.values())
    assert m.lead_time_days <= sum(days.values()) + eps
    assert abs(m.waiting_days + m.touch_days - m.lead_time_days) <= eps
    assert m.flow_efficiency is None or 0 <= m.flow_efficiency <= 1
    path = m.longest_path
    assert path and len(set(path)) == len(path)
    assert graph.dag.in_degree(path[0]) == 0 and graph.dag.out_degree(path[-1]) == 0
    assert all(graph.dag.has_edge(a, b) for a, b in zip(path, path[1:]))
    assert m.handoffs <= len(path) - 1

    step_ids, data_ids = {s.id for s in steps}, set(case.data)
    for finding in analysis.findings:
        assert finding.code in CODES
        assert set(finding.steps) <= step_ids, finding
        assert set(finding.data) <= data_ids, finding
        assert finding.level in (Level.LOCAL, Level.SUPRALOCAL)
        assert finding.title and finding.message and finding.proposal.title


def _numbers(value):
    if isinstance(value, bool):
        return
    if isinstance(value, (int, float)):
        yield float(value)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _numbers(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _numbers(item)
