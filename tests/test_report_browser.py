"""The report in a real browser: headless Chromium opens it from disk (file://).

Screenshots and a PDF go to tests/artifacts/ (git-ignored) to be looked at.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from browser import open_page
from kafka.analysis import analyze
from kafka.loader import iter_case_files, load_case, load_text
from kafka.report import write_case_report
from runs import case_run
from report_cases import MARKERS, hostile_case_text

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parent.parent
ARTIFACTS = REPO / "tests" / "artifacts"
A4_PORTRAIT_PX = 703  # 210 mm - 2 x 12 mm margins, at 96 dpi
A4_LANDSCAPE_PX = 1047  # 297 mm - 2 x 10 mm margins


def _largest_case() -> Path:
    files = list(iter_case_files([str(REPO / "cases")]))
    if not files:
        pytest.skip("no example cases in cases/")
    return max(files, key=lambda p: len(load_case(p).case.steps))


@pytest.fixture(scope="module")
def report_path(tmp_path_factory) -> Path:
    return write_case_report(case_run(_largest_case()), tmp_path_factory.mktemp("report"))


@pytest.fixture(scope="module")
def hostile_path(tmp_path_factory) -> Path:
    return write_case_report(case_run(load_text(hostile_case_text(), "hostile.yaml")), tmp_path_factory.mktemp("hostile"))


def test_opens_offline_without_errors_and_shows_the_map(report_path):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with open_page(report_path) as (page, log):
        box = page.locator("#map-frame svg").bounding_box()
        assert box is not None and box["width"] > 300 and box["height"] > 300
        assert page.locator("#map-frame svg g.node").count() >= 5
        page.screenshot(path=str(ARTIFACTS / "report-top.png"))
        page.evaluate("document.documentElement.style.scrollBehavior = 'auto'")
        page.locator("#map").scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / "report-map.png"))
        page.locator("#proposals").scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / "report-proposals.png"))
    assert log.clean, log


def test_dark_mode_has_a_dark_page_and_a_restyled_map(report_path):
    with open_page(report_path, dark=True) as (page, log):
        background = page.evaluate("getComputedStyle(document.body).backgroundColor")
        lane = page.evaluate("getComputedStyle(document.querySelector('#map-frame .lane path, #map-frame .lane polygon')).fill")
        page.evaluate("document.documentElement.style.scrollBehavior = 'auto'")
        page.locator("#map").scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / "report-map-dark.png"))
    assert _brightness(background) < 60, background
    assert _brightness(lane) < 80, lane
    assert log.clean, log


def _brightness(css_colour: str) -> float:
    numbers = [float(n) for n in css_colour[css_colour.index("(") + 1:-1].replace("/", " ").replace(",", " ").split()[:3]]
    return sum(numbers) / 3


def test_tables_sort_by_a_click(report_path):
    with open_page(report_path) as (page, log):
        column = page.locator("table.steps thead th").nth(5)  # client minutes
        values = lambda: [float(v) for v in page.eval_on_selector_all(
            "table.steps tbody tr", "rows => rows.map(r => r.cells[5].dataset.sort)")]
        column.locator("button").click()
        ascending = values()
        column.locator("button").click()
        descending = values()
        assert ascending == sorted(ascending) and descending == sorted(descending, reverse=True)
        assert column.get_attribute("aria-sort") == "descending"
    assert log.clean, log


def test_the_map_zooms_to_its_natural_size_and_back(report_path):
    with open_page(report_path, width=1200) as (page, log):
        frame = page.locator("#map-frame")
        natural = float(frame.get_attribute("data-width")) * 4 / 3
        fitted = page.locator("#map-frame svg").bounding_box()["width"]
        page.click("button[data-zoom=full]")
        full = page.locator("#map-frame svg").bounding_box()["width"]
        page.click("button[data-zoom=in]")
        larger = page.locator("#map-frame svg").bounding_box()["width"]
        page.click("button[data-zoom=fit]")
        again = page.locator("#map-frame svg").bounding_box()["width"]
    assert fitted <= 1200 and abs(full - natural) < 2 and larger > full and abs(again - fitted) < 2
    assert log.clean, log


def test_deep_links_land_on_the_step_and_the_finding(report_path):
    with open_page(report_path) as (page, log):
        first_chip = page.locator(".finding .evidence a.chip").first
        target = first_chip.get_attribute("href")
        first_chip.click()
        page.wait_for_timeout(700)  # smooth scrolling
        assert page.evaluate("location.hash") == target
        assert page.evaluate(f"document.getElementById('{target[1:]}') !== null")
    assert log.clean, log


def test_a_hostile_case_runs_no_script_and_shows_its_texts(hostile_path):
    with open_page(hostile_path) as (page, log):
        page.wait_for_timeout(300)
        for node in page.locator("#map-frame svg g.node").all()[:3]:
            node.hover()  # would fire injected onmouseover handlers
        assert page.evaluate("document.scripts.length") == 2
        assert page.evaluate("document.querySelectorAll('img, iframe, object, embed').length") == 0
        page_text = page.evaluate("document.body.innerText")
        map_text = page.locator("#map-frame svg").text_content()
        page.screenshot(path=str(ARTIFACTS / "report-hostile.png"))
    assert log.dialogs == [], log.dialogs
    assert log.clean, log
    for marker in MARKERS:
        assert marker in page_text, marker
    assert "<script>alert(" in map_text and "<b>bold</b>" in map_text and "{{ 7*7 }}" in map_text


def test_prints_on_a4_with_nothing_cut_off(report_path):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with open_page(report_path, width=A4_PORTRAIT_PX) as (page, log):
        page.emulate_media(media="print")
        too_wide = page.evaluate(
            """([portrait, landscape]) => Array.from(document.querySelectorAll('section.block, .page-header'))
                .map(s => [s.id || s.className, s.scrollWidth,
                           s.matches('.map-section, #data, #appendix') ? landscape : portrait])
                .filter(([id, width, limit]) => width > limit + 1)""",
            [A4_PORTRAIT_PX, A4_LANDSCAPE_PX],
        )
        pdf = page.pdf(path=str(ARTIFACTS / "report.pdf"), format="A4", print_background=True)
    assert too_wide == [], too_wide
    assert pdf.startswith(b"%PDF")
    assert pdf.count(b"/Type /Page\n") + pdf.count(b"/Type /Page/") + pdf.count(b"/Type /Page ") >= 3 or len(pdf) > 50_000
    assert log.clean, log
