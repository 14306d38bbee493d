"""kafka report: files written, invalid input skipped, clear errors."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from kafka.cli import main

REPO = Path(__file__).resolve().parent.parent

SMALL = """
case: {id: "%s", title: Klein, organisation: OCMW Klein}
actors:
  client: {name: Cliënt, level: client}
  desk: {name: Onthaal, level: local}
steps:
  - {id: a, name: Aanmelden, actor: desk, client_minutes: 10, tells_story: true}
  - {id: b, name: Opnieuw vertellen, actor: desk, client_minutes: 10, tells_story: true}
"""


def test_writes_one_file_per_case_named_after_the_case_id(tmp_path, write_case):
    (tmp_path / "in").mkdir()
    write_case(tmp_path / "in", SMALL % "klein-een", name="een.yaml")
    write_case(tmp_path / "in", SMALL % "klein-twee", name="twee.yaml")
    result = CliRunner().invoke(main, ["report", str(tmp_path / "in"), "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["klein-een.html", "klein-twee.html"]
    assert result.output.count("wrote ") == 2
    html = (tmp_path / "out" / "klein-een.html").read_text(encoding="utf-8")
    assert "S01" in html and "<svg" in html


def test_english_with_lang_en(tmp_path, write_case):
    path = write_case(SMALL % "klein")
    result = CliRunner().invoke(main, ["report", str(path), "-o", str(tmp_path / "out"), "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert '<html lang="en">' in (tmp_path / "out" / "klein.html").read_text(encoding="utf-8")


def test_invalid_cases_are_reported_and_skipped_with_exit_code_1(tmp_path, write_case):
    (tmp_path / "in").mkdir()
    write_case(tmp_path / "in", SMALL % "goed", name="goed.yaml")
    write_case(tmp_path / "in", "case: {id: kapot}\nsteps: 3\n", name="kapot.yaml")
    result = CliRunner().invoke(main, ["report", str(tmp_path / "in"), "-o", str(tmp_path / "out")])
    assert result.exit_code == 1, result.output
    assert (tmp_path / "out" / "goed.html").exists()
    assert "kapot.yaml" in result.output and "1 of 2 case files were invalid" in result.output
    assert "Traceback" not in result.output


def test_a_repeated_case_id_is_reported_and_skipped(tmp_path, write_case):
    (tmp_path / "in").mkdir()
    write_case(tmp_path / "in", SMALL % "zelfde", name="a.yaml")
    write_case(tmp_path / "in", SMALL % "zelfde", name="b.yaml")
    result = CliRunner().invoke(main, ["report", str(tmp_path / "in"), "-o", str(tmp_path / "out")])
    assert result.exit_code == 1, result.output
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["zelfde.html"]
    assert "b.yaml" in result.output and "also used by" in result.output


def test_an_output_path_that_is_a_file_is_a_clear_error(tmp_path, write_case):
    path = write_case(SMALL % "klein")
    blocker = tmp_path / "occupied"
    blocker.write_text("not a folder")
    result = CliRunner().invoke(main, ["report", str(path), "-o", str(blocker)])
    assert result.exit_code != 0
    assert "Traceback" not in result.output
    assert blocker.read_text() == "not a folder"


def test_an_output_folder_that_cannot_be_created_is_an_output_error(tmp_path, write_case):
    path = write_case(SMALL % "klein")
    blocker = tmp_path / "occupied"
    blocker.write_text("not a folder")
    result = CliRunner().invoke(main, ["report", str(path), "-o", str(blocker / "sub")])
    assert result.exit_code == 3, result.output  # ExitCode.OUTPUT_ERROR
    assert "cannot create the output folder" in result.output
    assert "Traceback" not in result.output


def test_wrong_setting_fails_before_any_work(tmp_path, write_case):
    path = write_case(SMALL % "klein")
    result = CliRunner().invoke(main, ["report", str(path), "-o", str(tmp_path / "out"), "--set", "nope=1"])
    assert result.exit_code == 2  # a usage error, found while parsing the options
    assert "unknown setting 'nope'" in result.output
    assert not (tmp_path / "out").exists()


def test_help_has_an_example():
    result = CliRunner().invoke(main, ["report", "-h"])
    assert result.exit_code == 0
    assert "Example:" in result.output and "kafka report cases/" in result.output


def test_ids_that_differ_only_in_a_trailing_dash_get_their_own_files(tmp_path, write_case):
    # safe_name("abc-") is "abc": without kafka.output.case_file_stem one report overwrote the other.
    (tmp_path / "in").mkdir()
    write_case(tmp_path / "in", SMALL % "abc", name="a.yaml")
    write_case(tmp_path / "in", SMALL % "abc-", name="b.yaml")
    for command, out in (["report", "reports"], ["export", "json"]):
        args = [command, str(tmp_path / "in"), "-o", str(tmp_path / out)]
        result = CliRunner().invoke(main, args + (["--format", "json"] if command == "export" else []))
        assert result.exit_code == 0, result.output
        assert len(list((tmp_path / out).iterdir())) == 2, sorted(p.name for p in (tmp_path / out).iterdir())
