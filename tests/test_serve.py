"""``kafka serve``: the live preview server, driven over real HTTP on a free port."""

from __future__ import annotations

import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kafka.errors import InputError
from kafka.serve import LiveServer, LiveSite

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "cases" / "leefloon-heidebeek.yaml"
POLL = 0.05  # poll fast in tests


def get(server: LiveServer, path: str, host: str | None = None) -> tuple[int, dict[str, str], str]:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        conn.request("GET", path, headers={"Host": host} if host else {})
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read().decode("utf-8")
    finally:
        conn.close()


class EventStream:
    """Reads the server-sent events of /events, as the page does."""

    def __init__(self, server: LiveServer):
        self.conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        self.conn.request("GET", "/events")
        self.response = self.conn.getresponse()
        assert self.response.status == 200
        assert self.response.getheader("Content-Type").startswith("text/event-stream")

    def next_generation(self) -> int:
        while True:
            line = self.response.fp.readline().decode("utf-8")
            if not line:
                raise AssertionError("the event stream ended")
            if line.startswith("data: "):
                return int(line[6:])

    def close(self) -> None:
        self.conn.close()


def save(path: Path, text: str) -> None:
    """Write as an editor does; the stamp must change even within one clock tick."""
    before = path.stat().st_mtime_ns if path.exists() else 0
    path.write_text(text, encoding="utf-8")
    if path.stat().st_mtime_ns == before:
        os.utime(path, ns=(before + 1_000_000, before + 1_000_000))


@pytest.fixture
def case_file(tmp_path) -> Path:
    path = tmp_path / "case.yaml"
    path.write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    return path


@pytest.fixture
def live(case_file):
    with LiveServer(LiveSite(case_file), port=0, poll_seconds=POLL) as server:
        yield server


def wait_until(condition, timeout: float = 10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError("timed out")


def test_serves_the_frame_page_and_the_report(live):
    assert live.url == f"http://127.0.0.1:{live.port}/" and live.port > 0
    status, headers, shell = get(live, "/")
    assert status == 200
    assert '<script src="/live.js"></script>' in shell
    assert "connect-src 'self'" in headers["Content-Security-Policy"]
    status, headers, script = get(live, "/live.js")
    assert status == 200 and "EventSource('/events')" in script
    status, headers, report = get(live, "/view/")
    assert status == 200 and "Leefloonaanvraag van Dries" in report
    assert headers["Cache-Control"] == "no-store"


def test_a_saved_change_reaches_the_event_stream_and_the_page(live, case_file):
    events = EventStream(live)
    try:
        first = events.next_generation()
        text = case_file.read_text(encoding="utf-8")
        save(case_file, text.replace("Telefonische aanmelding", "Aanmelding per brief"))
        assert events.next_generation() == first + 1
        _, _, report = get(live, "/view/")
        # At once: the new name everywhere but in the to-be, which shows the version before ...
        assert "Aanmelding per brief" in report
        before, to_be, after = report.partition('id="to-be"')
        assert to_be and "Telefonische aanmelding" not in before
        assert "Telefonische aanmelding" in after.partition('id="appendix"')[0]
        # ... until the new to-be follows, when the saves pause.
        assert events.next_generation() == first + 2
        _, _, report = get(live, "/view/")
        assert "Aanmelding per brief" in report and "Telefonische aanmelding" not in report
    finally:
        events.close()


def test_a_page_sent_is_kept_by_its_key_for_the_frame_to_load_exactly(live, case_file):
    """live.js compares the page it fetched with the next one; its frame loads that very page by key."""
    events = EventStream(live)
    try:
        first = events.next_generation()
        status, headers, before = get(live, "/view/")
        key = headers["X-Kafka-Page"]
        assert status == 200 and len(key) == 24
        assert get(live, "/view/")[1]["X-Kafka-Page"] == key  # the same page, the same key
        save(case_file, case_file.read_text(encoding="utf-8").replace("Telefonische aanmelding", "Aanmelding per brief"))
        assert events.next_generation() == first + 1
        status, headers, now = get(live, "/view/")
        assert "Aanmelding per brief" in now and headers["X-Kafka-Page"] != key
        # The page of that key, exactly, while it is one of the last few sent ...
        status, headers, kept = get(live, f"/view/?g=1&page={key}")
        assert status == 200 and kept == before and headers["X-Kafka-Page"] == key
        # ... never for another address, and an unknown key gets the page as it is now.
        assert get(live, f"/view/present?page={key}")[2] != before
        assert "Aanmelding per brief" in get(live, "/view/?page=nonsense")[2]
    finally:
        events.close()


def rebuilt(delta: str, before_parts: list[str]) -> list[str]:
    """The page's parts from a delta, as live.js puts them together (lengths in UTF-16 units)."""
    import json

    head, _, rest = delta.partition("\n")
    units = rest.encode("utf-16-le")
    parts, at = [], 0
    for part in json.loads(head):
        if "same" in part:
            assert len(before_parts[part["same"]].encode("utf-16-le")) // 2 == part["length"]
            parts.append(before_parts[part["same"]])
            continue
        new = units[2 * at:2 * (at + part["text"])]
        at += part["text"]
        if "from" in part:  # the old part's head and tail, the new middle
            was = before_parts[part["from"]].encode("utf-16-le")
            assert len(was) // 2 == part["length"] and part["head"] + part["tail"] <= part["length"]
            new = was[:2 * part["head"]] + new + was[len(was) - 2 * part["tail"]:]
        parts.append(new.decode("utf-16-le"))
    assert 2 * at == len(units), "the texts add up to the delta's body"
    return parts


def test_a_page_is_cut_in_parts_as_the_live_page_cuts_it():
    from kafka.serve.pages import page_parts

    page = ('<!doctype html><main>\n<section class="block" id="map">A</section>\n'
            '<section class="block pending" id="to-be">B 𝄞</section>\n<footer class="page-foot">C</footer>')
    parts = page_parts(page)
    assert "".join(parts) == page
    assert [p[:30] for p in parts] == ["<!doctype html><main>\n", '<section class="block" id="map', '<section class="block pending"',
                                       '<footer class="page-foot">C</f']
    # live.js's PART, a lookahead, cuts at the same places (it never cuts at the very start).
    js_like = [p for p in re.split(r'(?=<section class="block[^"]*" id="[a-z0-9-]+">)|(?=<footer[ >])', page) if p]
    assert parts == js_like
    assert page_parts("<section class=\"block\" id=\"x\">only") == ["<section class=\"block\" id=\"x\">only"]


def test_a_delta_holds_only_the_changed_parts_and_rebuilds_the_page():
    from kafka.serve.pages import page_delta, page_parts

    before = '<head>é</head><section class="block" id="a">Stap 1 𝄞</section><section class="block" id="b">x</section><footer>f</footer>'
    after = before.replace("Stap 1", "Stap één")
    delta = page_delta(before, after)
    assert "x</section>" not in delta and "één" in delta and "Stap" not in delta  # only what changed travels
    assert "".join(rebuilt(delta, page_parts(before))) == after
    assert "".join(rebuilt(page_delta(before, before), page_parts(before))) == before
    fewer = '<head>é</head><footer>f</footer>'  # sections gone: still rebuilt exactly
    assert "".join(rebuilt(page_delta(before, fewer), page_parts(before))) == fewer
    # Changes at both ends, in the middle, around characters outside the BMP, a part grown long.
    for changed in (after.replace("<head>", "<head >"), before.replace("𝄞", "𝄞𝄞"), before.replace("1 𝄞", "𝄢"),
                    before.replace("x<", "x" * 10_000 + "<"), before.replace(">x<", "><")):
        assert "".join(rebuilt(page_delta(before, changed), page_parts(before))) == changed


def test_a_delta_rebuilds_any_change_exactly():
    """Random changes of random texts (long runs in common, characters outside the BMP)."""
    import random

    from kafka.serve.pages import page_delta, page_parts

    rng = random.Random(19)
    alphabet = "ab<>é𝄞\n"
    for _ in range(300):
        body = "".join(rng.choice(alphabet) for _ in range(rng.choice([0, 5, 50, 9000])))
        before = f'<head>h</head><section class="block" id="s">{body}</section><footer>f</footer>'
        at, end = sorted(rng.randrange(len(before) + 1) for _ in range(2))
        after = before[:at] + "".join(rng.choice(alphabet) for _ in range(rng.randrange(6))) + before[end:]
        assert "".join(rebuilt(page_delta(before, after), page_parts(before))) == after


def test_a_screen_gets_only_what_changed_since_its_page(live, case_file):
    """live.js asks ?since=KEY (the page on its screen): the answer holds only the changed parts."""
    from kafka.serve.pages import page_parts

    events = EventStream(live)
    try:
        first = events.next_generation()
        _, headers, before = get(live, "/view/")
        key = headers["X-Kafka-Page"]
        save(case_file, case_file.read_text(encoding="utf-8").replace("Telefonische aanmelding", "Aanmelding per brief"))
        assert events.next_generation() == first + 1
        status, headers, delta = get(live, f"/view/?g=2&since={key}")
        _, whole_headers, now = get(live, "/view/")
        assert status == 200 and headers["X-Kafka-Delta"] == "1"
        assert headers["X-Kafka-Page"] == whole_headers["X-Kafka-Page"] != key
        assert len(delta) < len(now) and "".join(rebuilt(delta, page_parts(before))) == now
        # A page the server no longer has (or never sent): the whole page.
        status, headers, whole = get(live, "/view/?g=2&since=0123456789abcdef01234567")
        assert "X-Kafka-Delta" not in headers and whole == now
    finally:
        events.close()


def test_an_invalid_file_shows_its_errors_with_lines_and_recovers(live, case_file):
    text = case_file.read_text(encoding="utf-8")
    line = text.splitlines().index("    actor: mw") + 1  # the first step's actor
    save(case_file, text.replace("    actor: mw\n", "    actor: mww\n", 1))
    page = wait_until(lambda: (lambda p: p if "mww" in p else None)(get(live, "/view/")[2]))
    assert f"regel {line}, kolom 12" in page
    assert "onbekende actor «mww»; bedoelt u «mw»?" in page  # the page's language (issue 14)
    assert "unknown actor" not in page and "did you mean" not in page
    save(case_file, "case: [unclosed\n")
    page = wait_until(lambda: (lambda p: p if "geen geldige YAML" in p else None)(get(live, "/view/")[2]))
    assert "regel 2, kolom 1" in page and "case: [unclosed" in page
    save(case_file, text)
    wait_until(lambda: "Leefloonaanvraag van Dries" in get(live, "/view/")[2])


@pytest.mark.parametrize("bad, shown", [
    ("    tells_story: !!bool maybe\n", "de waarde «maybe» kan niet gelezen worden als !!bool: schrijf true of false"),
    ("    client_minutes: 0x" + "f" * 3600 + "\n", "het getal is te lang"),
    ("    name: !!timestamp hello\n", "de waarde «hello» kan niet gelezen worden als !!timestamp"),
])
def test_a_value_the_loader_cannot_read_shows_on_the_page_without_tracebacks(live, case_file, caplog, bad, shown):
    """Issue 18, item 8: such values printed ten tracebacks a second; the page stayed on the last good report."""
    text = case_file.read_text(encoding="utf-8")
    line = text.splitlines().index("    actor: mw") + 2
    save(case_file, text.replace("    actor: mw\n", "    actor: mw\n" + bad, 1))
    page = wait_until(lambda: (lambda p: p if shown in p else None)(get(live, "/view/")[2]))
    assert f"regel {line}" in page
    time.sleep(5 * POLL)
    assert not [r for r in caplog.records if r.exc_info], "a traceback was logged"


def test_a_loader_bug_shows_on_the_page_once_not_a_traceback_per_poll(case_file, monkeypatch, caplog):
    from kafka.serve import site as site_module

    def broken(*args, **kwargs):
        raise KeyError("a bug in the loader")

    monkeypatch.setattr(site_module, "read_case", broken)
    with LiveServer(LiveSite(case_file), port=0, poll_seconds=POLL) as server:
        status, _, page = get(server, "/view/")
        assert status == 200 and "a bug in the loader" in page
        time.sleep(10 * POLL)
    logged = [r for r in caplog.records if r.exc_info]
    assert len(logged) <= 1, f"{len(logged)} tracebacks for one file"


def test_a_served_file_replaced_by_a_folder_answers_and_recovers(live, case_file):
    """Issue 18, item 14: the page of a served file that became a folder got no response (KeyError)."""
    text = case_file.read_text(encoding="utf-8")
    case_file.unlink()
    case_file.mkdir()
    (case_file / "inside.yaml").write_text(text, encoding="utf-8")
    status, _, page = wait_until(lambda: (lambda r: r if "geen casusbestand" in r[2] else None)(get(live, "/view/")))
    assert status == 200 and "dit is een map, geen casusbestand" in page
    shutil.rmtree(case_file)
    save(case_file, text)
    wait_until(lambda: "Leefloonaanvraag van Dries" in get(live, "/view/")[2])


def test_the_excerpt_of_a_problem_is_its_own_line_despite_unicode_line_separators(live, case_file):
    text = case_file.read_text(encoding="utf-8")
    lines = text.split("\n")
    line = lines.index("    actor: mw") + 1
    lines[0] += "  # een\u2028opmerking\x85met scheidingstekens"
    lines[line - 1] = "    actor: mww"
    save(case_file, "\n".join(lines))
    page = wait_until(lambda: (lambda p: p if "mww" in p else None)(get(live, "/view/")[2]))
    assert f"regel {line}, kolom 12" in page
    marked = re.search(r'<span class="line marked"><span class="n">(\d+)</span>(.*?)</span>', page, re.S)
    assert marked and marked.group(1) == str(line) and marked.group(2) == "    actor: mww", marked


def test_case_text_is_escaped_in_the_error_page(live, case_file):
    save(case_file, "case:\n  id: x\n  title: <script>alert(1)</script>\n  bogus: <b>\n")
    page = wait_until(lambda: (lambda p: p if "bogus" in p else None)(get(live, "/view/")[2]))
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_a_file_that_disappears_for_a_moment(live, case_file):
    text = case_file.read_text(encoding="utf-8")
    case_file.unlink()
    wait_until(lambda: "dit bestand bestaat niet" in get(live, "/view/")[2])
    save(case_file, text)
    wait_until(lambda: "Leefloonaanvraag van Dries" in get(live, "/view/")[2])


def test_a_file_emptied_for_a_moment_while_it_is_written_is_never_shown_empty(case_file):
    """Many editors empty the file, then write it; a poll in between must not show "the file is
    empty" (and load the page whole twice). A broken version is shown once it stays a moment."""
    from kafka.serve import site as site_module

    site = LiveSite(case_file)
    site.refresh()
    text = case_file.read_text(encoding="utf-8")
    generation = site.generation
    save(case_file, "")  # the editor empties the file ...
    assert site.refresh(quick=True) is None and site.generation == generation
    assert "Leefloonaanvraag van Dries" in site.main_page()
    save(case_file, text.replace("Telefonische aanmelding", "Aanmelding per brief"))  # ... and writes it
    assert site.refresh(quick=True).generation == generation + 1
    assert "Aanmelding per brief" in site.main_page()
    # A file that stays empty (or broken) is shown as it is, a moment later.
    save(case_file, "")
    assert site.refresh(quick=True) is None
    time.sleep(site_module.SETTLE_SECONDS + 0.05)
    assert site.refresh(quick=True).generation == generation + 2
    assert "het bestand is leeg" in site.main_page()
    save(case_file, text)
    assert site.refresh(quick=True) is not None and "Telefonische aanmelding" in site.main_page()
    site.close()


@pytest.mark.parametrize("path", [
    "/../../etc/passwd", "/view/../../../etc/passwd", "/view/case/..%2F..%2Fetc%2Fpasswd",
    "/view/case/case", "/case.yaml", "/view/case.yaml", "//etc/passwd", "/events/../view",
])
def test_only_its_own_pages(live, path):
    status, _, body = get(live, path)
    assert status == 404, (path, status)
    assert "root:" not in body


def test_requests_for_another_host_name_are_refused(live):
    status, _, body = get(live, "/view/", host="attacker.example:80")
    assert status == 403 and "Dries" not in body
    assert get(live, "/view/", host=f"localhost:{live.port}")[0] == 200


def test_survives_clients_that_disconnect_mid_response(live):
    for path in ("/view/", "/events", "/"):
        with socket.create_connection(("127.0.0.1", live.port)) as sock:
            sock.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{live.port}\r\n\r\n".encode())
            sock.recv(100)  # the start of the answer, then hang up
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")  # reset
    with socket.create_connection(("127.0.0.1", live.port)) as sock:
        sock.sendall(b"GARBAGE\r\n\r\n")
        sock.recv(100)
    assert get(live, "/view/")[0] == 200


def test_a_busy_port_is_a_clear_error(live, case_file):
    with pytest.raises(InputError, match=rf"port {live.port} is already in use .*--port"):
        LiveServer(LiveSite(case_file), port=live.port)


def test_stops_promptly_with_an_open_event_stream_and_frees_the_port(case_file):
    server = LiveServer(LiveSite(case_file), port=0, poll_seconds=POLL).start()
    events = EventStream(server)
    events.next_generation()
    started = time.monotonic()
    server.stop()
    assert time.monotonic() - started < 3
    events.close()
    again = LiveServer(LiveSite(case_file), port=server.port)  # the port is free again
    again.stop()


def test_a_missing_path_is_a_clear_error(tmp_path):
    with pytest.raises(InputError, match="no such file or folder"):
        LiveSite(tmp_path / "nothing.yaml")


# --- a folder of cases -----------------------------------------------------------------


def test_a_folder_lists_its_cases_and_follows_new_files(tmp_path):
    (tmp_path / "a.yaml").write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "broken.yaml").write_text("case: {id: x}\n", encoding="utf-8")
    with LiveServer(LiveSite(tmp_path), port=0, poll_seconds=POLL) as server:
        _, _, index = get(server, "/view/")
        assert "Leefloonaanvraag van Dries" in index and "broken.yaml" in index
        links = re.findall(r'href="(case/[^"]+)"', index)
        assert links == ["case/a", "case/broken"]
        assert "Leefloonaanvraag van Dries" in get(server, "/view/case/a")[2]
        assert "de verplichte sleutel" in get(server, "/view/case/broken")[2]
        assert get(server, "/view/case/nope")[0] == 404
        (tmp_path / "sub").mkdir()
        (tmp_path / "sub" / "b.yaml").write_text(
            EXAMPLE.read_text(encoding="utf-8").replace("van Dries", "van Bert"), encoding="utf-8")
        wait_until(lambda: "van Bert" in get(server, "/view/")[2])
        assert "van Bert" in get(server, "/view/case/sub-b")[2]
        (tmp_path / "a.yaml").unlink()
        wait_until(lambda: "van Dries" not in get(server, "/view/")[2])
        assert get(server, "/view/case/a")[0] == 404


# --- the command ------------------------------------------------------------------------


def start_cli(*args: str) -> tuple[subprocess.Popen, str]:
    # As from a terminal, Ctrl-C must reach the server: a test run started in the background
    # (CI's job runner) ignores SIGINT, and a child inherits that, so the child starts with the
    # default again. PYTHONFAULTHANDLER: a server that does not stop can be asked (SIGABRT)
    # where each thread is.
    proc = subprocess.Popen([sys.executable, "-m", "kafka", "serve", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, env={**os.environ, "PYTHONFAULTHANDLER": "1"},
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    line = proc.stdout.readline()
    match = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
    if not match:
        proc.kill()
        raise AssertionError(line + proc.stdout.read())
    return proc, match.group(0)


def test_the_command_prints_the_url_and_stops_cleanly_on_ctrl_c(case_file):
    proc, url = start_cli(str(case_file), "--port", "0")
    try:
        port = int(url.rsplit(":", 1)[1].strip("/"))
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("GET", "/view/")
        assert conn.getresponse().status == 200
        conn.close()
        proc.send_signal(signal.SIGINT)
        try:
            out, _ = proc.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGABRT)  # the fault handler prints every thread's stack
            out, _ = proc.communicate(timeout=10)
            raise AssertionError("kafka serve did not stop within 60 s of Ctrl-C:\n" + out) from None
    finally:
        proc.kill()
    assert proc.returncode == 0, out
    assert "Stopped." in out and "Traceback" not in out, out


def test_the_command_on_a_busy_port(case_file, live):
    result = subprocess.run([sys.executable, "-m", "kafka", "serve", str(case_file), "--port", str(live.port)],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 1
    assert f"Error: port {live.port} is already in use" in result.stderr and "Traceback" not in result.stderr


def test_a_folder_also_serves_its_vvsg_site_kept_up_to_date(tmp_path):
    (tmp_path / "a.yaml").write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    site = LiveSite(tmp_path)
    with LiveServer(site, port=0, poll_seconds=POLL) as server:
        _, _, index = get(server, "/view/")
        assert 'href="site/index.html"' in index
        status, _, overview = get(server, "/view/site/index.html")
        assert status == 200 and "Leefloonaanvraag van Dries" in overview
        reports = set(re.findall(r'href="(cases/[^"#]+\.html)"', overview))
        assert reports, "the site links its case reports"
        for report in reports:
            assert get(server, f"/view/site/{report}")[0] == 200
        assert get(server, "/view/site/agenda.html")[0] == 200
        for bad in ("/view/site/../a.yaml", "/view/site/manifest.json", "/view/site/", "/view/site/cases/"):
            assert get(server, bad)[0] == 404, bad
        save(tmp_path / "a.yaml", EXAMPLE.read_text(encoding="utf-8").replace("van Dries", "van Bert"))
        wait_until(lambda: "van Bert" in get(server, "/view/site/index.html")[2])
        built = site._overview._out
        assert built.is_dir()
    assert not built.exists(), "the built site is removed when the server stops"


def test_the_poller_looks_less_often_when_looking_is_slow():
    import threading

    from kafka.serve.watch import Poller

    def count_calls(cost: float | None) -> int:
        calls = []
        stop = threading.Event()
        poller = Poller(lambda: calls.append(1) or cost, 0.01, stop)
        poller.start()
        time.sleep(0.6)
        stop.set()
        poller.join()
        return len(calls)

    assert count_calls(None) >= 10  # every 10 ms
    assert count_calls(0.05) <= 4  # a 50 ms look: every 200 ms


def test_the_poller_outlives_a_failing_check():
    import threading

    from kafka.serve.watch import Poller

    calls = []
    stop = threading.Event()

    def check():
        calls.append(1)
        raise RuntimeError("a bad moment")

    poller = Poller(check, 0.01, stop)
    poller.start()
    wait_until(lambda: len(calls) >= 3)
    stop.set()
    poller.join()
