"""Graphviz in-process: DOT text laid out and drawn by the Graphviz library (pygraphviz).

pygraphviz's ``AGraph(string=...).draw(...)`` writes the DOT to a new
temporary file to parse it, and starts and frees a Graphviz context (its
plugins registered again) for every drawing; kafka also caught Graphviz's
messages in a new temporary file each time. A case of ``kafka aggregate``
draws twice (the map's labels measured, then the map): four temporary files
and two contexts per case, 0.3-0.7 ms a drawing (measured side by side).
Here a process keeps one context and two scratch files (in memory where the
system allows), made on its first drawing (again in a forked child, which
must not share them), and draws one graph at a time. The drawing is the
same: the same parser, layout and renderer, called as pygraphviz calls them
(tests/test_graphviz_draw.py compares).
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO, Iterator

from kafka.errors import OutputError

_CHARSET = re.compile(r'charset\s*=\s*"([^"]+)"')  # as pygraphviz finds a DOT text's encoding
_DEFAULT_ENCODING = "UTF-8"


@dataclass
class _Session:
    """What one process keeps for drawing: a Graphviz context and two scratch files."""

    pid: int
    context: object  # a GVC_t (pygraphviz.graphviz.gvContextWithBuiltins)
    source: IO[bytes]  # the DOT text, for Graphviz's parser (it reads a FILE)
    messages: IO[bytes]  # Graphviz's C-level stderr while it draws


_LOCK = threading.Lock()  # one drawing at a time: stderr is the process's, and so is the session
_session: _Session | None = None


def _current() -> _Session:
    """This process's session (call with _LOCK held)."""
    global _session
    if _session is None or _session.pid != os.getpid():
        from pygraphviz import graphviz as gv

        # In a forked child the parent's session is left alone: its files share their offsets with the parent's.
        _session = _Session(os.getpid(), gv.gvContextWithBuiltins(), _scratch_file("source"), _scratch_file("messages"))
    return _session


def _scratch_file(purpose: str) -> IO[bytes]:
    """A file in memory (or else an unnamed one in the temporary folder), emptied before each use."""
    try:
        return os.fdopen(os.memfd_create(f"kafka-graphviz-{purpose}"), "w+b")
    except (AttributeError, OSError):  # no memfd_create (not Linux)
        return tempfile.TemporaryFile(mode="w+b")


def _forget() -> None:
    """After a failed drawing, start the next one from a new context (never from one Graphviz left
    half-done; that one is not freed either, for the same reason)."""
    global _session
    _session = None


def draw(dot_source: str, fmt: str, prog: str | None = None, graph_attrs: dict[str, str] | None = None) -> bytes:
    """``dot_source`` laid out with ``prog`` (None: the graph's ``layout`` attribute, else ``dot``) and
    drawn as ``fmt``, with ``graph_attrs`` set on the graph first.

    A Graphviz error raises :class:`~kafka.errors.OutputError`; its warnings are kept off the terminal.
    """
    with _LOCK:
        session = _current()
        try:
            with _caught(session.messages) as messages:
                try:
                    drawn = _draw(session, dot_source, fmt, prog, graph_attrs or {})
                except Exception as exc:  # pygraphviz raises plain Exceptions/ValueErrors from Graphviz
                    raise OutputError(f"Graphviz could not render the diagram: {exc}") from None
        except BaseException:
            _forget()
            raise
    raise_on_error(messages)
    return drawn


def _draw(session: _Session, dot_source: str, fmt: str, prog: str | None, graph_attrs: dict[str, str]) -> bytes:
    import pygraphviz
    from pygraphviz import graphviz as gv

    match = _CHARSET.search(dot_source)
    encoding = match.group(1) if match is not None else _DEFAULT_ENCODING
    source = session.source
    source.seek(0)
    source.truncate()
    source.write(dot_source.encode(encoding))
    source.flush()
    source.seek(0)
    try:
        handle = gv.agread(source, None)
    except ValueError:
        raise ValueError("Invalid Input") from None  # pygraphviz's words (its DotError)
    try:
        if graph_attrs or prog is None:
            graph = pygraphviz.AGraph(handle=handle)  # a view of the graph: it does not own (close) it
            graph.graph_attr.update(graph_attrs)
            prog = prog or graph.graph_attr.get("layout") or "dot"
        return _layout_and_render(session.context, handle, fmt, prog, encoding)
    finally:
        gv.agclose(handle)


def _layout_and_render(context: object, handle: object, fmt: str, prog: str, encoding: str) -> bytes:
    """pygraphviz's AGraph.draw (path=None), in the process's context."""
    from pygraphviz import graphviz as gv

    err = gv.gvLayout(context, handle, prog.encode(encoding))
    if err:
        if err != -1:
            raise ValueError("Graphviz raised a layout error.")
        raise ValueError(f"Can't find prog={prog} in this graphviz installation")
    try:
        err, drawn = gv.gvRenderData(context, handle, fmt.encode(encoding))
        if err:
            raise ValueError(f"Graphviz Error creating dot representation:{err}")
        return drawn
    finally:
        gv.gvFreeLayout(context, handle)


@contextmanager
def _caught(sink: IO[bytes]) -> Iterator[list[str]]:
    """What the Graphviz library prints on the C-level stderr (it has no other channel), in ``messages``."""
    messages: list[str] = []
    sink.seek(0)
    sink.truncate()
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError):  # no real stderr (e.g. some embedded interpreters): nothing to capture
        yield messages
        return
    os.dup2(sink.fileno(), 2)
    try:
        yield messages
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        sink.seek(0)
        messages.extend(sink.read().decode("utf-8", "replace").splitlines())


def raise_on_error(messages: list[str]) -> None:
    """Graphviz prints an error and its context ("... <B></B> ...", "in label of node x") and goes on."""
    for i, line in enumerate(messages):
        if line.startswith("Error"):
            context = [m.strip() for m in messages[i:i + 3] if m.strip() and not m.startswith(("Warning", "Fontconfig"))]
            raise OutputError(f"Graphviz could not render the diagram: {' '.join(context)}")
