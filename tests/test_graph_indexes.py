"""The graph's plain-dict indexes (issue 19: the analysis walks these instead of networkx)
give what networkx and the relations graph give, on generated cases and random flows."""

from __future__ import annotations

import random

import networkx as nx
from hypothesis import HealthCheck, given, settings

from kafka.graph import CaseGraph, _strongly_connected
from strategies import case_docs, load_doc


def _reference_loops(graph: CaseGraph) -> list[list[str]]:
    """The loops as kafka found them with networkx before (strongly connected components of the flow)."""
    groups = []
    for component in nx.strongly_connected_components(graph.flow):
        if len(component) > 1 or any(graph.flow.has_edge(n, n) for n in component):
            groups.append(sorted(component, key=graph.order.__getitem__))
    return sorted(groups, key=lambda g: graph.order[g[0]])


def _reference_asked_by_step(graph: CaseGraph) -> dict[str, dict[str, tuple[str, ...]]]:
    """step -> item -> ways, read off the relations graph (as kafka did before)."""
    relations = graph.relations
    result = {}
    for step in graph.case.steps:
        ways: dict[str, list[str]] = {}
        for item in step.asks:
            ways.setdefault(item, []).append("asks")
        if step.form:
            for rel in ("field", "attachment"):
                targets = [v[1] for _, v, r in relations.out_edges(("form", step.form), data="rel") if r == rel]
                for item in dict.fromkeys(targets):
                    ways.setdefault(item, []).append(rel)
        for item in step.brings:
            ways.setdefault(item, []).append("brings")
        result[step.id] = {item: tuple(dict.fromkeys(w)) for item, w in ways.items()}
    return result


def test_strongly_connected_components_agree_with_networkx_on_random_flows():
    rnd = random.Random(19)
    for _ in range(2000):
        nodes = [f"s{i}" for i in range(rnd.randint(1, 12))]
        succ: dict[str, dict[str, dict]] = {u: {} for u in nodes}
        for _ in range(rnd.randint(0, 3 * len(nodes))):
            u, v = rnd.choice(nodes), rnd.choice(nodes)
            succ[u][v] = {"loop": nodes.index(v) <= nodes.index(u)}
        reference = nx.DiGraph()
        reference.add_nodes_from(nodes)
        reference.add_edges_from((u, v) for u in succ for v in succ[u])
        mine = sorted(sorted(c) for c in _strongly_connected(succ))
        assert mine == sorted(sorted(c) for c in nx.strongly_connected_components(reference)), succ


def test_a_long_chain_of_loops_needs_no_recursion():
    n = 5000  # deeper than Python's recursion limit
    succ = {f"s{i}": {f"s{i + 1}": {"loop": False}} for i in range(n - 1)}
    succ[f"s{n - 1}"] = {"s0": {"loop": True}}
    assert [len(c) for c in _strongly_connected(succ)] == [n]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case_docs())
def test_plain_indexes_agree_with_the_graphs(doc):
    case = load_doc(doc)
    graph = CaseGraph(case)
    assert graph.loops == _reference_loops(graph)
    assert graph.asked_by_step == _reference_asked_by_step(graph)
    # the loop-free flow: the flow without its loop-back edges, predecessors in networkx's order
    for step_id in graph.order:
        assert list(graph.dag.predecessors(step_id)) == graph.prerequisites(step_id, by_dependencies=False)
        assert set(graph.dag.successors(step_id)) == {
            v for v, loop in graph.flow.adj[step_id].items() if not loop["loop"]
        }
    for step in case.steps:
        keys = [step.rule] if step.rule else []
        form_rule = case.forms[step.form].rule if step.form else None
        if form_rule and form_rule not in keys:
            keys.append(form_rule)
        assert graph.rules_of(step.id) == [case.rules[k] for k in keys]
