"""The geometry of a BPMN process: a pool, horizontal lanes, shapes and routed flows.

Graphviz lays the diagram out in-process (pygraphviz), in two passes:

1. ``dot`` (left to right) ranks the flow: it gives every node its x and an
   order from top to bottom that keeps crossings few;
2. the lanes become horizontal bands, stacked in the order ``dot`` suggests;
   each node keeps its x and is put in its own lane's band (in a second row
   of the band when it would overlap another node there);
3. ``nop`` (neato with the positions pinned) routes every flow around the
   shapes with orthogonal segments, as modelling tools draw them.

Graphviz counts y upwards; BPMN diagrams count it downwards from the top, so
every y is flipped, and the whole diagram sits at positive coordinates.
All sizes are in BPMN diagram units (1 unit = 1 Graphviz point).
"""

from __future__ import annotations

import math
import textwrap
from dataclasses import dataclass

import pygraphviz as pgv

from kafka.export.bpmn_process import BpmnProcess, FlowNode, NodeKind

# Shape sizes as bpmn.io draws them by default; a task grows for a long name.
SIZES = {NodeKind.TASK: (100.0, 80.0), NodeKind.GATEWAY: (50.0, 50.0), NodeKind.START: (36.0, 36.0), NodeKind.END: (36.0, 36.0)}
WIDE_TASK = 140.0
TASK_LINE = 15.0  # bpmn.io writes task names in 12px lines, about 7px a character
_GRAPHVIZ_SHAPES = {NodeKind.TASK: "box", NodeKind.GATEWAY: "diamond", NodeKind.START: "circle", NodeKind.END: "circle"}

ORIGIN = 20.0  # top-left corner of the pool
POOL_HEADER = 30.0  # the pool's name, written vertically at its left
LANE_HEADER = 30.0  # each lane's name, likewise
MARGIN = 30.0  # between a lane's edges and the shapes inside it
ROW_HEIGHT = 120.0  # one row of shapes inside a lane
NODE_GAP = 30.0  # least horizontal room between two shapes in one row
LABEL_WIDTH = 90.0  # bpmn.io wraps flow labels at this width
LABEL_LINE = 14.0
LABEL_CHARS = 14  # characters on one line of a flow label (11px text, 90 wide)
_PT_PER_INCH = 72.0


@dataclass(frozen=True, slots=True)
class Bounds:
    x: float
    y: float
    width: float
    height: float

    @property
    def center(self) -> tuple[float, float]:
        return (self.x + self.width / 2, self.y + self.height / 2)


Point = tuple[float, float]


@dataclass(frozen=True, slots=True)
class EdgeGeometry:
    waypoints: tuple[Point, ...]
    label: Bounds | None = None


@dataclass(frozen=True)
class Diagram:
    pool: Bounds
    lanes: dict[str, Bounds]
    nodes: dict[str, Bounds]
    flows: dict[str, EdgeGeometry]


def node_size(node: FlowNode) -> tuple[float, float]:
    """Width and height of a node's shape: room for its name inside a task."""
    width, height = SIZES[node.kind]
    if node.kind is not NodeKind.TASK:
        return width, height
    if len(node.name) > 45:
        width = WIDE_TASK
    per_line = max(1, int((width - 10) / 7))
    lines = len(textwrap.wrap(node.name, per_line)) or 1
    return width, max(height, lines * TASK_LINE + 16)


def layout_process(process: BpmnProcess) -> Diagram:
    ranked = _rank_with_dot(process)
    lane_order = _lane_order(process, ranked)
    rows = {lane_id: _assign_rows(process.lane_nodes(lane_id), ranked) for lane_id in lane_order}
    return _place(process, ranked, lane_order, rows)


# --- pass 1: ranks and order from dot ---------------------------------------------


def _graphviz_node(graph: pgv.AGraph, node: FlowNode, **attrs: str) -> None:
    width, height = node_size(node)
    graph.add_node(
        node.id, label="", shape=_GRAPHVIZ_SHAPES[node.kind], fixedsize="true",
        width=f"{width / _PT_PER_INCH:.4f}", height=f"{height / _PT_PER_INCH:.4f}", **attrs,
    )


def _rank_with_dot(process: BpmnProcess) -> dict[str, Point]:
    """Node centres from a left-to-right dot layout, y counted downwards."""
    # newrank: rank the whole flow at once; without it dot ranks each cluster on its own
    # and a lane entered late can end up left of the start.
    graph = pgv.AGraph(directed=True, strict=False, rankdir="LR", newrank="true", nodesep="0.5", ranksep="0.6")
    # One cluster per lane keeps each lane's nodes next to each other in a rank,
    # so the bands built from them cross few flows.
    for i, lane in enumerate(process.lanes):
        cluster = graph.add_subgraph(name=f"cluster_{i}")
        for node in process.lane_nodes(lane.id):
            _graphviz_node(cluster, node)
    for flow in process.flows:
        attrs = {"constraint": "false"} if flow.loop else {}
        if flow.name:
            # the label makes dot leave room between the ranks for it
            attrs["label"] = "\n".join(textwrap.wrap(flow.name, 18)) or flow.name
            attrs["fontsize"] = "11"
        graph.add_edge(flow.source, flow.target, key=flow.id, **attrs)
    graph.layout(prog="dot")
    height = float(graph.graph_attr["bb"].split(",")[3])
    centres = {}
    for node in graph.nodes():
        x, y = (float(v) for v in node.attr["pos"].split(","))
        centres[str(node)] = (x, height - y)
    return centres


def _lane_order(process: BpmnProcess, ranked: dict[str, Point]) -> list[str]:
    """Lanes from top to bottom as dot arranged their nodes (ties: order of appearance)."""

    def mean_y(lane_id: str) -> float:
        ys = [ranked[n.id][1] for n in process.lane_nodes(lane_id)]
        return sum(ys) / len(ys)

    index = {lane.id: i for i, lane in enumerate(process.lanes)}
    return sorted(index, key=lambda lane_id: (mean_y(lane_id), index[lane_id]))


def _assign_rows(nodes: list[FlowNode], ranked: dict[str, Point]) -> dict[str, int]:
    """Row of each node in its lane: the first row where it overlaps no other node."""
    rows: list[list[tuple[float, float]]] = []
    row_of: dict[str, int] = {}
    for node in sorted(nodes, key=lambda n: (ranked[n.id][1], ranked[n.id][0])):
        x = ranked[node.id][0]
        half = node_size(node)[0] / 2 + NODE_GAP / 2
        span = (x - half, x + half)
        for i, taken in enumerate(rows):
            if all(span[1] <= a or span[0] >= b for a, b in taken):
                taken.append(span)
                row_of[node.id] = i
                break
        else:
            rows.append([span])
            row_of[node.id] = len(rows) - 1
    return row_of


# --- pass 2: lanes as bands ----------------------------------------------------------


def _place(process: BpmnProcess, ranked: dict[str, Point], lane_order: list[str],
           rows: dict[str, dict[str, int]]) -> Diagram:
    sizes = {n.id: node_size(n) for n in process.nodes}
    min_left = min(ranked[n][0] - w / 2 for n, (w, _) in sizes.items())
    max_right = max(ranked[n][0] + w / 2 for n, (w, _) in sizes.items())
    content_left = ORIGIN + POOL_HEADER + LANE_HEADER + MARGIN
    shift = content_left - min_left
    pool_width = POOL_HEADER + LANE_HEADER + 2 * MARGIN + (max_right - min_left)

    lanes: dict[str, Bounds] = {}
    centres: dict[str, Point] = {}
    top = ORIGIN
    for lane_id in lane_order:
        row_of = rows[lane_id]
        row_heights = _row_heights(row_of, sizes)
        row_tops = [top + MARGIN / 2 + sum(row_heights[:i]) for i in range(len(row_heights))]
        height = sum(row_heights) + MARGIN
        lanes[lane_id] = Bounds(ORIGIN + POOL_HEADER, top, pool_width - POOL_HEADER, height)
        for node_id, row in row_of.items():
            centres[node_id] = (ranked[node_id][0] + shift, row_tops[row] + row_heights[row] / 2)
        top += height
    pool = Bounds(ORIGIN, ORIGIN, pool_width, top - ORIGIN)
    nodes = {
        node_id: Bounds(x - sizes[node_id][0] / 2, y - sizes[node_id][1] / 2, *sizes[node_id])
        for node_id, (x, y) in centres.items()
    }
    return Diagram(pool, lanes, nodes, _route(process, centres, nodes, pool))


def _row_heights(row_of: dict[str, int], sizes: dict[str, tuple[float, float]]) -> list[float]:
    """Each row is as high as its tallest shape plus room for the flows and labels around it."""
    tallest = [0.0] * (max(row_of.values(), default=0) + 1)
    for node_id, row in row_of.items():
        tallest[row] = max(tallest[row], sizes[node_id][1])
    room = ROW_HEIGHT - SIZES[NodeKind.TASK][1]
    return [room + max(height, SIZES[NodeKind.TASK][1]) for height in tallest]


# --- pass 3: flows routed by Graphviz around the pinned shapes ------------------


def _route(process: BpmnProcess, centres: dict[str, Point], nodes: dict[str, Bounds],
           pool: Bounds) -> dict[str, EdgeGeometry]:
    flip = pool.y + pool.height  # Graphviz y = flip - BPMN y
    graph = pgv.AGraph(directed=True, strict=False, splines="ortho")
    for node in process.nodes:
        x, y = centres[node.id]
        _graphviz_node(graph, node, pos=f"{x:.2f},{flip - y:.2f}")
    for flow in process.flows:
        graph.add_edge(flow.source, flow.target, key=flow.id)
    graph.layout(prog="nop")
    to_bpmn = _back_transform(graph, centres)
    by_id = {f.id: f for f in process.flows}
    routes: dict[str, list[Point]] = {}
    for edge in graph.edges():
        flow = by_id[edge.name]  # the key given to add_edge
        points = _corners([to_bpmn(p) for p in _spline_points(edge.attr.get("pos") or "")])
        if len(points) < 2:  # Graphviz gave up on this one: a straight line between the centres
            points = [nodes[flow.source].center, nodes[flow.target].center]
        routes[flow.id] = points
    labels = _place_labels(process, routes, nodes)
    return {flow_id: EdgeGeometry(tuple(points), labels.get(flow_id)) for flow_id, points in routes.items()}


def _back_transform(graph: pgv.AGraph, centres: dict[str, Point]):
    """Graphviz point -> BPMN point.

    Graphviz moves a finished layout so that its bounding box starts at (0, 0),
    so the pinned positions come back shifted; a node we placed ourselves
    tells by how much.
    """
    some_id, (x, y) = next(iter(centres.items()))
    gx, gy = (float(v) for v in graph.get_node(some_id).attr["pos"].rstrip("!").split(","))
    dx, flip = x - gx, y + gy

    def to_bpmn(point: Point) -> Point:
        return (round(point[0] + dx, 1), round(flip - point[1], 1))

    return to_bpmn


def _spline_points(pos: str) -> list[Point]:
    """The corners of a Graphviz edge 'pos' (orthogonal: its control points are collinear).

    The format is ``[s,x,y] [e,x,y] x,y x,y ...``; the ``e`` point is the tip
    of the arrow on the target's border, drawn after the last control point.
    """
    start = end = None
    points: list[Point] = []
    for token in pos.split():
        parts = token.split(",")
        if parts[0] == "e":
            end = (float(parts[1]), float(parts[2]))
        elif parts[0] == "s":
            start = (float(parts[1]), float(parts[2]))
        else:
            points.append((float(parts[0]), float(parts[1])))
    if start:
        points.insert(0, start)
    if end:
        points.append(end)
    return points


def _corners(points: list[Point]) -> list[Point]:
    """Drop repeated points and the points in the middle of a straight run."""
    kept: list[Point] = []
    for p in points:
        if kept and math.dist(kept[-1], p) < 0.5:
            continue
        if len(kept) >= 2 and _collinear(kept[-2], kept[-1], p):
            kept[-1] = p
        else:
            kept.append(p)
    return kept


def _collinear(a: Point, b: Point, c: Point) -> bool:
    cross = (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])
    return abs(cross) <= 0.5 * max(math.dist(a, c), 1.0)


def _place_labels(process: BpmnProcess, routes: dict[str, list[Point]], nodes: dict[str, Bounds]) -> dict[str, Bounds]:
    """Room for every flow's name beside its own line, clear of the shapes and of the other names.

    Candidates go from the flow's start outwards (a branch's name belongs near
    its gateway); the first free one wins, else the first one.
    """
    taken: list[Bounds] = list(nodes.values())
    labels: dict[str, Bounds] = {}
    for flow in process.flows:
        if not flow.name:
            continue
        candidates = list(_label_candidates(flow.name, routes[flow.id]))
        chosen = next((c for c in candidates if not any(_overlap(c, other) for other in taken)), candidates[0])
        labels[flow.id] = chosen
        taken.append(chosen)
    return labels


def _label_candidates(text: str, points: list[Point]):
    lines = len(textwrap.wrap(text, LABEL_CHARS)) or 1  # as bpmn.io wraps it, long words broken
    width, height = LABEL_WIDTH, lines * LABEL_LINE
    segments = [s for s in zip(points, points[1:]) if math.dist(*s) >= 20] or [max(zip(points, points[1:]),
                                                                                   key=lambda s: math.dist(*s))]
    for a, b in segments:
        for share in (0.5, 0.25, 0.75):
            x, y = a[0] + (b[0] - a[0]) * share, a[1] + (b[1] - a[1]) * share
            if abs(a[1] - b[1]) < abs(a[0] - b[0]):  # horizontal: above, else below the line
                yield Bounds(x - width / 2, y - height - 4, width, height)
                yield Bounds(x - width / 2, y + 4, width, height)
            else:  # vertical: right, else left of the line
                yield Bounds(x + 6, y - height / 2, width, height)
                yield Bounds(x - 6 - width, y - height / 2, width, height)


def _overlap(a: Bounds, b: Bounds) -> bool:
    return a.x < b.x + b.width and b.x < a.x + a.width and a.y < b.y + b.height and b.y < a.y + a.height
