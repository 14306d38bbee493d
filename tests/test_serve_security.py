"""``kafka serve`` from an attacker's side: raw sockets and http.client against a live server.

- it listens on 127.0.0.1 only (the kernel's socket table says so, for the
  library server and for the ``kafka serve`` command);
- it serves only its own pages: no request target -- ``..``, ``%2e%2e``, encoded
  slashes, backslashes, absolute paths and URIs, NUL, huge paths, file names --
  reaches a file, whether beside the served folder or inside it;
- it only answers GET and HEAD for its own host name (DNS rebinding), and
  writes nothing;
- it survives clients that hang up mid-response, send half a request, or never
  finish one, and shows hostile case texts and file names as text.
"""

from __future__ import annotations

import logging
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from inert_html import assert_html_is_inert

from kafka import serve
LiveServer, LiveSite = serve.LiveServer, serve.LiveSite

REPO = Path(__file__).resolve().parent.parent
HOSTILE = REPO / "tests" / "data" / "hostile.yaml"
EXAMPLE = REPO / "cases" / "verwarmingstoelage-ravelingen.yaml"
SECRET = "kafka-secret-9f3c2a"  # in files the server must never hand out


def make_folder(tmp_path: Path) -> Path:
    """A served folder with two cases and a non-case file; a secret file beside it."""
    served = tmp_path / "served"
    served.mkdir()
    (served / "sub").mkdir()
    (served / "ravelingen.yaml").write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    (served / "sub" / "hostile.yaml").write_text(HOSTILE.read_text(encoding="utf-8"), encoding="utf-8")
    (served / "notes.txt").write_text(f"notes {SECRET}\n", encoding="utf-8")
    (tmp_path / "secret.yaml").write_text(f"case: {{id: {SECRET}}}\n", encoding="utf-8")
    (tmp_path / "secret.txt").write_text(f"{SECRET}\n", encoding="utf-8")
    return served


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return make_folder(tmp_path_factory.mktemp("serve"))


@pytest.fixture(scope="module")
def live(folder):
    """One server for the module: no test here changes what it serves."""
    with LiveServer(LiveSite(folder), port=0, poll_seconds=0.05) as server:
        yield server


@pytest.fixture
def errors_logged(caplog):
    caplog.set_level(logging.ERROR, logger="kafka.serve")
    return caplog


def raw(server, request: bytes, read: bool = True, timeout: float = 10) -> bytes:
    """Send ``request`` bytes exactly as given; the whole answer (the server closes or says how long)."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=timeout) as sock:
        sock.sendall(request)
        if not read:
            return b""
        chunks = []
        while True:
            try:
                chunk = sock.recv(65536)
            except (TimeoutError, socket.timeout):
                break
            if not chunk:
                break
            chunks.append(chunk)
            data = b"".join(chunks)
            head, sep, body = data.partition(b"\r\n\r\n")
            length = re.search(rb"(?i)content-length: *(\d+)", head)
            if sep and length and len(body) >= int(length.group(1)):
                break
        return b"".join(chunks)


def get(server, target: str, host: str | None = "default") -> tuple[int, str]:
    host = f"127.0.0.1:{server.port}" if host == "default" else host
    request = f"GET {target} HTTP/1.1\r\n" + (f"Host: {host}\r\n" if host is not None else "") + "Connection: close\r\n\r\n"
    answer = raw(server, request.encode("latin-1", "replace"))
    status_line = answer.split(b"\r\n", 1)[0].decode("latin-1")
    status = int(status_line.split()[1]) if len(status_line.split()) > 1 else 0
    return status, answer.decode("utf-8", "replace")


def assert_alive(server) -> None:
    status, body = get(server, "/view/")
    assert status == 200 and "ravelingen" in body.lower()


# --- 127.0.0.1 only -----------------------------------------------------------------------------

def listening_addresses(port: int) -> list[str]:
    """Local addresses of the sockets listening on ``port`` (from the kernel's tables, IPv4 and IPv6)."""
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.rsplit(":", 1)
            if int(hex_port, 16) == port and state == "0A":  # LISTEN
                found.append(address)
    return found


@pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="needs Linux's /proc/net/tcp")
def test_the_server_listens_on_the_loopback_address_only(live):
    assert live._httpd.server_address[0] == "127.0.0.1"
    assert listening_addresses(live.port) == ["0100007F"]  # 127.0.0.1, and no IPv6 or wildcard socket


def _other_local_addresses() -> list[str]:
    addresses = set()
    try:
        for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET):
            addresses.add(info[4][0])
    except OSError:
        pass
    try:  # the address of the default route: connecting a UDP socket sends nothing
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("198.51.100.1", 9))
            addresses.add(probe.getsockname()[0])
    except OSError:
        pass
    return [a for a in addresses if not a.startswith("127.") and a != "0.0.0.0"]


def test_it_cannot_be_reached_on_another_address(live):
    others = _other_local_addresses()
    if not others:
        pytest.skip("this machine has no address besides the loopback one")
    for address in others:
        with pytest.raises(OSError):
            socket.create_connection((address, live.port), timeout=2).close()


@pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="needs Linux's /proc/net/tcp")
def test_the_serve_command_listens_on_the_loopback_address_only(folder):
    process = subprocess.Popen([sys.executable, "-m", "kafka", "serve", str(folder), "--port", "0"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline()
        match = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        assert match, line
        port = int(match.group(1))
        assert listening_addresses(port) == ["0100007F"]
    finally:
        process.terminate()
        process.wait(timeout=15)


# --- only its own pages --------------------------------------------------------------------------

TRAVERSALS = [
    "/../../etc/passwd", "/view/../../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd",
    "/view/case/..%2f..%2fsecret", "/view/case/%2e%2e%2fsecret", "/view/case/..", "/view/case/.", "/view/case/",
    "/view/case/../../secret.txt", "/view/case/..\\..\\secret.txt", "/..\\..\\secret.txt", "/view\\..\\..\\secret.txt",
    "/%5c..%5c..%5csecret.txt", "//etc/passwd", "/etc/passwd", "///etc//passwd", "/view//etc/passwd",
    "/notes.txt", "/view/notes.txt", "/view/case/notes", "/view/case/notes.txt", "/ravelingen.yaml",
    "/view/ravelingen.yaml", "/view/case/ravelingen.yaml", "/sub/hostile.yaml", "/view/case/sub/hostile",
    "/view/case/%00", "/view/%00../../etc/passwd", "/view/case/ravelingen%00.yaml", "/secret.yaml",
    "/view/case/~/secret.txt", "/view/case/%7e", "/live.js/../../secret.txt", "/events/../../secret.txt",
    "http://127.0.0.1/../../etc/passwd", "file:///etc/passwd", "*", "/" + "a/" * 3000,
    # the folder's VVSG site, served by the names its build wrote
    "/view/site/../../secret.txt", "/view/site/%2e%2e/%2e%2e/secret.txt", "/view/site/..%2f..%2fsecret.txt",
    "/view/site//etc/passwd", "/view/site/cases/../../../secret.txt", "/view/site/cases/..\\..\\secret.txt",
    "/view/site/../served/notes.txt", "/view/site/notes.txt", "/view/site/ravelingen.yaml", "/view/site/.kafka-lock",
    "/view/site/cases/.incoming", "/view/site/", "/view/site/%00",
]


@pytest.mark.parametrize("target", TRAVERSALS)
def test_no_request_target_reaches_a_file(live, target):
    status, body = get(live, target)
    assert status in (400, 404, 414), (target, status)
    assert SECRET not in body and "root:x:0:0" not in body
    assert "ravelingen.yaml" not in body.split("\r\n\r\n", 1)[-1] or status != 200


def test_the_folder_site_is_served_by_its_own_names(live):
    status, index = get(live, "/view/site/index.html")
    if status == 404:
        pytest.skip("kafka serve has no folder site (/view/site/) yet")
    assert status == 200 and SECRET not in index
    for name in sorted(set(re.findall(r'href="(cases/[a-z0-9_-]+\.html)"', index)))[:3]:
        assert get(live, f"/view/site/{name}")[0] == 200


def test_the_case_pages_have_keys_not_paths(live):
    status, index = get(live, "/view/")
    keys = set(re.findall(r'href="case/([^"]+)"', index))
    assert keys and all(re.fullmatch(r"[a-z0-9_-]+", key) for key in keys), keys
    for key in keys:
        assert get(live, f"/view/case/{key}")[0] == 200


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "CONNECT", "PROPFIND"])
def test_only_get_and_head_are_answered_and_nothing_is_written(live, folder, method):
    before = sorted(p.name for p in folder.rglob("*"))
    body = b"case: {id: overwritten}\n"
    request = (f"{method} /view/case/ravelingen HTTP/1.1\r\nHost: 127.0.0.1:{live.port}\r\n"
               f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode() + body
    answer = raw(live, request)
    assert answer.startswith(b"HTTP/1.") and answer.split()[1] in (b"400", b"403", b"404", b"405", b"501")
    assert sorted(p.name for p in folder.rglob("*")) == before
    assert "overwritten" not in (folder / "ravelingen.yaml").read_text(encoding="utf-8")
    assert_alive(live)


@pytest.mark.parametrize("host", [None, "", "attacker.example", f"attacker.example:8000", "127.0.0.1.nip.io",
                                  "127.0.0.1", "localhost", "[::1]", "127.0.0.1:1@attacker.example"])
def test_other_host_names_are_refused(live, host):
    status, body = get(live, "/view/", host=host)
    assert status in (400, 403), (host, status)
    assert "ravelingen" not in body.lower()


# --- clients that misbehave ----------------------------------------------------------------------------

def _reset(sock: socket.socket) -> None:
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")  # close with RST


@pytest.mark.parametrize("target", ["/view/", "/view/case/sub-hostile", "/", "/live.js", "/events"])
def test_survives_a_client_that_hangs_up_mid_response(live, errors_logged, target):
    for _ in range(5):
        sock = socket.create_connection(("127.0.0.1", live.port), timeout=10)
        sock.sendall(f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1:{live.port}\r\n\r\n".encode())
        sock.recv(10)  # the first bytes of the answer, then hang up hard
        _reset(sock)
        sock.close()
    assert_alive(live)
    time.sleep(0.2)
    assert not [r for r in errors_logged.records if r.name.startswith("kafka.serve")], errors_logged.text


def test_survives_half_requests_garbage_and_silent_clients(live, errors_logged):
    silent = [socket.create_connection(("127.0.0.1", live.port), timeout=10) for _ in range(20)]  # never send
    half = socket.create_connection(("127.0.0.1", live.port), timeout=10)
    half.sendall(b"GET /view/ HTTP/1.1\r\nHost: 127.0.0.1")  # and never finish
    for junk in (b"\x00\xff" * 500 + b"\r\n\r\n", b"GET\r\n\r\n", b"GET / HTTP/9.9\r\n\r\n",
                 b"GET / HTTP/1.1\r\n" + b"X: " + b"a" * 70000 + b"\r\n\r\n",
                 b"GET / HTTP/1.1\r\n" + b"".join(b"H%d: x\r\n" % i for i in range(200)) + b"\r\n"):
        answer = raw(live, junk, timeout=5)
        # A request line without a version, or with an unknown one, gets the standard library's bare error page.
        assert answer == b"" or answer.startswith(b"HTTP/1.") or re.search(rb"Error code: (400|505)", answer), answer[:80]
    started = time.monotonic()
    assert_alive(live)  # the silent and half-finished clients do not block anyone else
    assert time.monotonic() - started < 5
    for sock in silent + [half]:
        _reset(sock)
        sock.close()
    assert_alive(live)
    assert not [r for r in errors_logged.records if r.name.startswith("kafka.serve")], errors_logged.text


def test_survives_many_event_streams_that_vanish(live, errors_logged):
    for _ in range(30):
        sock = socket.create_connection(("127.0.0.1", live.port), timeout=10)
        sock.sendall(f"GET /events HTTP/1.1\r\nHost: 127.0.0.1:{live.port}\r\n\r\n".encode())
        assert sock.recv(100).startswith(b"HTTP/1.0 200")
        _reset(sock)
        sock.close()
    assert_alive(live)
    time.sleep(0.2)
    assert not [r for r in errors_logged.records if r.name.startswith("kafka.serve")], errors_logged.text


# --- hostile texts and file names ----------------------------------------------------------------------

def test_a_hostile_case_and_a_hostile_file_name_show_as_text(tmp_path):
    folder = make_folder(tmp_path)
    name = '<img src=x onerror=alert(1)> "quote" &amp; {{ 7*7 }}.yaml'
    (folder / name).write_text(HOSTILE.read_text(encoding="utf-8").replace("id: hostile", "id: hostile-two"),
                               encoding="utf-8")
    (folder / "broken <svg onload=alert(2)>.yaml").write_text("case: {id: x, title: '<script>alert(3)</script>'\n",
                                                                   encoding="utf-8")
    with LiveServer(LiveSite(folder), port=0, poll_seconds=0.05) as server:
        status, index = get(server, "/view/")
        assert status == 200
        page = index.split("\r\n\r\n", 1)[1]
        assert_html_is_inert(page)
        assert "&lt;img src=x onerror=alert(1)&gt;" in page
        keys = re.findall(r'href="case/([^"]+)"', page)
        assert keys and all(re.fullmatch(r"[a-z0-9_-]+", key) for key in keys)
        for key in keys:
            status, body = get(server, f"/view/case/{key}")
            assert status == 200, key
            assert_html_is_inert(body.split("\r\n\r\n", 1)[1])
        status, shell = get(server, "/")
        assert_html_is_inert(shell.split("\r\n\r\n", 1)[1])


def test_file_names_that_are_not_utf8_are_served(tmp_path, errors_logged):
    """Issue 18, item 6: a case file name that is not UTF-8 dropped the connection or gave a 500."""
    folder = make_folder(tmp_path)
    (folder / os.fsdecode(b"caf\xe9.yaml")).write_text(EXAMPLE.read_text(encoding="utf-8").replace(
        "id: verwarmingstoelage-ravelingen", "id: cafe"), encoding="utf-8")
    (folder / os.fsdecode(b"kap\xffot.yaml")).write_text("case: [\n", encoding="utf-8")
    with LiveServer(LiveSite(folder), port=0, poll_seconds=0.05) as server:
        status, index = get(server, "/view/")
        assert status == 200, index[:300]
        page = index.split("\r\n\r\n", 1)[1]
        assert "caf\ufffd.yaml" in page and "kap\ufffdot.yaml" in page
        keys = re.findall(r'href="case/([^"]+)"', page)
        assert len(keys) == 4
        for key in keys:
            status, body = get(server, f"/view/case/{key}")
            assert status == 200, (key, body[:300])
        for name in ("index.html", "agenda.html", "cases/cafe.html", "summary.xlsx", "findings.csv"):
            status, body = get(server, f"/view/site/{name}")
            assert status == 200, (name, body[:300])
    assert not [r for r in errors_logged.records if r.exc_info]


@pytest.mark.browser
def test_the_live_page_of_the_hostile_case_runs_no_case_script(tmp_path):
    from browser import ARGS, chromium_executable

    from playwright import sync_api as playwright_api
    case = tmp_path / "hostile.yaml"
    case.write_text(HOSTILE.read_text(encoding="utf-8"), encoding="utf-8")
    with LiveServer(LiveSite(case), port=0, poll_seconds=0.05) as server, \
            playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_executable(), args=ARGS, headless=True)
        try:
            page = browser.new_page()
            dialogs, errors, elsewhere = [], [], []
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("request", lambda r: None if r.url.startswith(server.url) else elsewhere.append(r.url))
            page.goto(server.url)
            page.wait_for_load_state("load")
            frame = page.frame_locator("iframe").first
            frame.locator("body").wait_for()
            page.wait_for_timeout(500)
            # textContent: the live page draws only the sections in sight (content-visibility), and
            # innerText leaves out what is not drawn. A script tag shown as text is in it with its
            # brackets; one run as a script would be in it without them.
            text = frame.locator("body").evaluate("body => body.textContent")
        finally:
            browser.close()
    assert dialogs == [] and errors == [] and elsewhere == []
    assert '<script>alert("step-intake")</script>' in text
