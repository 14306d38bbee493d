"""The HTTP side of the live preview: the standard library's ThreadingHTTPServer on 127.0.0.1.

Routes (nothing else is served; a URL never names a file on disk):

    /                 the frame page (kafka.serve.pages.shell_html) that stays open
    /live.js          its script
    /events           server-sent events: the generation, on every change
    /view/            the report of the served file, or the list of the folder's cases
    /view/case/KEY    one case of the folder (KEY from the list, never a path)
    /view/site/NAME   the folder's VVSG site (kafka aggregate), by the names it wrote
    /view/present     the presentation mode of the served case (kafka.serve.present)
    /edit.js, /edit/* the workshop editor, with --edit only (kafka.serve.edit_api; writes need a token)

Only requests whose Host is this server's own address are answered, so a web
page cannot reach the preview through a DNS name that points to 127.0.0.1
(DNS rebinding): the reports hold clients' stories.
"""

from __future__ import annotations

import errno
import hashlib
import logging
import threading
from collections import OrderedDict
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

from kafka.errors import InputError, KafkaError
from kafka.output import utf8
from kafka.serve import pages, present
from kafka.serve.edit_api import JSON_POLICY, EditApi, editor_script, new_token
from kafka.serve.site import Change, LiveSite
from kafka.serve.watch import Poller

log = logging.getLogger(__name__)

HOST = "127.0.0.1"
DEFAULT_PORT = 8000
POLL_SECONDS = 0.02  # a save is seen within a fiftieth of a second (a tenth of a page's budget), then rendered
KEEPALIVE_SECONDS = 15.0  # a comment on the event stream this often finds clients that left
COMPLETE_AFTER_SECONDS = 1.0  # after an edit, the to-be is drawn once no other edit came for this long
PREPARE_AFTER_SECONDS = 0.3  # after an edit is announced, the screens fetch it; then the editor prepares the next
# The pages last sent, by key (X-Kafka-Page): live.js fetches a page, then has its frame load
# exactly that one (?page=KEY), so that it knows what the screen was made from (kafka/serve/live.js).
SENT_PAGES = 12
PAGE_HEADER = "X-Kafka-Page"
# live.js asks for a page ?since=KEY, the key of the page on its screen: when the server still has
# that page, it answers with only the parts that changed (kafka.serve.pages.page_delta), marked so.
DELTA_HEADER = "X-Kafka-Delta"
SENT_DELTAS = 8

# Our own pages: only our script, only our own server to talk to.
SHELL_POLICY = ("default-src 'none'; script-src 'self'; connect-src 'self'; frame-src 'self'; "
                "style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
# The framed pages carry their own policy (_base.html); this only adds who may frame them.
VIEW_POLICY = "frame-ancestors 'self'"
_DISCONNECTED = (BrokenPipeError, ConnectionResetError, ConnectionAbortedError, TimeoutError)


class LiveServer:
    """Serves a :class:`LiveSite` and polls its files; ``start()``, then ``stop()``."""

    def __init__(self, site: LiveSite, port: int = DEFAULT_PORT, poll_seconds: float = POLL_SECONDS,
                 on_change=None, editor=None, token: str | None = None):
        self.site = site
        self._stop = threading.Event()
        self._on_change = on_change
        self._check_lock = threading.Lock()
        self._complete_lock = threading.Lock()
        self._complete_timer: threading.Timer | None = None
        self._httpd = _bind(port, _handler_for(self))
        self.port = self._httpd.server_address[1]
        self._allowed_hosts = {f"{HOST}:{self.port}", f"localhost:{self.port}"}
        self._sent: OrderedDict[tuple[str, str], str] = OrderedDict()
        self._sent_lock = threading.Lock()
        self._last_key: tuple[str, str, str] | None = None  # (path, page, key): every screen asks for the same page
        # Every screen asks for the same change: it is worked out once (path, since, key) -> delta.
        self._deltas: OrderedDict[tuple[str, str, str], str] = OrderedDict()
        self._delta_lock = threading.Lock()
        # With an editor (kafka serve --edit), the page edits the case file; writes need the token.
        self.edit_api = None
        if editor is not None:
            origins = {f"http://{host}" for host in self._allowed_hosts}
            self.edit_api = EditApi(editor, token or new_token(), origins)
            editor.on_write = self._written
        self._poller = Poller(self._check, poll_seconds, self._stop)
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.2},
                                        name="kafka-serve-http", daemon=True)

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}/"

    @property
    def edit_url(self) -> str | None:
        """The facilitator's address: the page with the editor (the token is its key)."""
        return f"{self.url}?edit={self.edit_api.token}" if self.edit_api else None

    def start(self) -> "LiveServer":
        self._check()
        self._poller.start()
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop polling and serving, end the event streams, free the port. Safe at any moment, even
        before or during ``start()`` (Ctrl-C can come at any time)."""
        self._stop.set()
        with self._complete_lock:
            if self._complete_timer is not None:
                self._complete_timer.cancel()
        self.site.close()
        if self._thread.is_alive():  # shutdown() waits for serve_forever: only call it once that runs
            # shutdown() itself waits without a bound; Ctrl-C must stop within seconds whatever a
            # request thread is doing, so it waits in a thread of its own and we wait for the loop.
            threading.Thread(target=self._httpd.shutdown, name="kafka-serve-shutdown", daemon=True).start()
            self._thread.join(timeout=5)
        self._httpd.server_close()
        if self._poller.is_alive():
            self._poller.join(timeout=5)

    def __enter__(self) -> "LiveServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def _written(self, prepare=None, written=None) -> None:
        """The editor wrote the case file: show it now rather than at the next poll, first without
        the to-be (half the time), then whole. The poller waits meanwhile, so that it does not
        take the slow way with this change. ``prepare`` (the editor loading the new text for the
        next change) waits until the screens have taken this one. ``written``: (text, loaded case)
        as the editor checked it, not read and loaded again."""
        self._check_lock.acquire()
        threading.Thread(target=self._show_edit, args=(prepare, written), name="kafka-serve-edit-refresh",
                         daemon=True).start()

    def _show_edit(self, prepare=None, written=None) -> None:
        try:
            change = self.site.refresh(quick=True, written=written)
            if change is not None and self._on_change is not None:
                self._on_change(change)
        except Exception:  # noqa: BLE001 - keep serving; the poller tries again
            log.exception("showing an edit failed")
        finally:
            self._check_lock.release()
        if prepare is not None and not self._stop.is_set():
            later = threading.Timer(PREPARE_AFTER_SECONDS, prepare)
            later.daemon = True
            later.start()
        self._complete_later()

    def _complete_later(self) -> None:
        """The to-be follows once the room pauses: edits in a row do not each pay for it."""
        with self._complete_lock:
            if self._complete_timer is not None:
                self._complete_timer.cancel()
            if self._stop.is_set():
                return
            self._complete_timer = threading.Timer(COMPLETE_AFTER_SECONDS, self._complete)
            self._complete_timer.daemon = True
            self._complete_timer.start()

    def _complete(self) -> None:
        if self._stop.is_set():
            return
        try:
            self.site.complete()
        except Exception:  # noqa: BLE001
            log.exception("completing the report after an edit failed")

    def _check(self) -> float:
        """Reload what changed; the seconds spent looking at the files (the poller paces itself by it).
        A save is shown at once without its new to-be, which follows when the saves pause."""
        with self._check_lock:  # the poller and an edit may both look; one reload is enough
            change = self.site.refresh(quick=True)
        if change is not None and self._on_change is not None:
            self._on_change(change)
        if change is not None and any(state.partial for state in change.updated):
            self._complete_later()
        return self.site.scan_seconds

    def host_allowed(self, host: str | None) -> bool:
        return host is not None and host.lower() in self._allowed_hosts

    def sent_page(self, path: str, key: str | None) -> str | None:
        """The page sent earlier for ``path`` under ``key``, if it is one of the last few."""
        if not key:
            return None
        with self._sent_lock:
            return self._sent.get((path, key))

    def page_delta(self, path: str, since: str | None, key: str, html: str) -> str | None:
        """The page ``html`` (key ``key``) as the parts that changed since the page sent under ``since``;
        None when that page is not kept (the whole page is sent)."""
        if not since:
            return None
        with self._delta_lock:  # the screens ask at once: the first works it out, the others take it
            found = self._deltas.get((path, since, key))
            if found is None:
                before = self.sent_page(path, since)
                if before is None:
                    return None
                found = pages.page_delta(before, html)
                self._deltas[(path, since, key)] = found
                while len(self._deltas) > SENT_DELTAS:
                    self._deltas.popitem(last=False)
            return found

    def page_key(self, path: str, html: str) -> str:
        """The key of a page about to be sent, kept for :meth:`sent_page`."""
        last = self._last_key
        if last is not None and last[0] == path and last[1] is html:
            return last[2]
        key = hashlib.blake2b(html.encode("utf-8", "surrogatepass"), digest_size=12).hexdigest()
        self._last_key = (path, html, key)
        with self._sent_lock:
            self._sent[(path, key)] = html
            self._sent.move_to_end((path, key))
            while len(self._sent) > SENT_PAGES:
                self._sent.popitem(last=False)
        return key


class _Server(ThreadingHTTPServer):
    daemon_threads = True  # an open event stream never keeps the program alive
    allow_reuse_address = True  # restart at once on the same port (but never share a port in use)

    def handle_error(self, request, client_address) -> None:
        import sys

        exc = sys.exc_info()[1]
        if isinstance(exc, _DISCONNECTED):
            return  # the browser went away mid-response: nothing to do
        log.exception("error while answering %s", client_address)


def _bind(port: int, handler) -> _Server:
    try:
        return _Server((HOST, port), handler)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise InputError(f"port {port} is already in use (another kafka serve?); "
                             f"choose another with --port, e.g. --port {port + 1 if port < 65535 else 8001}") from None
        if exc.errno == errno.EACCES:
            raise InputError(f"port {port} needs administrator rights; choose one above 1023 with --port") from None
        raise InputError(f"cannot listen on {HOST}:{port}: {exc.strerror or exc}") from None


def _handler_for(server: LiveServer) -> type[BaseHTTPRequestHandler]:
    class Handler(_Handler):
        live = server

    return Handler


class _Handler(BaseHTTPRequestHandler):
    live: LiveServer
    server_version = "kafka-serve"
    sys_version = ""
    # Send each small event at once: with Nagle's algorithm it waits for the
    # previous one's (delayed) acknowledgement, up to a fifth of a second.
    disable_nagle_algorithm = True

    def do_GET(self) -> None:
        self._answer(head=False)

    def do_HEAD(self) -> None:
        self._answer(head=True)

    def do_POST(self) -> None:
        path = urlsplit(self.path).path
        api = self.live.edit_api
        if not self.live.host_allowed(self.headers.get("Host")):
            self._send(HTTPStatus.FORBIDDEN, f"Open {self.live.url} instead.\n", "text/plain")
            return
        if api is None or not path.startswith("/edit/"):
            self.send_error(HTTPStatus.NOT_IMPLEMENTED if api is None else HTTPStatus.NOT_FOUND)
            return
        status, answer = api.post(self, path)
        self._json(status, answer)
        if status in (HTTPStatus.LENGTH_REQUIRED, HTTPStatus.REQUEST_ENTITY_TOO_LARGE, HTTPStatus.REQUEST_TIMEOUT,
                      HTTPStatus.BAD_REQUEST, HTTPStatus.FORBIDDEN, HTTPStatus.UNSUPPORTED_MEDIA_TYPE):
            self.close_connection = True  # an unread body must not be taken for the next request

    def _json(self, status: HTTPStatus, answer: object, head: bool = False) -> None:
        import json

        self._send(status, json.dumps(answer, ensure_ascii=False), "application/json", policy=JSON_POLICY, head=head)

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the base class's name
        log.debug("%s - %s", self.address_string(), format % args)

    def handle(self) -> None:
        try:
            super().handle()
        except _DISCONNECTED:
            pass

    # --- routing ------------------------------------------------------------------

    def _answer(self, head: bool) -> None:
        if not self.live.host_allowed(self.headers.get("Host")):
            self._send(HTTPStatus.FORBIDDEN, f"Open {self.live.url} instead.\n", "text/plain", head=head)
            return
        path = unquote(urlsplit(self.path).path)
        site = self.live.site
        api = self.live.edit_api
        if path == "/":
            token = parse_qs(urlsplit(self.path).query).get("edit", [None])[0]
            editing = api is not None and api.token_ok(token)
            self._send(HTTPStatus.OK, pages.shell_html(site.lang, site.generation, token if editing else None,
                                                      presentable=not site.folder, editable=api is not None),
                       policy=SHELL_POLICY, head=head)
        elif path == "/live.js":
            self._send(HTTPStatus.OK, pages.live_script(), "text/javascript", head=head)
        elif path == "/edit.js" and api is not None:
            self._send(HTTPStatus.OK, editor_script(), "text/javascript", head=head)
        elif path == "/edit/state" and api is not None:
            try:
                self._json(HTTPStatus.OK, api.state(), head=head)
            except (OSError, KafkaError) as exc:
                self._json(HTTPStatus.CONFLICT, {"error": str(exc)}, head=head)
        elif path == "/view/present" and not site.folder:
            self._view(path, lambda: present.present_page(site), head)
        elif path == "/events":
            self._events(head)
        elif path == "/view/":
            self._view(path, site.main_page, head)
        elif path.startswith("/view/case/") and site.folder:
            self._view(path, lambda: site.case_page(path.removeprefix("/view/case/")), head)
        elif path.startswith("/view/site/") and site.folder:
            self._site_file(path.removeprefix("/view/site/"), head)
        elif path == "/favicon.ico":
            self._send(HTTPStatus.NO_CONTENT, b"", "image/x-icon", head=True)
        else:
            self._send(HTTPStatus.NOT_FOUND, "Not found.\n", "text/plain", head=head)

    def _view(self, path: str, page, head: bool) -> None:
        """A page of the preview; a bug while making it is shown as a page, never a dropped connection.
        ``?page=KEY`` asks for a page sent a moment ago (live.js); when it is gone, the current one."""
        site = self.live.site
        asked = parse_qs(urlsplit(self.path).query).get("page", [None])[0]
        kept = self.live.sent_page(path, asked)
        if kept is not None:
            self._send(HTTPStatus.OK, kept, policy=VIEW_POLICY, head=head, headers={PAGE_HEADER: asked})
            return
        try:
            html = page()
        except Exception as exc:  # noqa: BLE001 - show it, keep serving
            log.exception("making the page of %s failed", site.target)
            html = pages.render_failed_html(str(site.target), f"{type(exc).__name__}: {exc}", site.lang)
            self._send(HTTPStatus.INTERNAL_SERVER_ERROR, html, policy=VIEW_POLICY, head=head)
            return
        if html is None:
            self._send(HTTPStatus.NOT_FOUND, "No such case (it may have been removed).\n", "text/plain", head=head)
            return
        key = self.live.page_key(path, html)
        delta = self.live.page_delta(path, parse_qs(urlsplit(self.path).query).get("since", [None])[0], key, html)
        if delta is not None:
            self._send(HTTPStatus.OK, delta, "text/plain", policy=VIEW_POLICY, head=head,
                       headers={PAGE_HEADER: key, DELTA_HEADER: "1"})
        else:
            self._send(HTTPStatus.OK, html, policy=VIEW_POLICY, head=head, headers={PAGE_HEADER: key})

    def _site_file(self, name: str, head: bool) -> None:
        site = self.live.site
        try:
            found = site.site_file(name)
        except Exception as exc:  # noqa: BLE001 - show it, keep serving
            log.exception("building the site of %s failed", site.target)
            page = pages.render_failed_html(str(site.target), f"{type(exc).__name__}: {exc}", site.lang)
            self._send(HTTPStatus.INTERNAL_SERVER_ERROR, page, policy=VIEW_POLICY, head=head)
            return
        if found is None:
            self._send(HTTPStatus.NOT_FOUND, "Not found.\n", "text/plain", head=head)
        else:
            self._send(HTTPStatus.OK, found.data, found.content_type, policy=VIEW_POLICY, head=head)

    def _send(self, status: HTTPStatus, body: str | bytes, content_type: str = "text/html",
              policy: str | None = None, head: bool = False, headers: dict[str, str] | None = None) -> None:
        data = utf8(body) if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", f"{content_type}; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self._common_headers(policy)
        self.end_headers()
        if not head:
            self.wfile.write(data)

    def _common_headers(self, policy: str | None) -> None:
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("Cross-Origin-Resource-Policy", "same-origin")
        self.send_header("Content-Security-Policy", policy or "default-src 'none'; frame-ancestors 'none'")

    def _events(self, head: bool) -> None:
        """Server-sent events: the generation now, then at every change, until either side stops."""
        site = self.live.site
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self._common_headers(None)
        self.end_headers()
        if head:
            return
        self.wfile.write(b"retry: 1000\n\n")  # reconnect after a second when the server comes back
        seen = None
        while not site.closed:
            generation = site.generation if seen is None else site.wait(seen, KEEPALIVE_SECONDS)
            if site.closed:
                break
            if generation != seen:
                self.wfile.write(f"data: {generation}\n\n".encode("ascii"))
                seen = generation
            else:
                self.wfile.write(b": still here\n\n")
            self.wfile.flush()


__all__ = ["LiveServer", "Change", "DEFAULT_PORT", "HOST"]
