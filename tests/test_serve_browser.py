"""The live page in a real browser: it follows the case file by itself.

Uses playwright with the system Chromium (/usr/bin/chromium); skips with a
clear message when either is missing.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

from kafka.serve import LiveServer, LiveSite

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "cases" / "leefloon-heidebeek.yaml"

# The text of the page on screen (the frame in front), from the top page.
FRONT_TEXT = """() => {
  const frame = [...document.querySelectorAll('iframe')].find(f => !f.classList.contains('behind'));
  return frame && frame.contentDocument && frame.contentDocument.body ? frame.contentDocument.body.innerText : '';
}"""


@pytest.fixture
def browser_page(tmp_path):
    from browser import ARGS, chromium_executable

    from playwright import sync_api as playwright_api
    chromium = os.environ.get("KAFKA_TEST_CHROMIUM") or chromium_executable()  # installs Debian's chromium if missing
    with playwright_api.sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(tmp_path / "profile"), executable_path=chromium, args=ARGS, headless=True,
            viewport={"width": 1280, "height": 800},
        )
        try:
            page = context.new_page()
            requests: list[str] = []
            page.on("request", lambda request: requests.append(request.url))
            page.requests = requests
            yield page
        finally:
            context.close()


def save(path: Path, text: str) -> None:
    before = path.stat().st_mtime_ns
    path.write_text(text, encoding="utf-8")
    if path.stat().st_mtime_ns == before:
        os.utime(path, ns=(before + 1_000_000, before + 1_000_000))


def front_text_contains(page, text: str, timeout_ms: int = 10_000) -> None:
    page.wait_for_function(f"() => ({FRONT_TEXT})().includes({text!r})", timeout=timeout_ms)


def test_the_page_follows_the_file_by_itself(browser_page, tmp_path):
    page = browser_page
    case = tmp_path / "case.yaml"
    shutil.copy(EXAMPLE, case)
    text = case.read_text(encoding="utf-8")
    with LiveServer(LiveSite(case), port=0, poll_seconds=0.1) as server:
        page.goto(server.url)
        front_text_contains(page, "Leefloonaanvraag van Dries")
        page.wait_for_function("() => document.getElementById('live-status').textContent === 'live'")
        # Mark the top page: if it were reloaded, the mark would be gone.
        page.evaluate("() => { window.kafkaMark = 1; }")
        frame_scroll = "() => [...document.querySelectorAll('iframe')].find(f => !f.classList.contains('behind'))"
        page.evaluate(f"() => ({frame_scroll})().contentWindow.scrollTo({{top: 600, behavior: 'instant'}})")

        started = time.monotonic()
        save(case, text.replace("Telefonische aanmelding", "Aanmelding per brief"))
        front_text_contains(page, "Aanmelding per brief")
        assert time.monotonic() - started < 5
        assert page.evaluate("() => window.kafkaMark") == 1, "the page reloaded instead of updating itself"
        assert page.evaluate(f"() => ({frame_scroll})().contentWindow.scrollY") > 300, "the reader lost their place"

        # An invalid file: the errors with their lines; fixed: the report again.
        save(case, text.replace("    actor: mw\n", "    actor: mww\n", 1))
        front_text_contains(page, "onbekende actor «mww»")
        assert "regel" in page.evaluate(FRONT_TEXT)
        save(case, text)
        front_text_contains(page, "Telefonische aanmelding")
        assert page.evaluate("() => window.kafkaMark") == 1

    # Every request went to the preview server itself.
    origin = server.url.rstrip("/")
    assert page.requests and all(url.startswith(origin) for url in page.requests), page.requests


def test_the_page_says_when_the_server_is_gone(browser_page, tmp_path):
    page = browser_page
    case = tmp_path / "case.yaml"
    shutil.copy(EXAMPLE, case)
    server = LiveServer(LiveSite(case), port=0, poll_seconds=0.1).start()
    try:
        page.goto(server.url)
        front_text_contains(page, "Leefloonaanvraag van Dries")
    finally:
        server.stop()
    page.wait_for_function("() => document.getElementById('live-status').classList.contains('offline')",
                           timeout=10_000)
    assert "verbroken" in page.inner_text("#live-status")


FRONT_DOC = "[...document.querySelectorAll('iframe')].find(f => !f.classList.contains('behind')).contentDocument"


def test_a_save_changes_the_page_in_place_keeping_what_the_reader_did(browser_page, tmp_path):
    """Only what changed is changed on screen: the same document stays, with the map's zoom and
    step card; the print bands come back for printing. What cannot be changed in place safely
    (a row of a table the reader sorted, the page's head) loads the page whole, as before."""
    page = browser_page
    case = tmp_path / "case.yaml"
    shutil.copy(EXAMPLE, case)
    text = case.read_text(encoding="utf-8")
    with LiveServer(LiveSite(case), port=0, poll_seconds=0.05) as server:
        page.goto(server.url)
        page.wait_for_function(f"() => !!{FRONT_DOC}.kafkaSource")  # loaded, and known to live.js
        page.evaluate(f"() => {{ {FRONT_DOC}.kafkaMark = 1; }}")
        page.evaluate(f"() => {FRONT_DOC}.querySelector('.map-tools button[data-zoom=\"in\"]').click()")
        assert page.evaluate(f"() => !{FRONT_DOC}.getElementById('map-frame').classList.contains('fit')")

        save(case, text.replace("Telefonische aanmelding", "Aanmelding per brief"))
        front_text_contains(page, "Aanmelding per brief")
        assert page.evaluate(f"() => {FRONT_DOC}.kafkaMark") == 1, page.evaluate("() => document.body.dataset.whole")
        assert int(page.evaluate("() => document.body.dataset.patched")) >= 1
        # Still zoomed in; the step's card (a <template>) has the new name, and a click shows it.
        assert page.evaluate(f"() => !{FRONT_DOC}.getElementById('map-frame').classList.contains('fit')")
        page.evaluate(f"() => {FRONT_DOC}.querySelector('#map-frame g.node a').dispatchEvent("
                      "new MouseEvent('click', {bubbles: true, cancelable: true}))")
        card = page.evaluate(f"() => {{ const c = {FRONT_DOC}.getElementById('map-card'); return c.hidden ? '' : c.textContent; }}")
        assert "Aanmelding per brief" in card
        page.evaluate(f"() => {FRONT_DOC}.dispatchEvent(new KeyboardEvent('keydown', {{key: 'Escape'}}))")
        assert page.evaluate(f"() => {FRONT_DOC}.getElementById('map-card').hidden")
        # The map's print bands are held aside on screen and put back to print.
        assert page.evaluate(f"() => {FRONT_DOC}.querySelectorAll('.map-print use').length") == 0
        page.evaluate(f"() => {FRONT_DOC}.defaultView.dispatchEvent(new Event('beforeprint'))")
        assert page.evaluate(f"() => {FRONT_DOC}.querySelectorAll('.map-print use').length") > 0
        page.evaluate(f"() => {FRONT_DOC}.defaultView.dispatchEvent(new Event('afterprint'))")
        assert page.evaluate(f"() => {FRONT_DOC}.querySelectorAll('.map-print use').length") == 0

        # The reader sorts the table of steps: its rows moved, so a change to a step loads the page whole.
        for _ in range(2):  # the second click sorts the other way round: the last step first
            page.evaluate(f"() => {FRONT_DOC}.querySelector('table.steps thead th button').click()")
        save(case, text.replace("Telefonische aanmelding", "Aanmelding per mail"))
        front_text_contains(page, "Aanmelding per mail")
        page.wait_for_function(f"() => !{FRONT_DOC}.kafkaMark && !!{FRONT_DOC}.kafkaSource")
        assert page.evaluate("() => document.body.dataset.whole") in ("row", "changed on screen", "children")

        # A change to the page's head (the case's title is the tab's title) loads it whole too.
        save(case, text.replace("Leefloonaanvraag van Dries", "Leefloonaanvraag van Ann"))
        front_text_contains(page, "Leefloonaanvraag van Ann")
        page.wait_for_function("() => document.body.dataset.whole === 'head'")


# What a screen shows, to compare two screens: each section of the report as it is on screen, the
# print bands held aside, and the step cards (<template>s, whose contents no comparison of nodes sees).
SCREEN = """() => {
  const f = [...document.querySelectorAll('iframe')].find(f => !f.classList.contains('behind'));
  const doc = f.contentDocument;
  const shown = {};
  [...doc.querySelector('main').children].forEach((c, i) => { shown['section ' + (c.id || i)] = c.outerHTML; });
  [...doc.querySelectorAll('.map-print')].forEach((b, i) => {
    const d = doc.createElement('div');
    d.appendChild(b.kafkaAside.cloneNode(true));
    shown['bands ' + i] = d.innerHTML;
  });
  doc.querySelectorAll('template[id]').forEach(t => { shown['template ' + t.id] = t.innerHTML; });
  return shown;
}"""

# Whether what live.js keeps as the page on screen (to compare the next one with) is the page now.
KEPT_IS_CURRENT = """async () => {
  const doc = [...document.querySelectorAll('iframe')].find(f => !f.classList.contains('behind')).contentDocument;
  const fresh = new DOMParser().parseFromString(await (await fetch('/view/')).text(), 'text/html');
  const kept = doc.kafkaSource.doc;
  return kept.querySelector('main').isEqualNode(fresh.querySelector('main')) &&
    [...fresh.querySelectorAll('template[id]')].every(t => kept.getElementById(t.id).innerHTML === t.innerHTML);
}"""


def test_a_save_changes_only_the_changed_elements_and_the_screen_is_as_if_loaded_anew(browser_page, tmp_path):
    """Within a changed section only the elements whose text changed are parsed and changed; after
    each kind of change (a name, a number, a name long enough to change the map's layout, back) and
    after the to-be that follows, the screen is exactly what a screen that loads the page shows."""
    page = browser_page
    case = tmp_path / "case.yaml"
    shutil.copy(EXAMPLE, case)
    text = case.read_text(encoding="utf-8")
    step_name = "Telefonische aanmelding en afspraak voor een intakegesprek"
    changes = [
        ("a name", text.replace(step_name, "Aanmelding per brief", 1), "Aanmelding per brief"),
        ("a number", text.replace("    client_minutes: 90\n", "    client_minutes: 95\n", 1), None),
        ("a long name", text.replace(step_name, step_name + " en nog veel meer woorden die de kaart breder maken", 1),
         "nog veel meer woorden die de kaart breder maken"),
        ("back", text, step_name),
    ]
    with LiveServer(LiveSite(case), port=0, poll_seconds=0.05) as server:
        page.goto(server.url)
        page.wait_for_function(f"() => !!{FRONT_DOC}.kafkaSource")
        page.evaluate(f"() => {{ {FRONT_DOC}.kafkaMark = 1; }}")
        for what, changed, shows in changes:
            fine_before = int(page.evaluate("() => document.body.dataset.fine || 0"))
            generation = int(page.evaluate("() => document.body.dataset.shown"))
            save(case, changed)
            # The change at once, then (a generation later) its to-be.
            page.wait_for_function("(g) => Number(document.body.dataset.shown) >= g + 2", arg=generation,
                                   timeout=15_000)
            if shows:  # textContent: sections out of sight are not drawn (innerText leaves them out)
                assert shows in page.evaluate(f"() => {FRONT_DOC}.body.textContent"), what
            assert int(page.evaluate("() => document.body.dataset.fine || 0")) > fine_before, what
            assert page.evaluate(f"() => {FRONT_DOC}.kafkaMark") == 1, (what, page.evaluate("() => document.body.dataset.whole"))
            assert page.evaluate(KEPT_IS_CURRENT), what
            anew = page.context.new_page()
            try:
                anew.goto(server.url)
                anew.wait_for_function(f"() => !!{FRONT_DOC}.kafkaSource")
                here, there = page.evaluate(SCREEN), anew.evaluate(SCREEN)
            finally:
                anew.close()
            assert here.keys() == there.keys(), what
            assert [key for key in here if here[key] != there[key]] == [], what


# A page of one section, as live.js cuts a report, with a table of steps.
def _page(rows: str) -> str:
    return ('<!doctype html><html lang="nl"><head><title>t</title></head><body><main id="main">\n'
            f'<section class="block" id="steps"><table><tbody>{rows}</tbody></table></section>\n'
            '<footer class="page-footer">f</footer>\n</main></body></html>')


CHANGE_IN_PLACE = """([before, after, sorted]) => {
  const screen = new DOMParser().parseFromString(before, 'text/html');
  if (sorted) {  // the reader sorted the table: its rows are in another order on screen
    const body = screen.querySelector('tbody');
    body.appendChild(body.firstElementChild);
  }
  const kept = window.kafkaLive.source('/view/', {text: before, key: 'k', parts: null, doc: null});
  const done = window.kafkaLive.changeInPlace(screen, kept, after);
  return {done, rows: [...screen.querySelectorAll('tr')].map(r => r.textContent)};
}"""


def test_a_change_in_a_row_the_reader_sorted_away_is_never_made_in_another_row(browser_page, tmp_path):
    """Two steps show the same number; the reader sorted the table, so the row where the first one
    was holds the second: changing the first one's number must not change the second's."""
    page = browser_page
    case = tmp_path / "case.yaml"
    shutil.copy(EXAMPLE, case)
    before = _page("<tr><td>Aanmelding</td><td>10</td></tr><tr><td>Intake</td><td>10</td></tr>")
    after = before.replace("<td>Aanmelding</td><td>10</td>", "<td>Aanmelding</td><td>15</td>")
    with LiveServer(LiveSite(case), port=0, poll_seconds=0.05) as server:
        page.goto(server.url)
        page.wait_for_function("() => !!window.kafkaLive")
        as_sent = page.evaluate(CHANGE_IN_PLACE, [before, after, False])
        assert as_sent == {"done": True, "rows": ["Aanmelding15", "Intake10"]}
        page.evaluate("() => { document.body.dataset.fine = '0'; }")
        sorted_ = page.evaluate(CHANGE_IN_PLACE, [before, after, True])
        assert sorted_["done"] is False, sorted_  # loaded whole instead
        assert sorted_["rows"] == ["Intake10", "Aanmelding10"]  # nothing changed in the wrong row
        assert page.evaluate("() => document.body.dataset.whole") == "row"
