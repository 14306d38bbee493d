"""kafka aggregate: the VVSG site over many cases (issue 5).

Most tests share one site built from the example cases plus the hand-made
pair in tests/data/aggregate/pair (module fixture, built in-process); the
tests that change their input build their own small site.
"""

from __future__ import annotations

import json
import re
import shutil
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from click.testing import CliRunner

import csvread

from kafka.aggregate import RunOptions, SiteOptions, aggregate
from kafka.aggregate.agenda import AgendaOptions
from kafka.aggregate.collect import MANIFEST_NAME, CaseSummary, Manifest, SkippedFile, report_name, settle
from kafka.aggregate.keys import normalise
from kafka.aggregate.tables import FINDINGS_COLUMNS, PROPOSAL_COLUMNS, build_tables
from kafka.analysis import analyze
from kafka.cli import main
from kafka.errors import ExitCode
from kafka.loader import iter_case_files, load_case
from kafka.tables import FINDING_COLUMNS, finding_rows

REPO = Path(__file__).resolve().parent.parent
PAIR = REPO / "tests" / "data" / "aggregate" / "pair"
CASES = REPO / "cases"
sys.path.insert(0, str(REPO / "benchmarks"))


def _analyses(*folders: Path, lang: str = "nl"):
    return [analyze(load_case(p).case, lang=lang) for p in iter_case_files([str(f) for f in folders])]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("site")
    result = aggregate([str(CASES), str(PAIR)], out, RunOptions.of("nl"), jobs=1)
    assert result.ok, [s.messages for s in result.collection.skipped]
    return out, result


def _read_csv(path: Path) -> list[dict]:
    return csvread.rows(path)  # the Dutch site's CSV: Belgian Excel's dialect


# --- links ---------------------------------------------------------------------------------


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        for name in ("href", "src"):
            if attrs.get(name):
                self.hrefs.append(attrs[name])


def _parse(path: Path) -> _Links:
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def broken_links(folder: Path) -> list[str]:
    """Every link of every page under ``folder`` that does not resolve (file or #anchor)."""
    pages = {p.resolve(): _parse(p) for p in folder.rglob("*.html")}
    parsed = dict(pages)
    broken = []
    for page, links in pages.items():
        for href in links.hrefs:
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or href.startswith("//"):
                broken.append(f"{page.name}: external link {href}")
                continue
            target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
            if not target.is_file():
                broken.append(f"{page.relative_to(folder.resolve())}: {href} (no such file)")
            elif parts.fragment and target.suffix == ".html":
                if target not in parsed:
                    parsed[target] = _parse(target)
                if parts.fragment not in parsed[target].ids:
                    broken.append(f"{page.name}: {href} (no such anchor)")
            elif not target.is_relative_to(folder.resolve()):
                broken.append(f"{page.name}: {href} leaves the site")
    return broken


def test_every_link_of_the_site_resolves(site):
    out, result = site
    assert (out / "index.html").is_file() and (out / "agenda.html").is_file()
    assert len(list((out / "cases").glob("*.html"))) == len(result.collection.cases)
    assert broken_links(out) == []


def test_the_index_links_every_case_report_and_each_report_links_back(site):
    out, result = site
    index = _parse(out / "index.html")
    for case in result.collection.cases:
        assert case.report in index.hrefs
        assert "../index.html" in _parse(out / case.report).hrefs


def test_every_link_resolves_on_a_generated_folder(tmp_path):
    from generate_cases import write_cases

    write_cases(tmp_path / "in", 12, seed=3)
    result = aggregate([str(tmp_path / "in")], tmp_path / "out", jobs=2)
    assert result.ok and len(result.collection.cases) == 12
    assert broken_links(tmp_path / "out") == []


# --- the exports ------------------------------------------------------------------------------


def test_findings_csv_has_exactly_the_findings_of_the_analysis(site):
    out, _ = site
    rows = _read_csv(out / "findings.csv")
    expected = [row for a in _analyses(CASES, PAIR) for row in finding_rows(a)]
    assert len(rows) == len(expected)
    assert list(rows[0]) == list(FINDINGS_COLUMNS)
    key = lambda r: (r["case_id"], r["code"], r["steps"], r["data"])  # noqa: E731
    got = sorted(rows, key=key)
    for mine, theirs in zip(got, sorted(expected, key=key)):
        for column in FINDING_COLUMNS:
            value = theirs[column]
            if isinstance(value, (int, float)):
                assert csvread.number(mine[column]) == pytest.approx(value), column
            else:
                assert mine[column] == str(value), column
        assert mine["report"] == f"cases/{report_name(mine['case_id'])}"


def test_proposals_csv_has_a_level_column_and_ranks(site):
    out, result = site
    rows = _read_csv(out / "proposals.csv")
    assert list(rows[0]) == list(PROPOSAL_COLUMNS)
    assert {r["level"] for r in rows} == {"local", "supralocal"}
    assert [int(r["rank"]) for r in rows] == list(range(1, len(rows) + 1))
    savings = [csvread.number(r["euro_year_saved"]) for r in rows]
    assert savings == sorted(savings, reverse=True)
    assert sorted(int(r["rank_organisations"]) for r in rows) == list(range(1, len(rows) + 1))
    # every finding is in exactly one merged proposal
    assert sum(int(r["findings"]) for r in rows) == len(_read_csv(out / "findings.csv"))


def test_summary_xlsx_has_the_same_tables(site):
    import openpyxl
    out, _ = site
    from kafka.i18n import Translator

    t = Translator("nl")  # a Dutch site: Dutch sheet names, headers and coded values
    sheet = {key: t(f"aggregate.xlsx.sheet.{key}") for key in (
        "cases", "proposals", "findings", "by_code_procedure", "by_organisation", "procedure_comparison", "skipped")}
    book = openpyxl.load_workbook(out / "summary.xlsx", read_only=True)
    assert book.sheetnames == list(sheet.values()) and sheet["cases"] == "Casussen"
    findings = list(book[sheet["findings"]].iter_rows(values_only=True))
    headers = [t(f"aggregate.xlsx.sheet_column.findings.{c}") if t.has(f"aggregate.xlsx.sheet_column.findings.{c}")
               else t(f"aggregate.xlsx.column.{c}") for c in FINDINGS_COLUMNS]
    assert list(findings[0]) == headers and "Besparing per jaar (euro)" in headers
    assert len(findings) - 1 == len(_read_csv(out / "findings.csv"))
    level = headers.index(t("aggregate.xlsx.column.level"))
    assert {row[level] for row in findings[1:]} == {"lokaal", "bovenlokaal"}
    proposals = list(book[sheet["proposals"]].iter_rows(values_only=True))
    assert len(proposals) - 1 == len(_read_csv(out / "proposals.csv"))


HOSTILE = """\
case:
  id: hostile
  title: "=HYPERLINK(\\"http://evil.example\\",\\"klik\\")"
  organisation: "+OCMW <script>alert(1)</script>"
  procedure: leefloon
actors:
  client: {name: "@cliënt", level: client}
  mw: {name: "-Maatschappelijk werker", level: local}
data:
  x: {name: "=1+1", source: rijksregister}
steps:
  - {id: a, name: "=A1", actor: mw, channel: in_person, client_minutes: 10, asks: [x]}
  - {id: b, name: "<b>B</b>", actor: mw, channel: in_person, client_minutes: 10, asks: [x], tells_story: true}
"""


def test_exports_are_formula_safe_and_pages_escape_case_text(tmp_path, write_case):
    import openpyxl
    (tmp_path / "in").mkdir()
    write_case(tmp_path / "in", HOSTILE, name="hostile.yaml")
    result = aggregate([str(tmp_path / "in")], tmp_path / "out", jobs=1)
    assert result.ok
    out = tmp_path / "out"
    for name in ("findings.csv", "proposals.csv"):
        for row in _read_csv(out / name):
            for value in row.values():
                assert not value.startswith(("=", "+", "-", "@")), (name, value)
    book = openpyxl.load_workbook(out / "summary.xlsx")
    for sheet in book.worksheets:
        for row in sheet.iter_rows(values_only=True):
            for value in row:
                assert not (isinstance(value, str) and value.startswith(("=", "+", "-", "@"))), (sheet.title, value)
                assert getattr(value, "data_type", None) != "f"
    for page in ("index.html", "agenda.html"):
        html = (out / page).read_text(encoding="utf-8")
        assert "<script>alert(1)</script>" not in html and "<b>B</b>" not in html
    assert "&lt;script&gt;alert(1)" in (out / "index.html").read_text(encoding="utf-8")


# --- merging proposals across cases ---------------------------------------------------------


def _merged(site_tables, code: str, level: str | None = None):
    frame = site_tables.proposals
    rows = frame[frame["code"] == code]
    if level:
        rows = rows[rows["level"] == level]
    return rows.to_dict("records")


@pytest.fixture(scope="module")
def pair_tables(tmp_path_factory):
    out = tmp_path_factory.mktemp("pair")
    result = aggregate([str(PAIR)], out, jobs=1)
    return build_tables(result.collection.cases), _analyses(PAIR)


def _pair_saving(analyses, code: str, predicate) -> float:
    return round(sum(f.proposal.saving.euro_year for a in analyses for f in a.findings
                     if f.code == code and predicate(a, f)), 2)


def test_the_same_source_under_different_ids_is_one_proposal(pair_tables):
    tables, analyses = pair_tables
    household = lambda a, f: a.case.data[f.data[0]].name == "Gezinssamenstelling"  # noqa: E731
    d02 = [r for r in _merged(tables, "D02") if r["merge_key"] == "source:rijksregister"]
    assert len(d02) == 1
    row = d02[0]
    assert (row["cases"], row["organisations"], row["findings"]) == (2, 2, 2)
    assert row["organisation_names"] == "OCMW Noordstad; OCMW Zuiddorp"
    assert row["euro_year_saved"] == pytest.approx(_pair_saving(analyses, "D02", household))
    d01 = [r for r in _merged(tables, "D01") if r["merge_key"] == "data:source:rijksregister"]
    assert len(d01) == 1 and d01[0]["cases"] == 2
    assert d01[0]["euro_year_saved"] == pytest.approx(_pair_saving(analyses, "D01", household))


def test_a_rule_is_recognised_by_its_reference_and_deadline(pair_tables):
    tables, analyses = pair_tables
    rows = _merged(tables, "T01")
    assert len(rows) == 1
    assert rows[0]["merge_key"] == "rule:organieke wet 8 juli 1976 art 60:30d"
    assert rows[0]["cases"] == 2 and rows[0]["level"] == "supralocal" and rows[0]["government"] == "federal"


def test_forms_and_actors_are_recognised_by_their_normalised_names(pair_tables):
    tables, analyses = pair_tables
    p03 = _merged(tables, "P03")
    assert len(p03) == 1 and p03[0]["cases"] == 2
    assert p03[0]["euro_year_saved"] == pytest.approx(_pair_saving(analyses, "P03", lambda a, f: True))
    t02 = _merged(tables, "T02")  # 'RVA-kantoor' and 'RVA kantoor'
    assert len(t02) == 1 and t02[0]["cases"] == 2 and t02[0]["level"] == "supralocal"


def test_items_with_different_names_and_no_source_stay_apart(pair_tables):
    tables, _ = pair_tables
    keys = {r["merge_key"] for r in _merged(tables, "D01")}
    assert {"data:name:huurovereenkomst", "data:name:huurcontract"} <= keys


def test_the_agenda_holds_only_the_supralocal_proposals_with_their_evidence(tmp_path):
    everything = SiteOptions(agenda=AgendaOptions(min_saving=0, min_ocmws=1, min_days=0))
    aggregate([str(PAIR)], tmp_path, jobs=1, site=everything)
    html = (tmp_path / "agenda.html").read_text(encoding="utf-8")
    proposals = _read_csv(tmp_path / "proposals.csv")
    supralocal = [p for p in proposals if p["level"] == "supralocal"]
    assert supralocal and len(supralocal) < len(proposals)
    assert html.count('<article class="item"') == len(supralocal)
    for proposal in supralocal:
        assert f'id="item-{proposal["key"]}"' in html
    for organisation in {p["organisation_names"] for p in supralocal}:
        for name in organisation.split("; "):
            assert html.count(f">{name}</a>") == len(supralocal)  # every item shows both cases as evidence
    assert "@page" in html and "@media print" in html


def test_the_agenda_total_is_the_sum_of_its_items_and_what_it_leaves_out(site):
    from kafka.aggregate.agenda import agenda_page
    from kafka.aggregate.tables import build_tables
    from kafka.i18n import Translator

    _, result = site
    tables = build_tables(result.collection.cases)
    cases = tables.cases
    beyond_local = (cases["saving_all_eur_year"] - cases["saving_local_eur_year"]).sum()
    for options in (AgendaOptions(min_saving=0, min_days=0), AgendaOptions(min_saving=5000, min_days=30)):
        page = agenda_page(tables, Translator("nl"), options)
        items = [item for theme in page.themes for item in theme.items]
        assert page.kept_saving == pytest.approx(sum(item.euro_year_saved for item in items))
        assert page.kept_saving == pytest.approx(sum(line.euro_year_saved for line in page.administrations))
        assert page.total_saving == pytest.approx(page.kept_saving + page.left_out_saving)
        # every part of a saving counted once: the supralocal proposals are what the cases save beyond the local ones
        assert page.total_saving == pytest.approx(beyond_local, abs=0.01 * len(tables.findings))
    assert page.left_out and page.left_out_saving > 0


def test_normalise():
    assert normalise("Bijzonder Comité, art. 21") == "bijzonder comite art 21"
    assert normalise("  RVA-kantoor ") == normalise("rva kantoor") == "rva kantoor"
    assert normalise(None) == ""


# --- bad input --------------------------------------------------------------------------------


def _copy_examples(folder: Path, n: int = 3) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    copies = []
    for path in sorted(CASES.glob("*.yaml"))[:n]:
        copies.append(Path(shutil.copy(path, folder / path.name)))
    return copies


def test_a_broken_file_among_good_ones_is_skipped_with_its_line(tmp_path):
    good = _copy_examples(tmp_path / "in")
    (tmp_path / "in" / "broken.yaml").write_text("case:\n  id: broken\n  title: [unclosed\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["aggregate", str(tmp_path / "in"), "-o", str(tmp_path / "out"), "-j", "1"])
    assert result.exit_code == ExitCode.INVALID_INPUT, result.output
    assert re.search(r"broken\.yaml:\d+:\d+: ", result.output), result.output
    assert "1 file skipped" in result.output
    assert "this is not valid YAML" in result.output  # the terminal: English unless --lang is given
    index = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert "broken.yaml" in index and 'id="skipped"' in index
    assert "dit is geen geldige YAML" in index and "not valid YAML" not in index  # the Dutch site: Dutch
    assert len(list((tmp_path / "out" / "cases").glob("*.html"))) == len(good)
    assert len({r["case_id"] for r in _read_csv(tmp_path / "out" / "findings.csv")}) == len(good)


def test_a_duplicate_case_id_keeps_the_first_file_and_skips_the_second(tmp_path):
    first = _copy_examples(tmp_path / "in", 1)[0]
    second = tmp_path / "in" / "zz-copy.yaml"
    second.write_text(first.read_text(encoding="utf-8").replace("title:", "title: Kopie -", 1), encoding="utf-8")
    result = aggregate([str(tmp_path / "in")], tmp_path / "out", jobs=1)
    assert len(result.collection.cases) == 1 and result.collection.cases[0].path == str(first)
    (skipped,) = result.collection.skipped
    assert skipped.reason == "duplicate" and skipped.path == str(second)
    assert re.match(rf"{re.escape(str(second))}:\d+:\d+: case\.id: the case id '[^']+' is also used by "
                    rf"{re.escape(str(first))}", skipped.messages[0])


def test_report_names_never_collide_and_stay_safe():
    assert report_name("leefloon-sara") == "leefloon-sara.html"
    assert report_name("abc-") != report_name("abc") and re.fullmatch(r"[a-z0-9_-]+\.html", report_name("abc-"))
    outcomes = [CaseSummary(path=p, cache_key="", id=i, title="", organisation="", municipality="", procedure="",
                            date="", cases_per_year=1, metrics={}, annual={}, findings=[])
                for p, i in (("a.yaml", "x"), ("b.yaml", "x-"), ("c.yaml", "x"))]
    cases, skipped = settle(outcomes + [SkippedFile("d.yaml", "invalid", ["d.yaml:1:1: bad"])])
    assert [c.path for c in cases] == ["a.yaml", "b.yaml"]
    assert [s.path for s in skipped] == ["c.yaml", "d.yaml"]
    assert len({c.report for c in cases}) == 2


def test_no_case_files_is_a_usage_error(tmp_path):
    result = CliRunner().invoke(main, ["aggregate", str(tmp_path), "-o", str(tmp_path / "out")])
    assert result.exit_code == ExitCode.USAGE  # as for every other command
    assert "no case files" in result.output and "Traceback" not in result.output


def test_an_output_path_that_is_a_file_is_an_output_error(tmp_path):
    (tmp_path / "file").write_text("x")
    result = CliRunner().invoke(main, ["aggregate", str(PAIR), "-o", str(tmp_path / "file")])
    assert result.exit_code != 0 and "Traceback" not in result.output


def test_help_has_an_example():
    result = CliRunner().invoke(main, ["aggregate", "-h"])
    assert result.exit_code == 0 and "Example:" in result.output and "--jobs" in result.output


# --- incremental runs ---------------------------------------------------------------------------


def test_unchanged_cases_are_not_rendered_again(tmp_path):
    files = _copy_examples(tmp_path / "in", 3)
    out = tmp_path / "out"
    first = aggregate([str(tmp_path / "in")], out, jobs=1).collection
    assert (first.rendered, first.reused) == (3, 0)
    index_before = (out / "index.html").read_text(encoding="utf-8")

    again = aggregate([str(tmp_path / "in")], out, jobs=1).collection
    assert (again.rendered, again.reused) == (0, 3)
    assert (out / "index.html").read_text(encoding="utf-8") == index_before  # the same tables from the cache

    files[1].write_text(files[1].read_text(encoding="utf-8").replace("title:", "title: Gewijzigd -", 1),
                        encoding="utf-8")
    changed = aggregate([str(tmp_path / "in")], out, jobs=1).collection
    assert (changed.rendered, changed.reused) == (1, 2)
    assert "Gewijzigd -" in (out / "index.html").read_text(encoding="utf-8")

    forced = aggregate([str(tmp_path / "in")], out, jobs=1, force=True).collection
    assert (forced.rendered, forced.reused) == (3, 0)

    other_lang = aggregate([str(tmp_path / "in")], out, RunOptions.of("en"), jobs=1).collection
    assert other_lang.rendered == 3  # the language is part of the cache key


def _report_langs(out: Path) -> set[str]:
    return {re.search(r'<html lang="(\w+)"', p.read_text(encoding="utf-8")).group(1) for p in (out / "cases").glob("*.html")}


def test_reports_left_by_an_interrupted_run_are_not_reused_as_unchanged(tmp_path):
    """Issue 18, item 3: `kill -9` of `aggregate --lang en` after it moved its reports into
    place but before it wrote manifest.json left the Dutch manifest vouching for English
    reports; the next (Dutch) run reused them as unchanged."""
    _copy_examples(tmp_path / "in", 3)
    out = tmp_path / "out"
    aggregate([str(tmp_path / "in")], out, RunOptions.of("nl"), jobs=1)
    dutch_manifest = (out / MANIFEST_NAME).read_bytes()
    aggregate([str(tmp_path / "in")], out, RunOptions.of("en"), jobs=1)
    assert _report_langs(out) == {"en"}
    (out / MANIFEST_NAME).write_bytes(dutch_manifest)  # the folder as the killed run left it
    again = aggregate([str(tmp_path / "in")], out, RunOptions.of("nl"), jobs=1).collection
    assert (again.rendered, again.reused) == (3, 0)
    assert _report_langs(out) == {"nl"}


def test_a_report_changed_behind_kafkas_back_is_rendered_again_but_a_copied_site_is_reused(tmp_path):
    files = _copy_examples(tmp_path / "in", 2)
    out = tmp_path / "out"
    first = aggregate([str(tmp_path / "in")], out, jobs=1).collection
    report = out / first.cases[0].report
    report.write_text(report.read_text(encoding="utf-8").replace("<body", "<body data-edited", 1), encoding="utf-8")
    again = aggregate([str(tmp_path / "in")], out, jobs=1).collection
    assert (again.rendered, again.reused) == (1, 1)
    assert "data-edited" not in report.read_text(encoding="utf-8")
    copy = tmp_path / "copy"
    shutil.copytree(out, copy)  # new inodes and times, the same content
    moved = aggregate([str(tmp_path / "in")], copy, jobs=1).collection
    assert (moved.rendered, moved.reused) == (0, 2)
    assert files


@pytest.mark.parametrize("change", ["lang", "to_be", "setting", "select", "templates"])
def test_everything_that_changes_a_report_is_in_the_cache_key(tmp_path, change):
    _copy_examples(tmp_path / "in", 2)
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "_custom.css").write_text("/* mine */\n", encoding="utf-8")
    out = tmp_path / "out"
    base = dict(lang="nl", templates=templates, to_be=False)
    aggregate([str(tmp_path / "in")], out, RunOptions.of(**base), jobs=1)
    assert aggregate([str(tmp_path / "in")], out, RunOptions.of(**base), jobs=1).collection.rendered == 0
    other = {"lang": dict(base, lang="en"), "to_be": dict(base, to_be=True),
             "setting": dict(base, overrides={"long_wait_days": "3"}), "select": dict(base, select=["D"]),
             "templates": base}[change]
    if change == "templates":
        (templates / "_custom.css").write_text("body { color: black }\n", encoding="utf-8")
    assert aggregate([str(tmp_path / "in")], out, RunOptions.of(**other), jobs=1).collection.rendered == 2


def test_case_file_names_that_are_not_utf8(tmp_path):
    """Issue 18, item 6: such a name crashed aggregate with a UnicodeEncodeError traceback
    while it wrote manifest.json."""
    import os

    folder = tmp_path / "in"
    _copy_examples(folder, 1)
    good = folder / os.fsdecode(b"caf\xe9.yaml")
    shutil.copy(sorted(CASES.glob("*.yaml"))[1], good)
    (folder / os.fsdecode(b"kap\xffot.yaml")).write_text("case: [\n", encoding="utf-8")
    out = tmp_path / "out"
    for rendered in (2, 0):  # the second run finds the cases by their names in the manifest
        result = CliRunner().invoke(main, ["aggregate", str(folder), "-o", str(out), "-j", "2"])
        assert result.exit_code == ExitCode.INVALID_INPUT, result.output
        assert "Traceback" not in result.output
        assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
        assert f"({rendered} rendered" in result.output, result.output
        assert "kap\\udcffot.yaml:2:1: this is not valid YAML" in result.output  # as the terminal can show it
    validated = CliRunner().invoke(main, ["validate", str(folder), "--format", "json"])
    assert {f["file"] for f in json.loads(validated.stdout_bytes.decode("utf-8"))["files"]} >= {str(good)}
    manifest = json.loads((out / MANIFEST_NAME).read_bytes().decode("utf-8"))  # strict UTF-8 JSON
    assert str(good.resolve()) in manifest["cases"]
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "kap\ufffdot.yaml" in index
    xlsx = pytest.importorskip("openpyxl").load_workbook(out / "summary.xlsx")
    assert any("kap\ufffdot.yaml" in str(cell.value) for sheet in xlsx.worksheets for row in sheet.iter_rows()
               for cell in row)


def test_a_removed_case_loses_its_report(tmp_path):
    files = _copy_examples(tmp_path / "in", 2)
    out = tmp_path / "out"
    first = aggregate([str(tmp_path / "in")], out, jobs=1).collection
    gone = out / first.cases[0].report
    assert gone.is_file()
    files[0].unlink()
    aggregate([str(tmp_path / "in")], out, jobs=1, force=True)  # --force too cleans up
    assert not gone.exists()
    assert (out / first.cases[1].report).is_file()


def test_a_damaged_or_hostile_manifest_is_ignored(tmp_path):
    _copy_examples(tmp_path / "in", 1)
    out = tmp_path / "out"
    out.mkdir()
    (out / MANIFEST_NAME).write_text("{not json", encoding="utf-8")
    assert aggregate([str(tmp_path / "in")], out, jobs=1).collection.rendered == 1
    # A manifest naming a file outside the site must never make kafka delete it.
    victim = tmp_path / "victim.html"
    victim.write_text("keep me")
    data = json.loads((out / MANIFEST_NAME).read_text(encoding="utf-8"))
    entry = next(iter(data["cases"].values()))
    data["cases"]["/elsewhere/x.yaml"] = {**entry, "report": "../victim.html"}
    (out / MANIFEST_NAME).write_text(json.dumps(data), encoding="utf-8")
    assert "/elsewhere/x.yaml" not in Manifest.read(out).entries
    aggregate([str(tmp_path / "in")], out, jobs=1)
    assert victim.read_text() == "keep me"


# --- language --------------------------------------------------------------------------------


def test_english_pages(tmp_path):
    aggregate([str(PAIR)], tmp_path, RunOptions.of("en"), jobs=1)
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    agenda = (tmp_path / "agenda.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in index and "All cases" in index and "Proposals across cases" in index
    assert "Supralocal agenda" in agenda and "To:" in agenda and "Deadlines and waiting" in agenda
    assert "Alle casussen" not in index


# --- in a browser ----------------------------------------------------------------------------


@pytest.mark.browser
def test_index_in_a_browser_filters_and_follows_a_link_to_a_case_report(site):
    import browser
    out, result = site
    with browser.open_page(out / "index.html") as (page, log):
        rows = page.locator("#cases-table tbody tr")
        assert rows.count() == len(result.collection.cases)
        page.fill("[data-filter-table=cases-table] input[data-filter-text]", "zuiddorp")
        assert page.locator("#cases-table tbody tr:visible").count() == 1
        page.fill("[data-filter-table=cases-table] input[data-filter-text]", "")
        page.select_option("[data-filter-table=cases-table] select[data-filter-column='2']", "Huurwaarborg")
        visible = page.locator("#cases-table tbody tr:visible")
        assert visible.count() == sum(1 for c in result.collection.cases if c.procedure == "huurwaarborg")
        visible.first.locator("a").first.click()
        page.wait_for_load_state("load")
        assert page.url.endswith(".html") and "/cases/" in page.url
        assert page.locator("h1").first.inner_text().startswith("Huurwaarborg")
        page.locator("a[href='../index.html']").first.click()
        page.wait_for_load_state("load")
        assert page.url.endswith("/index.html")
        # following our own links is the only request: nothing external, nothing failed, no script error
        site_url = out.resolve().as_uri() + "/"
        assert all(url.startswith(site_url) for url in log.external_requests), log
        assert not (log.console_errors or log.failed_requests or log.dialogs), log


@pytest.mark.browser
def test_agenda_in_a_browser_is_clean_and_prints_on_a4(site, tmp_path):
    import browser
    out, _ = site
    with browser.open_page(out / "agenda.html") as (page, log):
        assert page.locator("article.item").count() > 0
        page.emulate_media(media="print")
        pdf = page.pdf(format="A4")
        assert log.clean, log
    assert pdf.startswith(b"%PDF") and len(re.findall(rb"/Type\s*/Page\b", pdf)) > 1


def test_a_site_without_valid_cases_or_without_findings_still_renders(tmp_path):
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "a.yaml").write_text("case: [\n", encoding="utf-8")
    result = aggregate([str(tmp_path / "bad")], tmp_path / "empty", jobs=1)
    assert not result.ok and result.collection.cases == []
    assert "a.yaml" in (tmp_path / "empty" / "index.html").read_text(encoding="utf-8")
    assert _read_csv(tmp_path / "empty" / "proposals.csv") == []

    quiet = aggregate([str(PAIR)], tmp_path / "quiet", RunOptions.of("nl", select=["S", "L", "P01", "P02"]), jobs=1)
    assert quiet.ok and len(quiet.collection.cases) == 2
    assert _read_csv(tmp_path / "quiet" / "findings.csv") == []
    assert "Er zijn geen bovenlokale voorstellen" in (tmp_path / "quiet" / "agenda.html").read_text(encoding="utf-8")


def test_the_to_be_maps_are_drawn_only_with_to_be_but_the_savings_are_always_there(tmp_path):
    plain = aggregate([str(PAIR)], tmp_path, jobs=1).collection
    report = (tmp_path / plain.cases[0].report).read_text(encoding="utf-8")
    assert 'id="to-be"' not in report
    assert all(c.savings["all"]["euro_year"] >= c.savings["local"]["euro_year"] > 0 for c in plain.cases)
    with_to_be = aggregate([str(PAIR)], tmp_path, RunOptions.of("nl", to_be=True), jobs=1).collection
    assert with_to_be.rendered == 2  # another option, another cache key
    assert 'id="to-be"' in (tmp_path / with_to_be.cases[0].report).read_text(encoding="utf-8")


def test_two_runs_into_one_folder_at_once_are_refused_but_a_stale_lock_is_taken_over(tmp_path):
    import os

    from kafka.aggregate.lock import LOCK_NAME, site_lock
    from kafka.errors import OutputError

    out = tmp_path / "out"
    out.mkdir()
    with site_lock(out):  # another run holds the folder
        with pytest.raises(OutputError, match=f"another 'kafka aggregate' \\(process {os.getpid()}\\)"):
            aggregate([str(PAIR)], out, jobs=1)
    (out / LOCK_NAME).write_text(str(os.getpid()))  # left by a run that crashed (even one whose pid is taken)
    assert aggregate([str(PAIR)], out, jobs=1).ok
    assert not (out / LOCK_NAME).exists()


def _contend(folder: str, marker: str, barrier, results) -> None:
    """One of several processes that try to take the lock at the same moment."""
    import os
    import time

    from kafka.aggregate.lock import site_lock
    from kafka.errors import OutputError

    barrier.wait()
    try:
        with site_lock(Path(folder)):
            try:  # nobody else may be inside now
                os.close(os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
            except FileExistsError:
                results.put("two holders")
                return
            time.sleep(0.05)
            os.unlink(marker)
            results.put("held")
    except OutputError:
        results.put("refused")


def test_the_lock_has_one_holder_however_many_runs_start_at_once(tmp_path):
    """Issue 18, item 13: with a stale lock file, three simultaneous runs gave two holders
    in 19 of 40 rounds (the window between creating the lock file and writing the pid)."""
    import multiprocessing

    from kafka.aggregate.lock import LOCK_NAME

    context = multiprocessing.get_context("fork")
    outcomes = []
    for round_ in range(15):
        folder = tmp_path / f"round-{round_}"
        folder.mkdir()
        (folder / LOCK_NAME).write_text("999999999" if round_ % 2 else "")  # stale, or empty
        barrier, results = context.Barrier(4), context.Queue()
        workers = [context.Process(target=_contend, args=(str(folder), str(folder / "inside"), barrier, results))
                   for _ in range(4)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(30)
        found = sorted(results.get(timeout=5) for _ in workers)
        assert "two holders" not in found, (round_, found)
        assert "held" in found, (round_, found)
        outcomes.append(found)


def _process_group(pgid: int) -> list[str]:
    """The processes of process group ``pgid`` (Linux /proc), as 'pid command'."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        fields = text.rsplit(")", 1)[1].split()
        if int(fields[2]) == pgid and fields[0] != "Z":
            found.append(f"{stat.parent.name} {text.split(' ', 2)[1]}")
    return found


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads the process table in /proc")
def test_after_kill_9_no_process_lives_on_and_the_next_run_cleans_up(tmp_path):
    """Issue 18, item 12: after `kill -9` of aggregate, the forkserver, the resource tracker and
    the workers lived on (5+ minutes), and temporary files piled up."""
    import os
    import signal
    import subprocess
    import time

    from generate_cases import main as generate_cases

    generate_cases([str(tmp_path / "in"), "--count", "80"])
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-m", "kafka", "aggregate", str(tmp_path / "in"), "-o", str(out),
                             "-j", "2"], start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 180
        while not any((out / "cases" / ".incoming").glob("*")) and time.monotonic() < deadline:
            time.sleep(0.1)  # the workers render reports now
        assert proc.poll() is None, "the run ended before it could be killed"
        assert len(_process_group(proc.pid)) >= 4, _process_group(proc.pid)  # main, tracker, forkserver, workers
        (out / ".manifest.json.0f3a9c21b7d4.tmp").write_text("{")  # as a write cut short leaves it
        (out / "cases" / ".x.html.a1b2c3d4.tmp").write_text("<html")
        (out / ".notes.tmp").write_text("not kafka's")
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    deadline = time.monotonic() + 30
    while _process_group(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    left = _process_group(proc.pid)
    for line in left:
        os.kill(int(line.split()[0]), signal.SIGKILL)  # do not leave them behind the test either
    assert left == [], "processes outlived the killed run"

    assert aggregate([str(tmp_path / "in")], out, jobs=1).ok
    leftovers = sorted(p.name for p in [*out.iterdir(), *(out / "cases").iterdir()] if p.name.endswith(".tmp"))
    assert leftovers == [".notes.tmp"]
    assert not (out / "cases" / ".incoming").exists()


def test_lead_days_of_a_merged_proposal_are_a_mean_over_cases_not_findings():
    from kafka.aggregate.tables import merge_proposals

    def finding(case_id: str, days: float) -> dict:
        return dict(code="T02", level="local", government="local", merge_key="step:bcsd", case_id=case_id,
                    organisation=case_id.upper(), procedure="leefloon", title="Lange wachttijd",
                    target_group="step", target_label="Comité", target_detail="", proposal="Korter",
                    proposal_text="Korter", owner="OCMW", client_hours_year_saved=0.0,
                    staff_hours_year_saved=0.0, euro_year_saved=0.0, lead_days_saved=days)

    import pandas as pd

    [row] = merge_proposals(pd.DataFrame([finding("a", 7), finding("a", 5), finding("b", 4)])).to_dict("records")
    assert (row["findings"], row["cases"]) == (3, 2)
    assert row["lead_days_saved_mean"] == 8.0  # case a saves 12 days, case b 4
