"""``kafka simulate`` as a user runs it: the table, JSON, --apply, --level, --write, bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from kafka.cli import main
from kafka.loader import load_case
from kafka.metrics import CONTRACT_METRICS

REPO = Path(__file__).resolve().parent.parent
CASE = REPO / "cases" / "verwarmingstoelage-ravelingen.yaml"


def run(*args):
    return CliRunner().invoke(main, ["simulate", *map(str, args)])


def test_help_has_an_example():
    result = run("-h")
    assert result.exit_code == 0
    assert "Example:" in result.output and "--apply" in result.output and "--write" in result.output


def test_text_shows_as_is_and_to_be_side_by_side():
    result = run(CASE)
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Huidig verloop" in out and "Gewenst verloop" in out
    assert "Doorlooptijd (dagen)" in out and "Toegepaste voorstellen" in out
    assert "Per jaar (420 dossiers)" in out
    assert "Valt weg" in out  # a believable change: a trip or a visit that goes


def test_text_in_english():
    result = run(CASE, "--lang", "en", "--level", "local")
    assert result.exit_code == 0, result.output
    assert "With the local proposals" in result.output and "Lead time (days)" in result.output


def test_json_has_the_contract_metrics_before_and_after():
    result = run(CASE, "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data) >= {"as_is", "to_be", "applied", "saving", "remaining", "case"}
    assert list(data["as_is"])[: len(CONTRACT_METRICS)] == list(CONTRACT_METRICS)
    for name in CONTRACT_METRICS:
        assert data["to_be"][name] <= data["as_is"][name], name
    assert all({"code", "level", "proposal", "changes"} <= set(a) for a in data["applied"])
    assert data["saving"]["euro_year"] > 0


def test_apply_takes_codes_and_prefixes():
    data = json.loads(run(CASE, "--format", "json", "--apply", "d0", "--apply", "S01").output)
    assert data["codes"] == ["D01", "D02", "D03", "S01", "D04"]  # the registry's order; D0 takes D04 too
    assert {a["code"] for a in data["applied"]} <= {"D01", "D02", "D03", "S01", "D04"}
    data = json.loads(run(CASE, "--format", "json", "--apply", "T02,L01").output)
    assert data["codes"] == ["T02", "L01"]


def test_level_local_takes_only_local_proposals():
    data = json.loads(run(CASE, "--format", "json", "--level", "local").output)
    assert data["applied"] and {a["level"] for a in data["applied"]} == {"local"}
    assert data["scenario"] == "local"


def test_unknown_code_is_a_usage_error():
    result = run(CASE, "--apply", "X1")
    assert result.exit_code == 2
    assert "'X1' matches no finding code" in result.output


def test_invalid_case_exits_1_with_its_problems(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("case: {id: x}\n", encoding="utf-8")
    result = run(bad)
    assert result.exit_code == 1
    assert "bad.yaml" in result.output and "not a valid case file" in result.output
    assert "Traceback" not in result.output


def test_write_gives_a_valid_case_file_that_analyses_again(tmp_path):
    target = tmp_path / "to-be.yaml"
    result = run(CASE, "--write", target)
    assert result.exit_code == 0, result.output
    loaded = load_case(target)
    assert loaded.ok and not loaded.warnings, [str(p) for p in loaded.problems]
    assert loaded.case.case.id == "verwarmingstoelage-ravelingen-to-be"
    again = CliRunner().invoke(main, ["analyze", str(target)])
    assert again.exit_code == 0, again.output


def test_write_never_overwrites_the_case_or_a_file_it_did_not_write(tmp_path):
    case = tmp_path / "case.yaml"
    case.write_bytes(CASE.read_bytes())
    result = run(case, "--write", case)
    assert result.exit_code == 3
    assert "refusing to overwrite the case file itself" in result.output
    other = tmp_path / "notes.yaml"
    other.write_text("mine\n", encoding="utf-8")
    result = run(case, "--write", other)
    assert result.exit_code == 3 and other.read_text(encoding="utf-8") == "mine\n"
    assert case.read_bytes() == CASE.read_bytes()


@pytest.mark.parametrize("path", sorted((REPO / "cases").glob("*.yaml")), ids=lambda p: p.stem)
def test_every_example_case_simulates(path, tmp_path):
    result = run(path, "--write", tmp_path / "to-be.yaml")
    assert result.exit_code == 0, result.output
    assert load_case(tmp_path / "to-be.yaml").ok


def test_a_folder_or_an_empty_apply_is_a_usage_error():
    result = run(REPO / "cases")
    assert result.exit_code == 2 and "simulate takes one case file" in result.output
    result = run(CASE, "--apply", "")
    assert result.exit_code == 2 and "name a finding code" in result.output


def test_a_write_target_that_cannot_be_written_fails_before_any_output(tmp_path):
    result = run(CASE, "--write", tmp_path / "missing" / "to-be.yaml")
    assert result.exit_code == 3
    assert "does not exist" in result.output and "Doorlooptijd" not in result.output
