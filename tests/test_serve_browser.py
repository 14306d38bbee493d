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
