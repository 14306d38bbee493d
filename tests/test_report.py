"""The HTML case report: structure, anchors, offline, the order of the parts, the report data."""

from __future__ import annotations

import re
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

import pytest

from kafka.analysis import analyze
from kafka.detectors import CODES
from kafka.loader import iter_case_files, load_case
from kafka.report import render_case_report
from kafka.report.data import build_case_report
from runs import case_run

REPO = Path(__file__).resolve().parent.parent
CASE_FILES = sorted(iter_case_files([str(REPO / "cases")]))


class Page(HTMLParser):
    """Everything the checks need from a page: ids, links, sources, tags, attributes, text."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.ids: list[str] = []
        self.hrefs: list[str] = []
        self.srcs: list[str] = []
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str, str]] = []
        self.text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        for name, value in attrs:
            value = value or ""
            self.attributes.append((tag, name, value))
            if name == "id":
                self.ids.append(value)
            elif name in ("href", "xlink:href"):
                self.hrefs.append(value)
            elif name in ("src", "srcset", "action", "data", "poster"):
                self.srcs.append(value)

    handle_startendtag = handle_starttag

    def handle_data(self, data):
        self.text.append(data)


@cache
def rendered(path: str, lang: str) -> str:
    return render_case_report(case_run(path, lang))


@pytest.fixture(scope="module", params=["nl", "en"])
def reports(request) -> dict[str, str]:
    if not CASE_FILES:
        pytest.skip("no example cases in cases/")
    return {Path(p).stem: rendered(str(p), request.param) for p in CASE_FILES}


def test_every_case_renders_a_full_page(reports):
    for name, html in reports.items():
        assert html.startswith("<!doctype html>"), name
        assert html.rstrip().endswith("</html>"), name
        page = Page(html)
        for section in ("figures", "map", "timeline", "data", "findings", "proposals", "appendix"):
            assert section in page.ids, (name, section)
        assert "svg" in page.tags, name


def test_sections_come_in_the_order_of_the_issue(reports):
    order = ['id="figures"', 'id="map"', 'id="timeline"', 'id="data"', 'id="findings"', 'id="proposals"',
             'id="appendix"']
    for name, html in reports.items():
        positions = [html.index(marker) for marker in order]
        assert positions == sorted(positions), name


def test_every_code_and_both_proposal_levels_appear_across_the_cases(reports):
    codes, levels = set(), set()
    for html in reports.values():
        page = Page(html)
        codes |= {i.removeprefix("code-") for i in page.ids if i.startswith("code-")}
        for tag, name, value in page.attributes:
            if tag == "article" and name == "class" and value.startswith("proposal "):
                levels.add(value.split()[1])
    assert codes == set(CODES)
    assert levels == {"local", "supralocal"}


def test_every_anchor_resolves_and_ids_are_unique(reports):
    for name, html in reports.items():
        page = Page(html)
        duplicates = {i for i in page.ids if page.ids.count(i) > 1}
        assert not duplicates, (name, duplicates)
        ids = set(page.ids)
        dangling = {h for h in page.hrefs if h.startswith("#") and h[1:] not in ids}
        assert not dangling, (name, dangling)


def test_every_step_finding_and_proposal_has_an_anchor(reports):
    for path in CASE_FILES:
        loaded = load_case(path)
        analysis = analyze(loaded.case)
        ids = set(Page(rendered(str(path), "nl")).ids)
        for step in loaded.case.steps:
            assert f"step-{step.id}" in ids  # the row in the steps table
            assert f"map-step-{step.id}" in ids  # the node on the map
        anchors = {i for i in ids if i.startswith("finding-")}
        assert len(anchors) == len(analysis.findings)
        assert len({i for i in ids if i.startswith("proposal-")}) == len(analysis.findings)


def test_nothing_is_fetched_from_outside(reports):
    for name, html in reports.items():
        page = Page(html)
        assert not page.srcs, (name, page.srcs)
        outside = [h for h in page.hrefs if not h.startswith("#")]
        assert not outside, (name, outside)
        assert "<link" not in html and "@import" not in html, name
        assert not re.search(r"url\(\s*['\"]?(?!#)", html), name  # CSS url() other than in-page references
        # the only URLs are the SVG namespace names, which are never fetched
        urls = set(re.findall(r"https?://[^\s\"'<>)]+", html))
        assert urls <= {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}, (name, urls)


def test_a_content_security_policy_forbids_requests_and_foreign_scripts(reports):
    for name, html in reports.items():
        policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html).group(1)
        assert "default-src 'none'" in policy, name
        assert "unsafe-inline" not in policy.split("script-src")[1].split(";")[0], name
        scripts = re.findall(r"<script>(.*?)</script>", html, re.DOTALL)
        assert len(scripts) == 3, name  # sortable tables, the map zoom and the step card beside the map


def test_a_self_contained_report_stays_small(reports):
    for name, html in reports.items():
        assert len(html.encode("utf-8")) < 2_000_000, name


def test_the_dutch_report_is_dutch_and_the_english_one_english():
    path = str(next(p for p in CASE_FILES if "lindenberg" in str(p)) if any("lindenberg" in str(p) for p in CASE_FILES)
               else CASE_FILES[0])
    nl, en = rendered(path, "nl"), rendered(path, "en")
    assert '<html lang="nl">' in nl and "Kerncijfers" in nl and "Voorstellen" in nl and "Bovenlokaal" in nl
    assert '<html lang="en">' in en and "Key figures" in en and "Proposals" in en and "Supralocal" in en
    assert "Kerncijfers" not in en


def test_report_data_follows_the_analysis(shared_dir):
    run = case_run(shared_dir / "conformance" / "all-codes.yaml")
    analysis = run.analysis
    report = build_case_report(run)
    assert [c.level for c in report.columns] == ["local", "supralocal"]
    for column in report.columns:
        savings = [p.saving.euro_year for p in column.proposals]
        assert savings == sorted(savings, reverse=True)
    assert sum(len(c.proposals) for c in report.columns) == len(analysis.findings)
    assert [g.code for g in report.finding_groups] == [c for c in CODES if any(f.code == c for f in analysis.findings)]
    assert [r.step.id for r in report.timeline.rows] == list(analysis.metrics.longest_path)
    figure_keys = [f.key for f in report.figures]
    assert figure_keys == ["lead_time", "client_time", "staff_time", "contacts", "organisations", "stories", "data",
                           "burden"]
    assert {row.id for row in report.matrix.rows} == set(analysis.case.data)
    assert report.to_be is None


def test_the_timeline_adds_up_to_the_lead_time():
    for path in CASE_FILES:
        run = case_run(path)
        analysis = run.analysis
        timeline = build_case_report(run).timeline
        total = sum(row.wait + row.work for row in timeline.rows)
        assert total == pytest.approx(analysis.metrics.lead_time_days), path
        assert timeline.waiting_days == pytest.approx(sum(row.wait for row in timeline.rows))
        for d in timeline.deadlines:
            assert d.exceeded == (d.end_day - d.start_day > d.days)


def test_the_lead_time_card_holds_the_lead_time_against_the_most_exceeded_deadline():
    path = next((p for p in CASE_FILES if "lindenberg" in str(p)), None)
    if path is None:
        pytest.skip("the Lindenberg example case is not there")
    report = build_case_report(case_run(path))
    card = report.figures[0]
    assert card.alert and "30" in card.note  # RMI: decision within 30 days, exceeded
    assert 0 < card.meter < 1


def test_the_link_back_to_the_index_is_shown_when_given():
    html = render_case_report(case_run(CASE_FILES[0]), link_back="../index.html")
    assert 'href="../index.html"' in html


def test_a_run_without_scenarios_has_no_to_be_section():
    page = Page(render_case_report(case_run(CASE_FILES[0])))
    assert "to-be" not in page.ids and "#to-be" not in page.hrefs


def test_a_large_case_gets_a_compact_data_matrix_with_the_same_cells(monkeypatch):
    # A full matrix grows as steps x items (a 3,000-step case: 1.2 million cells, 50 MB);
    # above kafka.report.data.MATRIX_MAX_CELLS each item lists its own steps instead.
    import sys

    import yaml

    import kafka.report.data as data
    from kafka.loader import load_text

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
    from casegen import generate_case

    text = yaml.safe_dump(generate_case(5, 400, 100, case_id="groot"), allow_unicode=True, sort_keys=False)
    run = case_run(load_text(text, "groot.yaml"))
    compact = build_case_report(run).matrix
    assert compact.compact and compact.steps == [] and all(row.cells == [] for row in compact.rows)
    compact_html = render_case_report(run)
    assert 'class="data sortable matrix compact"' in compact_html
    monkeypatch.setattr(data, "MATRIX_MAX_CELLS", 10**9)
    full = build_case_report(run).matrix
    assert not full.compact and len(full.steps) * len(full.rows) > 20_000
    expected = {(row.id, step.id, cell) for row in full.rows for step, cell in zip(full.steps, row.cells) if cell.kinds}
    shown = {(row.id, ref.id, cell) for row in compact.rows for ref, cell in row.marks}
    assert shown == expected
    assert len(compact_html) < len(render_case_report(run))


def test_the_findings_intro_counts_findings_and_kinds_each_on_its_own():
    # two repeated questions: 2 findings of 1 kind ("2 bevindingen in 1 soort", not "in 1 soorten")
    from kafka.loader import load_text

    text = """
case: {id: t, title: Test, organisation: OCMW Test, cases_per_year: 10}
actors:
  client: {name: Cliënt, level: client}
  mw: {name: Maatschappelijk werker, level: local, organisation: OCMW Test}
  board: {name: Bijzonder comité, level: local, organisation: OCMW Test}
data:
  income: {name: Inkomen}
  rent: {name: Huurprijs}
steps:
  - {id: a, name: Stap a, actor: mw, client_minutes: 10, asks: [income, rent]}
  - {id: b, name: Stap b, actor: mw, client_minutes: 10, asks: [income, rent]}
  - {id: c, name: Beslissing, actor: board, kind: decision, uses: [income, rent]}
"""
    loaded = load_text(text, "t.yaml")
    assert loaded.ok, [str(p) for p in loaded.problems]
    texts = {lang: " ".join(Page(render_case_report(case_run(loaded, lang))).text) for lang in ("nl", "en")}
    assert [f.code for f in case_run(loaded).analysis.findings] == ["D01", "D01"]
    assert "2 bevindingen in 1 soort." in texts["nl"]
    assert "2 findings of 1 kind." in texts["en"]
