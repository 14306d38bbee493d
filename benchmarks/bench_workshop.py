"""Workshop mode speed: from an edit in the browser editor to the change on every screen.

Target (issue 16): an edit of a 30-step case shows on every connected screen
within 300 ms, median over 30 edits. A facilitator's page (``kafka serve
--edit``, headless Chromium) renames a step in the editor's form; two
read-only screens (the projector and a participant's tablet: the plain
address) show the report. Measured per edit, from the key press that ends
the field (Tab) to:

1. saved: the editor shows the new version (the change was checked and written);
2. announced: the server announces the new report on /events (it is rendered);
3. every screen: the new name is in the report on the facilitator's and both
   followers' screens.

    .venv/bin/python benchmarks/bench_workshop.py [--steps 30] [--edits 30] [--screens 2]
"""

from __future__ import annotations

import argparse
import http.client
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

TARGET_SECONDS = 0.3
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
FRONT_HAS = """(marker) => {
  const f = [...document.querySelectorAll('iframe')].find(f => !f.classList.contains('behind'));
  return !!(f && f.contentDocument && f.contentDocument.body && f.contentDocument.body.innerText.includes(marker));
}"""


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def summary(label: str, seconds: list[float]) -> None:
    print(f"{label:<34} median {statistics.median(seconds) * 1000:6.0f} ms   p95 {percentile(seconds, .95) * 1000:6.0f} ms"
          f"   max {max(seconds) * 1000:6.0f} ms   (target: median < {TARGET_SECONDS * 1000:.0f} ms)")


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=30)
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

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "case.yaml"
        doc = generate_case(7, n_steps=args.steps, n_items=14)
        path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
        assert load_case(path).ok
        step_id = doc["steps"][args.steps // 2]["id"]
        print(f"case: {args.steps} steps; {args.edits} edits; {args.screens} read-only screens + the editor's; "
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
                screen.wait_for_function(FRONT_HAS, arg=doc["steps"][0]["name"], timeout=30_000)
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
                    screen.wait_for_function(FRONT_HAS, arg=marker, polling=5, timeout=10_000)
                everywhere.append(time.perf_counter() - start)
                announced.append(events.first_after(start))
                time.sleep(args.pause)  # a facilitator does not type 30 changes a second; the to-be follows
            browser.close()
        summary("edit -> saved (editor)", saved)
        summary("edit -> announced (rendered)", announced)
        summary("edit -> on every screen", everywhere)
        median = statistics.median(everywhere)
        print(f"median on every screen {median * 1000:.0f} ms: {'OK' if median < TARGET_SECONDS else 'TOO SLOW'}")
        sys.exit(0 if median < TARGET_SECONDS else 1)


if __name__ == "__main__":
    main()
