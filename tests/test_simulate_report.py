"""The to-be section of the case report: before/after table, scenario cards, to-be maps, changes."""

from __future__ import annotations

import re
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from kafka.analysis import analyze
from kafka.cli import main
from kafka.loader import load_case, load_text
from kafka.metrics import CONTRACT_METRICS
from kafka.report import render_case_report
from kafka.report.to_be import build_to_be
from kafka.simulate import scenarios
from runs import case_run

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "cases" / "leefloon-lindenberg.yaml"


class Page(HTMLParser):
    def __init__(self, html: str):
        super().__init__()
        self.ids: list[str] = []
        self.hrefs: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name == "id":
                self.ids.append(value)
            elif name in ("href", "xlink:href"):
                self.hrefs.append(value)

    handle_startendtag = handle_starttag


@cache
def report(path: str = str(EXAMPLE), lang: str = "nl") -> str:
    return render_case_report(case_run(path, lang, to_be=True))


def section(html: str) -> str:
    start = html.index('<section class="block" id="to-be">')
    return html[start:html.index("</section>", start)]


def test_the_section_has_both_scenarios_the_table_and_the_maps():
    html = report()
    ids = set(Page(html).ids)
    assert {"to-be", "to-be-local", "to-be-all", "to-be-table", "to-be-maps"} <= ids
    assert {f"to-be-row-{name}" for name in CONTRACT_METRICS} <= ids
    part = section(html)
    assert "Met de lokale voorstellen" in part and "Met alle voorstellen" in part
    assert part.count("<svg") >= 3  # the as-is beside the two to-be maps
    assert 'href="#map-graph0"' in part  # the as-is map is shown again, not copied
    assert any(i.startswith("to-be-local-step-") for i in ids) and any(i.startswith("to-be-all-step-") for i in ids)


def test_the_section_comes_after_the_proposals_and_before_the_appendix():
    html = report()
    assert html.index('id="proposals"') < html.index('id="to-be"') < html.index('id="appendix"')
    assert 'href="#to-be"' in html  # in the table of contents


def test_ids_stay_unique_and_every_anchor_resolves():
    page = Page(report())
    duplicates = {i for i in page.ids if page.ids.count(i) > 1}
    assert not duplicates
    dangling = {h for h in page.hrefs if h.startswith("#") and h[1:] not in set(page.ids)}
    assert not dangling


def test_the_to_be_maps_keep_the_as_is_step_numbers():
    analysis = analyze(load_case(EXAMPLE).case)
    results = scenarios(analysis)
    data = build_to_be(analysis, results)
    numbers = {s.id: i + 1 for i, s in enumerate(analysis.case.steps)}
    all_map = str(next(v for v in data.scenarios if v.key == "all").map.svg)
    for step in results["all"].to_be_case.steps:
        assert f"{numbers[step.id]}. {step.name}" in all_map.replace("&#45;", "-")
    gone = set(numbers) - {s.id for s in results["all"].to_be_case.steps}
    assert gone and not any(f'id="to-be-all-step-{s}"' in all_map for s in gone)


def test_the_table_shows_the_numbers_of_the_scenarios():
    analysis = analyze(load_case(EXAMPLE).case)
    results = scenarios(analysis)
    data = build_to_be(analysis, results)
    row = next(r for r in data.rows if r.key == "lead_time_days")
    assert row.as_is == analysis.metrics.lead_time_days
    assert [c.value for c in row.cells] == [results["local"].to_be.lead_time_days, results["all"].to_be.lead_time_days]
    assert all(c.diff <= 0 for r in data.rows if r.key in CONTRACT_METRICS for c in r.cells)
    card = next(v for v in data.scenarios if v.key == "all")
    assert card.saving == results["all"].saving and card.applied and card.steps_gone >= 1


def test_english_report():
    part = section(report(lang="en"))
    assert "With the local proposals" in part and "With all proposals" in part and "Wat verandert" not in part


def test_hostile_texts_stay_text_in_the_to_be_section():
    from report_cases import MARKERS, hostile_case

    loaded = load_text(yaml.safe_dump(hostile_case(), allow_unicode=True), "hostile.yaml")
    assert loaded.ok, [str(p) for p in loaded.problems]
    part = section(render_case_report(case_run(loaded, to_be=True)))
    for marker in MARKERS:
        if "<" in marker:
            assert marker not in part, marker
    assert "<script" not in part


def test_kafka_report_writes_the_to_be_section(tmp_path):
    result = CliRunner().invoke(main, ["report", str(EXAMPLE), "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    html = (tmp_path / "leefloon-lindenberg.html").read_text(encoding="utf-8")
    ids = Page(html).ids
    assert "to-be" in ids and any(i.startswith("to-be-all-step-") for i in ids)


@pytest.mark.browser
def test_the_scenario_tabs_switch_the_to_be_map(tmp_path):
    from browser import open_page

    target = tmp_path / "report.html"
    target.write_text(report(), encoding="utf-8")
    with open_page(target) as (page, log):
        shown = lambda key: page.locator(f"#tobe-panel-{key}").is_visible()  # noqa: E731
        assert shown("all") and not shown("local")
        page.click("label[for=tobe-tab-local]")
        assert shown("local") and not shown("all")
        box = page.locator("#tobe-panel-local svg").bounding_box()
        assert box["width"] > 200 and box["height"] > 200
        page.emulate_media(media="print")
        assert shown("local") and shown("all")  # on paper, both maps
        assert log.clean, log
