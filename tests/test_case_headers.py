"""Every example case in cases/ says in its header comment which findings and
metrics it gives, worked out by hand from the contract; the analysis must give
exactly those (code, steps, data of the data findings, level; every metric).

The header lists one finding per entry, continued on indented lines::

    #  D01 identity (onthaal, intake)  -> supralocal
    #  P02 uses [household, pension] (beslissing)  -> local
    #  T01 rmi_beslissing: 46 days > 30 (onthaal, beslissing)  -> supralocal
    # Metrics: lead_time_days 101, client_minutes 895, ...
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kafka.analysis import analyze
from kafka.loader import load_case

REPO = Path(__file__).resolve().parent.parent
CASES = sorted((REPO / "cases").glob("*.yaml"))
DATA_CODES = {"D01", "D02", "D03", "D04", "P01", "P02", "P04", "R01", "N01"}
ENTRY = re.compile(r"^#\s{2,}([A-Z]\d{2})\s(.*)$")  # "#  D01 ...": an entry; "# P02 does not..." is prose
METRIC = re.compile(r"([a-z_]+) (-?[\d.]+)")


def header(path: Path) -> list[str]:
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        lines.append(line)
    return lines


def expected_findings(path: Path) -> set[tuple]:
    found, entry = set(), None
    for line in header(path):
        match = ENTRY.match(line)
        if match and entry is None:
            entry = [match.group(1), match.group(2)]
        elif entry is not None:
            entry[1] += " " + line.lstrip("#").strip()
        if entry is not None and "->" in entry[1]:
            found.add(_finding(*entry))
            entry = None
    assert entry is None, f"{path.name}: an unfinished entry in the header: {entry}"
    return found


def _finding(code: str, body: str) -> tuple:
    body, level = body.rsplit("->", 1)
    head, steps = body.rstrip().rsplit("(", 1)
    step_ids = frozenset(s.strip() for s in steps.rstrip(")").split(","))
    data: frozenset[str] = frozenset()
    if code in DATA_CODES:
        listed = re.search(r"\[(.*)\]", head)
        words = listed.group(1).split(",") if listed else head.split()
        data = frozenset(w.strip() for w in words if w.strip())
    return code, step_ids, data, level.strip()


def expected_metrics(path: Path) -> dict[str, float]:
    """The 'name value' pairs after 'Metrics:', up to the end of that sentence."""
    text = " ".join(line.lstrip("#").strip() for line in header(path))
    block = text[text.index("Metrics:"):]
    block = re.split(r"\.(\s|$)", block, maxsplit=1)[0]
    return {name: float(value) for name, value in METRIC.findall(block)}


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_the_header_lists_exactly_the_findings(path):
    analysis = analyze(load_case(path).case)
    have = {
        (f.code, frozenset(f.steps), frozenset(f.data) if f.code in DATA_CODES else frozenset(), f.level.value)
        for f in analysis.findings
    }
    want = expected_findings(path)
    assert want, f"{path.name} lists no findings in its header"
    assert have - want == set(), "found but not in the header"
    assert want - have == set(), "in the header but not found"


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_the_header_gives_the_metrics(path):
    metrics = analyze(load_case(path).case).metrics.contract()
    want = expected_metrics(path)
    assert set(metrics) <= set(want), f"{path.name}: the header lacks {set(metrics) - set(want)}"
    for name, value in metrics.items():
        assert value == pytest.approx(want[name]), name


def test_every_code_fires_at_both_levels_across_the_cases():
    from kafka.detectors import CODES

    seen = {(f.code, f.level.value) for path in CASES for f in analyze(load_case(path).case).findings}
    missing = [(code, level) for code in CODES for level in ("local", "supralocal") if (code, level) not in seen]
    assert not missing, f"no example case gives {missing}"


def test_every_key_of_version_1_1_is_used_by_some_case():
    cases = [load_case(path).case for path in CASES]
    used = {
        "eligible_per_year": any(c.case.eligible_per_year for c in cases),
        "case_manager": any(a.case_manager for c in cases for a in c.actors.values()),
        "proves": any(i.proves for c in cases for i in c.data.values()),
        "stable": any(i.stable for c in cases for i in c.data.values()),
        "depends_on": any(s.depends_on is not None for c in cases for s in c.steps),
        "repeats_every_days": any(s.repeats_every_days for c in cases for s in c.steps),
        "binds": any(r.binds == "client" for c in cases for r in c.rules.values()),
    }
    assert all(used.values()), [key for key, ok in used.items() if not ok]
