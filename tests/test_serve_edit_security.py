"""``kafka serve CASE --edit`` from an attacker's side: who may write, what, and how much.

Every write request needs this server's Host, an Origin that is this server,
the session's token in a header, a JSON body of bounded size; it writes the
served case file (and its history) and nothing else. Raw sockets, so that
nothing a browser would add or refuse hides a hole.
"""

from __future__ import annotations

import json
import re
import socket
import time
from pathlib import Path

import pytest

from kafka.casedoc import EditSession, version_of
from kafka.serve import LiveServer, LiveSite
from kafka.serve import edit_api
from kafka.starters import starter_text

CHANGE = {"op": "set_step", "step": "intake", "values": {"name": "Overgenomen"}}


@pytest.fixture
def served(tmp_path):
    folder = tmp_path / "served"
    folder.mkdir()
    case = folder / "sara.yaml"
    case.write_text(starter_text("sara"), encoding="utf-8")
    (tmp_path / "elsewhere.yaml").write_text("case: {id: elders}\n", encoding="utf-8")
    with LiveServer(LiveSite(case), port=0, poll_seconds=0.05, editor=EditSession(case)) as server:
        yield server, case


def tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def request(server, method: str, target: str, body: bytes = b"", headers: dict | None = None,
            timeout: float = 10) -> tuple[int, bytes]:
    own = f"127.0.0.1:{server.port}"
    fields = {"Host": own, "Origin": f"http://{own}", "Content-Type": "application/json",
              "Content-Length": str(len(body)), "Connection": "close"}
    if server.edit_api is not None:
        fields["X-Kafka-Token"] = server.edit_api.token
    for key, value in (headers or {}).items():
        if value is None:
            fields.pop(key, None)
        else:
            fields[key] = value
    head = f"{method} {target} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in fields.items()) + "\r\n"
    with socket.create_connection(("127.0.0.1", server.port), timeout=timeout) as sock:
        sock.sendall(head.encode("latin-1") + body)
        chunks = []
        while True:
            try:
                chunk = sock.recv(65536)
            except (TimeoutError, socket.timeout):
                break
            if not chunk:
                break
            chunks.append(chunk)
    answer = b"".join(chunks)
    status = int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/") else 0
    return status, answer.split(b"\r\n\r\n", 1)[-1]


def change_body(case: Path, change=CHANGE) -> bytes:
    return json.dumps({"version": version_of(case.read_bytes()), "change": change}).encode()


def test_the_facilitator_can_write(served):
    server, case = served
    status, answer = request(server, "POST", "/edit/apply", change_body(case))
    assert status == 200 and json.loads(answer)["status"] == "ok", answer
    assert "name: Overgenomen" in case.read_text(encoding="utf-8")


@pytest.mark.parametrize(("headers", "expected"), [
    ({"X-Kafka-Token": None}, 403),  # no token: a read-only screen, or another program
    ({"X-Kafka-Token": "guessed"}, 403),
    ({"X-Kafka-Token": ""}, 403),
    ({"Origin": None}, 403),  # no Origin: not a page of this server
    ({"Origin": "http://attacker.example"}, 403),  # CSRF from a page the user visits
    ({"Origin": "null"}, 403),  # a sandboxed frame or a file:// page
    ({"Origin": "http://127.0.0.1:1"}, 403),  # another local server
    ({"Host": "attacker.example", "Origin": "http://attacker.example"}, 403),  # DNS rebinding
    ({"Host": "attacker.example:8000"}, 403),
    ({"Content-Type": "text/plain"}, 415),  # a form a web page may post without asking
    ({"Content-Type": "application/x-www-form-urlencoded"}, 415),
    ({"Content-Type": "multipart/form-data; boundary=x"}, 415),
])
def test_a_write_without_every_key_is_refused_and_writes_nothing(served, headers, expected):
    server, case = served
    before = tree(case.parent.parent)
    status, _ = request(server, "POST", "/edit/apply", change_body(case), headers)
    assert status == expected
    assert tree(case.parent.parent) == before


def test_request_bodies_are_bounded(served, monkeypatch):
    server, case = served
    before = tree(case.parent.parent)
    padding = {"version": version_of(case.read_bytes()), "change": CHANGE, "pad": "x" * edit_api.MAX_BODY}
    status, _ = request(server, "POST", "/edit/apply", json.dumps(padding).encode())
    assert status == 413
    # The length is said, not trusted: a huge Content-Length is refused before reading.
    status, _ = request(server, "POST", "/edit/apply", b"{}", {"Content-Length": str(10**12)})
    assert status == 413
    status, _ = request(server, "POST", "/edit/apply", b"{}", {"Content-Length": None})
    assert status == 411
    status, _ = request(server, "POST", "/edit/apply", b"2\r\n{}\r\n0\r\n\r\n",
                        {"Content-Length": None, "Transfer-Encoding": "chunked"})
    assert status == 411
    status, _ = request(server, "POST", "/edit/apply", b"{}", {"Content-Length": "-5"})
    assert status == 411
    for junk in (b"not json", b"[1, 2]", b'{"version": 5}', b"\xff\xfe", b"[" * 50_000):
        status, _ = request(server, "POST", "/edit/apply", junk)
        assert status == 400, junk[:20]
    assert tree(case.parent.parent) == before


def test_a_body_that_never_comes_does_not_hold_the_server(served, monkeypatch):
    server, case = served
    monkeypatch.setattr(edit_api, "BODY_SECONDS", 0.5)
    started = time.monotonic()
    status, _ = request(server, "POST", "/edit/apply", b'{"vers', {"Content-Length": "400"}, timeout=10)
    assert status in (0, 408) and time.monotonic() - started < 5
    status, _ = request(server, "GET", "/view/", headers={"Content-Length": None, "Content-Type": None})
    assert status == 200


@pytest.mark.parametrize("change", [
    {"op": "set_step", "step": "../../elsewhere", "values": {"name": "x"}},
    {"op": "set_step", "step": "intake", "values": {"id": "../../elsewhere"}},
    {"op": "add_step", "after": "/etc/passwd", "values": {"name": "x", "actor": "mw"}},
    {"op": "add_data", "id": "../x", "name": "x", "source": "../../etc"},
    {"op": "add_actor", "name": "x", "level": "local", "path": "/tmp/elsewhere.yaml"},
    {"op": "write", "path": "../elsewhere.yaml", "text": "case: {}"},
    {"op": "set_step", "step": "intake", "values": {"name": "x" * 30_000}},
])
def test_no_change_names_a_file(served, change):
    server, case = served
    root = case.parent.parent
    before = tree(root)
    status, answer = request(server, "POST", "/edit/apply", change_body(case, change))
    after = tree(root)
    changed = {name for name in set(before) | set(after) if before.get(name) != after.get(name)}
    assert all(name == "served/sara.yaml" or name.startswith("served/.kafka-history/sara.yaml/") for name in changed), changed
    assert after["elsewhere.yaml"] == before["elsewhere.yaml"]


def test_the_token_is_only_in_the_facilitators_page(served):
    server, case = served
    token = server.edit_api.token.encode()
    for target in ("/", "/?edit=wrong", "/?edit=", "/edit/state", "/view/", "/view/present", "/edit.js", "/live.js"):
        status, body = request(server, "GET", target, headers={"Content-Type": None, "Content-Length": None,
                                                               "X-Kafka-Token": None})
        assert status == 200, target
        assert token not in body, target
    status, body = request(server, "GET", f"/?edit={token.decode()}", headers={"X-Kafka-Token": None})
    assert status == 200 and token in body
    status, body = request(server, "GET", f"/?edit={token.decode()}", headers={"Host": "attacker.example"})
    assert status == 403 and token not in body


def test_without_edit_nothing_can_be_written(tmp_path):
    case = tmp_path / "sara.yaml"
    case.write_text(starter_text("sara"), encoding="utf-8")
    before = case.read_bytes()
    with LiveServer(LiveSite(case), port=0, poll_seconds=0.05) as server:
        status, _ = request(server, "POST", "/edit/apply", change_body(case))
        assert status in (403, 404, 405, 501)
        for target in ("/edit/state", "/edit.js"):
            assert request(server, "GET", target, headers={"Content-Length": None})[0] == 404
        status, shell = request(server, "GET", "/", headers={"Content-Length": None})
        assert b"edit.js" not in shell
    assert case.read_bytes() == before


def test_the_folder_mode_has_no_editor(tmp_path):
    from click.testing import CliRunner

    from kafka.cli import main

    (tmp_path / "a.yaml").write_text(starter_text("a"), encoding="utf-8")
    result = CliRunner().invoke(main, ["serve", str(tmp_path), "--edit", "--port", "0"])
    assert result.exit_code == 2 and "one case file" in result.output


def test_json_answers_are_not_pages(served):
    server, case = served
    status, raw_answer = request(server, "GET", "/edit/state", headers={"Content-Length": None})
    assert status == 200
    state = json.loads(raw_answer)
    assert state["steps"] and state["version"] == version_of(case.read_bytes())
    # A hostile step name is JSON text, never markup in the answer's own type.
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(f"GET /edit/state HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\nConnection: close\r\n\r\n".encode())
        head = sock.recv(4096).split(b"\r\n\r\n")[0].decode()
    assert re.search(r"(?i)content-type: application/json", head)
    assert re.search(r"(?i)content-security-policy: default-src 'none'", head)
    assert re.search(r"(?i)x-content-type-options: nosniff", head)


def test_the_presentation_and_the_state_of_a_hostile_case_stay_text(tmp_path):
    from inert_html import assert_html_is_inert

    hostile = Path(__file__).resolve().parent / "data" / "hostile.yaml"
    case = tmp_path / "hostile.yaml"
    case.write_text(hostile.read_text(encoding="utf-8"), encoding="utf-8")
    with LiveServer(LiveSite(case), port=0, poll_seconds=0.05, editor=EditSession(case)) as server:
        status, page = request(server, "GET", "/view/present", headers={"Content-Length": None})
        assert status == 200 and b"slide-map" in page
        assert_html_is_inert(page.decode("utf-8"))
        status, state = request(server, "GET", "/edit/state", headers={"Content-Length": None})
        assert status == 200 and json.loads(state)["steps"]
        status, shell = request(server, "GET", f"/?edit={server.edit_api.token}", headers={"Content-Length": None})
        assert_html_is_inert(shell.decode("utf-8"))
