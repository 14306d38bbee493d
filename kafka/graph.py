"""A case as graphs (networkx): the step flow and the relations around it.

``flow`` is a DiGraph of step ids with the ``next`` edges (``when``,
``chance``, ``loop``). ``dag`` is the same without loop-back edges: since a
loop back is by definition an edge to an earlier step in the file, the file
order is a topological order of ``dag``, so longest paths take linear time.

The analysis itself walks the same flow as plain dicts (``_succ``, ``_dag_pred``,
``_dag_succ``) and indexes built once per graph (the steps asking each fact, the
rules and actor of each step...): an analysis asks them thousands of times, and
building the networkx graphs cost more than an ordinary case's whole flow
analysis. ``flow`` and ``dag`` are built from the dicts when a later stage asks
(the process map, the BPMN export).

``relations`` is a MultiDiGraph of typed nodes ``(kind, id)`` -- step, actor,
organisation, data, form, rule, source -- with a ``rel`` on every edge:

    step  -performed_by->  actor  -member_of->  organisation
    step  -asks|brings|provides|uses->  data  -kept_in->  source
    step  -fills->  form  -field|attachment->  data
    form  -owned_by->  actor
    step|form  -mandated_by->  rule

The detectors ask these graphs (through the methods below) rather than
re-walking the case file.

**Facts** (case-format.md, version 1.1). A document ``proves`` a fact: the
aanslagbiljet proves the taxable income. The fact of an item is the item it
proves, or the item itself; :meth:`CaseGraph.fact` is the one place that
resolves it. Every finding that compares, groups or looks up data works on
facts through the ``fact_*`` maps below (a step that asks a document asks its
fact); ``asked_by_step`` and ``askers`` keep the items as written, for the
metrics ``data_asked`` and ``data_unique``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import networkx as nx

from kafka.catalogue import sources_for
from kafka.flow import flow_edge_tuples
from kafka import nature
from kafka.model import Actor, ActorLevel, Case, DataItem, Form, GovernmentLevel, Rule, Source, Step

LOCAL_SIDE_ACTORS = frozenset({ActorLevel.LOCAL, ActorLevel.CLIENT, ActorLevel.PRIVATE})

# How a step asks an item from the client (case-format.md: asks, form fields,
# form attachments and brings).
ASKED_VIA = ("asks", "field", "attachment", "brings")
_ASKS, _BRINGS = ("asks",), ("brings",)


@dataclass(frozen=True, slots=True)
class Path:
    steps: tuple[str, ...]
    days: float


class CaseGraph:
    def __init__(self, case: Case):
        self.case = case
        self.steps: dict[str, Step] = {s.id: s for s in case.steps}
        self.order: dict[str, int] = {s.id: i for i, s in enumerate(case.steps)}
        self.sources: dict[str, Source] = sources_for(case)
        # The flow as plain dicts (step -> next step -> its when/chance/loop, and the loop-free
        # predecessors and successors), in the order networkx keeps them: the analysis walks
        # these, and builds the networkx graphs only when a later stage asks for them (building
        # them was a tenth of the analysis of an ordinary case).
        succ: dict[str, dict[str, dict]] = {step_id: {} for step_id in self.order}
        for source, target, _, when, chance, loop in flow_edge_tuples(case):
            succ[source][target] = {"when": when, "chance": chance, "loop": loop}
        self._succ = succ
        dag_succ: dict[str, dict[str, None]] = {step_id: {} for step_id in self.order}
        dag_pred: dict[str, dict[str, None]] = {step_id: {} for step_id in self.order}
        for u, targets in succ.items():
            for v, data in targets.items():
                if not data["loop"]:
                    dag_succ[u][v] = None
                    dag_pred[v][u] = None
        self._dag_succ = dag_succ
        self._dag_pred = dag_pred
        # (step, settings) -> the parts of its minutes (kafka.detectors.base.split_minutes)
        self.step_minutes: dict = {}

    # --- construction -------------------------------------------------------

    @cached_property
    def flow(self) -> nx.DiGraph:
        """The step flow: the ``next`` edges with their ``when``, ``chance`` and ``loop``."""
        flow = nx.DiGraph()
        flow.add_nodes_from(self._succ)
        flow.add_edges_from((u, v, dict(data)) for u, targets in self._succ.items() for v, data in targets.items())
        return flow

    @cached_property
    def dag(self) -> nx.DiGraph:
        """The flow without its loop-back edges."""
        dag = nx.DiGraph()
        dag.add_nodes_from(self._dag_succ)
        dag.add_edges_from((u, v) for u, targets in self._dag_succ.items() for v in targets)
        return dag

    def _relation_edges(self) -> dict[tuple[str, str], dict[tuple[str, str], list[str]]]:
        """source -> target -> the ``rel`` of each edge between them, all in insertion
        order: the relations as plain dicts, in the order networkx keeps them."""
        adjacency: dict[tuple[str, str], dict[tuple[str, str], list[str]]] = {}

        def edge(source: tuple[str, str], target: tuple[str, str], rel: str) -> None:
            adjacency.setdefault(source, {}).setdefault(target, []).append(rel)

        case = self.case
        for key, actor in case.actors.items():
            edge(("actor", key), ("organisation", actor.org), "member_of")
        for key, item in case.data.items():
            if item.source:
                edge(("data", key), ("source", item.source), "kept_in")
        for key, form in case.forms.items():
            node = ("form", key)
            edge(node, ("actor", form.owner), "owned_by")
            if form.rule:
                edge(node, ("rule", form.rule), "mandated_by")
            for item in form.fields:
                edge(node, ("data", item), "field")
            for item in form.attachments:
                edge(node, ("data", item), "attachment")
        for step in case.steps:
            node = ("step", step.id)
            edge(node, ("actor", step.actor), "performed_by")
            if step.rule:
                edge(node, ("rule", step.rule), "mandated_by")
            if step.form:
                edge(node, ("form", step.form), "fills")
            for rel in ("asks", "brings", "provides", "uses"):
                for item in getattr(step, rel):
                    edge(node, ("data", item), rel)
        return adjacency

    @cached_property
    def relations(self) -> nx.MultiDiGraph:
        """The relations as a graph (built when asked: the detectors use :meth:`_related`)."""
        g = nx.MultiDiGraph()
        for key in self.case.data:
            g.add_node(("data", key))
        for source, targets in self._relation_edges().items():
            for target, rels in targets.items():
                for rel in rels:
                    g.add_edge(source, target, rel=rel)
        return g

    def _related(self, node: tuple[str, str], rel: str) -> list[str]:
        """Ids of the nodes ``node`` points to by ``rel``, in insertion order, once each."""
        return list(self._related_index.get((node, rel), ()))

    @cached_property
    def _related_index(self) -> dict[tuple[tuple[str, str], str], dict[str, None]]:
        # One pass over the relations instead of a scan of a node's edges per question
        # (rules_of alone was a quarter of an ordinary case's analysis); plain dicts, not
        # a networkx graph (building that was a tenth of the analysis of a small case).
        index: dict[tuple[tuple[str, str], str], dict[str, None]] = {}
        for source, targets in self._relation_edges().items():
            for target, rels in targets.items():
                for rel in rels:
                    index.setdefault((source, rel), {})[target[1]] = None
        return index

    # --- the parts of a step --------------------------------------------------

    def actor(self, step_id: str) -> Actor:
        return self._step_actor[step_id]

    def organisation(self, step_id: str) -> str:
        return self._step_actor[step_id].org

    @cached_property
    def _step_actor(self) -> dict[str, Actor]:
        # step -> its actor: asked for a hundred times and more per case (levels, organisations)
        actors = self.case.actors
        return {s.id: actors[s.actor] for s in self.case.steps if s.actor in actors}

    def form(self, step_id: str) -> Form | None:
        key = self.steps[step_id].form
        return self.case.forms[key] if key else None

    def rules_of(self, step_id: str) -> list[Rule]:
        """The step's rule and, when it fills in a form, the form's rule."""
        return list(self.step_rules[step_id])

    @cached_property
    def step_rules(self) -> dict[str, tuple[Rule, ...]]:
        """step -> its rule and, when it fills in a form, the form's rule (once): worked out
        for every step at once, since the findings ask for the same steps finding after finding."""
        rules, forms = self.case.rules, self.case.forms
        result: dict[str, tuple[Rule, ...]] = {}
        for step in self.case.steps:
            form_rule = forms[step.form].rule if step.form else None
            if step.rule:
                found = (rules[step.rule], rules[form_rule]) if form_rule and form_rule != step.rule else (rules[step.rule],)
            else:
                found = (rules[form_rule],) if form_rule else ()
            result[step.id] = found
        return result

    @cached_property
    def asked_by_step(self) -> dict[str, dict[str, tuple[str, ...]]]:
        """step -> item -> how it is asked (asks / field / attachment / brings), file order."""
        forms = self.case.forms
        form_ways: dict[str, list[tuple[str, str]]] = {}  # form -> (item, field|attachment), once each
        result: dict[str, dict[str, tuple[str, ...]]] = {}
        # Built in one pass per step (this index is the first thing most findings ask): an
        # item's ways in the order first met, each once, as the relations list them.
        for step in self.case.steps:
            ways = dict.fromkeys(step.asks, _ASKS)
            if step.form:
                pairs = form_ways.get(step.form)
                if pairs is None:
                    form = forms[step.form]
                    pairs = form_ways[step.form] = [
                        *((item, "field") for item in dict.fromkeys(form.fields)),
                        *((item, "attachment") for item in dict.fromkeys(form.attachments)),
                    ]
                for item, how in pairs:
                    known = ways.get(item)
                    if known is None:
                        ways[item] = (how,)
                    elif how not in known:
                        ways[item] = (*known, how)
            for item in step.brings:
                known = ways.get(item)
                if known is None:
                    ways[item] = _BRINGS
                elif "brings" not in known:
                    ways[item] = (*known, "brings")
            result[step.id] = ways
        return result

    @cached_property
    def askers(self) -> dict[str, list[str]]:
        """item -> the steps asking it from the client, in file order."""
        result: dict[str, list[str]] = {}
        for step_id, items in self.asked_by_step.items():
            for item in items:
                result.setdefault(item, []).append(step_id)
        return result

    @cached_property
    def users(self) -> dict[str, list[str]]:
        result: dict[str, list[str]] = {}
        for step in self.case.steps:
            for item in dict.fromkeys(step.uses):
                result.setdefault(item, []).append(step.id)
        return result

    @cached_property
    def providers(self) -> dict[str, list[str]]:
        result: dict[str, list[str]] = {}
        for step in self.case.steps:
            for item in dict.fromkeys(step.provides):
                result.setdefault(item, []).append(step.id)
        return result

    def item(self, key: str) -> DataItem:
        return self.case.data[key]

    def source_of(self, item_key: str) -> Source | None:
        """The authentic source of the item's fact (a document has none of its own)."""
        source = self.case.data[self.fact(item_key)].source
        return self.sources.get(source) if source else None

    # --- facts (version 1.1) ------------------------------------------------------

    def fact(self, item_key: str) -> str:
        """The fact of a data item: the item it ``proves``, or the item itself."""
        return self._fact_of[item_key]  # KeyError for an unknown item, as the case's data gives

    @cached_property
    def _fact_of(self) -> dict[str, str]:
        # Asked for every item of every step by most detectors: a dict, not a model lookup.
        return {key: item.proves or key for key, item in self.case.data.items()}

    def source_key(self, item_key: str) -> str | None:
        """The key of the source of the item's fact, or None."""
        return self.case.data[self.fact(item_key)].source

    def is_stable(self, item_key: str) -> bool:
        """Whether the item's fact never changes (``stable``)."""
        return self.case.data[self.fact(item_key)].stable

    # --- what steps and items are by nature (kafka.nature) ---------------------------

    @cached_property
    def _presence(self) -> dict[str, bool]:
        return {s.id: nature.presence_required(s, self.case, self.identifies) for s in self.case.steps}

    def presence_required(self, step_id: str) -> bool:
        """Whether the client must be there in person (never proposed remote, nor granted unseen)."""
        return self._presence[step_id]

    def is_sensitive(self, item_key: str) -> bool:
        """Whether the item's fact is sensitive (asked only when needed, with consent)."""
        known = self._sensitive
        if item_key not in known:  # asked by many findings about the same items
            known[item_key] = nature.sensitive(item_key, self.case, self._fact_and_documents(item_key))
        return known[item_key]

    def identifies(self, item_key: str) -> bool:
        """Whether the item's fact identifies the client (never proposed for dropping)."""
        known = self._identifies
        if item_key not in known:
            known[item_key] = nature.identifies(item_key, self.case, self._fact_and_documents(item_key))
        return known[item_key]

    def _fact_and_documents(self, item_key: str) -> list[str]:
        """The item's fact and the documents proving it, as kafka.nature lists them."""
        fact = self.fact(item_key)
        return [fact, *self._documents_of.get(fact, ())]

    @cached_property
    def _documents_of(self) -> dict[str, list[str]]:
        result: dict[str, list[str]] = {}
        for key, item in self.case.data.items():
            if item.proves:
                result.setdefault(item.proves, []).append(key)
        return result

    @cached_property
    def _sensitive(self) -> dict[str, bool]:
        return {}

    @cached_property
    def _identifies(self) -> dict[str, bool]:
        return {}

    @cached_property
    def items_of_fact(self) -> dict[str, list[str]]:
        """fact -> the items that are it or prove it, in file order."""
        result: dict[str, list[str]] = {}
        for key in self.case.data:
            result.setdefault(self.fact(key), []).append(key)
        return result

    @cached_property
    def fact_asked_by_step(self) -> dict[str, dict[str, tuple[str, ...]]]:
        """step -> fact -> how it is asked (asks / field / attachment / brings), over its documents."""
        fact_of = self._fact_of
        documents = {key for key, fact in fact_of.items() if fact != key}
        result: dict[str, dict[str, tuple[str, ...]]] = {}
        for step_id, items in self.asked_by_step.items():
            if documents.isdisjoint(items):  # no document: the items are the facts
                result[step_id] = dict(items)
                continue
            ways: dict[str, dict[str, None]] = {}
            for item, how in items.items():
                ways.setdefault(fact_of[item], {}).update(dict.fromkeys(how))
            result[step_id] = {fact: tuple(w) for fact, w in ways.items()}
        return result

    @cached_property
    def fact_askers(self) -> dict[str, list[str]]:
        """fact -> the steps asking it (or a document proving it) from the client, in file order."""
        result: dict[str, list[str]] = {}
        for step_id, facts in self.fact_asked_by_step.items():
            for fact in facts:
                result.setdefault(fact, []).append(step_id)
        return result

    @cached_property
    def fact_users(self) -> dict[str, list[str]]:
        """fact -> the steps that use it (or a document proving it), in file order."""
        return self._steps_by_fact("uses")

    @cached_property
    def fact_providers(self) -> dict[str, list[str]]:
        """fact -> the steps that provide it (or a document proving it), in file order."""
        return self._steps_by_fact("provides")

    def facts_used(self, step_id: str) -> list[str]:
        """The facts a step uses, once each, in the order written."""
        return list(dict.fromkeys(self.fact(i) for i in self.steps[step_id].uses))

    def _steps_by_fact(self, key: str) -> dict[str, list[str]]:
        result: dict[str, list[str]] = {}
        fact_of = self._fact_of
        for step in self.case.steps:
            items = getattr(step, key)
            if items:  # most steps use or provide nothing
                for fact in dict.fromkeys([fact_of[i] for i in items]):
                    result.setdefault(fact, []).append(step.id)
        return result

    def data_order(self, keys) -> list[str]:
        """Data keys in the order of the case's data section."""
        position = self._data_position
        return sorted(dict.fromkeys(keys), key=lambda k: position.get(k, len(position)))

    @cached_property
    def _data_position(self) -> dict[str, int]:
        return {key: i for i, key in enumerate(self.case.data)}

    def rules_requiring(self, step_id: str, fact: str) -> list[str]:
        """The rules that require ``fact`` (an item that is it or proves it) on the form
        that ``step_id`` fills in: the form's ``basis`` (kafka extension), rule ids."""
        form = self.form(step_id)
        if form is None or not form.basis:
            return []
        items = self.items_of_fact.get(fact, [fact])
        return list(dict.fromkeys(rule for item in items for rule in form.basis.get(item, ())))

    def form_steps(self, form_key: str) -> list[str]:
        """The steps that fill in the form, in file order."""
        return list(self._steps_by_form.get(form_key, ()))

    @cached_property
    def _steps_by_form(self) -> dict[str, list[str]]:
        by_form: dict[str, list[str]] = {}
        for step in self.case.steps:
            if step.form:
                by_form.setdefault(step.form, []).append(step.id)
        return by_form

    # --- the client's side ----------------------------------------------------

    @cached_property
    def client_steps(self) -> list[str]:
        """Steps that cost the client time (the contract's client contacts)."""
        return [s.id for s in self.case.steps if s.client_minutes > 0]

    @cached_property
    def in_person_steps(self) -> list[str]:
        return [s.id for s in self.case.steps if s.client_minutes > 0 and s.in_person]

    # --- levels (case-format.md: "local-side") -----------------------------------

    def actor_local(self, actor_key: str) -> bool:
        return self.case.actors[actor_key].level in LOCAL_SIDE_ACTORS

    def steps_actors_local(self, step_ids) -> bool:
        local = self._actor_local
        return all(local[s] for s in step_ids)

    @cached_property
    def _actor_local(self) -> dict[str, bool]:
        """step -> its actor is local-side (asked for the same steps by most findings)."""
        actors = self.case.actors
        return {s.id: actors[s.actor].level in LOCAL_SIDE_ACTORS for s in self.case.steps}

    def step_rules_local(self, step_id: str) -> bool:
        """The step's rule, its form's rule and its form's owner are local-side."""
        return self._rules_local[step_id]

    @cached_property
    def _rules_local(self) -> dict[str, bool]:
        result = {}
        forms, step_rules, local = self.case.forms, self.step_rules, GovernmentLevel.LOCAL
        for step in self.case.steps:
            rules = step_rules[step.id]
            ok = not rules or all([rule.level is local for rule in rules])
            if ok and step.form:
                ok = self.actor_local(forms[step.form].owner)
            result[step.id] = ok
        return result

    def form_local(self, form_key: str) -> bool:
        """The form's owner and its rule are local-side: the organisation can change the form itself."""
        form = self.case.forms[form_key]
        rule = self.case.rules.get(form.rule) if form.rule else None
        return self.actor_local(form.owner) and (rule is None or rule.level is GovernmentLevel.LOCAL)

    def steps_local(self, step_ids) -> bool:
        """The actors and the rules of these steps are local-side."""
        actors, rules = self._actor_local, self._rules_local
        return all(actors[s] and rules[s] for s in step_ids)

    # --- paths and loops ------------------------------------------------------

    def step_days(self, step_id: str) -> float:
        step = self.steps[step_id]
        return step.wait_days + step.duration_days

    @cached_property
    def longest_path(self) -> Path:
        """The longest path from a first step to an end step, loop-back edges removed."""
        return self._longest(start=None, end=None) or Path((), 0.0)

    def longest_path_between(self, start: str, end: str) -> Path | None:
        """Longest path from ``start`` to ``end`` in the loop-free flow, or None.

        Its days follow the contract's T01 count: the first step's duration,
        then wait and duration of each later step.
        """
        path = self._longest(start=start, end=end)
        if path is None:
            return None
        days = self.steps[start].duration_days + sum(self.step_days(s) for s in path.steps[1:])
        return Path(path.steps, days)

    def _longest(self, start: str | None, end: str | None) -> Path | None:
        last_index = self.order[end] if end is not None else len(self.case.steps) - 1
        best, back = self.longest_from(start, last_index)
        if end is not None:
            if end not in best:
                return None
            last = end
        else:
            successors = self._dag_succ
            ends = [n for n in best if not successors[n]]
            if not ends:
                return None
            last = max(ends, key=lambda n: (best[n], -self.order[n]))
        path = [last]
        while back[path[-1]] is not None:
            path.append(back[path[-1]])
        return Path(tuple(reversed(path)), best[last])

    def longest_from(self, start: str | None, last_index: int) -> tuple[dict[str, float], dict[str, str | None]]:
        """Longest paths in the loop-free flow from ``start`` (from every first step when None)
        to each step up to file position ``last_index``: days (wait + duration of every step
        on the path) and the previous step on the path, for the steps reachable.

        Dynamic programming in file order, which is a topological order of the dag;
        only the steps listed between the ends matter. One run answers every end at
        once, so callers with many ends from one start (loops) run it once.
        """
        first = self.order[start] if start is not None else 0
        best: dict[str, float] = {}
        back: dict[str, str | None] = {}
        predecessors = self._dag_pred  # plain dicts: no networkx call per step (T01 and L01 ask often)
        order = self.order
        most = 0.0
        for step in self.case.steps[first : last_index + 1]:
            node = step.id
            if node == start or (start is None and not predecessors[node]):
                best[node], back[node] = self.step_days(node), None
                continue
            # the predecessor reached with the most days, the first in the file among equals
            # (max over (days, -position), written out: this runs for every step of every search)
            p = None
            for q in predecessors[node]:
                if q in best:
                    days = best[q]
                    if p is None or days > most or (days == most and order[q] < order[p]):
                        p, most = q, days
            if p is not None:
                best[node], back[node] = most + self.step_days(node), p
        return best, back

    def path_totals(self, start: str, last_index: int) -> dict[str, tuple[float, float, float]]:
        """For every step reachable from ``start`` (up to file position ``last_index``): days,
        client and staff minutes summed over the steps of the longest path from ``start`` to
        it (both ends included). Worked out once per graph (the metrics and L01 both ask it
        for every loop); the answer is shared: read it, do not change it."""
        key = (start, last_index)
        found = self._path_totals.get(key)
        if found is None:
            _, back = self.longest_from(start, last_index)
            found = {}
            for node in back:  # file order: a step's previous step on the path comes before it
                step = self.steps[node]
                before = found[back[node]] if back[node] is not None else (0.0, 0.0, 0.0)
                found[node] = (before[0] + self.step_days(node), before[1] + step.client_minutes,
                               before[2] + step.staff_minutes)
            self._path_totals[key] = found
        return found

    @cached_property
    def _path_totals(self) -> dict[tuple[str, int], dict[str, tuple[float, float, float]]]:
        return {}

    # --- schedules: the flow and the real dependencies (version 1.1) ------------------

    def prerequisites(self, step_id: str, by_dependencies: bool) -> list[str]:
        """What a step waits for: by the real dependencies, its ``depends_on`` when it has
        that key; otherwise (and always by the flow) its predecessors in the loop-free flow."""
        depends_on = self.steps[step_id].depends_on
        if by_dependencies and depends_on is not None:
            return list(depends_on)
        return list(self._dag_pred[step_id])

    def schedule(self, by_dependencies: bool) -> dict[str, tuple[float, float]]:
        """step -> (earliest start, earliest end) in days (case-format.md 1.1).

        A step's earliest start is the largest earliest end of its prerequisites (0
        when it has none); its earliest end adds its ``wait_days + duration_days``.
        Prerequisites are always listed earlier in the file, so one pass in file
        order is enough. By the flow, the largest end is ``lead_time_days``.
        """
        return self._dependency_schedule if by_dependencies else self._flow_schedule

    @cached_property
    def _flow_schedule(self) -> dict[str, tuple[float, float]]:
        return self._schedule(by_dependencies=False)

    @cached_property
    def _dependency_schedule(self) -> dict[str, tuple[float, float]]:
        return self._schedule(by_dependencies=True)

    def _schedule(self, by_dependencies: bool) -> dict[str, tuple[float, float]]:
        times: dict[str, tuple[float, float]] = {}
        for step in self.case.steps:
            before = [times[p][1] for p in self.prerequisites(step.id, by_dependencies) if p in times]
            start = max(before, default=0.0)
            times[step.id] = (start, start + self.step_days(step.id))
        return times

    @cached_property
    def dependency_lead_time(self) -> float:
        """The lead time of the real dependencies: the largest earliest end of any step."""
        return max((end for _, end in self._dependency_schedule.values()), default=0.0)

    def times_per_year(self, step_id: str) -> float:
        """How often a step happens a year for one case: 365 / ``repeats_every_days`` for a
        periodic step (renewal, monthly proof), else once (Standard Cost Model frequency)."""
        return self.times_a_year[step_id]

    @cached_property
    def times_a_year(self) -> dict[str, float]:
        """step -> :meth:`times_per_year` (asked for every part of every saving)."""
        return {s.id: 365.0 / s.repeats_every_days if s.repeats_every_days else 1.0 for s in self.case.steps}

    @cached_property
    def loops(self) -> list[list[str]]:
        """Groups of steps that form a cycle (strongly connected), in file order."""
        succ = self._succ
        # Every cycle has a loop-back edge (the other edges go forward in the file): without
        # one there is nothing to look for (most cases).
        if not any(d["loop"] for targets in succ.values() for d in targets.values()):
            return []
        groups = []
        for component in _strongly_connected(succ):
            if len(component) > 1:
                groups.append(sorted(component, key=self.order.__getitem__))
            elif next(iter(component)) in succ[next(iter(component))]:  # a step that loops to itself
                groups.append(list(component))
        return sorted(groups, key=lambda g: self.order[g[0]])

    def loop_edges(self, group: list[str]) -> list[tuple[str, str, dict]]:
        """The loop-back edges inside one loop group."""
        members = set(group)
        return [
            (u, v, d) for u in group for v, d in self._succ[u].items()
            if d["loop"] and v in members
        ]


def _strongly_connected(succ: dict[str, dict[str, dict]]) -> list[set[str]]:
    """The strongly connected components of a graph given as adjacency dicts (Tarjan's
    algorithm, without recursion: a flow can have thousands of steps)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    components: list[set[str]] = []
    for root in succ:
        if root in index:
            continue
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        work = [(root, iter(succ[root]))]
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(succ[child])))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    component = set()
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.add(member)
                        if member == node:
                            break
                    components.append(component)
    return components
