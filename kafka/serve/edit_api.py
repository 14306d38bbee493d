"""The workshop editor's HTTP side: the case as JSON, and changes to it (``kafka serve CASE --edit``).

Routes (only when the server was started with an :class:`~kafka.casedoc.EditSession`):

    GET  /edit.js          the editor's script (kafka/serve/edit.js)
    GET  /edit/state       the case as the editor shows it (JSON); also for read-only screens
    POST /edit/apply       {"version": V, "change": {...}}: one change (kafka.casedoc.values)
    POST /edit/undo        {"version": V}
    POST /edit/redo        {"version": V}

A write request is answered only when it has, besides the Host check every
request gets: an ``Origin`` that is this server's own address (a web page
elsewhere cannot post here: no CSRF, no DNS rebinding), the session's token
in the ``X-Kafka-Token`` header (a custom header: a cross-site request needs
a preflight, which this server never grants), ``Content-Type:
application/json``, and a ``Content-Length`` of at most :data:`MAX_BODY`
bytes. The token is made at start, printed only in the facilitator's
terminal, and compared in constant time. No request names a file: the
session writes its own case file (and its history) and nothing else.
"""

from __future__ import annotations

import hmac
import json
import logging
import secrets
from http import HTTPStatus
from importlib import resources
from typing import TYPE_CHECKING, Any

from kafka.casedoc import EditSession, Outcome
from kafka.errors import KafkaError
from kafka.i18n import Translator
from kafka.loader import LoadedCase, load_text
from kafka.model import ActorLevel, Channel, StepKind

if TYPE_CHECKING:  # pragma: no cover
    from http.server import BaseHTTPRequestHandler

log = logging.getLogger(__name__)

MAX_BODY = 64 * 1024  # bytes of one write request: a change is a few hundred
BODY_SECONDS = 10.0  # a request body must arrive within this time
TOKEN_HEADER = "X-Kafka-Token"
JSON_POLICY = "default-src 'none'; frame-ancestors 'none'"


def new_token() -> str:
    return secrets.token_urlsafe(24)


def editor_script() -> bytes:
    return resources.files("kafka").joinpath("serve/edit.js").read_bytes()


class EditApi:
    """Answers the editor's requests for one :class:`EditSession`."""

    def __init__(self, session: EditSession, token: str, origins: set[str]):
        self.session = session
        self.token = token
        self.origins = origins  # e.g. {"http://127.0.0.1:8000", "http://localhost:8000"}
        self._prepared = False

    def token_ok(self, given: str | None) -> bool:
        return given is not None and hmac.compare_digest(given.encode("utf-8", "replace"), self.token.encode("utf-8"))

    # --- GET ----------------------------------------------------------------------------

    def state(self) -> dict[str, Any]:
        text, version = self.session.read()
        if self.session.undo_count == 0 and not self._prepared:
            self._prepared = True
            self.session.prepare(text)  # the first change need not wait for ruamel.yaml to load the file
        return editor_state(load_text(text, str(self.session.path)), version, self.session)

    # --- POST ---------------------------------------------------------------------------

    def post(self, handler: "BaseHTTPRequestHandler", path: str) -> tuple[HTTPStatus, dict[str, Any]]:
        """(status, JSON answer) for a write request; every check first, then the change."""
        refused = self._refusal(handler)
        if refused is not None:
            return refused
        body = self._body(handler)
        if isinstance(body, tuple):
            return body
        version = body.get("version")
        if not isinstance(version, str) or len(version) > 128:
            return HTTPStatus.BAD_REQUEST, {"error": "a 'version' (text) is required"}
        try:
            if path == "/edit/apply":
                outcome = self.session.apply(body.get("change"), version)
            elif path == "/edit/undo":
                outcome = self.session.undo(version)
            elif path == "/edit/redo":
                outcome = self.session.redo(version)
            else:
                return HTTPStatus.NOT_FOUND, {"error": "no such action"}
        except KafkaError as exc:
            return HTTPStatus.CONFLICT, {"status": "error", "error": str(exc)}
        except OSError as exc:
            return HTTPStatus.CONFLICT, {"status": "error", "error": f"the case file cannot be read: {exc.strerror or exc}"}
        return self._answer(outcome)

    def _answer(self, outcome: Outcome) -> tuple[HTTPStatus, dict[str, Any]]:
        # A refused change is a normal answer (200, "status" says what happened): the browser logs
        # every 4xx as an error, and a typo in a field is not one. 4xx is for refused requests.
        answer = outcome.to_json()
        status = HTTPStatus.OK
        if outcome.status == "ok" and outcome.loaded is not None:
            answer["state"] = editor_state(outcome.loaded, outcome.version, self.session)  # checked already
        elif outcome.status in ("ok", "conflict"):
            try:
                answer["state"] = self.state()
            except (OSError, KafkaError):
                pass
        return status, answer

    def _refusal(self, handler: "BaseHTTPRequestHandler") -> tuple[HTTPStatus, dict[str, Any]] | None:
        origin = handler.headers.get("Origin")
        if origin is None or origin.lower() not in self.origins:
            return HTTPStatus.FORBIDDEN, {"error": "this request must come from the kafka serve page itself"}
        if not self.token_ok(handler.headers.get(TOKEN_HEADER)):
            return HTTPStatus.FORBIDDEN, {"error": "the editing token is missing or wrong: open the address kafka serve printed"}
        content_type = (handler.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if content_type != "application/json":
            return HTTPStatus.UNSUPPORTED_MEDIA_TYPE, {"error": "send JSON (Content-Type: application/json)"}
        if handler.headers.get("Transfer-Encoding"):
            return HTTPStatus.LENGTH_REQUIRED, {"error": "send a Content-Length, not a chunked body"}
        return None

    def _body(self, handler: "BaseHTTPRequestHandler") -> dict[str, Any] | tuple[HTTPStatus, dict[str, Any]]:
        raw_length = handler.headers.get("Content-Length")
        try:
            length = int(raw_length) if raw_length is not None else -1
        except ValueError:
            length = -1
        if length < 0:
            return HTTPStatus.LENGTH_REQUIRED, {"error": "a Content-Length is required"}
        if length > MAX_BODY:
            return HTTPStatus.REQUEST_ENTITY_TOO_LARGE, {"error": f"a change may be at most {MAX_BODY:,} bytes"}
        handler.connection.settimeout(BODY_SECONDS)
        try:
            data = handler.rfile.read(length)
        except (TimeoutError, OSError):
            return HTTPStatus.REQUEST_TIMEOUT, {"error": "the request body did not arrive in time"}
        if len(data) != length:
            return HTTPStatus.BAD_REQUEST, {"error": "the request body is shorter than its Content-Length"}
        try:
            body = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
            return HTTPStatus.BAD_REQUEST, {"error": "the request body is not JSON"}
        if not isinstance(body, dict):
            return HTTPStatus.BAD_REQUEST, {"error": "the request body must be a JSON object"}
        return body


def editor_state(loaded: LoadedCase, version: str, session: EditSession) -> dict[str, Any]:
    """What the editor needs to show the case: its steps and the lists to pick from. Plain JSON;
    every text is set with textContent in the page, never as HTML."""
    t = Translator(session.lang)
    undo, redo = session.labels()
    state: dict[str, Any] = {
        "version": version,
        "file": session.path.name,
        "valid": loaded.ok,
        "problems": [
            {"line": p.line, "path": p.path, "message": p.text(session.lang), "severity": p.severity.value}
            for p in loaded.problems[:50]
        ],
        "undo": {"count": session.undo_count, "label": undo},
        "redo": {"count": session.redo_count, "label": redo},
        "kinds": [{"id": k.value, "label": t(f"edit.kinds.{k.value}")} for k in StepKind],
        "channels": [{"id": c.value, "label": t(f"edit.channels.{c.value}")} for c in Channel],
        "levels": [{"id": lv.value, "label": t(f"edit.levels.{lv.value}")} for lv in ActorLevel],
        "steps": [], "actors": [], "data": [], "forms": [], "rules": [], "title": "",
    }
    case = loaded.case
    if case is None:
        return state
    state["title"] = case.case.title
    state["actors"] = [{"id": key, "name": a.name, "level": a.level.value, "organisation": a.org}
                       for key, a in case.actors.items()]
    state["data"] = [{"id": key, "name": d.name, "source": d.source} for key, d in case.data.items()]
    state["forms"] = [{"id": key, "name": f.name} for key, f in case.forms.items()]
    state["rules"] = [{"id": key, "name": r.name} for key, r in case.rules.items()]
    state["steps"] = [_step(s) for s in case.steps]
    return state


def _step(step) -> dict[str, Any]:
    return {
        "id": step.id, "name": step.name, "actor": step.actor,
        "kind": step.kind.value if step.kind else "", "channel": step.channel.value if step.channel else "",
        "client_minutes": step.client_minutes, "staff_minutes": step.staff_minutes,
        "wait_days": step.wait_days, "duration_days": step.duration_days, "tells_story": step.tells_story,
        "asks": list(step.asks), "brings": list(step.brings), "provides": list(step.provides), "uses": list(step.uses),
        "form": step.form or "", "rule": step.rule or "",
        "next": None if step.next is None else [{"to": b.to, "when": b.when or "", "chance": b.chance} for b in step.next],
        "note": step.note or "", "quote": step.quote or "", "feeling": step.feeling,
    }
