"""The conformance cases of ../shared/conformance must give exactly the expected analysis.

Compared as ../shared/conformance/README.md says: every expected metric equal;
findings as a set keyed by code, the set of steps and (for D01-D04, P01, P02,
P04, R01 and N01) the set of data; nothing missing, nothing extra; the same level.
"""

from __future__ import annotations

import json

import pytest

from kafka.analysis import analyze
from kafka.loader import load_case

DATA_CODES = {"D01", "D02", "D03", "D04", "P01", "P02", "P04", "R01", "N01"}


def _key(finding: dict) -> tuple:
    data = frozenset(finding["data"]) if finding["code"] in DATA_CODES else frozenset()
    return (finding["code"], frozenset(finding["steps"]), data)


def _conformance_cases(shared_dir):
    cases = sorted((shared_dir / "conformance").glob("*.yaml"))
    assert cases, "no conformance cases found"
    return cases


def test_every_conformance_case_matches(shared_dir):
    for case_file in _conformance_cases(shared_dir):
        expected = json.loads(case_file.with_name(case_file.stem + ".expected.json").read_text())
        loaded = load_case(case_file)
        assert loaded.ok, [str(p) for p in loaded.problems]
        got = analyze(loaded.case).to_dict()

        for name, value in expected["metrics"].items():
            assert got["metrics"][name] == pytest.approx(value), f"{case_file.name}: metric {name}"

        want = {_key(f): f["level"] for f in expected["findings"]}
        have = {_key(f): f["level"] for f in got["findings"]}
        assert len(have) == len(got["findings"]), f"{case_file.name}: duplicate findings"
        assert set(have) - set(want) == set(), f"{case_file.name}: unexpected findings"
        assert set(want) - set(have) == set(), f"{case_file.name}: missing findings"
        for key, level in want.items():
            assert have[key] == level, f"{case_file.name}: level of {key}"


def test_conformance_through_the_cli_json(shared_dir):
    from click.testing import CliRunner

    from kafka.cli import main

    case_file = _conformance_cases(shared_dir)[0]
    result = CliRunner().invoke(main, ["analyze", str(case_file), "--format", "json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert set(payload) >= {"case", "metrics", "findings"}
    for finding in payload["findings"]:
        assert set(finding) >= {"code", "title", "message", "severity", "level", "steps", "data", "proposal"}
        assert set(finding["proposal"]) >= {"title", "text", "level"}
