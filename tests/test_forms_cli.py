"""kafka forms (review by default) and kafka forms import, through the command line."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from kafka.cli import main

REPO_ROOT = Path(__file__).resolve().parent.parent
CASES = REPO_ROOT / "cases"
FIELDS_CSV = Path(__file__).resolve().parent / "data" / "forms" / "velden.csv"
REQUIRED_COLUMNS = ["form", "field", "attachment", "source", "local_access", "asked_in", "used_by", "verdict"]

NO_FORMS = """\
case: {id: no-forms, title: Zonder formulier, organisation: OCMW Test}
actors:
  client: {name: Cliënt, level: client}
  mw: {name: MW, level: local}
steps:
  - {id: intake, name: Intake, actor: mw}
"""


def run(*args: str):
    return CliRunner().invoke(main, list(args))


@pytest.fixture
def example_cases():
    if not any(CASES.glob("*.yaml")):
        pytest.skip("no example cases in cases/")
    return str(CASES)


@pytest.mark.parametrize("command", [["forms"], ["forms", "review"], ["forms", "import"]])
def test_help_with_h_and_an_example(command):
    result = run(*command, "-h")
    assert result.exit_code == 0, result.output
    assert "Example:" in result.output


@pytest.mark.parametrize("form", [["forms"], ["forms", "review"]])
def test_review_writes_html_and_csv(tmp_path, example_cases, form):
    out = tmp_path / "review"
    result = run(*form, example_cases, "-o", str(out))
    assert result.exit_code == 0, result.output
    assert "Wrote" in result.output
    html = (out / "forms.html").read_text(encoding="utf-8")
    assert "Formulieren doorgelicht" in html
    with open(out / "forms.csv", encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        rows = list(reader)
    assert reader.fieldnames[0] == "form" and set(REQUIRED_COLUMNS) <= set(reader.fieldnames)
    assert rows and {r["verdict"] for r in rows} <= {"keep", "prefill", "reuse", "drop"}


def test_review_in_english(tmp_path, example_cases):
    result = run("forms", example_cases, "-o", str(tmp_path), "--lang", "en")
    assert result.exit_code == 0, result.output
    assert "Forms review" in (tmp_path / "forms.html").read_text(encoding="utf-8")


def test_review_needs_an_output_folder(example_cases):
    result = run("forms", example_cases)
    assert result.exit_code == 2
    assert "Missing option '-o'" in result.output


def test_cases_without_forms_are_an_error_not_an_empty_report(tmp_path):
    case = tmp_path / "case.yaml"
    case.write_text(NO_FORMS, encoding="utf-8")
    result = run("forms", str(case), "-o", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert "has a 'forms:' block" in result.output
    assert not (tmp_path / "out" / "forms.html").exists()


def test_invalid_case_files_are_skipped_with_exit_1(tmp_path, example_cases):
    bad = tmp_path / "cases"
    bad.mkdir()
    (bad / "bad.yaml").write_text("case: [\n", encoding="utf-8")
    first = next(CASES.glob("leefloon-lindenberg.yaml"), None) or next(CASES.glob("*.yaml"))
    (bad / "good.yaml").write_text(first.read_text(encoding="utf-8"), encoding="utf-8")
    result = run("forms", str(bad), "-o", str(tmp_path / "out"))
    assert result.exit_code == 1, result.output
    assert "bad.yaml" in result.output and "invalid and skipped" in result.output
    assert (tmp_path / "out" / "forms.html").exists()


def test_unwritable_output_is_exit_3(tmp_path, example_cases):
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    result = run("forms", example_cases, "-o", str(blocker / "sub"))
    assert result.exit_code == 3, result.output
    assert "Traceback" not in result.output


def test_import_prints_yaml_and_lists_what_it_could_not_match():
    result = run("forms", "import", str(FIELDS_CSV), "--form", "aanvraag", "--name", "Aanvraag leefloon")
    assert result.exit_code == 0, result.output
    assert "11 of 12 fields recognised" in result.output
    assert "not recognised: row 11 'Hobby's en vrije tijd'" in result.output
    block = yaml.safe_load(result.stdout)
    assert block["forms"]["aanvraag"]["name"] == "Aanvraag leefloon"
    assert "household" in block["forms"]["aanvraag"]["attachments"]


def test_import_writes_a_file_and_uses_a_case_vocabulary(tmp_path):
    case = tmp_path / "case.yaml"
    case.write_text(NO_FORMS.replace("actors:", "data:\n  hobby: {name: Hobby's en vrije tijd}\nactors:"),
                    encoding="utf-8")
    out = tmp_path / "aanvraag.yaml"
    result = run("forms", "import", str(FIELDS_CSV), "--form", "aanvraag", "--case", str(case), "-o", str(out),
                 "--lang", "en")
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert "hobby" in yaml.safe_load(text)["forms"]["aanvraag"]["fields"]
    assert "12 of 12 fields recognised" in result.output
    assert "row 2" in text


@pytest.mark.parametrize("args, code, message", [
    (["--form", "Aanvraag Leefloon"], 2, "is not an id"),
    (["--form", "aanvraag", "--sheet", "Blad1"], 1, "a CSV file has no sheets"),
    (["--form", "aanvraag", "--owner", "MW!"], 2, "is not an id"),
])
def test_import_refuses_bad_options(args, code, message):
    result = run("forms", "import", str(FIELDS_CSV), *args)
    assert result.exit_code == code, result.output
    assert message in result.output


def test_import_reports_a_missing_column_without_traceback(tmp_path):
    path = tmp_path / "velden.csv"
    path.write_text("Vraag;Opmerking\nNaam;\n", encoding="utf-8")
    result = run("forms", "import", str(path), "--form", "aanvraag")
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: {path}, row 1: missing column 'attachment'")
    assert "Traceback" not in result.output


@pytest.mark.browser
def test_forms_page_in_a_browser(tmp_path, example_cases):
    """The page loads clean (no request, no script error) and its tables sort by verdict."""
    import browser
    result = run("forms", example_cases, "-o", str(tmp_path))
    assert result.exit_code == 0, result.output
    with browser.open_page(tmp_path / "forms.html") as (page, log):
        table = page.locator("table.rows").first
        header = table.locator("thead th").nth(5)  # Voorstel
        header.locator("button").click()
        first = table.locator("tbody tr").first.get_attribute("class")
        header.locator("button").click()
        last_first = table.locator("tbody tr").first.get_attribute("class")
        assert log.clean, log
    assert first == "verdict-keep"
    assert last_first in {"verdict-drop", "verdict-prefill"}


def test_import_of_a_flemish_form_counts_only_sure_matches_and_lists_the_guesses():
    path = Path(__file__).resolve().parent / "data" / "forms" / "aanvraag_steun.xlsx"
    result = run("forms", "import", str(path), "--form", "aanvraag_steun", "--name", "Aanvraag financiële steun")
    assert result.exit_code == 0, result.output
    assert "23 of 30 fields recognised, 5 to confirm, 2 not recognised" in result.output
    assert result.output.count("  to confirm: row ") == 5
    assert "to confirm: row 24 'Rekeningnummer verhuurder' -> bank_account? (or landlord_details) " \
           "[contains, 55% sure]" in result.output
