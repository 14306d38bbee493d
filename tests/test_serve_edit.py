"""kafka serve --edit without a browser: an edit shows at once, then whole; presentation mode; the CLI."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
import urllib.request

from kafka.casedoc import EditSession, version_of
from kafka.serve import LiveServer, LiveSite
from kafka.serve import server as server_module
from kafka.starters import starter_text


def get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as answer:
        return answer.read().decode("utf-8")


def post(server, path: str, payload: dict) -> dict:
    request = urllib.request.Request(
        server.url.rstrip("/") + path, data=json.dumps(payload).encode(), method="POST",
        headers={"Content-Type": "application/json", "Origin": server.url.rstrip("/"),
                 "X-Kafka-Token": server.edit_api.token})
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.loads(answer.read())


def test_an_edit_shows_at_once_and_the_to_be_follows(tmp_path, monkeypatch):
    monkeypatch.setattr(server_module, "COMPLETE_AFTER_SECONDS", 0.3)
    case = tmp_path / "sara.yaml"
    case.write_text(starter_text("sara"), encoding="utf-8")
    with LiveServer(LiveSite(case), port=0, poll_seconds=0.05, editor=EditSession(case)) as server:
        assert 'id="to-be"' in get(server.url + "view/")
        seen = server.site.generation
        answer = post(server, "/edit/apply", {"version": version_of(case.read_bytes()),
                                              "change": {"op": "set_step", "step": "intake", "values": {"name": "Snel zichtbaar"}}})
        assert answer["status"] == "ok" and answer["state"]["steps"][1]["name"] == "Snel zichtbaar"
        generation = server.site.wait(seen, 10)
        first = get(server.url + "view/")
        assert "Snel zichtbaar" in first
        # The first page may already be whole when the machine is fast; the last one always is.
        deadline = time.monotonic() + 10
        while 'id="to-be"' not in get(server.url + "view/") and time.monotonic() < deadline:
            server.site.wait(generation, 1)
        whole = get(server.url + "view/")
        assert 'id="to-be"' in whole and "Snel zichtbaar" in whole
        assert server.site.generation >= generation


def test_the_read_only_page_and_presentation_mode(tmp_path):
    case = tmp_path / "sara.yaml"
    case.write_text(starter_text("sara", "leefloon"), encoding="utf-8")
    with LiveServer(LiveSite(case), port=0, poll_seconds=0.05, editor=EditSession(case)) as server:
        shell = get(server.url)
        assert 'id="present-toggle"' in shell and 'id="editor-toggle"' in shell and "data-token" not in shell
        editing = get(server.edit_url)
        assert f'data-token="{server.edit_api.token}"' in editing and "De casus in kaart brengen" in editing
        present = get(server.url + "view/present")
        assert present.count('class="slide"') == 5
        focus = json.loads(re.search(r'<script type="application/json" id="present-data">(.*?)</script>', present, re.S).group(1))
        assert {"org-0", "org-1", "phase-0", "phase-1"} <= set(focus)
        assert all(anchor.startswith("map-step-") for anchors in focus.values() for anchor in anchors)
        assert "stap 1 tot" in present  # the phases: the steps up to and including a decision
    with LiveServer(LiveSite(tmp_path), port=0, poll_seconds=0.05) as server:
        assert 'id="present-toggle"' not in get(server.url)  # a folder: no presentation of "the" case


def test_the_command_prints_the_editing_address_and_the_read_only_one(tmp_path):
    case = tmp_path / "sara.yaml"
    case.write_text(starter_text("sara"), encoding="utf-8")
    process = subprocess.Popen([sys.executable, "-m", "kafka", "serve", str(case), "--edit", "--port", "0"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        serving = process.stdout.readline()
        editing = process.stdout.readline()
        plain = re.search(r"(http://127\.0\.0\.1:\d+/)", serving).group(1)
        edit_url = re.search(r"(http://127\.0\.0\.1:\d+/\?edit=[A-Za-z0-9_-]{20,})", editing).group(1)
        assert edit_url.startswith(plain)
        assert "data-token" in get(edit_url) and "data-token" not in get(plain)
    finally:
        process.terminate()
        process.wait(timeout=15)
