"""Incremental aggregate runs (issue 19): a run with nothing changed writes nothing, and never a stale site.

A warm run after an edit gives exactly the site a cold run gives; a change to
a case, to the event log its evidence: section names (issue 17), to an option
or to a file of the site itself is always seen.
"""

from __future__ import annotations

import datetime as dt
import io
import shutil
import sqlite3
import sys
import zipfile
from pathlib import Path

import pytest

import logdata
from kafka.aggregate import RunOptions, SiteOptions, aggregate
from kafka.aggregate.collect import MANIFEST_NAME
from kafka.aggregate.options import AgendaOptions

REPO = Path(__file__).resolve().parent.parent
CASES = REPO / "cases"
sys.path.insert(0, str(REPO / "benchmarks"))  # generate_cases: realistic folders of cases
DAY = dt.date(2026, 6, 15)
TOLD = (Path(__file__).resolve().parent / "test_log_evidence.py").read_text(encoding="utf-8")


@pytest.fixture(autouse=True)
def _no_home_key(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))  # the log's pseudonym key (kafka.log)


def _copy_examples(folder: Path, n: int = 3) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    return [Path(shutil.copy(path, folder / path.name)) for path in sorted(CASES.glob("*.yaml"))[:n]]


def _site(out: Path) -> dict[str, bytes]:
    """Every file of the site but the run's own records; summary.xlsx by its parts (not its creation time)."""
    files = {}
    for path in sorted(p for p in out.rglob("*") if p.is_file()):
        name = path.relative_to(out).as_posix()
        if name in (MANIFEST_NAME, "history.sqlite") or name.startswith("."):
            continue
        if name.endswith(".xlsx"):
            with zipfile.ZipFile(io.BytesIO(path.read_bytes())) as book:
                for part in sorted(book.namelist()):
                    if not part.startswith("docProps/"):
                        files[f"{name}/{part}"] = book.read(part)
        else:
            files[name] = path.read_bytes()
    return files


def _stamps(out: Path) -> dict[str, int]:
    return {p.relative_to(out).as_posix(): p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}


def _runs(out: Path) -> int:
    with sqlite3.connect(out / "history.sqlite") as db:
        return db.execute("SELECT count(*) FROM runs").fetchone()[0]


def test_a_warm_run_after_an_edit_gives_exactly_the_site_of_a_cold_run(tmp_path):
    files = _copy_examples(tmp_path / "in")
    warm, cold = tmp_path / "warm", tmp_path / "cold"
    site = SiteOptions(run_date=DAY, history=False)  # one run each: the pages show no earlier run
    aggregate([tmp_path / "in"], warm, RunOptions.of(to_be=False), jobs=1, site=site)
    files[1].write_text(files[1].read_text(encoding="utf-8").replace("title:", "title: Gewijzigd -", 1),
                        encoding="utf-8")
    edited = aggregate([tmp_path / "in"], warm, RunOptions.of(to_be=False), jobs=1, site=site).collection
    assert (edited.rendered, edited.reused) == (1, 2)
    aggregate([tmp_path / "in"], cold, RunOptions.of(to_be=False), jobs=1, site=site)
    warm_site, cold_site = _site(warm), _site(cold)
    assert warm_site.keys() == cold_site.keys()
    assert [name for name in warm_site if warm_site[name] != cold_site[name]] == []
    assert b"Gewijzigd -" in warm_site["index.html"]


def test_a_run_with_nothing_changed_writes_nothing_and_records_no_run(tmp_path):
    _copy_examples(tmp_path / "in")
    out = tmp_path / "out"
    first = aggregate([tmp_path / "in"], out, jobs=1, site=SiteOptions(run_date=DAY))
    assert _runs(out) == 1
    before = _stamps(out)
    again = aggregate([tmp_path / "in"], out, jobs=1, site=SiteOptions(run_date=DAY))
    assert (again.collection.rendered, again.collection.reused) == (0, 3)
    assert _stamps(out) == before  # not a page, export, report, manifest or database row rewritten
    assert _runs(out) == 1
    assert [p.name for p in again.written] == [p.name for p in first.written]
    assert first.site_written and not again.site_written

    # A run on a later date is a run to follow up: the agenda is dated anew and the run recorded.
    later = dt.date(2027, 6, 15)
    aggregate([tmp_path / "in"], out, jobs=1, site=SiteOptions(run_date=later))
    assert _runs(out) == 2
    assert "15 juni 2027" in (out / "agenda.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("change", ["min_saving", "register", "dialect", "page_removed", "page_edited",
                                    "database_removed", "force"])
def test_a_changed_option_or_site_file_writes_the_site_again(tmp_path, change):
    _copy_examples(tmp_path / "in")
    out = tmp_path / "out"
    aggregate([tmp_path / "in"], out, jobs=1, site=SiteOptions(run_date=DAY))
    agenda = (out / "agenda.html").read_bytes()
    site, force = SiteOptions(run_date=DAY), False
    if change == "min_saving":
        site = SiteOptions(AgendaOptions(min_saving=10 ** 9, min_days=10 ** 9), run_date=DAY)
    elif change == "register":
        from kafka.aggregate.status import read_status_file

        register = tmp_path / "status.yaml"
        register.write_text("D02.federal.source.rsz:\n  status: geagendeerd\n  date: 2026-05-04\n", encoding="utf-8")
        site = SiteOptions(status=read_status_file(str(register)), run_date=DAY)
    elif change == "dialect":
        site = SiteOptions(run_date=DAY, csv_dialect="plain")
    elif change == "page_removed":
        (out / "agenda.html").unlink()
    elif change == "page_edited":
        (out / "agenda.html").write_bytes(agenda.replace(b"<body", b"<body data-edited", 1))
    elif change == "database_removed":
        (out / "history.sqlite").unlink()
    else:
        force = True
    result = aggregate([tmp_path / "in"], out, jobs=1, site=site, force=force)
    assert result.collection.rendered == (3 if force else 0)
    written = (out / "agenda.html").read_bytes()
    assert (written != agenda) == (change == "min_saving")  # the same inputs give the same page again
    if change == "register":  # a key of no proposal here: listed on the trends page
        assert "D02.federal.source.rsz" in (out / "trends.html").read_text(encoding="utf-8")
    if change == "dialect":
        assert not (out / "findings.csv").read_bytes().startswith("\ufeff".encode())
    assert b"data-edited" not in written
    assert _runs(out) == (1 if change == "database_removed" else 2)


def _told_case(folder: Path) -> Path:
    text = TOLD[TOLD.index('TOLD = """\\\n') + len('TOLD = """\\\n'):]
    text = text[:text.index('"""')]
    logs = folder / "logs"
    logs.mkdir(parents=True)
    (logs / "export.csv").write_text(logdata.csv_text(), encoding="utf-8")
    (logs / "export.map.yaml").write_text(logdata.MAPPING, encoding="utf-8")
    case = folder / "told.yaml"
    case.write_text(text, encoding="utf-8")
    return case


@pytest.mark.parametrize("changed", ["log", "mapping"])
def test_a_changed_event_log_renders_the_case_again(tmp_path, changed):
    """Issue 17's evidence: the report shows what the log measures, so the log is part of the cache key."""
    case = _told_case(tmp_path / "in")
    _copy_examples(tmp_path / "in", 1)
    out = tmp_path / "out"
    first = aggregate([tmp_path / "in"], out, jobs=1, site=SiteOptions(run_date=DAY)).collection
    report = out / next(c.report for c in first.cases if c.id == "leefloon-told")
    before = report.read_bytes()
    assert aggregate([tmp_path / "in"], out, jobs=1, site=SiteOptions(run_date=DAY)).collection.rendered == 0
    log, mapping = case.parent / "logs" / "export.csv", case.parent / "logs" / "export.map.yaml"
    if changed == "log":  # one logged case fewer
        lines = log.read_text(encoding="utf-8").splitlines(keepends=True)
        first_case = lines[1].split(";")[0]
        log.write_text("".join(line for line in lines if not line.startswith(first_case + ";")), encoding="utf-8")
    else:  # the deadline measured from another activity
        mapping.write_text(logdata.MAPPING.replace("days: 30", "days: 3"), encoding="utf-8")
    again = aggregate([tmp_path / "in"], out, jobs=1, site=SiteOptions(run_date=DAY)).collection
    assert (again.rendered, again.reused) == (1, 1)
    if changed == "log":
        assert report.read_bytes() != before
    assert aggregate([tmp_path / "in"], out, jobs=1, site=SiteOptions(run_date=DAY)).collection.rendered == 0


def test_a_run_with_nothing_changed_still_warns_about_an_unknown_status_key(tmp_path):
    from click.testing import CliRunner

    from kafka.cli import main

    _copy_examples(tmp_path / "in", 2)
    register = tmp_path / "status.yaml"
    register.write_text("D02.federal.source.onbekend:\n  status: geagendeerd\n  date: 2026-05-04\n", encoding="utf-8")
    args = ["aggregate", str(tmp_path / "in"), "-o", str(tmp_path / "out"), "-j", "1", "--status", str(register),
            "--date", "2026-06-15"]
    for rendered in (2, 0):
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 0, result.output
        assert f"({rendered} rendered" in result.output
        assert "D02.federal.source.onbekend: no proposal of this run or an earlier one has this key" in result.output
        assert ("Nothing changed since the previous run" in result.output) == (rendered == 0)
    assert _runs(tmp_path / "out") == 1


def test_the_finding_rows_are_read_back_only_when_the_site_is_written_and_a_damaged_rest_renders_again(tmp_path):
    """The manifest keeps the finding rows and forms (nine tenths of it) after the summaries; a run
    with nothing changed does not parse them; one that writes the site does, and when they are damaged
    the cases are rendered again rather than aggregated without their findings."""
    files = _copy_examples(tmp_path / "in")
    out = tmp_path / "out"
    site = SiteOptions(run_date=DAY, history=False)
    cold = aggregate([tmp_path / "in"], out, jobs=1, site=site).collection
    findings = {c.id: c.findings for c in cold.cases}
    assert any(findings.values())
    warm = aggregate([tmp_path / "in"], out, jobs=1, site=site).collection
    assert warm.rendered == 0 and warm.pending_rows  # not parsed
    assert warm.fill_rows() and {c.id: c.findings for c in warm.cases} == findings
    index = (out / "index.html").read_bytes()

    text = (out / MANIFEST_NAME).read_text(encoding="utf-8")
    (out / MANIFEST_NAME).write_text(text[:text.index(',"rows":') + 20], encoding="utf-8")  # cut short
    files[0].write_text(files[0].read_text(encoding="utf-8") + "\n", encoding="utf-8")  # a change: the site is written
    again = aggregate([tmp_path / "in"], out, jobs=1, site=site).collection
    assert again.rendered == 3  # the unchanged ones too: their rows were lost
    assert {c.id: c.findings for c in again.cases} == findings
    assert (out / "index.html").read_bytes() == index
    assert aggregate([tmp_path / "in"], out, jobs=1, site=site).collection.rendered == 0


def test_the_site_names_reports_as_kafka_report_does():
    from kafka.aggregate.collect import report_name
    from kafka.report import report_file_name

    for case_id in ("leefloon-sara", "abc-", "abc", "Één/../x", "a" * 300, "CON"):
        assert report_name(case_id) == report_file_name(case_id)


@pytest.mark.parametrize("also", ["nothing", "pieces_damaged", "pieces_flipped", "pieces_removed", "dialect"])
def test_a_site_after_a_few_cases_changed_is_byte_for_byte_the_site_made_from_scratch(tmp_path, also):
    """The second run makes only the changed cases' rows of findings.csv and summary.xlsx and takes
    the others from DIR/.kafka-pieces.bin (kafka.aggregate.pieces), their sheet rows as compressed
    before, numbered and compressed anew where a case before them was removed or gained rows; every
    file of the site is still the one a run from scratch writes, also when a kept block was damaged."""
    from kafka.aggregate.pieces import PIECES_NAME

    from generate_cases import write_cases

    paths = write_cases(tmp_path / "in", 24, seed=5)
    newcomer = write_cases(tmp_path / "more", 26, seed=6)[-1]
    warm, cold = tmp_path / "warm", tmp_path / "cold"
    site = SiteOptions(run_date=DAY, history=False)
    assert aggregate([tmp_path / "in"], warm, RunOptions.of(to_be=False), jobs=1, site=site).collection.rendered == 24
    assert (warm / PIECES_NAME).is_file()

    paths[3].write_text(paths[3].read_text(encoding="utf-8").replace("title: ", "title: Gewijzigd = ", 1),
                        encoding="utf-8")
    paths[7].write_text(paths[7].read_text(encoding="utf-8").replace("cases_per_year: ", "cases_per_year: 1", 1),
                        encoding="utf-8")
    paths[11].unlink()  # the rows of every case after it move up
    shutil.copy(newcomer, tmp_path / "in" / newcomer.name)
    if also == "pieces_damaged":
        data = (warm / PIECES_NAME).read_bytes()
        (warm / PIECES_NAME).write_bytes(data[:len(data) // 2])
    elif also == "pieces_flipped":  # one byte of a kept block changed: its CRC no longer matches
        data = bytearray((warm / PIECES_NAME).read_bytes())
        data[-len(data) // 3] ^= 0x20
        (warm / PIECES_NAME).write_bytes(bytes(data))
    elif also == "pieces_removed":
        (warm / PIECES_NAME).unlink()
    elif also == "dialect":
        site = SiteOptions(run_date=DAY, history=False, csv_dialect="plain")
    again = aggregate([tmp_path / "in"], warm, RunOptions.of(to_be=False), jobs=1, site=site).collection
    assert (again.rendered, again.reused) == (3, 21)
    aggregate([tmp_path / "in"], cold, RunOptions.of(to_be=False), jobs=1, site=site)
    warm_site, cold_site = _site(warm), _site(cold)
    assert warm_site.keys() == cold_site.keys()
    assert [name for name in warm_site if warm_site[name] != cold_site[name]] == []
    assert b"Gewijzigd = " in warm_site["index.html"]
    assert (warm / PIECES_NAME).read_bytes() == (cold / PIECES_NAME).read_bytes()
    # The manifest keeps the unchanged cases' rows as the previous one had them: the same text as anew.
    from kafka.aggregate.manifest import Manifest

    assert Manifest.read(warm).rows() == Manifest.read(cold).rows()


def test_the_run_a_warm_site_records_in_history_sqlite_is_the_run_a_cold_one_records(tmp_path):
    """history.sqlite after a run that rendered only the changed cases holds, for that run, the
    very rows (cases, findings, proposals) a run from scratch on the same files records."""
    from generate_cases import write_cases

    paths = write_cases(tmp_path / "in", 12, seed=8)
    warm, cold = tmp_path / "warm", tmp_path / "cold"
    site = SiteOptions(run_date=DAY)
    aggregate([tmp_path / "in"], warm, RunOptions.of(to_be=False), jobs=1, site=site)
    paths[2].write_text(paths[2].read_text(encoding="utf-8").replace("cases_per_year: ", "cases_per_year: 1", 1),
                        encoding="utf-8")
    later = SiteOptions(run_date=DAY + dt.timedelta(days=1))
    assert aggregate([tmp_path / "in"], warm, RunOptions.of(to_be=False), jobs=1, site=later).collection.rendered == 1
    aggregate([tmp_path / "in"], cold, RunOptions.of(to_be=False), jobs=1, site=later)

    def last_run(out: Path) -> dict[str, list[tuple]]:
        with sqlite3.connect(out / "history.sqlite") as db:
            (run_id,) = db.execute("SELECT max(id) FROM runs").fetchone()
            return {table: db.execute(f"SELECT * FROM {table} WHERE run_id = ? ORDER BY rowid", (run_id,)).fetchall()
                    for table in ("cases", "findings", "proposals")}

    warm_rows, cold_rows = last_run(warm), last_run(cold)
    assert all(warm_rows[table] for table in warm_rows)
    assert {t: [row[1:] for row in rows] for t, rows in warm_rows.items()} == {
        t: [row[1:] for row in rows] for t, rows in cold_rows.items()}  # run ids apart


def test_the_forms_page_is_kept_while_no_case_changed_its_forms_and_made_again_when_one_did(tmp_path):
    """forms.html draws on the cases' forms only (kafka.aggregate.site.page_keys): a run after an edit
    that leaves every form as it was keeps the file; an edited form, or a page edited by hand, makes it
    again; either way it is the page a run from scratch writes."""
    from generate_cases import write_cases

    paths = write_cases(tmp_path / "in", 8, seed=3)
    out = tmp_path / "out"
    site = SiteOptions(run_date=DAY, history=False)

    def run(folder: Path) -> None:
        aggregate([tmp_path / "in"], folder, RunOptions.of(to_be=False), jobs=1, site=site)

    def cold() -> bytes:
        shutil.rmtree(tmp_path / "cold", ignore_errors=True)
        run(tmp_path / "cold")
        return (tmp_path / "cold" / "forms.html").read_bytes()

    run(out)
    page = out / "forms.html"
    stamp = page.stat().st_mtime_ns
    paths[2].write_text(paths[2].read_text(encoding="utf-8").replace("cases_per_year: ", "cases_per_year: 1", 1),
                        encoding="utf-8")
    run(out)
    assert page.stat().st_mtime_ns == stamp  # kept
    assert page.read_bytes() == cold()

    text = paths[5].read_text(encoding="utf-8")
    assert "    name: Aanvraagformulier" in text
    paths[5].write_text(text.replace("    name: Aanvraagformulier", "    name: Nieuw aanvraagformulier", 1),
                        encoding="utf-8")
    run(out)
    assert page.stat().st_mtime_ns != stamp
    assert b"Nieuw aanvraagformulier" in page.read_bytes() and page.read_bytes() == cold()

    page.write_text("edited by hand", encoding="utf-8")
    paths[2].write_text(paths[2].read_text(encoding="utf-8") + "\n", encoding="utf-8")  # the site is written
    run(out)
    assert page.read_bytes() == cold()
