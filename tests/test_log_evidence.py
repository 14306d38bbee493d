"""Told versus logged: a case file's evidence: section, and kafka log to-case (kafka/log/evidence.py, tocase.py)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from kafka.cli import main
from kafka.loader import load_case, load_text
from kafka.run import RunOptions, run_case

import logdata
from logdata import MAPPING

TOLD = """\
case:
  id: leefloon-told
  title: Leefloon in OCMW Testgem, verteld en gemeten
  organisation: OCMW Testgem
  cases_per_year: 40
actors:
  client: {name: Sara, level: client}
  mw: {name: Maatschappelijk werker, level: local, organisation: OCMW Testgem}
  bcsd: {name: BCSD, level: local, organisation: OCMW Testgem}
rules:
  rmi:
    name: "RMI-wet art. 21: beslissing binnen 30 dagen"
    level: federal
    deadline_days: 30
    from: aanvraag
    to: beslissing
steps:
  - {id: aanvraag, name: Aanvraag aan het onthaal, actor: mw, client_minutes: 30, staff_minutes: 20}
  - {id: documenten, name: Documenten binnenbrengen, actor: mw, wait_days: 3, client_minutes: 60}
  - {id: onderzoek, name: Sociaal onderzoek, actor: mw, wait_days: 2, duration_days: 1, staff_minutes: 90}
  - {id: beslissing, name: Beslissing van het BCSD, actor: bcsd, wait_days: 28, kind: decision}
  - {id: kennisgeving, name: Kennisgeving, actor: mw, wait_days: 2}
evidence:
  log: logs/export.csv
  mapping: logs/export.map.yaml
  steps:
    Aanvraag: aanvraag
    Documenten: documenten
    Onderzoek: onderzoek
    Beslissing: beslissing
"""


@pytest.fixture(autouse=True)
def _no_home_key(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))


@pytest.fixture
def told(tmp_path):
    logs = tmp_path / "logs"
    logs.mkdir()
    (logs / "export.csv").write_text(logdata.csv_text(), encoding="utf-8")
    (logs / "export.map.yaml").write_text(MAPPING, encoding="utf-8")
    case = tmp_path / "told.yaml"
    case.write_text(TOLD, encoding="utf-8")
    return case


def _run(case, lang="nl"):
    loaded = load_case(case)
    assert loaded.ok, [str(p) for p in loaded.problems]
    return run_case(loaded, RunOptions.of(lang))


def test_told_versus_logged_per_step_and_per_rule(told):
    run = _run(told)
    evidence = run.analysis.evidence
    assert evidence.error is None and evidence.cases == 6
    steps = {s.step_id: s for s in evidence.steps}
    # the wait before each step's first event in a case, against the told wait_days
    onderzoek = steps["onderzoek"]
    assert onderzoek.wait.n == 6 and onderzoek.wait.median == 2.5 and onderzoek.slower == 3  # 3, 4 and 10 > 2
    beslissing = steps["beslissing"]
    assert beslissing.wait.median == 14.5 and beslissing.slower == 1  # only the 30-day wait beats the told 28
    assert steps["kennisgeving"].activities == () and steps["kennisgeving"].wait.n == 0
    (rule,) = evidence.rules
    assert (rule.measure.late, rule.measure.open_late, rule.measure.known) == (1, 1, 5)


def test_findings_say_how_many_logged_cases_they_concern(told):
    findings = {f.code: f for f in _run(told).analysis.findings}
    assert "In het logboek overschrijden 2 van 5 dossiers (40%) deze termijn." in findings["T01"].message
    assert "In het logboek wachten 1 van 4 dossiers (25%) langer dan verteld" in findings["T02"].message
    english = {f.code: f for f in _run(told, "en").analysis.findings}
    assert "In the log, 2 of 5 cases (40%) exceed this deadline." in english["T01"].message


def test_yearly_figures_use_the_logged_number_of_cases(told):
    run = _run(told)
    logged = run.analysis.evidence.cases_per_year
    assert run.analysis.case.case.cases_per_year == round(logged, 1) != 40
    assert run.analysis.metrics.annual.cases == round(logged, 1)


def test_report_shows_told_versus_logged(told, tmp_path):
    result = CliRunner().invoke(main, ["report", str(told), "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    html = (tmp_path / "out" / "leefloon-told.html").read_text(encoding="utf-8")
    assert 'id="evidence"' in html and "Verteld en gemeten" in html
    assert "14,5 d" in html and "3 / 6 (50%)" in html and "2 / 5 (40%)" in html
    assert "niet in het logboek" in html  # kennisgeving has no activity in the log
    assert "In de casus stond 40 per jaar." in html
    for word in logdata.SECRET_WORDS:
        assert word not in html


def test_a_log_that_cannot_be_read_is_a_warning_not_a_failure(told, tmp_path):
    (tmp_path / "logs" / "export.csv").unlink()
    result = CliRunner().invoke(main, ["analyze", str(told)])
    assert result.exit_code == 0, result.output
    assert "warning: evidence: logs/export.csv: no such log file" in result.output
    run = _run(told)
    assert run.analysis.evidence.error and run.analysis.case.case.cases_per_year == 40
    result = CliRunner().invoke(main, ["report", str(told), "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "Het logboek kon niet gelezen worden" in (tmp_path / "out" / "leefloon-told.html").read_text(encoding="utf-8")


def test_an_activity_the_log_does_not_have_is_a_warning(told):
    told.write_text(TOLD.replace("    Documenten: documenten", "    Documenten ontvangen: documenten"), encoding="utf-8")
    result = CliRunner().invoke(main, ["analyze", str(told)])
    assert result.exit_code == 0, result.output
    assert "evidence.steps: no activity 'Documenten ontvangen'; did you mean 'Documenten'? in export.csv" in result.output


def test_evidence_naming_an_unknown_step_is_an_error_with_its_line():
    loaded = load_text(TOLD.replace("Beslissing: beslissing", "Beslissing: besliss"), "told.yaml")
    assert not loaded.ok
    (problem,) = loaded.errors
    assert problem.line == 30 and problem.path == "evidence.steps.Beslissing"
    assert "unknown step 'besliss'; did you mean 'beslissing'?" in problem.message


def test_evidence_keys_are_checked_like_any_other():
    loaded = load_text(TOLD.replace("  mapping: logs/export.map.yaml\n", "  maping: logs/export.map.yaml\n"), "t.yaml")
    assert not loaded.ok and any("maping" in p.path for p in loaded.errors)


def test_to_case_writes_a_valid_case_whose_waits_are_the_logged_medians(tmp_path):
    logs = tmp_path / "logs"
    logs.mkdir()
    log, mapping = logs / "export.csv", logs / "export.map.yaml"
    log.write_text(logdata.csv_text(), encoding="utf-8")
    mapping.write_text(MAPPING, encoding="utf-8")
    case = tmp_path / "cases" / "from-log.yaml"
    case.parent.mkdir()
    result = CliRunner().invoke(main, ["log", "to-case", str(log), "--map", str(mapping), "-o", str(case),
                                       "--id", "leefloon-log", "-q"])
    assert result.exit_code == 0, result.output
    loaded = load_case(case)
    assert loaded.ok, [str(p) for p in loaded.problems]
    c = loaded.case
    assert c.case.id == "leefloon-log" and c.evidence.log == "../logs/export.csv"
    # the most frequent variant (tied at 2 cases: the shorter one) and its median waits
    assert [s.name for s in c.steps] == ["Aanvraag", "Onderzoek"]
    assert c.steps[1].wait_days == 3.0  # cases 4 and 6: waits of 4 and 2 days
    # and told versus logged on it works out of the box
    run = run_case(loaded, RunOptions.of("nl"))
    assert run.analysis.evidence.cases == 6 and run.analysis.evidence.error is None
    result = CliRunner().invoke(main, ["log", "to-case", str(log), "--map", str(mapping), "-o", str(case), "-q"])
    assert result.exit_code == 2 and "exists" in result.output


@pytest.mark.browser
def test_told_versus_logged_in_chromium(told, tmp_path):
    from browser import open_page

    result = CliRunner().invoke(main, ["report", str(told), "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    with open_page(tmp_path / "out" / "leefloon-told.html", width=1280, height=720) as (page, log):
        section = page.locator("#evidence")
        assert section.locator("svg.plot path.told").count() == 4
        assert section.locator("tbody tr").count() == 6  # 5 steps, 1 rule
    assert log.clean, log
