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


def test_version_1_1_metrics_in_the_json_the_text_and_the_report(shared_dir):
    jsonschema = pytest.importorskip("jsonschema")
    from click.testing import CliRunner

    from kafka.cli import main
    from kafka.export.formats import analysis_schema
    from kafka.report.data import build_case_report

    path = shared_dir / "conformance" / "premie-handicap.yaml"
    analysis = analyze(load_case(path).case)
    data = analysis.to_dict()
    jsonschema.validate(data, analysis_schema())
    assert data["metrics"]["dependency_lead_time_days"] == 71  # aanvraag needs only the discharge
    assert data["metrics"]["take_up"] == 0.4 and data["case"]["eligible_per_year"] == 600
    assert data["metrics"]["repeating_steps"] == ["hernieuwing"]

    text = CliRunner().invoke(main, ["analyze", str(path), "--lang", "en"])
    assert text.exit_code == 0, text.output
    assert "With real dependencies only  71 days" in text.output
    assert "40% (240 of 600 entitled people a year)" in text.output
    assert "every 365 days: once a year" in text.output

    from runs import case_run

    report = build_case_report(case_run(path))
    figures = {f.key: f for f in report.figures}
    assert "71" in figures["lead_time"].note
    assert figures["take_up"].value == "40" and figures["take_up"].alert
    assert "terugkerende stap" in figures["burden"].note  # counted on the card, named under the cards
    assert "Jaarlijkse hernieuwing met nieuwe attesten" in report.figures_footnote


def test_a_repeating_step_counts_365_over_n_times_a_year(shared_dir):
    from kafka.loader import load_text

    path = shared_dir / "conformance" / "premie-handicap.yaml"
    monthly = load_text(path.read_text(encoding="utf-8").replace("repeats_every_days: 365", "repeats_every_days: 73"))
    assert monthly.ok
    yearly, every_73 = analyze(load_case(path).case).metrics, analyze(monthly.case).metrics
    assert yearly.client_minutes == every_73.client_minutes == 275  # per case, each step once
    # hernieuwing: 50 client minutes, 240 cases a year, 5 times instead of once
    assert every_73.annual.client_hours - yearly.annual.client_hours == pytest.approx(4 * 50 / 60 * 240, abs=0.02)
