"""Live preview speed: from saving a case file to the new page on screen.

Target (issue 8): a save-to-refresh round trip well under a second for a
30-step case. Measured three ways, each repeated:

1. render: load + validate + analyse + render the report (with the to-be scenarios, as
   `kafka report` and `kafka serve` make it), no server;
2. server: save -> the event on /events -> GET /view/ holds the new text;
3. browser: save -> the new text visible in headless Chromium (when playwright
   and /usr/bin/chromium are there), with the server's real poll interval.

    .venv/bin/python benchmarks/bench_serve.py [--steps 30] [--rounds 10]
"""

from __future__ import annotations

import argparse
import http.client
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from casegen import generate_case  # noqa: E402

from kafka.loader import load_case  # noqa: E402
from kafka.report import render_case_report  # noqa: E402
from kafka.run import RunOptions, run_case  # noqa: E402
from kafka.serve import LiveServer, LiveSite  # noqa: E402
from kafka.serve.server import POLL_SECONDS  # noqa: E402

TARGET_SECONDS = 1.0
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def summary(label: str, seconds: list[float]) -> None:
    print(f"{label:<44} median {statistics.median(seconds):6.3f} s   max {max(seconds):6.3f} s   "
          f"(target < {TARGET_SECONDS:g} s)")
    print(f"{'':<44} rounds: {' '.join(f'{s:.2f}' for s in seconds)}")


def edit(path: Path, text: str, marker: str, first_name: str) -> None:
    """Rename the first step, as a facilitator would."""
    path.write_text(text.replace(first_name, f"{first_name} {marker}", 1), encoding="utf-8")


def bench_render(path: Path, rounds: int) -> list[float]:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        render_case_report(run_case(load_case(path), RunOptions()))
        times.append(time.perf_counter() - start)
    return times


def read_event(stream) -> int:
    while True:
        line = stream.fp.readline().decode()
        if line.startswith("data: "):
            return int(line[6:])


def bench_server(path: Path, text: str, first_name: str, rounds: int) -> list[float]:
    times = []
    with LiveServer(LiveSite(path), port=0) as server:
        events = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        events.request("GET", "/events")
        stream = events.getresponse()
        read_event(stream)
        for i in range(rounds):
            marker = f"ronde-{i}-server"
            start = time.perf_counter()
            edit(path, text, marker, first_name)
            read_event(stream)
            page = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
            page.request("GET", "/view/")
            body = page.getresponse().read().decode()
            times.append(time.perf_counter() - start)
            assert marker in body
            page.close()
        events.close()
    return times


def bench_browser(path: Path, text: str, first_name: str, rounds: int) -> list[float] | None:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        print("browser: skipped (playwright is not installed)")
        return None
    if not Path(CHROMIUM).exists():
        print(f"browser: skipped (no {CHROMIUM})")
        return None
    front_has = """(marker) => {
      const f = [...document.querySelectorAll('iframe')].find(f => !f.classList.contains('behind'));
      return !!(f && f.contentDocument && f.contentDocument.body && f.contentDocument.body.innerText.includes(marker));
    }"""
    times = []
    with tempfile.TemporaryDirectory() as profile, sync_playwright() as p, \
            LiveServer(LiveSite(path), port=0) as server:
        context = p.chromium.launch_persistent_context(profile, executable_path=CHROMIUM, args=CHROMIUM_ARGS,
                                                       headless=True)
        page = context.new_page()
        page.goto(server.url)
        page.wait_for_function(front_has, arg=first_name)
        for i in range(rounds):
            marker = f"ronde-{i}-browser"
            start = time.perf_counter()
            edit(path, text, marker, first_name)
            page.wait_for_function(front_has, arg=marker, polling=10, timeout=10_000)
            times.append(time.perf_counter() - start)
        context.close()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "case.yaml"
        doc = generate_case(7, n_steps=args.steps, n_items=14)
        first_name = doc["steps"][0]["name"]
        text = yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)
        path.write_text(text, encoding="utf-8")
        assert load_case(path).ok
        print(f"case: {args.steps} steps, {len(text):,} bytes; {args.rounds} rounds; poll interval {POLL_SECONDS} s; "
              f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
        summary("render only (load, analyse, to-be, report)", bench_render(path, args.rounds))
        server = bench_server(path, text, first_name, args.rounds)
        summary("save -> event -> page fetched", server)
        browser = bench_browser(path, text, first_name, args.rounds)
        if browser:
            summary("save -> new text on screen (Chromium)", browser)
        worst = max(server + (browser or []))
        print(f"worst round trip {worst:.3f} s: {'OK' if worst < TARGET_SECONDS else 'TOO SLOW'}")
        sys.exit(0 if worst < TARGET_SECONDS else 1)


if __name__ == "__main__":
    main()
