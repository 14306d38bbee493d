"""The process map of a case: a swimlane diagram composed as DOT, rendered to SVG.

:func:`process_map_dot` composes the diagram as DOT (the text the ``graphviz``
package would write, see :class:`_Dot`): one lane per organisation (the client's lane first, then the organisation
that runs the procedure, then the others in the order the client meets
them), every step coloured by its worst finding, waiting days on the
edges, branches and loops with their labels, story points and in-person
visits marked. kafka places the steps and routes the edges itself
(:func:`layout`, :mod:`kafka.maproute`); :func:`render_svg` has Graphviz draw
it in-process with pygraphviz (whose wheels bundle the Graphviz engine), so
no ``dot`` program is needed. A dense map is summarised (:func:`edges_to_draw`).

Case texts are never trusted: labels are HTML-like labels whose text is
HTML-escaped, and plain attributes (tooltips) go through
:func:`graphviz.escape`, so quotes, braces, backslashes and ``\\N`` stay text.

Colours are set in DOT (so an exported SVG stands on its own) and every
element also gets CSS classes (``step``, ``sev-high``, ``visit``, ``story``,
``lane``, ``loop``, ``long-wait``) so the HTML report can restyle the map for
dark mode and print.
"""

from __future__ import annotations

import html
import re
import textwrap
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Callable, Hashable

import graphviz

from kafka import graphviz_draw, maproute
from kafka.analysis import Analysis
from kafka.errors import OutputError
from kafka.findings import Severity
from kafka.i18n import Translator
from kafka.model import ActorLevel

FONT = "Helvetica,Arial,sans-serif"
LABEL_WIDTH = 26  # characters per line of a step name: keeps lanes narrow
EDGE_LABEL_WIDTH = 24

# Light fills with a strong border: readable on a projector and in print.
SEVERITY_COLOURS = {
    "high": ("#fde2e2", "#b91c1c"),
    "medium": ("#fdefd3", "#a35200"),
    "low": ("#e6ebf1", "#475569"),
    None: ("#ffffff", "#64748b"),
}
LANE_FILLS = ("#f5f7fa", "#eef1f5")
CLIENT_LANE_FILL = "#e8f1fd"
LOOP_COLOUR = "#a35200"
EDGE_COLOUR = "#475569"
LONG_WAIT_COLOUR = "#b91c1c"

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class Lane:
    key: str  # "lane0", "lane1", ... (never a case text)
    name: str
    is_client: bool
    steps: tuple[str, ...]
    merged: tuple[str, ...] = ()  # the organisations that share this lane (a map too wide otherwise)


def lanes(analysis: Analysis) -> list[Lane]:
    """One lane per organisation: the client's first, then the procedure's owner, then by first step."""
    graph = analysis.graph
    case = analysis.case
    by_org: dict[str, list[str]] = {}
    client_steps: list[str] = []
    for step in case.steps:
        actor = case.actors[step.actor]
        if actor.level is ActorLevel.CLIENT:
            client_steps.append(step.id)
        else:
            by_org.setdefault(graph.organisation(step.id), []).append(step.id)
    owner = case.case.organisation
    orgs = sorted(by_org, key=lambda org: (org != owner, graph.order[by_org[org][0]]))
    result = []
    if client_steps:
        client = next(a for a in case.actors.values() if a.level is ActorLevel.CLIENT)
        result.append(Lane("lane0", client.name, True, tuple(client_steps)))
    for org in orgs:
        result.append(Lane(f"lane{len(result)}", org, False, tuple(by_org[org])))
    return result


FIT_WIDTH = 1000.0  # points: a map at most this wide is shown at 90% or more fitted to a 1280-pixel screen


def merge_lanes(analysis: Analysis, all_lanes: list[Lane], node_attrs: dict[str, dict[str, str]], fit_width: float,
                t: Translator, *, size: dict[str, tuple[float, float]] | None = None,
                row: dict[str, int] | None = None) -> list[Lane]:
    """The lanes, with those of the organisations with the fewest steps together in one lane
    ("Andere organisaties", last) until the map fits ``fit_width`` points (or only the client's
    and the procedure's own organisation keep a lane of their own).

    ``size`` (step -> its size) and ``row`` save measuring and working them out again when the
    caller has them (:func:`build_process_map`)."""
    size = size if size is not None else measure(dict(node_attrs))
    row = row if row is not None else rows(analysis)

    def width(steps) -> float:
        if not steps:
            return 0.0
        widest = max(size[s][0] for s in steps)
        per_row: dict[int, int] = {}
        for s in steps:
            per_row[row[s]] = per_row.get(row[s], 0) + 1
        return max(LANE_MIN_WIDTH, (widest + COLUMN_GAP) * max(per_row.values()))

    owner = analysis.case.case.organisation
    candidates = sorted((lane for lane in all_lanes if not lane.is_client and lane.name != owner),
                        key=lambda lane: (len(lane.steps), -analysis.graph.order[lane.steps[0]]))
    widths = {lane.key: width(lane.steps) for lane in all_lanes}
    kept_width = sum(widths.values())
    merged: list[Lane] = []
    widest, per_row = 0.0, {}  # of the merged lane, kept up to date as lanes join it
    total = kept_width
    while total > fit_width and candidates:
        lane = candidates.pop(0)
        merged.append(lane)
        kept_width -= widths[lane.key]
        for s in lane.steps:
            widest = max(widest, size[s][0])
            per_row[row[s]] = per_row.get(row[s], 0) + 1
        total = kept_width + max(LANE_MIN_WIDTH, (widest + COLUMN_GAP) * max(per_row.values()))
    if len(merged) < 2:  # one organisation alone in "other organisations" is no gain
        return all_lanes
    gone = {lane.key for lane in merged}
    kept = [lane for lane in all_lanes if lane.key not in gone]
    order = analysis.graph.order
    steps = tuple(sorted((s for lane in merged for s in lane.steps), key=order.__getitem__))
    names = tuple(lane.name for lane in sorted(merged, key=lambda lane: order[lane.steps[0]]))
    kept = [Lane(f"lane{i}", lane.name, lane.is_client, lane.steps) for i, lane in enumerate(kept)]
    return kept + [Lane(f"lane{len(kept)}", t("report.map.other_lane"), False, steps, names)]


def step_numbers(analysis: Analysis) -> dict[str, int]:
    """Steps numbered 1, 2, ... in file order: the same number on the map, the timeline and the tables."""
    return {step.id: i + 1 for i, step in enumerate(analysis.case.steps)}


def worst_severity(analysis: Analysis) -> dict[str, Severity]:
    worst: dict[str, Severity] = {}
    for finding in analysis.findings:
        for step in finding.steps:
            if step not in worst or finding.severity.rank > worst[step].rank:
                worst[step] = finding.severity
    return worst


def codes_by_step(analysis: Analysis) -> dict[str, list[str]]:
    codes: dict[str, dict[str, None]] = {}
    for finding in analysis.findings:
        for step in finding.steps:
            codes.setdefault(step, {})[finding.code] = None
    return {step: list(c) for step, c in codes.items()}


# --- escaping ------------------------------------------------------------------

def clean(text: str) -> str:
    """Case text without control characters (they are not allowed in XML, hence in SVG)."""
    return _CONTROL.sub("", str(text))


@lru_cache(maxsize=8192)  # the same names on the as-is and the to-be maps, case after case in a run
def html_text(text: str, width: int | None = None) -> str:
    """Text for an HTML-like label: escaped, optionally wrapped with <BR/>.

    Graphviz expands \\N, \\G, \\E... even inside HTML-like labels (an
    entity such as &#92; does not stop it), so backslashes are doubled.
    """
    text = clean(text)
    lines = textwrap.wrap(text, width, break_long_words=True, break_on_hyphens=False) if width else [text]
    return '<BR ALIGN="CENTER"/>'.join(_html_escape(line) for line in lines or [""])


def _html_escape(text: str) -> str:
    return html.escape(text, quote=True).replace("\\", "\\\\")


def plain(text: str) -> str:
    """Text for a plain (quoted) attribute such as a tooltip, shown verbatim.

    Graphviz reads these as escString: it expands ``\\N`` (node name), ``\\G``,
    ``\\L``... and HTML entities. Rendered in-process by pygraphviz, a literal
    backslash takes four in the DOT source (``graphviz.escape``'s two still gave
    ``\\N`` -> the step id), and ``&`` must be written as an entity. ``nohtml``
    keeps a text such as ``<b>x</b>`` from being read as an HTML-like label.
    """
    return graphviz.nohtml(clean(text).replace("\\", "\\\\\\\\").replace("&", "&amp;"))


# --- the diagram ---------------------------------------------------------------

def process_map_dot(analysis: Analysis, lang: str | None = None, *, link_prefix: str = "step-") -> str:
    """DOT source of the process map. Nodes link to ``#<link_prefix><step id>`` in the page."""
    return build_process_map(analysis, lang, link_prefix=link_prefix).source


@dataclass(frozen=True)
class ProcessMapSource:
    source: str  # DOT
    placement: "Placement"
    lanes: tuple[Lane, ...] = ()  # as drawn, left to right (some organisations may share one: merge_lanes)


def build_process_map(analysis: Analysis, lang: str | None = None, *, link_prefix: str = "step-",
                      numbers: dict[str, int] | None = None, fit_width: float | None = FIT_WIDTH) -> ProcessMapSource:
    """The DOT source and where kafka placed every step (for print slicing).

    Graphviz's ``dot`` engine cannot keep clusters in a given order, and
    swimlanes must be in a fixed order (the client first). So kafka places
    the steps itself (:func:`layout`: rows by flow, one column per lane,
    node sizes measured by Graphviz), routes every edge between them
    (:mod:`kafka.maproute`: Graphviz's orthogonal router was quadratic) and
    the DOT says ``layout=nop2``: any Graphviz draws it as it is.

    ``numbers`` overrides the step numbers (the to-be map keeps the as-is numbers).

    A map with more organisations than fit ``fit_width`` points side by side
    (so that its labels are still 12 pixels or more when the map is fitted to a
    1280-pixel screen, as on a projector) puts the organisations with the fewest
    steps together in one lane, "Andere organisaties", each step naming its own
    organisation (:func:`merge_lanes`); a note at the foot says so.
    """
    t = Translator(lang or analysis.lang)
    graph = analysis.graph
    numbers = numbers or step_numbers(analysis)
    worst = worst_severity(analysis)
    codes = codes_by_step(analysis)
    long_wait = analysis.settings.long_wait_days
    node_attrs = {s.id: _step_attrs(analysis, t, s.id, numbers, worst, codes, link_prefix) for s in analysis.case.steps}
    drawn, notes = edges_to_draw(analysis, t)
    edge_attrs = [(u, v, _edge_attrs(graph, t, u, v, d, long_wait)) for u, v, d in drawn]
    all_lanes = lanes(analysis)
    row = rows(analysis)
    # Every label of the map measured in one Graphviz call, handed to merge_lanes and layout (a
    # call costs ~0.5 ms beyond its labels: one per map instead of two saves that on every case of
    # kafka aggregate, whose labels are new to the worker).
    size = measure({**{("node", k): a for k, a in node_attrs.items()}, **_edge_labels(edge_attrs)})
    if fit_width is not None:
        all_lanes = merge_lanes(analysis, all_lanes, node_attrs, fit_width, t,
                                size={k: size[("node", k)] for k in node_attrs}, row=row)
        relabelled = {}
        for lane in all_lanes:
            for step_id in lane.steps if lane.merged else ():
                node_attrs[step_id] = _step_attrs(analysis, t, step_id, numbers, worst, codes, link_prefix,
                                                  show_organisation=True)
                relabelled[("node", step_id)] = node_attrs[step_id]
        if relabelled:  # in "other organisations", a step's label also names its organisation
            size.update(measure(relabelled))
        merged = [org for lane in all_lanes for org in lane.merged]
        if merged:
            notes = [t.n("report.map.merged_lanes", len(merged), lane=t.quote(t("report.map.other_lane"))), *notes]
    note_lines: list[str] = []

    def footer(width: float) -> float:  # the notes wrapped to the map's width, and the room they take
        note_lines[:] = [line for note in notes for line in textwrap.wrap(note, max(40, int(width / 6.5)))]
        return NOTE_LINE * (len(note_lines) + 1) if note_lines else 0.0

    placed = layout(analysis, all_lanes, node_attrs, edge_attrs, footer=footer, size=size, row=row)

    dot = _Dot("process_map")
    dot.attr(layout="nop2", fontname=FONT, fontsize="13", bgcolor="transparent", pad=str(PAD / 72),
             outputorder="nodesfirst", bb=_box(0, 0, placed.width, placed.height))
    dot.attr("node", **NODE_DEFAULTS)
    dot.attr("edge", fontname=FONT, fontsize="11", color=EDGE_COLOUR, fontcolor=EDGE_COLOUR, arrowsize="0.8")
    for index, lane in enumerate(all_lanes):
        fill = CLIENT_LANE_FILL if lane.is_client else LANE_FILLS[index % 2]
        x0, x1 = placed.lanes[lane.key]
        with dot.subgraph(f"cluster_{lane.key}") as sub:
            sub.attr(
                label=f"<<B>{html_text(lane.name, max(12, int((x1 - x0) / 8)))}</B>>", labelloc="t", labeljust="c",
                fontsize="14", style="filled", color=fill, fillcolor=fill, bb=_box(x0, placed.footer, x1, placed.height),
                **{"class": "lane client-lane" if lane.is_client else "lane", "id": f"lane-{index}"},
            )
            for step_id in lane.steps:
                x, y = placed.positions[step_id]
                sub.node(step_id, pos=f"{x:.1f},{y:.1f}", **node_attrs[step_id])
    for (u, v, attrs), route in zip(edge_attrs, placed.routes):
        dot.edge(u, v, **attrs, **_route_attrs(route, placed.height))
    if note_lines:  # at the foot of the map, under the lanes, so an exported map says it too (after the
        # lanes: a graph attribute set before a subgraph would be its default too)
        text = "".join(f'{_html_escape(clean(line))}<BR ALIGN="LEFT"/>' for line in note_lines)
        dot.attr(label=f"<<I>{text}</I>>", labelloc="b", labeljust="l", fontsize="12", fontcolor=LOOP_COLOUR,
                 lp=f"{placed.width / 2:.1f},{placed.footer / 2:.1f}")
    return ProcessMapSource(dot.source, placed, tuple(all_lanes))


class _Dot:
    """DOT text exactly as the ``graphviz`` package writes it (statements, tabs, attributes
    sorted by name, its quoting), without its checks on every call (a fifth of the time of
    building a map)."""

    def __init__(self, name: str, indent: str = "\t"):
        self.lines = [f"digraph {_quote(name)} {{\n"]
        self._indent = indent

    def attr(self, kind: str | None = None, **attrs: str) -> None:
        if kind is None:
            self.lines.append(f"{self._indent}{_a_list(attrs)}\n")
        else:
            self.lines.append(f"{self._indent}{kind}{_attr_list(attrs)}\n")

    def node(self, name: str, **attrs: str) -> None:
        self.lines.append(f"{self._indent}{_quote(name)}{_attr_list(attrs, label_first=True)}\n")

    def edge(self, tail: str, head: str, **attrs: str) -> None:
        self.lines.append(f"{self._indent}{_quote(tail)} -> {_quote(head)}{_attr_list(attrs, label_first=True)}\n")

    @contextmanager
    def subgraph(self, name: str):
        sub = _Dot(name, self._indent + "\t")
        yield sub
        self.lines.append(f"{self._indent}subgraph {_quote(name)} {{\n")
        self.lines += sub.lines[1:]
        self.lines.append(f"{self._indent}}}\n")

    @property
    def source(self) -> str:
        return "".join(self.lines) + "}\n"


def _quote(value: str) -> str:
    """:func:`graphviz.quoting.quote`, from the same patterns: an HTML-like label as it is,
    an ID or number as it is, anything else in double quotes with its quotes escaped."""
    if value.startswith("<"):
        if _HTML_STRING(value) and not isinstance(value, graphviz.quoting.NoHtml):
            return value
    elif len(value) <= _SHORT:
        # Colours, classes, pen widths, ids: the same few short values on every step and edge.
        return _quote_short(value)
    return _quote_text(value)


_SHORT = 32


@lru_cache(maxsize=4096)
def _quote_short(value: str) -> str:
    # Never an HTML-like label (those start with "<" and take the way above), so a NoHtml value,
    # equal to its plain text, is quoted the same: the cached answer holds for both.
    return _quote_text(value)


def _quote_text(value: str) -> str:
    if not _DOT_ID(value) or value.lower() in graphviz.quoting.KEYWORDS:
        return f'"{_ESCAPE_QUOTES(value)}"' if '"' in value else f'"{value}"'  # the pattern needs a '"'
    return value


_HTML_STRING = graphviz.quoting.HTML_STRING.match
_DOT_ID = graphviz.quoting.ID.match
_ESCAPE_QUOTES = graphviz.quoting.ESCAPE_UNESCAPED_QUOTES


def _a_list(attrs: dict[str, str], label_first: bool = False) -> str:
    """``name=value`` pairs sorted by name; a node's or edge's label first (graphviz takes it apart)."""
    items = sorted(attrs.items())
    if label_first and "label" in attrs:
        items = [("label", attrs["label"])] + [item for item in items if item[0] != "label"]
    return " ".join(f"{_quote_name(k)}={_quote(v)}" for k, v in items if v is not None)


@cache
def _quote_name(name: str) -> str:
    return _quote(name)


def _attr_list(attrs: dict[str, str], label_first: bool = False) -> str:
    content = _a_list(attrs, label_first)
    return f" [{content}]" if content else ""


def _route_attrs(route: maproute.Route, height: float) -> dict[str, str]:
    """An edge's route as Graphviz attributes: ``pos`` (straight cubic pieces, arrowhead tip first), ``lp``."""
    def point(p: tuple[float, float]) -> str:
        return f"{p[0]:.1f},{height - p[1]:.1f}"

    corners = [point(p) for p in route.points]  # each written three times below: formatted once
    pieces = [corners[0]]
    for previous, current in zip(corners, corners[1:]):
        pieces += [previous, current, current]
    attrs = {"pos": f"e,{point(route.tip)} {' '.join(pieces)}"}
    if route.label is not None:
        attrs["lp"] = point(route.label)
    return attrs


NODE_DEFAULTS = {
    "shape": "box", "style": "rounded,filled", "fontname": FONT, "fontsize": "12", "margin": "0.1,0.05",
    "penwidth": "1.4",
}
PAD = 10.8  # points of empty border around the map (Graphviz 'pad')
LANE_HEADER = 46.0  # points above the first row for the lane's name
ROW_GAP = 26.0  # points between rows, plus room for the labels of the edges in between
LABEL_BELOW = 6.0  # points between an edge label and the row below it
EDGE_LABEL_SIZING = {"shape": "plain", "fontsize": "11"}  # an edge label measured as a node of just that label
COLUMN_GAP = 22.0
LANE_MIN_WIDTH = 120.0


@dataclass(frozen=True)
class Placement:
    positions: dict[str, tuple[float, float]]  # node centres, points, y upwards (Graphviz)
    lanes: dict[str, tuple[float, float]]  # lane key -> (x0, x1)
    width: float
    height: float
    rows: list[tuple[float, float]]  # (top, bottom) of every row, points from the top of the map
    routes: list[maproute.Route]  # one per edge, in the order of the edges given; points from the top
    footer: float = 0.0  # points under the lanes, for the notes at the foot of the map


def rows(analysis: Analysis) -> dict[str, int]:
    """Row of each step: one below its lowest predecessor in the loop-free flow (file order is topological)."""
    graph = analysis.graph
    row: dict[str, int] = {}
    for step in analysis.case.steps:
        row[step.id] = 1 + max((row[p] for p in graph.dag.predecessors(step.id)), default=-1)
    return row


_SIZES: dict[str, tuple[float, float]] = {}  # DOT attributes of a label -> its size (points), across maps
_SIZES_LIMIT = 50_000


def measure(node_attrs: dict[Hashable, dict[str, str]]) -> dict[Hashable, tuple[float, float]]:
    """Width and height (points) Graphviz gives each node for its label.

    Graphviz measures the text with the fonts installed, so it does the
    measuring, but without a layout: the nodes are pinned (``nop``) and the
    sizes read from its ``plain`` output. A label measured once (the to-be
    maps repeat most of the as-is map's steps) is not measured again.
    """
    wanted = {key: _size_key(attrs) for key, attrs in node_attrs.items()}
    missing = list(dict.fromkeys(k for k in wanted.values() if k not in _SIZES))
    if missing:
        if len(_SIZES) + len(missing) > _SIZES_LIMIT:
            _SIZES.clear()
        _SIZES.update(_measure(missing))
    return {key: _SIZES[size_key] for key, size_key in wanted.items()}


def _size_key(attrs: dict[str, str]) -> str:
    """The DOT attributes that decide a node's size (labels are HTML-like: ``<...>``, written as they are)."""
    parts = [f"label={attrs['label']}"]
    parts += [f'{name}="{attrs[name]}"' for name in ("shape", "penwidth", "fontsize", "margin") if name in attrs]
    return " ".join(parts)


def _measure(size_keys: list[str]) -> dict[str, tuple[float, float]]:
    defaults = " ".join(f'{name}="{value}"' for name, value in NODE_DEFAULTS.items())
    lines = ["digraph {", f'node [{defaults} pos="0,0"]']
    lines += [f"n{i} [{key}]" for i, key in enumerate(size_keys)]
    lines.append("}")
    plain = graphviz_draw.draw("\n".join(lines), "plain", prog="nop").decode("utf-8")
    sizes: dict[str, tuple[float, float]] = {}
    for match in _PLAIN_NODE.finditer(plain):  # node <name> <x> <y> <width> <height> <label> ... (inches)
        key = size_keys[int(match["index"])]
        sizes.setdefault(key, (float(match["width"]) * 72, float(match["height"]) * 72))
    if len(sizes) != len(size_keys):
        raise OutputError(f"Graphviz measured {len(sizes)} of {len(size_keys)} labels")
    return sizes


# A line of Graphviz's plain output for one of the nodes above (a label's text cannot start a
# line with "node n<i>": labels are HTML-like and their line breaks are <BR/>, but be strict).
_PLAIN_NODE = re.compile(r"^node n(?P<index>\d+) \S+ \S+ (?P<width>[\d.]+) (?P<height>[\d.]+) ", re.MULTILINE)


# A valid case can hold thousands of edges (every step looping back to every earlier one: 7,140
# loops in 120 steps). Drawn one by one they hide the procedure and make a huge map, so above
# these budgets the map draws a summary and says so at its foot.
def loop_budget(steps: int) -> int:
    return max(50, steps)


def forward_budget(steps: int) -> int:
    return 3 * steps + 50


NOTE_LINE = 16.0  # points per line of a note at the foot of the map


def edges_to_draw(analysis: Analysis, t: Translator) -> tuple[list[tuple[str, str, dict]], list[str]]:
    """The flow's edges the map draws, and a note for each kind of edge it had to summarise.

    Loops back over budget: only the furthest loop of each step (to the earliest
    step). Forward edges over budget: only the first and the last next step of each.
    """
    order = analysis.graph.order
    edges = list(analysis.graph.flow.edges(data=True))
    steps = len(analysis.case.steps)
    notes: list[str] = []
    keep = {(u, v) for u, v, _ in edges}
    for loops, budget, key in ((True, loop_budget(steps), "report.map.summarised_loops"),
                               (False, forward_budget(steps), "report.map.summarised_forward")):
        kind = [(u, v) for u, v, data in edges if bool(data.get("loop")) is loops]
        if len(kind) <= budget:
            continue
        ends: dict[str, list[str]] = {}
        for u, v in kind:
            ends.setdefault(u, []).append(v)
        chosen = {(u, min(vs, key=order.__getitem__)) for u, vs in ends.items()}
        if not loops:
            chosen |= {(u, max(vs, key=order.__getitem__)) for u, vs in ends.items()}
        keep -= set(kind) - chosen
        notes.append(t(key, total=t.number(len(kind)), shown=t.number(len(chosen))))
    return [(u, v, data) for u, v, data in edges if (u, v) in keep], notes


def layout(analysis: Analysis, all_lanes: list[Lane], node_attrs, edge_attrs,
           footer: Callable[[float], float] | None = None, *, size: dict | None = None,
           row: dict[str, int] | None = None) -> Placement:
    """Every step on the lane/row grid, and every edge routed between them (:mod:`kafka.maproute`).

    ``footer(width)``: points of free space to leave under the lanes, for a map ``width`` wide.
    ``size`` (every label's size: keys ``("node", step)`` and ``("edge", index)``, as
    :func:`build_process_map` measures them) and ``row`` are worked out here when not given."""
    if size is None:
        size = measure({**{("node", k): a for k, a in node_attrs.items()}, **_edge_labels(edge_attrs)})
    row = row if row is not None else rows(analysis)
    n_rows = max(row.values()) + 1
    # Columns: a lane gets as many columns as it has steps side by side in one row.
    column: dict[str, int] = {}
    lane_columns: dict[str, int] = {}
    for lane in all_lanes:
        used: dict[int, int] = {}
        for step_id in lane.steps:
            column[step_id] = used.get(row[step_id], 0)
            used[row[step_id]] = column[step_id] + 1
        lane_columns[lane.key] = max(used.values())
    flow = analysis.graph.flow
    edges = [maproute.Edge(u, v, bool(flow.edges[u, v].get("loop")), size.get(("edge", i)))
             for i, (u, v, attrs) in enumerate(edge_attrs)]
    # Row heights, and the gap above each row (and below the last) tall enough for the labels in it.
    row_height = [0.0] * n_rows
    for step_id, r in row.items():
        row_height[r] = max(row_height[r], size[("node", step_id)][1])
    gap_height = [ROW_GAP] * (n_rows + 1)
    for edge in edges:
        if edge.label is not None:
            gap = maproute.label_gap(edge, row)
            gap_height[gap] = max(gap_height[gap], maproute.LABEL_TOP + edge.label[1] + LABEL_BELOW)
    tops, y = [], LANE_HEADER
    for r in range(n_rows):
        y += gap_height[r] if r else 0
        tops.append(y)
        y += row_height[r]
    height = y + gap_height[n_rows]
    # Lanes left to right in their order; each column as wide as the lane's widest step.
    width = 0.0
    for lane in all_lanes:
        widest = max(size[("node", s)][0] for s in lane.steps)
        width += max(LANE_MIN_WIDTH, (widest + COLUMN_GAP) * lane_columns[lane.key])
    foot = footer(width) if footer else 0.0
    height += foot
    boxes: dict[str, maproute.Box] = {}
    columns: dict[tuple[str, int], tuple[float, float]] = {}
    occupied: dict[tuple[str, int], list[int]] = {}
    lane_x: dict[str, tuple[float, float]] = {}
    x = 0.0
    for lane in all_lanes:
        widest = max(size[("node", s)][0] for s in lane.steps)
        col_width = widest + COLUMN_GAP
        lane_width = max(LANE_MIN_WIDTH, col_width * lane_columns[lane.key])
        offset = (lane_width - col_width * lane_columns[lane.key]) / 2
        for c in range(lane_columns[lane.key]):
            columns[(lane.key, c)] = (x + offset + col_width * c, x + offset + col_width * (c + 1))
            occupied[(lane.key, c)] = []
        for step_id in lane.steps:
            left, right = columns[(lane.key, column[step_id])]
            # Centres on Graphviz's 0.1 point grid, so that the edges meet the steps' borders exactly.
            cx = round((left + right) / 2, 1)
            cy = round(tops[row[step_id]] + row_height[row[step_id]] / 2, 1)
            w, h = size[("node", step_id)]
            boxes[step_id] = maproute.Box(cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)
            occupied[(lane.key, column[step_id])].append(row[step_id])
        lane_x[lane.key] = (x, x + lane_width)
        x += lane_width
    row_spans = [(top, top + h) for top, h in zip(tops, row_height)]
    gaps = [(0.0, tops[0])] + [(row_spans[r - 1][1], tops[r]) for r in range(1, n_rows)]
    gaps.append((row_spans[-1][1], height - foot))
    cell = {step_id: (lane.key, column[step_id]) for lane in all_lanes for step_id in lane.steps}
    grid = maproute.Grid(boxes, row, cell, columns, gaps, {k: sorted(v) for k, v in occupied.items()}, x)
    positions = {s: (box.cx, height - box.cy) for s, box in boxes.items()}  # Graphviz's y goes up
    return Placement(positions, lane_x, x, height, row_spans, maproute.route(grid, edges), foot)


def _edge_labels(edge_attrs) -> dict[tuple[str, int], dict[str, str]]:
    """The edges' labels, each to be measured as a node of just that label (key ``("edge", index)``)."""
    return {("edge", i): {"label": attrs["label"], **EDGE_LABEL_SIZING}
            for i, (_, _, attrs) in enumerate(edge_attrs) if "label" in attrs}


def _box(x0: float, y0: float, x1: float, y1: float) -> str:
    return f"{x0:.1f},{y0:.1f},{x1:.1f},{y1:.1f}"


def _step_attrs(analysis, t, step_id, numbers, worst, codes, link_prefix, show_organisation=False) -> dict[str, str]:
    step = analysis.graph.steps[step_id]
    actor = analysis.case.actors[step.actor]
    severity = worst.get(step_id)
    fill, border = SEVERITY_COLOURS[severity.value if severity else None]
    visit = step.in_person and step.client_minutes > 0
    tags = []
    if step.tells_story:
        tags.append(t("report.map.tag_story"))
    if visit:
        tags.append(t("report.map.tag_visit"))
    details = []
    if show_organisation:  # in the lane of "other organisations": whose step it is
        details.append(f"<B>{html_text(analysis.graph.organisation(step_id), 30)}</B>")
    if actor.name != actor.org and actor.level is not ActorLevel.CLIENT:
        details.append(html_text(actor.name, 30))
    if step.client_minutes:
        details.append(_html_escape(t("report.map.client_minutes", n=t.number(step.client_minutes))))
    rows = [
        '<TR><TD ALIGN="LEFT"><B>{}</B></TD><TD ALIGN="RIGHT">{}</TD></TR>'.format(
            numbers[step_id],
            f'<FONT POINT-SIZE="10" COLOR="{border}"><B>{_html_escape(" · ".join(tags))}</B></FONT>' if tags else " ",
        ),
        f'<TR><TD COLSPAN="2">{html_text(step.name, LABEL_WIDTH)}</TD></TR>',
    ]
    if details:
        rows.append(f'<TR><TD COLSPAN="2"><FONT POINT-SIZE="10" COLOR="#475569">{"<BR/>".join(details)}</FONT></TD></TR>')
    if step_id in codes:
        rows.append(f'<TR><TD COLSPAN="2"><FONT POINT-SIZE="10" COLOR="{border}"><B>{" ".join(codes[step_id])}</B></FONT></TD></TR>')
    label = f'<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1">{"".join(rows)}</TABLE>>'
    classes = ["step", f"sev-{severity.value}" if severity else "sev-none"]
    if visit:
        classes.append("visit")
    if step.tells_story:
        classes.append("story")
    tooltip = f"{numbers[step_id]}. {step.name} ({actor.name})"
    return {
        "label": label,
        "fillcolor": fill,
        "color": border,
        "penwidth": "3" if visit else "1.4",
        "id": f"step-{step_id}",
        "href": f"#{link_prefix}{step_id}",
        "tooltip": plain(tooltip),
        "class": " ".join(classes),
    }


def _edge_attrs(graph, t, source, target, data, long_wait) -> dict[str, str]:
    parts = []
    wait = graph.steps[target].wait_days
    is_long = wait >= long_wait
    if data.get("when"):
        parts.append(html_text(data["when"], EDGE_LABEL_WIDTH))
    if data.get("chance") is not None:
        parts.append(_html_escape(f"{t.number(data['chance'] * 100)}%"))
    if wait:
        text = _html_escape(t.n("report.map.wait_days", wait, days=t.number(wait, 1 if wait % 1 else 0)))
        parts.append(f'<FONT COLOR="{LONG_WAIT_COLOUR}"><B>{text}</B></FONT>' if is_long else f"<I>{text}</I>")
    attrs: dict[str, str] = {"class": "flow"}
    if parts:
        attrs["label"] = f"<{'<BR/>'.join(parts)}>"
    if data.get("loop"):
        attrs.update(style="dashed", color=LOOP_COLOUR, fontcolor=LOOP_COLOUR, penwidth="1.8",
                     **{"class": "flow loop"})
    elif is_long:
        attrs.update(color=LONG_WAIT_COLOUR, penwidth="2", **{"class": "flow long-wait"})
    return attrs


# --- rendering -------------------------------------------------------------------

_PROLOG = re.compile(r"<\?xml.*?\?>|<!DOCTYPE.*?>|<!--.*?-->", re.DOTALL)
_ID = re.compile(r'\bid="([^"]*)"')
_URL_REF = re.compile(r"url\(#([^)]*)\)")


def render_svg(dot_source: str, id_prefix: str = "map") -> str:
    """Lay out and render DOT to an SVG fragment that can be inlined in HTML.

    The XML prolog, doctype and comments are dropped; every ``id`` gets
    ``id_prefix``, so two maps on one page never clash (links to page anchors,
    ``href="#..."``, are left alone; internal ``url(#...)`` references follow
    their ids). A Graphviz error raises :class:`~kafka.errors.OutputError`;
    its warnings are kept off the terminal.
    """
    return inline_svg(render_graphviz(dot_source, "svg").decode("utf-8"), id_prefix)


def inline_svg(svg: str, id_prefix: str) -> str:
    """Graphviz's SVG document as a fragment for HTML: no prolog, every id prefixed (see :func:`render_svg`)."""
    svg = _PROLOG.sub("", svg).strip()
    ids = set(_ID.findall(svg)) if "url(#" in svg else set()  # only references need the ids
    if svg.count('id="') == svg.count(' id="'):
        # Graphviz writes every id as an attribute after a space: one plain replace does
        # what the regular expression below does, three times as fast.
        svg = svg.replace(' id="', f' id="{id_prefix}-')
    else:
        svg = _ID.sub(lambda m: f'id="{id_prefix}-{m.group(1)}"', svg)
    if not ids:
        return svg
    # One pass for every reference (a str.replace per id was quadratic: 2.1 s at 1,000 steps).
    return _URL_REF.sub(lambda m: f"url(#{id_prefix}-{m.group(1)})" if m.group(1) in ids else m.group(0), svg)


def render_graphviz(dot_source: str, fmt: str, **graph_attrs: str) -> bytes:
    """Lay out and draw DOT in-process (:mod:`kafka.graphviz_draw`), as ``fmt`` (svg, png...).

    ``graph_attrs`` override the graph's attributes (``dpi``, ``bgcolor``).
    The map says layout=nop2 (positions given); any other DOT is laid out by dot.
    A Graphviz error raises :class:`~kafka.errors.OutputError`; its warnings
    are kept off the terminal.
    """
    return graphviz_draw.draw(dot_source, fmt, graph_attrs=graph_attrs)
