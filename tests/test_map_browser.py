"""A map for the projector (issue 14, item 5), measured in Chromium at 1280x720.

For every case in cases/, the report is opened, the map fitted to the page
(the "Passend" button, also the default), and the font size of every text in
the map's steps measured as drawn on the screen (its font size times the
scale the fitted SVG is drawn at): none is under 12 pixels. A map with more
organisations than fit puts those with the fewest steps together in one lane
(kafka.processmap.merge_lanes).

A click on a step shows its card beside the step, and the page stays where
it is (it used to jump 28,000 pixels down to the appendix).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kafka.report import render_case_report
from runs import case_run

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parent.parent
CASES = sorted((REPO / "cases").glob("*.yaml"))
MIN_LABEL_PX = 12.0

LABEL_SIZES = """() => {
  const frame = document.getElementById('map-frame');
  const svg = frame.querySelector('svg');
  const sizes = [...frame.querySelectorAll('g.node text')].map(text => {
    const m = text.getScreenCTM();
    return parseFloat(getComputedStyle(text).fontSize) * Math.hypot(m.a, m.b);
  });
  return {sizes, svgWidth: svg.getBoundingClientRect().width, frameWidth: frame.clientWidth,
          fitted: frame.classList.contains('fit')};
}"""


@pytest.fixture(scope="module")
def browser():
    from browser import launched_browser

    with launched_browser() as instance:
        yield instance


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    out = tmp_path_factory.mktemp("reports")
    paths = {}
    for case in CASES:
        paths[case.stem] = out / f"{case.stem}.html"
        paths[case.stem].write_text(render_case_report(case_run(case, to_be=True)), encoding="utf-8")
    return paths


@pytest.mark.parametrize("case", [p.stem for p in CASES])
def test_the_fitted_map_shows_every_step_label_at_12_pixels_or_more(browser, reports, case):
    page = browser.new_page(viewport={"width": 1280, "height": 720})
    try:
        page.goto(reports[case].resolve().as_uri())
        page.click(".map-tools [data-zoom='full']")
        page.click(".map-tools [data-zoom='fit']")
        figures = page.evaluate(LABEL_SIZES)
    finally:
        page.close()
    assert figures["fitted"] and figures["svgWidth"] <= figures["frameWidth"] + 1  # the whole width in view
    assert figures["sizes"], "the map has step labels"
    smallest = min(figures["sizes"])
    assert smallest >= MIN_LABEL_PX, f"{case}: the smallest step label is {smallest:.1f} px"


def test_a_large_map_shares_a_lane_among_the_organisations_with_few_steps(reports):
    html = reports["leefloon-lindenberg"].read_text(encoding="utf-8")
    assert "Andere organisaties" in html and "staan 7 organisaties met weinig stappen samen" in html
    small = reports["leefloon-heidebeek"].read_text(encoding="utf-8")
    assert "Andere organisaties" not in small  # a map that fits keeps a lane per organisation


def test_a_click_on_a_step_shows_its_card_beside_it_and_the_page_stays(browser, reports):
    page = browser.new_page(viewport={"width": 1280, "height": 720})
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(reports["leefloon-lindenberg"].resolve().as_uri())
        node = page.locator("#map-frame g.node", has=page.locator("a[*|href='#step-intake']"))
        node.scroll_into_view_if_needed()
        before = page.evaluate("window.scrollY")
        node.locator("a").first.click()
        card = page.locator("#map-card")
        card.wait_for(state="visible")
        assert page.evaluate("window.scrollY") == before and page.evaluate("location.hash") == ""
        text = card.inner_text()
        assert "Intakegesprek, aanvraagformulier en documentenlijst" in text and "Maatschappelijk werker" in text
        assert "D01" in text and "Herhaalde vraag" in text  # its findings, each a link
        step = node.evaluate("n => { const r = n.getBoundingClientRect(); return {x: r.x, width: r.width}; }")
        shown = card.bounding_box()
        assert shown["x"] >= step["x"] + step["width"] or shown["x"] + shown["width"] <= step["x"]  # beside it
        assert 0 <= shown["x"] and shown["x"] + shown["width"] <= 1280
        assert 0 <= shown["y"] and shown["y"] + shown["height"] <= 720  # whole on the screen
        # another step: its card instead
        other = page.locator("#map-frame g.node", has=page.locator("a[*|href='#step-beslissing']"))
        other.scroll_into_view_if_needed()
        other.locator("a").first.click()
        assert "Beslissing van het bijzonder comité" in card.inner_text()
        page.keyboard.press("Escape")
        assert card.is_hidden()
        # a finding in the card leads to the finding
        node.scroll_into_view_if_needed()
        node.locator("a").first.click()
        card.locator(".card-findings a").first.click()
        assert page.evaluate("location.hash").startswith("#finding-") and card.is_hidden()
    finally:
        page.close()
    assert not errors, errors
