"""The measured process map: activities and the transitions between them, drawn by Graphviz.

Edges carry the median wait (and how often they were taken); their colour
says how long that wait is, with the case report's thresholds (a wait of 14
days or more is long). A real log can have hundreds of activities and
transitions, so the map shows the most frequent ones and says what it left
out; the tables beside it have everything.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import graphviz

from kafka.log.measure import LogMeasures
from kafka.processmap import FONT, html_text, plain, render_svg

MAX_NODES = 30
MAX_EDGES = 60
LONG_WAIT_DAYS = 14.0  # as the case report's T02 default
SOME_WAIT_DAYS = 7.0

# Colours as in the case report's palette (templates map them onto the theme).
_EDGE_LONG, _EDGE_SOME, _EDGE_SHORT = "#b91c1c", "#a35200", "#64748b"


@dataclass(frozen=True)
class MeasuredMap:
    svg: str
    width: float
    height: float
    nodes_shown: int
    nodes_total: int
    edges_shown: int
    edges_total: int


def measured_map(m: LogMeasures, *, days: Callable[[float], str], times: Callable[[int], str],
                 start_label: str, end_label: str, wait_word: str) -> MeasuredMap:
    """The map as SVG. ``days`` and ``times`` format a wait and a count in the report's language."""
    frequent = sorted(m.activities, key=lambda a: -a.events)[:MAX_NODES]
    nodes = [a for a in m.activities if a in frequent]  # the most frequent, in process order
    shown = {a.name for a in nodes}
    ids = {a.name: f"a{i}" for i, a in enumerate(nodes)}
    edges = [t for t in m.transitions if t.source in shown and t.target in shown][:MAX_EDGES]
    top_events = max((a.events for a in nodes), default=1)
    top_edge = max((t.count for t in edges), default=1)
    total_cases = m.summary.cases or 1

    dot = graphviz.Digraph("measured")
    dot.attr(rankdir="TB", nodesep="0.35", ranksep="0.45", fontname=FONT, bgcolor="transparent", pad="0.2")
    dot.attr("node", shape="box", style="rounded,filled", fontname=FONT, fontsize="11", color="#475569",
             fillcolor="#eef1f5", margin="0.15,0.06")
    dot.attr("edge", fontname=FONT, fontsize="9", color=_EDGE_SHORT, fontcolor=_EDGE_SHORT, arrowsize="0.7")
    dot.node("start", label="", shape="circle", width="0.25", style="filled", fillcolor="#475569",
             tooltip=plain(start_label))
    dot.node("end", label="", shape="doublecircle", width="0.2", style="filled", fillcolor="#475569",
             tooltip=plain(end_label))
    for a in nodes:
        strength = a.events / top_events
        fill = "#dbe4f0" if strength > 0.66 else "#eef1f5" if strength > 0.33 else "#f5f7fa"
        label = f'<<B>{html_text(a.name, 28)}</B><BR/><FONT POINT-SIZE="9">{html_text(times(a.events))}</FONT>>'
        dot.node(ids[a.name], label=label, fillcolor=fill, tooltip=plain(a.name))
    for a in nodes:
        if a.starts:
            dot.edge("start", ids[a.name], penwidth=f"{_pen(a.starts / total_cases):.2f}",
                     label=plain(times(a.starts)), tooltip=plain(f"{start_label}: {a.name}, {times(a.starts)}"))
        if a.ends:
            dot.edge(ids[a.name], "end", penwidth=f"{_pen(a.ends / total_cases):.2f}",
                     label=plain(times(a.ends)), tooltip=plain(f"{end_label}: {a.name}, {times(a.ends)}"))
    for t in edges:
        median = t.wait.median or 0.0
        colour = _EDGE_LONG if median >= LONG_WAIT_DAYS else _EDGE_SOME if median >= SOME_WAIT_DAYS else _EDGE_SHORT
        tip = f"{t.source} → {t.target}: {wait_word} {days(median)} (p90 {days(t.wait.p90 or 0)}), {times(t.count)}"
        extra = {"constraint": "false"} if t.source == t.target else {}
        dot.edge(ids[t.source], ids[t.target], label=plain(f"{days(median)} · {times(t.count)}"), tooltip=plain(tip),
                 color=colour, fontcolor=colour, penwidth=f"{_pen(t.count / top_edge):.2f}", **extra)
    svg = render_svg(dot.source, id_prefix="logmap")
    width, height = _size(svg)
    return MeasuredMap(svg, width, height, len(nodes), len(m.activities), len(edges), len(m.transitions))


def _pen(share: float) -> float:
    return 0.8 + 4.2 * max(0.0, min(1.0, share))


def _size(svg: str) -> tuple[float, float]:
    import re

    match = re.search(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"', svg)
    return (float(match.group(1)), float(match.group(2))) if match else (0.0, 0.0)
