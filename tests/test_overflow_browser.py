"""No page wider than a 1280-pixel screen (issue 14, item 8), measured in Chromium.

Every page kafka writes or serves is opened at 1280x720: the case reports
(with the to-be), the site's index, agenda, trends and forms comparison, the
forms review, the log report, and the live pages of ``kafka serve`` (a case,
a folder, a case with errors, presentation mode, the workshop editor). On
each, ``document.scrollWidth <= innerWidth`` (no horizontal scroll bar on the
page), and every element that reaches past the right edge sits in a box that
scrolls by itself (a wide table scrolls inside its box); nothing is cut off.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from kafka.aggregate import aggregate
from kafka.aggregate.options import SiteOptions
from kafka.run import RunOptions

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parent.parent
CASES = sorted((REPO / "cases").glob("*.yaml"))
WIDTH, HEIGHT = 1280, 720

MEASURE = """() => {
  const width = window.innerWidth;
  const cut = [];
  for (const el of document.querySelectorAll('body *')) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.right <= width + 1) continue;
    let scroller = null;
    for (let a = el.parentElement; a; a = a.parentElement) {
      const overflow = getComputedStyle(a).overflowX;
      if (overflow !== 'visible') { scroller = a; break; }
    }
    // fine: inside a box that scrolls and itself fits the page
    if (scroller && ['auto', 'scroll'].includes(getComputedStyle(scroller).overflowX)
        && scroller.getBoundingClientRect().right <= width + 1) continue;
    if (scroller && scroller.getBoundingClientRect().right <= width + 1) continue;  // clipped on purpose (a map box)
    cut.push(`${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}.${String(el.className.baseVal ?? el.className)}`
             + ` reaches ${Math.round(box.right)}`);
  }
  return {scrollWidth: document.documentElement.scrollWidth, width, cut: cut.slice(0, 5)};
}"""


@pytest.fixture(scope="module")
def browser():
    from browser import launched_browser

    with launched_browser() as instance:
        yield instance


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    """Every page kafka writes, for the example cases."""
    from click.testing import CliRunner

    from kafka.cli import main

    out = tmp_path_factory.mktemp("pages")
    result = aggregate([str(p) for p in CASES], out / "site", RunOptions.of("nl", to_be=True), jobs=1,
                       site=SiteOptions(run_date=dt.date(2026, 6, 15)))
    assert result.ok
    runner = CliRunner()
    for args in (["forms", str(REPO / "cases"), "-o", str(out / "forms")],
                 ["log", "analyze", str(REPO / "examples" / "log" / "export.csv"), "--map",
                  str(REPO / "examples" / "log" / "export.map.yaml"), "-o", str(out / "log"), "--key",
                  str(out / "k.key"), "-q"]):
        done = runner.invoke(main, args)
        assert done.exit_code == 0, done.output
    return out


def measure(browser, url: str, frame: str | None = None) -> dict:
    page = browser.new_page(viewport={"width": WIDTH, "height": HEIGHT})
    try:
        page.goto(url)
        page.wait_for_load_state("load")
        if frame is not None:  # the live page: the report is in the frame in front
            page.wait_for_function(f"() => {{ const f = document.querySelector({frame!r});"
                                   " return f && f.contentDocument && f.contentDocument.readyState === 'complete'"
                                   " && f.contentDocument.body && f.contentDocument.body.innerText.length > 100; }",
                                   timeout=30_000)
            outer = page.evaluate(MEASURE)
            inner = page.frame_locator(frame).locator("body").evaluate(f"() => ({MEASURE})()")
            return {"page": outer, "frame": inner}
        return {"page": page.evaluate(MEASURE)}
    finally:
        page.close()


def assert_fits(result: dict, what: str) -> None:
    assert result["page"]["width"] == WIDTH
    for part, figures in result.items():  # the frame of the live page: as wide as the page gives it
        assert figures["scrollWidth"] <= figures["width"], (what, part, figures)
        assert not figures["cut"], (what, part, figures["cut"])


def written_pages():
    names = [f"site/cases/{p.stem}.html" for p in CASES]
    return names + ["site/index.html", "site/agenda.html", "site/trends.html", "site/forms.html",
                    "forms/forms.html", "log/report.html"]


@pytest.mark.parametrize("name", written_pages())
def test_a_written_page_fits_a_1280_pixel_screen(browser, outputs, name):
    path = outputs / name
    assert path.is_file(), name
    assert_fits(measure(browser, path.resolve().as_uri()), name)


def test_the_live_pages_fit_a_1280_pixel_screen(browser, tmp_path):
    from kafka.casedoc import EditSession
    from kafka.serve import LiveServer, LiveSite

    folder = tmp_path / "cases"
    folder.mkdir()
    for name in ("leefloon-lindenberg.yaml", "schuldbemiddeling-brugzande.yaml"):
        shutil.copy(REPO / "cases" / name, folder / name)
    broken = tmp_path / "broken.yaml"
    broken.write_text((REPO / "cases" / "leefloon-heidebeek.yaml").read_text(encoding="utf-8")
                      .replace("actor: mw", "actor: mww", 1), encoding="utf-8")
    case = folder / "leefloon-lindenberg.yaml"
    with LiveServer(LiveSite(case), port=0, poll_seconds=0.5) as server:
        assert_fits(measure(browser, server.url, "iframe:not(.behind)"), "serve CASE")
        assert_fits(measure(browser, server.url + "view/present"), "serve CASE: presenting")
    with LiveServer(LiveSite(folder), port=0, poll_seconds=0.5) as server:
        assert_fits(measure(browser, server.url, "iframe:not(.behind)"), "serve FOLDER")
    with LiveServer(LiveSite(broken), port=0, poll_seconds=0.5) as server:
        assert_fits(measure(browser, server.url + "view/"), "serve CASE with errors")
    with LiveServer(LiveSite(case), port=0, poll_seconds=0.5, editor=EditSession(case)) as server:
        assert_fits(measure(browser, server.edit_url, "iframe:not(.behind)"), "serve CASE --edit")


def test_the_case_table_shows_every_column_without_scrolling(browser, outputs):
    # The index's case table ends with "Besparing per jaar": it must be seen, not scrolled to;
    # so must the appendix's table of steps in a case report.
    for name, table in (("site/index.html", "#cases-table"),
                        ("site/cases/leefloon-lindenberg.html", "table.steps"),
                        ("site/cases/schuldbemiddeling-brugzande.html", "table.steps")):
        page = browser.new_page(viewport={"width": WIDTH, "height": HEIGHT})
        try:
            page.goto((outputs / name).resolve().as_uri())
            box = page.evaluate(f"""() => {{ const t = document.querySelector({table!r});
                return [t.getBoundingClientRect().width, t.parentElement.clientWidth,
                        t.querySelector('thead th:last-child').getBoundingClientRect().right]; }}""")
        finally:
            page.close()
        assert box[0] <= box[1] + 1 and box[2] <= WIDTH, (name, box)


# On paper nothing scrolls: the width of an A4 page inside its margins (210 mm - 2 x 12 mm at 96 px an inch).
A4_WIDTH = 703
TABLES_PAST_THE_EDGE = f"""() => [...document.querySelectorAll('table')]
  .filter(t => t.getBoundingClientRect().right > {A4_WIDTH} + 1)
  .map(t => `${{t.id || t.className}} reaches ${{Math.round(t.getBoundingClientRect().right)}}`)"""


@pytest.mark.parametrize("name", ["site/index.html", "site/agenda.html", "site/trends.html", "site/forms.html"])
def test_the_site_s_tables_fit_an_a4_page_in_print(browser, outputs, name):
    """Printed, a wide table cannot scroll in its box: Chromium shrank the whole index and still cut off
    its last column ("Besparing per jaar"). In print the tables fit the page, headers upright where needed."""
    page = browser.new_page(viewport={"width": A4_WIDTH, "height": 1000})
    try:
        page.goto((outputs / name).resolve().as_uri())
        page.emulate_media(media="print")
        assert page.evaluate(TABLES_PAST_THE_EDGE) == [], name
        # the sort buttons stand as plain text: a header repeated on the next page is painted
        assert page.evaluate("() => [...document.querySelectorAll('table.sortable th button')]"
                             ".every(b => getComputedStyle(b).display === 'contents')")
    finally:
        page.close()


def test_a_printed_report_repeats_its_table_headers_with_their_text(browser, outputs):
    """The appendix runs over several pages; Chromium painted its repeated header blank while
    the header held sort buttons (or a sticky cell). In print they are plain text, static."""
    page = browser.new_page(viewport={"width": A4_WIDTH, "height": 1000})
    try:
        page.goto((outputs / "site" / "cases" / "leefloon-lindenberg.html").resolve().as_uri())
        page.emulate_media(media="print")
        headers = page.evaluate("() => [...document.querySelectorAll('table.sortable thead th')].map(th => "
                                "[getComputedStyle(th).position, th.querySelector('button') ? "
                                "getComputedStyle(th.querySelector('button')).display : 'contents'])")
        assert headers and set(map(tuple, headers)) == {("static", "contents")}
    finally:
        page.close()
