"""The step flow of a case: which step follows which (case-format.md, ``next``).

Without ``next`` a step is followed by the next step in the file; the last
step ends the procedure; ``next: []`` ends it anywhere. An edge to a step
listed earlier in the file, or to itself, is a loop back.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Iterable, Iterator, Mapping

from kafka.model import Case


@dataclass(frozen=True, slots=True)
class FlowEdge:
    source: str
    target: str
    index: int  # position in the source step's ``next`` list; 0 for an implicit edge
    when: str | None = None
    chance: float | None = None
    loop: bool = False  # goes back to an earlier step (or the same one)


def flow_edges(case: Case) -> list[FlowEdge]:
    """Every edge of the flow; edges to unknown steps are left out (validation reports them)."""
    return [FlowEdge(*edge) for edge in flow_edge_tuples(case)]


def flow_edge_tuples(case: Case) -> Iterator[tuple[str, str, int, str | None, float | None, bool]]:
    """The edges of :func:`flow_edges` as plain tuples (source, target, index, when, chance,
    loop), for a caller that only walks them: the graph of every analysis (a FlowEdge costs
    more to make than the rest of its work)."""
    steps = case.steps
    order = {step.id: i for i, step in enumerate(steps)}
    last = len(steps) - 1
    for i, step in enumerate(steps):
        if step.next is None:
            if i < last:
                yield step.id, steps[i + 1].id, 0, None, None, False
            continue
        for k, nxt in enumerate(step.next):
            target = order.get(nxt.to)
            if target is None:
                continue
            yield step.id, nxt.to, k, nxt.when, nxt.chance, target <= i


def reachable(successors: Mapping[str, Iterable[str]], start: str) -> set[str]:
    """The steps reachable from ``start`` (itself included), breadth first."""
    seen = {start}
    queue = deque([start])
    while queue:
        for nxt in successors.get(queue.popleft(), ()):
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return seen
