"""Live preview for workshops: ``kafka serve CASE`` (or a folder of cases).

A facilitator edits a case file next to the projector; the browser shows its
report and follows every save by itself. Three parts, one module each:

- :mod:`kafka.serve.watch`: which case files there are, and whether they changed (polling);
- :mod:`kafka.serve.site`: their loaded, analysed and rendered pages, and a change counter;
- :mod:`kafka.serve.server`: the HTTP server on 127.0.0.1 with server-sent events.

Only the standard library is used for serving (http.server, threading).
"""

from kafka.serve.server import DEFAULT_PORT, HOST, LiveServer
from kafka.serve.site import Change, LiveSite

__all__ = ["Change", "DEFAULT_PORT", "HOST", "LiveServer", "LiveSite"]
