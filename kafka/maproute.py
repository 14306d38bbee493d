"""Edge routing on the process map's grid: orthogonal lines in O(E log E).

kafka places every step of the map itself (:func:`kafka.processmap.layout`):
rows by flow, lanes side by side, a column per step that shares its row and
lane with others. Between two rows lies a *gap* and between two columns a
*channel*, and no step is ever in either. So every edge can be drawn with
horizontal stretches in gaps and vertical ones in channels (or straight down
its own column when no step is in the way), and it never crosses a step:

* a forward edge (to a later row) leaves its step at the bottom, runs along
  the gap below it, down the channel beside the target's column when rows lie
  in between, along the gap above the target and into its top; its label
  sits beside that last stretch, in the gap above the target;
* a loop back (to an earlier step or to itself) leaves at the right side,
  runs along the channel right of its column, along the gap next to the
  target's row, along the channel right of the target's column and into the
  target's right side; its label sits in that gap.

Edges that share a gap or a channel where their stretches overlap get
tracks of their own (interval partitioning). The forward edges of a step
leave it at one point and branch off in the gap below; the edges entering a
step, and the loops on its right side, are spread out, each with its own
end (and its label beside it). Graphviz only draws the result
(``layout=nop2``): its own orthogonal router was quadratic (46% of a
1,000-step report).

Coordinates here are points from the top-left corner of the map (y down).
"""

from __future__ import annotations

import heapq
from bisect import bisect_left, bisect_right, insort
from collections import defaultdict
from dataclasses import dataclass

ARROW = 8.0  # length of an arrowhead (Graphviz's 10 points at arrowsize 0.8)
TRACK = 3.5  # between two parallel tracks in one gap or channel
GAP_TRACKS = 3  # tracks at the top of a gap; edge labels sit below them
CHANNEL_TRACKS = 3  # tracks on each side of a channel's middle
GAP_MARGIN = 8.0  # from the top of a gap to its first track
LABEL_TOP = GAP_MARGIN + GAP_TRACKS * TRACK + 2.0  # from the top of a gap to the labels in it
LABEL_SPACE = 4.0  # between an edge's line and its label
PORT_SPACING = 10.0  # at most, between two edge ends on one side of a step
PORT_MARGIN = 6.0  # at least, between an edge end and a corner of its step

Point = tuple[float, float]


@dataclass(frozen=True)
class Box:
    """A step on the map: its corners."""

    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.y0 + self.y1) / 2


@dataclass(frozen=True)
class Grid:
    """Where the steps stand, and the free space between them."""

    boxes: dict[str, Box]
    row: dict[str, int]
    cell: dict[str, tuple[str, int]]  # step -> (lane key, column in the lane)
    columns: dict[tuple[str, int], tuple[float, float]]  # (lane key, column) -> x of its left and right channel
    gaps: list[tuple[float, float]]  # gap g lies above row g (the last one below the last row): (top, bottom)
    occupied: dict[tuple[str, int], list[int]]  # (lane key, column) -> the rows of its steps, in order
    width: float

    def column_of(self, step: str) -> tuple[float, float]:
        return self.columns[self.cell[step]]


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    loop: bool  # drawn as a loop back (right side), else forward (bottom to top)
    label: Point | None = None  # width and height of its label, if any


@dataclass(frozen=True)
class Route:
    points: tuple[Point, ...]  # from the source's border to the base of the arrowhead
    tip: Point  # the arrowhead's tip, on the target's border
    label: Point | None  # centre of the label


def label_gap(edge: Edge, row: dict[str, int]) -> int:
    """The gap an edge's label goes in: above its target, or (a loop back) beside its target's row."""
    if not edge.loop:
        return row[edge.target]
    return row[edge.target] if row[edge.source] < row[edge.target] else row[edge.target] + 1


def route(grid: Grid, edges: list[Edge]) -> list[Route]:
    """A route for every edge, in the same order."""
    exits, entries = _ports(grid, edges)
    tracks = _Tracks(grid)
    plans = [_plan(grid, edge, exits[i], entries[i], tracks) for i, edge in enumerate(edges)]
    tracks.assign()
    lines = [_line(edge, plan, tracks) for edge, plan in zip(edges, plans)]
    labels = _place_labels(grid, edges, plans, lines, tracks)
    return [Route(tuple(points[:-1]) + (_back_off(points[-2], points[-1]),), points[-1], labels.get(i))
            for i, points in enumerate(lines)]


# --- the ends of the edges on the sides of the steps -----------------------------------

def _ports(grid: Grid, edges: list[Edge]) -> tuple[list[Point], list[Point]]:
    """Where each edge leaves its source and enters its target, spread along the step's side."""
    boxes = grid.boxes
    bottom: dict[str, list[int]] = defaultdict(list)
    top: dict[str, list[int]] = defaultdict(list)
    right: dict[str, list[tuple[float, int, bool]]] = defaultdict(list)  # (other end's y, edge, leaving)
    for i, edge in enumerate(edges):
        if edge.loop:
            right[edge.source].append((boxes[edge.target].cy, i, True))
            right[edge.target].append((boxes[edge.source].cy, i, False))
        else:
            bottom[edge.source].append(i)
            top[edge.target].append(i)
    exits: list[Point] = [(0.0, 0.0)] * len(edges)
    entries: list[Point] = [(0.0, 0.0)] * len(edges)
    for step, ids in bottom.items():  # one way out at the bottom: the edges branch off in the gap below
        box = boxes[step]
        for i in ids:
            exits[i] = (box.cx, box.y1)
    for step, ids in top.items():
        box = boxes[step]
        ids.sort(key=lambda i: (boxes[edges[i].source].cx, -grid.row[edges[i].source], i))
        xs = _spread(box.cx, box.x1 - box.x0, len(ids)) or [box.cx] * len(ids)  # too many: they arrive together
        for i, x in zip(ids, xs):
            entries[i] = (x, box.y0)
    for step, ends in right.items():
        box = boxes[step]
        ends.sort()
        ys = _spread(box.cy, box.y1 - box.y0, len(ends))
        if ys is None:  # too many to tell apart: the loops leave together below the middle, arrive above it
            quarter = (box.y1 - box.y0) / 4
            ys = [box.cy + quarter if leaving else box.cy - quarter for _, _, leaving in ends]
        for (_, i, leaving), y in zip(ends, ys):
            if leaving:
                exits[i] = (box.x1, y)
            else:
                entries[i] = (box.x1, y)
    return exits, entries


def _spread(centre: float, length: float, count: int) -> list[float] | None:
    """``count`` ends along a side of ``length``; None when they would be closer than a track."""
    if count == 1:
        return [centre]
    step = min(PORT_SPACING, (length - 2 * PORT_MARGIN) / (count - 1))
    if step < TRACK:
        return None
    return [centre + (j - (count - 1) / 2) * step for j in range(count)]


# --- tracks in the gaps and channels ------------------------------------------------------

class _Tracks:
    """Stretches of edges in gaps and channels, and the track each one gets.

    A stretch is asked for with :meth:`gap` or :meth:`channel` (an interval along
    the gap or channel) and gets a number; after :meth:`assign`, :meth:`y` and
    :meth:`x` give its coordinate. Overlapping stretches get different tracks.
    """

    def __init__(self, grid: Grid):
        self.grid = grid
        self.requests: dict[tuple, list[tuple[float, float, int]]] = defaultdict(list)
        self.where: list[tuple] = []
        self.track: list[int] = []

    def _ask(self, key: tuple, a: float, b: float) -> int:
        ticket = len(self.where)
        self.requests[key].append((min(a, b), max(a, b), ticket))
        self.where.append(key)
        return ticket

    def gap(self, gap: int, x_a: float, x_b: float) -> int:
        return self._ask(("gap", gap), x_a, x_b)

    def channel(self, x: float, side: int, y_a: float, y_b: float) -> int:
        """``side`` -1: forward edges, left of the channel's middle; +1: loops, right of it."""
        return self._ask(("channel", x, side), y_a, y_b)

    def assign(self) -> None:
        self.track = [0] * len(self.where)
        for stretches in self.requests.values():
            stretches.sort()
            busy: list[tuple[float, int]] = []  # (end of the last stretch on the track, track)
            free: list[int] = []
            for start, end, ticket in stretches:
                while busy and busy[0][0] < start:
                    heapq.heappush(free, heapq.heappop(busy)[1])
                track = heapq.heappop(free) if free else len(busy) + len(free)
                self.track[ticket] = track
                heapq.heappush(busy, (end, track))

    def y(self, ticket: int) -> float:
        _, gap = self.where[ticket]
        return self.grid.gaps[gap][0] + GAP_MARGIN + TRACK * (self.track[ticket] % GAP_TRACKS)

    def x(self, ticket: int) -> float:
        _, x, side = self.where[ticket]
        x += side * (TRACK / 2 + TRACK * (self.track[ticket] % CHANNEL_TRACKS))
        return min(max(x, 2.0), self.grid.width - 2.0)  # the outer channels: stay on the map


# --- one edge -------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Plan:
    start: Point
    end: Point
    legs: tuple  # ("gap", ticket) | ("channel", ticket): the stretches between start and end
    label_x: tuple | None  # ("x", value) | ("channel", ticket): the line the label sits right of


def _plan(grid: Grid, edge: Edge, start: Point, end: Point, tracks: _Tracks) -> _Plan:
    row_u, row_v = grid.row[edge.source], grid.row[edge.target]
    if not edge.loop:
        (sx, _), (ex, _) = start, end
        if sx == ex and _free_between(grid, edge.source, edge.target):
            return _Plan(start, end, (), ("x", ex))
        if row_v == row_u + 1:
            return _Plan(start, end, (("gap", tracks.gap(row_v, sx, ex)),), ("x", ex))
        left, right = grid.column_of(edge.target)
        channel = left if abs(sx - left) <= abs(sx - right) else right
        below, above = grid.gaps[row_u + 1], grid.gaps[row_v]
        tickets = (
            ("gap", tracks.gap(row_u + 1, sx, channel)),
            ("channel", tracks.channel(channel, -1, below[0], above[1])),
            ("gap", tracks.gap(row_v, channel, ex)),
        )
        return _Plan(start, end, tickets, ("x", ex))
    (_, sy), (_, ey) = start, end
    channel_u, channel_v = grid.column_of(edge.source)[1], grid.column_of(edge.target)[1]
    if channel_u == channel_v:
        ticket = ("channel", tracks.channel(channel_u, +1, sy, ey))
        return _Plan(start, end, (ticket,), ticket)
    gap = label_gap(edge, grid.row)
    top = grid.gaps[gap][0]
    via = ("channel", tracks.channel(channel_v, +1, top, ey))
    tickets = (
        ("channel", tracks.channel(channel_u, +1, sy, top)),
        ("gap", tracks.gap(gap, channel_u, channel_v)),
        via,
    )
    return _Plan(start, end, tickets, via)


def _free_between(grid: Grid, source: str, target: str) -> bool:
    """No step in the column between the rows of ``source`` and ``target`` (same column)."""
    if grid.cell[source] != grid.cell[target]:
        return False
    rows = grid.occupied[grid.cell[source]]
    return bisect_right(rows, grid.row[source]) == bisect_right(rows, grid.row[target] - 1)


def _line(edge: Edge, plan: _Plan, tracks: _Tracks) -> list[Point]:
    """The corners of an edge's line, from its start to the arrowhead's tip."""
    # A forward edge leaves downwards, a loop back sideways; then gaps (a new y) and
    # channels (a new x) alternate, and the last stretch turns into the target.
    x, y = plan.start
    points = [plan.start]
    for kind, ticket in plan.legs:
        if kind == "gap":
            y = tracks.y(ticket)
        else:
            x = tracks.x(ticket)
        points.append((x, y))
    ex, ey = plan.end
    points.append((x, ey) if edge.loop else (ex, y))
    points.append(plan.end)
    return _simplify(points)


# --- labels -----------------------------------------------------------------------------------

def _place_labels(grid: Grid, edges: list[Edge], plans: list[_Plan], lines: list[list[Point]],
                  tracks: _Tracks) -> dict[int, Point]:
    """Each label beside its edge's line in its gap, clear of the other labels and lines there.

    A label goes right of its line if it fits, else left of it, else right of
    what is in the way (a few tries); failing that, right of its line. Which
    lines cross a gap is found by a sweep from top to bottom, so this stays
    O(E log E) however long the lines are.
    """
    wanted: dict[int, list[tuple[float, int]]] = defaultdict(list)  # gap -> (x of the line, edge)
    for i, (edge, plan) in enumerate(zip(edges, plans)):
        if edge.label is not None:
            kind, value = plan.label_x
            wanted[label_gap(edge, grid.row)].append((value if kind == "x" else tracks.x(value), i))
    if not wanted:
        return {}
    bands = sorted((grid.gaps[g][0] + LABEL_TOP, grid.gaps[g][1], g) for g in wanted)
    verticals = sorted((min(a[1], b[1]), max(a[1], b[1]), a[0]) for points in lines
                       for a, b in zip(points, points[1:]) if a[0] == b[0] and a[1] != b[1])
    ends = sorted((y1, x) for _, y1, x in verticals)
    active: list[float] = []  # x of the vertical stretches that cross the band, in order
    started = ended = 0
    placed: dict[int, Point] = {}
    for band_top, band_bottom, gap in bands:
        while started < len(verticals) and verticals[started][0] < band_bottom:
            insort(active, verticals[started][2])
            started += 1
        while ended < len(ends) and ends[ended][0] <= band_top:
            del active[bisect_left(active, ends[ended][1])]
            ended += 1
        taken: list[tuple[float, float]] = []  # the labels placed in this gap, in order
        for line_x, i in sorted(wanted[gap]):
            width, height = edges[i].label
            left = _free_spot(line_x, width, active, taken, grid.width)
            insort(taken, (left, left + width))
            placed[i] = (left + width / 2, band_top + height / 2)
    return placed


def _free_spot(line_x: float, width: float, lines: list[float], taken: list[tuple[float, float]],
               map_width: float) -> float:
    """The left end of a free spot for a label of ``width`` beside the line at ``line_x``."""
    right = line_x + LABEL_SPACE
    for left in (right, line_x - LABEL_SPACE - width):
        if 0 <= left and left + width <= map_width and _blocker(left, width, lines, taken) is None:
            return left
    left = right
    for _ in range(6):  # past what is in the way, to the right
        in_the_way = _blocker(left, width, lines, taken)
        if in_the_way is None:
            return left if left + width <= map_width else right
        left = in_the_way + LABEL_SPACE
    return right


def _blocker(left: float, width: float, lines: list[float], taken: list[tuple[float, float]]) -> float | None:
    """The right end of what overlaps ``[left, left + width]`` (a line or a label), or None."""
    a, b = left - LABEL_SPACE / 2, left + width + LABEL_SPACE / 2
    ends = []
    i = bisect_left(lines, a)
    if i < len(lines) and lines[i] < b:
        ends.append(lines[bisect_left(lines, b) - 1])
    j = bisect_left(taken, (a,))
    for start, end in taken[max(0, j - 1):]:
        if start >= b:
            break
        if end > a:
            ends.append(end)
    return max(ends) if ends else None


def _simplify(points: list[Point]) -> list[Point]:
    """Without repeated points and without corners that are none (three points on one line)."""
    kept: list[Point] = []
    for point in points:
        if kept and point == kept[-1]:
            continue
        if len(kept) >= 2 and _collinear(kept[-2], kept[-1], point):
            kept[-1] = point
            continue
        kept.append(point)
    return kept


def _collinear(a: Point, b: Point, c: Point) -> bool:
    return (a[0] == b[0] == c[0]) or (a[1] == b[1] == c[1])


def _back_off(before: Point, tip: Point) -> Point:
    """The base of the arrowhead: ARROW back from the tip along the last stretch."""
    dx, dy = tip[0] - before[0], tip[1] - before[1]
    length = (dx * dx + dy * dy) ** 0.5 or 1.0
    return (tip[0] - dx / length * ARROW, tip[1] - dy / length * ARROW)
