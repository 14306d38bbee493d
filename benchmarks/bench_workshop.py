"""Workshop mode speed: from an edit in the browser editor to the change on every screen.

Targets: an edit of a 30-step case shows on every connected screen within
300 ms, median over 30 edits (issue 16); for a 100-step case within 300 ms
median and 450 ms for the 95th percentile (issue 19). A facilitator's page
(``kafka serve --edit``, headless Chromium) renames a step in the editor's
form; two read-only screens (the projector and a participant's tablet: the
plain address) show the report. Measured per edit, from the key press that
ends the field (Tab) to:

1. saved: the editor shows the new version (the change was checked and written);
2. announced: the server announces the new report on /events (it is rendered);
3. every screen: the new name is in the report on the facilitator's and both
   followers' screens, and a frame has been painted since (each screen is
   checked at every frame it draws: the first frame that has the name in its
   page, then the next one, which was drawn with it).

Everything runs on one machine (the server, three pages in one headless
Chromium, this script), competing with the machine's other work: the load is
printed before and after.

    .venv/bin/python benchmarks/bench_workshop.py [--steps 30 100] [--edits 30] [--screens 2]
"""

from __future__ import annotations

import argparse
import http.client
import math
import os
import threading
import statistics
import sys
import tempfile
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from casegen import generate_case  # noqa: E402

from kafka.casedoc import EditSession  # noqa: E402
from kafka.loader import load_case  # noqa: E402
from kafka.serve import LiveServer, LiveSite  # noqa: E402

TARGET_MEDIAN = 0.300
TARGET_P95 = {100: 0.450}  # issue 19 also bounds the 95th percentile, for 100 steps
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
# Checked at every frame the screen draws (polling "raf"): true at the first frame after the one
# that found the text in the page, so that the page with the text has been laid out and painted.
# textContent, not innerText: asking for the rendered text would lay the page out at every check.
FRONT_HAS = """(marker) => {
  const f = [...document.querySelectorAll('iframe')].find(f => !f.classList.contains('behind'));
  const has = !!(f && f.contentDocument && f.contentDocument.body && f.contentDocument.body.textContent.includes(marker));
  if (!has || window.kafkaBenchSeen !== marker) {
    window.kafkaBenchSeen = has ? marker : null;
    return false;
  }
  return true;
}"""


def p95(seconds: list[float]) -> float:
    ordered = sorted(seconds)
    return ordered[min(len(ordered) - 1, math.ceil(0.95 * len(ordered)) - 1)]


def summary(label: str, seconds: list[float], steps: int | None = None) -> bool:
    """Prints one line; with ``steps``, judged against that size's targets (True when met)."""
    median, high = statistics.median(seconds), p95(seconds)
    verdict = ""
    ok = True
    if steps is not None:
        p95_target = TARGET_P95.get(steps)
        ok = median <= TARGET_MEDIAN and (p95_target is None or high <= p95_target)
        targets = f"median <= {TARGET_MEDIAN * 1000:.0f} ms" + (f", p95 <= {p95_target * 1000:.0f} ms" if p95_target else "")
        verdict = f"  (targets {targets}: {'met' if ok else 'NOT MET'})"
    print(f"{label:<38} median {median * 1000:6.0f} ms   p95 {high * 1000:6.0f} ms   max {max(seconds) * 1000:6.0f} ms"
          f"{verdict}")
    return ok


class Announcements(threading.Thread):
    """Listens on /events like a page does; the time of every new generation."""

    def __init__(self, port: int):
        super().__init__(daemon=True)
        self.port = port
        self.times: list[float] = []

    def run(self) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        connection.request("GET", "/events")
        stream = connection.getresponse()
        while True:
            line = stream.fp.readline()
            if not line:
                return
            if line.startswith(b"data: "):
                self.times.append(time.perf_counter())

    def first_after(self, start: float, timeout: float = 10) -> float:
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            later = [t for t in self.times if t > start]
            if later:
                return later[0] - start
            time.sleep(0.002)
        return float("nan")


def bench(steps: int, args, sync_playwright) -> bool:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "case.yaml"
        doc = generate_case(7, n_steps=steps, n_items=14)
        path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
        assert load_case(path).ok
        step_id = doc["steps"][steps // 2]["id"]
        print(f"case: {steps} steps; {args.edits} edits; {args.screens} read-only screens + the editor's; "
              f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
        saved, announced, everywhere = [], [], []
        with tempfile.TemporaryDirectory() as profile, sync_playwright() as p, \
                LiveServer(LiveSite(path), port=0, editor=EditSession(path)) as server:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            editor = browser.new_page(viewport={"width": 1280, "height": 720})
            editor.goto(server.edit_url)
            editor.wait_for_selector(f".ed-step-open[data-step='{step_id}']")
            editor.click(f".ed-step-open[data-step='{step_id}']")
            editor.wait_for_selector("#ed-name")
            screens = [editor]
            for _ in range(args.screens):
                follower = browser.new_page(viewport={"width": 1280, "height": 720})
                follower.goto(server.url)
                screens.append(follower)
            for screen in screens:
                screen.wait_for_function(FRONT_HAS, arg=doc["steps"][0]["name"], polling="raf", timeout=30_000)
            events = Announcements(server.port)
            events.start()
            for i in range(args.edits):
                marker = f"Bewerkt-{i}"
                before = editor.evaluate("() => document.body.dataset.editVersion || ''")
                editor.fill("#ed-name", marker)
                start = time.perf_counter()
                editor.press("#ed-name", "Tab")
                editor.wait_for_function("(v) => (document.body.dataset.editVersion || '') !== v", arg=before,
                                         polling=5, timeout=10_000)
                saved.append(time.perf_counter() - start)
                for screen in screens:
                    screen.wait_for_function(FRONT_HAS, arg=marker, polling="raf", timeout=10_000)
                everywhere.append(time.perf_counter() - start)
                announced.append(events.first_after(start))
                time.sleep(args.pause)  # a facilitator does not type 30 changes a second; the to-be follows
            browser.close()
        summary("edit -> saved (editor)", saved)
        summary("edit -> announced (rendered)", announced)
        ok = summary(f"edit -> on every screen ({steps} steps)", everywhere, steps)
        print(f"load average {os.getloadavg()[0]:.1f} (at the end)")
        return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, nargs="+", default=[30, 100])
    parser.add_argument("--edits", type=int, default=30)
    parser.add_argument("--screens", type=int, default=2, help="read-only screens following the edits")
    parser.add_argument("--pause", type=float, default=2.0,
                        help="seconds between edits (the to-be is drawn in the pauses, as in a workshop)")
    args = parser.parse_args()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        sys.exit("playwright is needed (pip install -e '.[test]')")
    if not Path(CHROMIUM).exists():
        sys.exit(f"{CHROMIUM} is needed")
    from kafka.runtime import tune_gc

    tune_gc()  # as the kafka program does
    results = [bench(steps, args, sync_playwright) for steps in args.steps]
    sys.exit(0 if all(results) else 1)


if __name__ == "__main__":
    main()
