"""Proposals followed up over runs and years: the status register, history.sqlite, trends.html."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from kafka.aggregate import SiteOptions, aggregate
from kafka.aggregate.agenda import AgendaOptions
from kafka.aggregate.history import DATABASE_NAME, MIGRATIONS, SCHEMA_VERSION, connect
from kafka.aggregate.status import StatusFileError, parse_status_csv, parse_status_yaml, read_status_file
from kafka.cli import main
from kafka.errors import ExitCode, OutputError

REPO = Path(__file__).resolve().parent.parent
CASES = REPO / "cases"
HEATING = ("verwarmingstoelage-oostervelde.yaml", "verwarmingstoelage-ravelingen.yaml")
OLD_REF = "Programmawet 22 december 2008, art. 249-264; KB 27 maart 2009"
OLD_KEY = "P02.federal.rule.programmawet-22-december-2008-art-249-264-kb-27-maart-2009"
NEW_KEY = "P02.federal.rule.programmawet-22-december-2008-art-249-264-kb-1-maart-2027"


# --- the status register ------------------------------------------------------------------------


def test_a_register_in_yaml_keeps_every_entry_as_history():
    register = parse_status_yaml(
        "D02.federal.source.rsz:\n"
        "  - {status: aanvaard, date: 2026-09-20, owner: An}\n"
        "  - status: geagendeerd\n"
        "    date: 2026-05-04\n"
        "    note: Op het overleg van 12 juni.\n"
        "T01.x:\n"
        "  status: Afgewezen\n"
        "  date: '2026-06-12'\n", "status.yaml")
    history = register.history("D02.federal.source.rsz")
    assert [e.status for e in history] == ["geagendeerd", "aanvaard"]  # by date, not by file order
    assert history[0].note == "Op het overleg van 12 juni." and history[0].line == 3
    assert register.current("T01.x").status == "afgewezen" and register.current("T01.x").date == dt.date(2026, 6, 12)
    assert register.current("nothing") is None
    assert parse_status_yaml("", "empty.yaml").entries == {}


def test_every_problem_of_a_register_is_reported_with_file_line_and_key():
    with pytest.raises(StatusFileError) as caught:
        parse_status_yaml(
            "A.key:\n"
            "  status: afgewzen\n"
            "  date: 2026-13-01\n"
            "  nota: x\n"
            "B.key:\n"
            "  - owner: An\n"
            "C.key: 12\n", "status.yaml")
    lines = [str(p) for p in caught.value.problems]
    assert any(line.startswith("status.yaml:2:11: A.key.status: unknown status 'afgewzen'; did you mean "
                               "'afgewezen'?") for line in lines), lines
    assert any(line.startswith("status.yaml:3:9: A.key.date: '2026-13-01' is not a date") for line in lines), lines
    assert any(line.startswith("status.yaml:4:3: A.key.nota: unknown field 'nota'; did you mean 'note'?")
               for line in lines), lines
    assert any(re.match(r"status\.yaml:6:\d+: B\.key\[0\]\.status: the status is missing", line) for line in lines), lines
    assert any(re.match(r"status\.yaml:7:\d+: C\.key: an entry is a mapping", line) for line in lines), lines
    with pytest.raises(StatusFileError, match=r"status.yaml:1:1: .*is a mapping"):
        parse_status_yaml("- a\n- b\n", "status.yaml")
    with pytest.raises(StatusFileError, match="tag"):
        parse_status_yaml("A: !!python/object:os.system {}\n", "status.yaml")


def test_a_register_saved_from_a_spreadsheet_as_csv(tmp_path):
    register = parse_status_csv("key;status;date;owner;note\n"
                                "D02.federal.source.rsz;geagendeerd;2026-05-04;An;eerste overleg\n"
                                ";;;;\n"
                                "D02.federal.source.rsz;aanvaard;2026-09-20;;\n", "status.csv")
    assert [e.status for e in register.history("D02.federal.source.rsz")] == ["geagendeerd", "aanvaard"]
    with pytest.raises(StatusFileError) as caught:
        parse_status_csv("key,status,date\nA,klaar,2026-01-01\n,aanvaard,2026-01-01\n", "status.csv")
    assert [str(p).split(": ")[0] for p in caught.value.problems] == ["status.csv:2:2", "status.csv:3:1"]
    with pytest.raises(StatusFileError, match="missing column"):
        parse_status_csv("sleutel,status\n", "status.csv")
    (tmp_path / "s.txt").write_text("x", encoding="utf-8")
    with pytest.raises(StatusFileError, match=r"\.yaml, \.yml or \.csv"):
        read_status_file(tmp_path / "s.txt")
    with pytest.raises(StatusFileError, match="no such file"):
        read_status_file(tmp_path / "absent.yaml")


def test_a_bad_register_stops_the_run_before_anything_is_written(tmp_path):
    (tmp_path / "status.yaml").write_text("X.key: {status: klaar, date: 2026-01-01}\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["aggregate", str(CASES / HEATING[0]), "-o", str(tmp_path / "site"),
                                       "--status", str(tmp_path / "status.yaml")])
    assert result.exit_code == ExitCode.INVALID_INPUT, result.output
    assert re.search(r"status\.yaml:1:\d+: X\.key\.status: unknown status 'klaar'", result.output), result.output
    assert not (tmp_path / "site").exists()


# --- a run, a status change, a second run -----------------------------------------------------------


def _year_later(source: Path, target: Path) -> None:
    """A copy of a 2026 case mapped again in 2027: a new id, and the income rule under a new royal decree."""
    text = source.read_text(encoding="utf-8")
    case_id = re.search(r"^  id: (\S+)", text, re.M).group(1)
    text = text.replace(f"  id: {case_id}", f"  id: {case_id}-2027")
    text = re.sub(r"^  date: 2026-\d\d-\d\d", "  date: 2027-02-01", text, flags=re.M)
    assert OLD_REF in text
    target.write_text(text.replace(OLD_REF, "Programmawet 22 december 2008, art. 249-264; KB 1 maart 2027"),
                      encoding="utf-8")


def test_a_run_a_status_change_and_a_second_run_show_the_history_on_the_site_and_in_the_database(tmp_path):
    folder, site = tmp_path / "cases", tmp_path / "site"
    folder.mkdir()
    for name in HEATING:
        shutil.copy(CASES / name, folder / name)
    status = tmp_path / "status.yaml"
    status.write_text(f"# kept by VVSG\n{OLD_KEY}:\n  - status: geagendeerd\n    date: 2026-05-04\n"
                      "    owner: An Peeters (VVSG)\n", encoding="utf-8")
    runner = CliRunner()
    first = runner.invoke(main, ["aggregate", str(folder), "-o", str(site), "-j", "1", "--status", str(status),
                                 "--date", "2026-06-15"])
    assert first.exit_code == 0, first.output

    # VVSG staff change the status in place (the old entry is overwritten), a year of cases later.
    status.write_text(f"{OLD_KEY}:\n  status: aanvaard\n  date: 2026-11-02\n  owner: An Peeters (VVSG)\n"
                      "  note: Opgenomen in de omzendbrief.\n", encoding="utf-8")
    for name in HEATING:
        _year_later(CASES / name, folder / name.replace(".yaml", "-2027.yaml"))
    second = runner.invoke(main, ["aggregate", str(folder), "-o", str(site), "-j", "1", "--status", str(status),
                                  "--date", "2027-03-01"])
    assert second.exit_code == 0, second.output

    with sqlite3.connect(site / DATABASE_NAME) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert db.execute("SELECT run_date, cases FROM runs ORDER BY id").fetchall() == [
            ("2026-06-15", 2), ("2027-03-01", 4)]
        # the overwritten entry is still there: the database keeps the history the register lost
        assert db.execute("SELECT status, date, first_run_id, last_run_id FROM statuses WHERE key = ? ORDER BY date",
                          (OLD_KEY,)).fetchall() == [("geagendeerd", "2026-05-04", 1, 1),
                                                     ("aanvaard", "2026-11-02", 2, 2)]
        assert db.execute("SELECT status FROM current_status WHERE key = ?", (OLD_KEY,)).fetchone() == ("aanvaard",)
        assert db.execute("SELECT count(*) FROM latest_cases").fetchone() == (4,)
        assert db.execute("SELECT count(DISTINCT proposal_key) FROM findings WHERE run_id = 2 AND proposal_key IN "
                          "(?, ?)", (OLD_KEY, NEW_KEY)).fetchone() == (2,)

    agenda = (site / "agenda.html").read_text(encoding="utf-8")
    item = agenda[agenda.index(f'id="item-{OLD_KEY}"'):]
    item = item[:item.index("</article>")]
    assert "aanvaard" in item and "sinds 2 november 2026" in item and "Opgenomen in de omzendbrief." in item
    assert "eerder: geagendeerd (4 mei 2026)" in item
    # the old decree is in the Ravelingen case (2026-01-20); newer cases of its procedure no longer show it
    assert "niet meer gezien sinds 20 januari 2026" in item
    assert "Opgemaakt op 1 maart 2027" in agenda

    index = (site / "index.html").read_text(encoding="utf-8")
    row = index[index.index(OLD_KEY) - 3000:index.index(OLD_KEY) + 100]
    assert "aanvaard" in row and "eerder: geagendeerd (4 mei 2026)" in row

    trends = (site / "trends.html").read_text(encoding="utf-8")
    assert "De database bevat 2 runs" in trends and ">2026<" in trends and ">2027<" in trends
    line = trends[trends.index(f'id="trend-{OLD_KEY}"'):]
    line = line[:line.index("</tr>")]
    # the old decree: in 1 of the 2 heating cases of 2026, in none of the 2 of 2027
    assert re.search(r">50%<span class=\"sub\">1 van 2</span>", line) and re.search(r">0%<span class=\"sub\">0 van 2", line)
    assert "niet meer gezien sinds 20 januari 2026" in line
    new = trends[trends.index(f'id="trend-{NEW_KEY}"'):]
    assert re.search(r">0%<span class=\"sub\">0 van 2</span>.*>50%<span class=\"sub\">1 van 2", new[:new.index("</tr>")])

    # a third run without the 2026 files: their proposals are gone from the run, not from the trend
    for name in HEATING:
        (folder / name).unlink()
    third = runner.invoke(main, ["aggregate", str(folder), "-o", str(site), "-j", "1", "--date", "2027-04-01"])
    assert third.exit_code == 0, third.output
    trends = (site / "trends.html").read_text(encoding="utf-8")
    gone = trends[trends.index('id="gone"'):]
    assert OLD_KEY in gone and "niet meer gezien sinds 20 januari 2026" in gone
    assert ">50%<" in gone[gone.index(OLD_KEY):]  # its 2026 case still counts for 2026


def test_the_database_migrates_an_older_file_and_refuses_what_it_cannot_use(tmp_path):
    old = tmp_path / "old.sqlite"
    with sqlite3.connect(old) as db:
        db.executescript(MIGRATIONS[0] + "PRAGMA user_version = 1;")
        db.execute("INSERT INTO runs VALUES (1, '2026-01-01T00:00:00', '2026-01-01', '0.1', '{}', 0, 0, '')")
    with connect(old) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert db.execute("SELECT count(*) FROM runs").fetchone() == (1,)
        assert db.execute("SELECT count(*) FROM latest_cases").fetchone() == (0,)  # a view of migration 2
    db.close()

    newer = tmp_path / "newer.sqlite"
    with sqlite3.connect(newer) as db:
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(OutputError, match="newer kafka"):
        connect(newer)
    foreign = tmp_path / "foreign.sqlite"
    with sqlite3.connect(foreign) as db:
        db.execute("CREATE TABLE people (name TEXT)")
    with pytest.raises(OutputError, match="not a kafka history database"):
        connect(foreign)
    garbage = tmp_path / "garbage.sqlite"
    garbage.write_bytes(b"this is not a database at all" * 100)
    with pytest.raises(OutputError, match="cannot use the history database"):
        connect(garbage)


def test_a_damaged_database_in_the_site_folder_is_a_clear_error_not_a_traceback(tmp_path):
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / DATABASE_NAME).write_bytes(b"not sqlite" * 200)
    result = CliRunner().invoke(main, ["aggregate", str(CASES / HEATING[0]), "-o", str(tmp_path / "site")])
    assert result.exit_code == ExitCode.OUTPUT_ERROR, result.output
    assert "cannot use the history database" in result.output and "Traceback" not in result.output


def test_without_history_the_pages_still_show_the_register(tmp_path):
    from kafka.aggregate.status import parse_status_yaml

    register = parse_status_yaml(f"{OLD_KEY}: {{status: uitgevoerd, date: 2026-12-01}}\n", "status.yaml")
    aggregate([str(CASES / HEATING[0]), str(CASES / HEATING[1])], tmp_path, jobs=1,
              site=SiteOptions(status=register, history=False, run_date=dt.date(2027, 1, 1)))
    assert not (tmp_path / DATABASE_NAME).exists()
    assert "uitgevoerd" in (tmp_path / "agenda.html").read_text(encoding="utf-8")


def test_the_schema_is_documented():
    docs = (REPO / "docs" / "aggregate.md").read_text(encoding="utf-8")
    for table in re.findall(r"CREATE (?:TABLE|VIEW) (\w+)", "".join(MIGRATIONS)):
        assert f"`{table}`" in docs, table


def test_text_from_the_register_is_escaped_on_every_page(tmp_path):
    from kafka.aggregate.status import parse_status_yaml

    hostile = '<script>alert(1)</script>" onmouseover="x'
    register = parse_status_yaml(
        f"{OLD_KEY}:\n  status: geagendeerd\n  date: 2026-05-04\n  owner: '{hostile}'\n  note: '{hostile}'\n"
        f"'<img src=x onerror=alert(2)>': {{status: nieuw, date: 2026-01-01}}\n", "status.yaml")
    aggregate([str(CASES / name) for name in HEATING], tmp_path, jobs=1,
              site=SiteOptions(status=register, agenda=AgendaOptions(0, 1, 0)))
    for page in ("index.html", "agenda.html", "trends.html"):
        html = (tmp_path / page).read_text(encoding="utf-8")
        assert "<script>alert" not in html and "<img src=x" not in html, page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in (tmp_path / "agenda.html").read_text(encoding="utf-8")
    assert "&lt;img src=x onerror=alert(2)&gt;" in (tmp_path / "trends.html").read_text(encoding="utf-8")
