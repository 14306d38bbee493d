"""Drawing with one Graphviz context and scratch files per process (kafka.graphviz_draw) draws
exactly what pygraphviz's own AGraph.draw draws, one drawing after another, after errors and in a
forked child."""

from __future__ import annotations

import os
import sys

import pytest

from kafka import graphviz_draw
from kafka.errors import OutputError
from kafka.loader import load_text
from kafka.analysis import analyze
from kafka.processmap import process_map_dot
from report_cases import hostile_case_text, large_case_text

pygraphviz = pytest.importorskip("pygraphviz")


def _pygraphviz(source: str, fmt: str, prog: str | None = None, **graph_attrs: str) -> bytes:
    graph = pygraphviz.AGraph(string=source)
    graph.graph_attr.update(graph_attrs)
    return graph.draw(format=fmt, prog=prog or graph.graph_attr.get("layout") or "dot")


def _map(text: str) -> str:
    loaded = load_text(text, "case.yaml")
    assert loaded.ok
    return process_map_dot(analyze(loaded.case))


SOURCES = [
    "digraph { a -> b -> c; a -> c [label=<<B>x</B>>] }",
    'digraph { charset="latin1"; a [label="caf\u00e9"] }',
]


@pytest.mark.parametrize("fmt", ["svg", "plain"])
def test_the_same_drawing_as_pygraphviz_one_after_another(fmt):
    sources = [_map(hostile_case_text()), _map(large_case_text(40)), *SOURCES]
    for source in sources * 2:  # the second round reuses the context and files the first one left
        assert graphviz_draw.draw(source, fmt) == _pygraphviz(source, fmt)


def test_the_graph_attributes_and_the_layout_program_as_given():
    source = SOURCES[0]
    assert graphviz_draw.draw(source, "svg", graph_attrs={"bgcolor": "white"}) == _pygraphviz(source, "svg", bgcolor="white")
    pinned = 'digraph { node [pos="0,0"] a [label="a label"] b [label=<<B>b</B>>] }'  # as processmap.measure draws
    assert graphviz_draw.draw(pinned, "plain", prog="nop") == _pygraphviz(pinned, "plain", prog="nop")


def test_an_error_raises_and_the_next_drawing_is_whole():
    with pytest.raises(OutputError, match="Invalid Input"):
        graphviz_draw.draw("this is not dot", "svg")
    with pytest.raises(OutputError, match="Graphviz could not render"):
        graphviz_draw.draw("digraph { a [label=<<B></B>>] }", "svg")
    with pytest.raises(OutputError, match="prog=nosuchlayout"):
        graphviz_draw.draw(SOURCES[0], "svg", prog="nosuchlayout")
    assert graphviz_draw.draw(SOURCES[0], "svg") == _pygraphviz(SOURCES[0], "svg")


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork on this platform")
def test_a_forked_child_draws_with_its_own_session():
    graphviz_draw.draw(SOURCES[0], "svg")  # the parent has a session
    parent = graphviz_draw._session
    expected = _pygraphviz(SOURCES[0], "svg")
    pid = os.fork()
    if pid == 0:  # the child: exit 0 only when it drew the same with a session of its own
        try:
            ok = graphviz_draw.draw(SOURCES[0], "svg") == expected and graphviz_draw._session is not parent
        finally:
            sys.stdout.flush()
        os._exit(0 if ok else 1)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert graphviz_draw._session is parent
    assert graphviz_draw.draw(SOURCES[1], "svg") == _pygraphviz(SOURCES[1], "svg")
