"""The editor that turns a copy of the as-is case (editable_copy) into the to-be case.

Effects (one per finding code) only call the primitives below, and every
primitive only *removes or shrinks*: an asked item goes, a story is no longer
told, a visit becomes a call, a wait gets shorter, a loop back or a whole
step disappears. That is what keeps the to-be never worse than the as-is on
any metric of the contract, whatever combination of proposals is applied.

Three things need care, and are handled here once for all effects:

* **Minutes.** A step's ``client_minutes`` and ``staff_minutes`` are one
  number each; the editor splits them, once, into *parts* it knows from the
  settings: every asked item (a question or a paper), the story, the trip to
  an in-person counter. While the step stays, its core (``contact_core_share``
  of its minutes: the contact itself) stays too; when the parts add up to
  more than the rest, they are scaled down to fit, so no proposal saves more
  than the case says the step costs. Each part is removed at most once, and
  what is left is not rounded (a to-be case file shows two decimals). A step
  that goes takes all its minutes with it.
* **The flow.** Every ``next`` is made explicit first (a step without one
  leads to the next step in the file, which changes when steps go). A removed
  step is *contracted*: its predecessors lead to its forward successors; a
  loop back to it leads back to the step after it, if that stays a loop back.
  Its own loop backs go with it (the check that sent the client back is gone).
  So every path of the to-be is a path of the as-is with steps left out, and
  the longest path can only get shorter. At the end, edges that follow the
  file order are made implicit again, for a readable case file.
* **References.** A rule whose deadline starts or ends at a removed step is
  rerouted along the longest path (it then starts at the next step, or ends
  at the one before), or, when it starts and ends there, its deadline goes.
  A step that ``depends_on`` a removed step depends on what that step needed.
  A form shared by steps that keep an item and steps that drop it is split.

Data are handled as **facts** (case-format.md 1.1), as the findings are: to
stop asking a fact is to stop asking every item that is it or proves it.
Two primitives change more than minutes, and check the guarantee themselves:
:meth:`Editor.start_when_ready` rewires the flow to a step's real
dependencies only when no path gets longer, and :meth:`Editor.keep` marks a
step that stays whatever it lost (an organisation that now passes a document
on still makes it).
"""

from __future__ import annotations

import math
from bisect import bisect_left
from dataclasses import dataclass
from functools import cache
from typing import Iterable, get_args, get_origin

from kafka.analysis import Analysis
from kafka.detectors.base import split_minutes
from kafka.flow import reachable
from kafka.graph import CaseGraph
from kafka.i18n import Translator
from kafka.model import Actor, ActorLevel, Case, Channel, Form, NextStep, Step, StepKind

# Kinds of step in which the client hands over papers: a visit to do that can
# be replaced by an online exchange.
_DELIVERY_KINDS = (StepKind.DOCUMENT, StepKind.FORM)


@dataclass
class Part:
    """A share of a step's minutes that one change can take away."""

    client: float = 0.0
    staff: float = 0.0


@dataclass
class StepParts:
    items: dict[str, Part]
    story: Part
    trip: Part


@dataclass(frozen=True)
class EditorStart:
    """What every editor of one analysis starts from, worked out once from the as-is case
    (read only): the two scenarios of a report (kafka.simulate.scenarios) share it.

    Every value is a function of the as-is case and its graph alone, never changed by an
    editor (each one takes its own copies of the indexes), so sharing it cannot change a
    result; ``case`` ties it to the case it was made from.
    """

    case: Case
    explicit_next: dict[str, tuple[NextStep, ...]]  # step -> its edges, for the steps without a next
    preds: dict[str, frozenset[str]]
    fillers: dict[str, frozenset[str]]
    askers: dict[str, frozenset[str]]
    dependents: dict[str, frozenset[str]]
    reached: frozenset[str]  # the steps reached from the first one
    reached_by_loops_only: frozenset[str]

    @classmethod
    def of(cls, analysis: Analysis) -> EditorStart:
        case, graph = analysis.case, analysis.graph
        steps = case.steps
        # Every next made explicit: a step without one leads to the next step in the file,
        # which changes when steps go.
        explicit = {step.id: (NextStep(to=steps[i + 1].id),) if i + 1 < len(steps) else ()
                    for i, step in enumerate(steps) if step.next is None}
        flow = [(step.id, explicit[step.id] if step.next is None else step.next) for step in steps]
        preds: dict[str, set[str]] = {s.id: set() for s in steps}
        fillers: dict[str, set[str]] = {}
        askers: dict[str, set[str]] = {}
        dependents: dict[str, set[str]] = {}
        for (step_id, edges), step in zip(flow, steps):
            for edge in edges:
                preds[edge.to].add(step_id)
            if step.form:
                fillers.setdefault(step.form, set()).add(step_id)
            for fact in {graph.fact(item) for item in asked_ways(case, step)}:
                askers.setdefault(fact, set()).add(step_id)
            for dep in step.depends_on or ():
                dependents.setdefault(dep, set()).add(step_id)
        reached = _reached(flow, steps[0].id, graph.order)
        forward = _reached(flow, steps[0].id, graph.order, forward_only=True)
        return cls(case, explicit, *(_frozen(index) for index in (preds, fillers, askers, dependents)),
                   frozenset(reached), frozenset(reached - forward))


def _frozen(index: dict[str, set[str]]) -> dict[str, frozenset[str]]:
    return {key: frozenset(values) for key, values in index.items()}


def _thawed(index: dict[str, frozenset[str]]) -> dict[str, set[str]]:
    return {key: set(values) for key, values in index.items()}


class Editor:
    """A mutable to-be case, with the primitives effects use and a log of changes in words."""

    def __init__(self, analysis: Analysis, *, own_only: bool = False, start: EditorStart | None = None):
        self.analysis = analysis
        # Only what the organisation can do alone (the local scenario): a change that another
        # party decides (a syndic's or a zorgkas's wait) is asked for, not counted as done.
        self.own_only = own_only
        self.as_is: CaseGraph = analysis.graph
        self.settings = analysis.settings
        self.t = Translator(analysis.lang)
        if start is None:
            start = EditorStart.of(analysis)
        elif start.case is not analysis.case:
            raise ValueError("an EditorStart serves only the analysis of the case it was made from")
        self.case: Case = editable_copy(analysis.case)
        for step in self.case.steps:
            if step.next is None:  # the edges are shared: the editor makes new ones, never changes one
                step.next = list(start.explicit_next[step.id])
        self._by_id: dict[str, Step] = {s.id: s for s in self.case.steps}
        # Indexes kept up to date by the primitives, so that no change rescans every step
        # (simulate grew as n^2.3 without them). Steps only ever go, so the as-is file
        # order is also the order of the steps that are left.
        self._order: dict[str, int] = analysis.graph.order
        self._preds: dict[str, set[str]] = _thawed(start.preds)
        self._fillers: dict[str, set[str]] = _thawed(start.fillers)  # form -> the steps that fill it in
        self._askers: dict[str, set[str]] = _thawed(start.askers)  # fact -> the steps that ask it
        self._dependents: dict[str, set[str]] = _thawed(start.dependents)  # step -> the steps that depends_on it
        # Each step's parts, split when a change first cuts one (most steps are never cut;
        # the split is the same whenever it is made: it reads the as-is only).
        self._parts: dict[str, StepParts] = {}
        self._reached_as_is = start.reached
        self._reached_by_loops_only = start.reached_by_loops_only
        self._log: list[str] = []
        self._form_forks: dict[str, list[str]] = {}
        # What tidy() must look at again: steps whose purpose may be gone, and
        # whether edges were dropped (steps may no longer be reached).
        self._dirty: set[str] = set()
        self._flow_changed = False
        self._kept: set[str] = set()  # steps a proposal keeps, whatever they lose (see keep())
        self._ended: set[str] = set()  # applications the client need not make any more (see end_application())

    # --- the log of changes ----------------------------------------------------

    def say(self, key: str, **params) -> None:
        """Record one change, in the reader's language."""
        self._log.append(self.t(f"simulate.change.{key}", **params))

    def take_log(self) -> list[str]:
        log, self._log = self._log, []
        return log

    # --- looking things up -------------------------------------------------------

    def step(self, step_id: str) -> Step | None:
        return self._by_id.get(step_id)

    def has_step(self, step_id: str) -> bool:
        return self.step(step_id) is not None

    # The change log's words: every name from the case in quotes, long lists shortened
    # (kafka.i18n.Translator.names), so no sentence has to agree with a name.

    def q(self, name: str) -> str:
        return self.t.quote(name)

    def step_name(self, step_id: str) -> str:
        """A step's name, quoted for the change log."""
        return self.q(self.as_is.steps[step_id].name)

    def step_names(self, step_ids) -> str:
        return self.t.names([self.as_is.steps[s].name for s in step_ids], "steps")

    def names(self, names, noun: str | None = None) -> str:
        return self.t.names(list(names), noun)

    def days(self, value: float) -> str:
        """A number of days as the change log writes it: 7, 2.5."""
        return days_text(value)

    def asked(self, step: Step) -> dict[str, set[str]]:
        """item -> how it is asked from the client at this step now (asks, field, attachment, brings)."""
        return asked_ways(self.case, step)

    def fact(self, item: str) -> str:
        """The fact of an item (the editor never adds or changes data items)."""
        return self.as_is.fact(item)

    def asked_facts(self, step: Step) -> set[str]:
        """The facts asked from the client at this step now."""
        return {self.fact(item) for item in self.asked(step)}

    def askers(self, fact: str) -> list[str]:
        """The steps that ask ``fact`` (or a document proving it) from the client now, in file order."""
        return self._in_order(self._askers.get(fact, ()))

    # --- the indexes ---------------------------------------------------------------

    def _in_order(self, step_ids) -> list[str]:
        return sorted(step_ids, key=self._order.__getitem__)

    def _fillers_of(self, form_key: str) -> list[Step]:
        return [self._by_id[s] for s in self._in_order(self._fillers.get(form_key, ()))]

    def _refresh_askers(self, step_ids, items) -> None:
        """These steps may no longer ask the facts of these items: bring the index up to date."""
        facts = {self.fact(i) for i in items}
        for step_id in step_ids:
            asked = self.asked_facts(self._by_id[step_id])
            for fact in facts - asked:
                self._askers.get(fact, set()).discard(step_id)

    def _set_form(self, step: Step, form_key: str | None) -> None:
        if step.form:
            self._fillers[step.form].discard(step.id)
        step.form = form_key
        if form_key:
            self._fillers.setdefault(form_key, set()).add(step.id)

    def _set_next(self, step: Step, edges: list[NextStep]) -> None:
        old, new = {e.to for e in step.next}, {e.to for e in edges}
        for target in old - new:
            self._preds[target].discard(step.id)
        for target in new - old:
            self._preds[target].add(step.id)
        step.next = edges

    def _set_depends_on(self, step: Step, depends_on: list[str]) -> None:
        for dep in step.depends_on or ():
            self._dependents.get(dep, set()).discard(step.id)
        step.depends_on = depends_on
        for dep in depends_on:
            self._dependents.setdefault(dep, set()).add(step.id)

    def item_name(self, item: str) -> str:
        """An item's name, quoted for the change log."""
        return self.q(self.case.data[item].name)

    def item_names(self, items) -> str:
        return self.t.names([self.case.data[i].name for i in items], "items")

    def forms_from(self, form_key: str) -> list[str]:
        """A form and the copies split off it, as far as they still exist."""
        keys = [form_key, *self._form_forks.get(form_key, [])]
        return [k for k in keys if k in self.case.forms]

    def order(self) -> dict[str, int]:
        """A number per step that sorts the steps in file order (steps only go, so the as-is numbers do)."""
        return self._order

    # --- minutes -------------------------------------------------------------------

    def _parts_of(self, step_id: str) -> StepParts:
        """The parts of the step's minutes that no change has taken yet."""
        parts = self._parts.get(step_id)
        if parts is None:
            parts = self._parts[step_id] = self._split_minutes(step_id)
        return parts

    def _split_minutes(self, step_id: str) -> StepParts:
        # The same parts the proposals' savings are made of (kafka.detectors.base.split_minutes).
        split = split_minutes(self.as_is, self.settings, step_id)
        return StepParts({k: Part(*v) for k, v in split.items.items()}, Part(*split.story), Part(*split.trip))

    def _cut(self, step: Step, part: Part, keep_staff: float = 0.0) -> float:
        """Take ``part`` off the step's minutes (once); the staff keep ``keep_staff`` of theirs.

        Returns how much of ``keep_staff`` is still to be kept elsewhere.
        """
        kept = min(keep_staff, part.staff)
        step.client_minutes = _minus(step.client_minutes, part.client)
        step.staff_minutes = _minus(step.staff_minutes, part.staff - kept)
        part.client = part.staff = 0.0
        return keep_staff - kept

    # --- what is asked -----------------------------------------------------------------

    def stop_asking(
        self, step_ids, fact: str, consult_staff_minutes: float = 0.0, keep_staff: bool = False
    ) -> list[str]:
        """Stop asking ``fact`` (and every document proving it) from the client at these
        steps; returns the steps where it was asked.

        With ``consult_staff_minutes`` the staff keep that much of the time they
        saved (once, not per step): they consult a source instead. With
        ``keep_staff`` they keep all of it: they still receive the paper, from
        another organisation instead of from the client.
        """
        # The askers index says which steps ask the fact (exact: tests/test_simulate.py checks it
        # after every effect), without working out everything each step asks.
        asking = self._askers.get(fact, ())
        steps = [s for s in (self.step(i) for i in step_ids) if s is not None and s.id in asking]
        if not steps:
            return []
        items = list(self.as_is.items_of_fact.get(fact, [fact]))
        changing = {s.id for s in steps}
        for item in items:
            # forms are looked up again for every item: dropping one may have split a form
            for form_key in dict.fromkeys(s.form for s in steps if s.form):
                if form_key in self.case.forms:
                    self._drop_from_form(form_key, item, changing)
        keep = math.inf if keep_staff else consult_staff_minutes
        self._asked_less(changing, items)
        for step in steps:
            step.asks = [i for i in step.asks if i not in items]
            step.brings = [i for i in step.brings if i not in items]
            for item in items:
                part = self._parts_of(step.id).items.get(item)
                if part is not None:
                    keep = self._cut(step, part, keep)
        self._refresh_askers(changing, items)
        return [s.id for s in steps]

    def _drop_from_form(self, form_key: str, item: str, changing: set[str]) -> None:
        form = self.case.forms[form_key]
        if item not in form.fields and item not in form.attachments:
            return
        fillers = self._fillers_of(form_key)
        target_key = form_key
        if not all(s.id in changing for s in fillers):
            # Other steps keep asking the item on this form: those that stop get their own copy.
            target_key = self._fork_form(form_key)
            for s in fillers:
                if s.id in changing:
                    self._set_form(s, target_key)
        target = self.case.forms[target_key]
        target.fields = [i for i in target.fields if i != item]
        target.attachments = [i for i in target.attachments if i != item]
        _prune_basis(target)
        self._drop_if_empty(target_key)

    def _fork_form(self, form_key: str) -> str:
        origin = next((k for k, forks in self._form_forks.items() if form_key in forks), form_key)
        base, n = form_key[:90], 2
        while f"{base}-{n}" in self.case.forms:
            n += 1
        new_key = f"{base}-{n}"
        self.case.forms[new_key] = self.case.forms[form_key].model_copy(deep=True)
        self._form_forks.setdefault(origin, []).append(new_key)
        return new_key

    def drop_from_form(self, form_key: str, items) -> list[str]:
        """Remove items from a form (for every step filling it); returns the items removed."""
        form = self.case.forms.get(form_key)
        if form is None:
            return []
        removed = [i for i in dict.fromkeys(items) if i in form.fields or i in form.attachments]
        fillers = self._fillers_of(form_key)
        self._asked_less({s.id for s in fillers}, removed)
        for item in removed:
            for step in fillers:
                if item in step.asks or item in step.brings:
                    continue  # still asked at this step another way: it stays asked there
                part = self._parts_of(step.id).items.get(item)
                if part is not None:
                    self._cut(step, part)
        form.fields = [i for i in form.fields if i not in removed]
        form.attachments = [i for i in form.attachments if i not in removed]
        self._refresh_askers([s.id for s in fillers], removed)
        _prune_basis(form)
        if removed:
            self._drop_if_empty(form_key)
        return removed

    def _asked_less(self, step_ids, items) -> None:
        """These steps ask less, and these items are asked less: their steps and the
        trips that fetch them (or another document of the same fact) may have lost their purpose."""
        self._dirty.update(step_ids)
        for fact in dict.fromkeys(self.fact(i) for i in items):
            self._dirty.update(self.as_is.fact_providers.get(fact, ()))

    def _drop_if_empty(self, form_key: str) -> None:
        """A form the proposals emptied goes, and the steps no longer fill it in."""
        form = self.case.forms[form_key]
        if form.fields or form.attachments:
            return
        del self.case.forms[form_key]
        for step in self._fillers_of(form_key):
            self._set_form(step, None)

    # --- the client's effort -------------------------------------------------------------

    def drop_story(self, step_id: str) -> bool:
        step = self.step(step_id)
        if step is None or not step.tells_story:
            return False
        step.tells_story = False
        self._cut(step, self._parts_of(step_id).story)
        self._dirty.add(step_id)
        return True

    def go_remote(self, step_id: str) -> Channel | None:
        """Replace an in-person visit by a call (or, for papers, an online exchange); the trip goes."""
        step = self.step(step_id)
        if step is None or not step.in_person or step.client_minutes <= 0:
            return None
        step.channel = Channel.ONLINE if step.kind in _DELIVERY_KINDS else Channel.PHONE
        self._cut(step, self._parts_of(step_id).trip)
        return step.channel

    def set_wait(self, step_id: str, days: float, log: bool = True) -> bool:
        """Shorten the wait before a step (never lengthen it)."""
        step = self.step(step_id)
        if step is None or days >= step.wait_days:
            return False
        if log:
            self.say("wait", step=self.step_name(step_id), old=days_text(step.wait_days), new=days_text(days))
        step.wait_days = round(max(0.0, days), 2)
        return True

    # --- who does what (version 1.1) -----------------------------------------------------------

    def keep(self, step_id: str) -> None:
        """Keep a step whatever it loses: its organisation still does it (a hospital that
        passes the discharge report on still writes it)."""
        self._kept.add(step_id)

    def end_application(self, step_id: str) -> None:
        """The client need not apply at ``step_id`` any more (the organisation starts the
        procedure): the step falls away as soon as nothing is asked there, now or after a
        later proposal, unless it does something else (a story, a paper it provides, a
        decision it makes, a rule it serves). This is how the analysis counts it
        (kafka.detectors.settle: an application another proposal ends)."""
        self._ended.add(step_id)
        self._dirty.add(step_id)

    def reuse_assessment(self, step_id: str, facts: set[str]) -> list[str]:
        """The decision at ``step_id`` takes these facts over from an earlier assessment:
        it no longer uses them itself, and loses that share of the minutes that are not
        the decision itself (``contact_core_share`` stays). Returns the facts taken over."""
        step = self.step(step_id)
        if step is None:
            return []
        own = list(dict.fromkeys(self.fact(i) for i in step.uses))
        taken = [f for f in own if f in facts]
        if not taken:
            return []
        room = 1.0 - min(1.0, max(0.0, self.settings.contact_core_share))
        share = len(taken) / len(own) * room
        original = self.as_is.steps[step_id]
        step.client_minutes = _minus(step.client_minutes, original.client_minutes * share)
        step.staff_minutes = _minus(step.staff_minutes, original.staff_minutes * share)
        step.uses = [i for i in step.uses if self.fact(i) not in taken]
        return taken

    def appoint_case_manager(self, candidates: Iterable[str]) -> str:
        """Make one actor the client's case manager (trajectbegeleider): the local actor
        among ``candidates`` of the organisation that runs the procedure (else of any
        organisation) that the client meets most, or a new one of that organisation.
        Returns the actor's key. Actors carry no minutes: no metric changes."""
        home = self.case.case.organisation
        local = [a for a in candidates if a in self.case.actors and self.case.actors[a].level is ActorLevel.LOCAL]
        if local:
            ranked = sorted(dict.fromkeys(local), key=lambda a: (self.case.actors[a].org != home, -local.count(a)))
            key = ranked[0]
            self.case.actors[key].case_manager = True
            return key
        key, n = "trajectbegeleider", 2
        while key in self.case.actors:
            key, n = f"trajectbegeleider-{n}", n + 1
        self.case.actors[key] = Actor(name=self.t("simulate.case_manager_name"), level=ActorLevel.LOCAL,
                                      organisation=home, case_manager=True)
        return key

    def start_when_ready(self, step_ids: Iterable[str]) -> tuple[list[str], list[str]]:
        """Let steps with ``depends_on`` start as soon as what they need is done: their
        forward edges in come from their dependencies (from the first step when they
        need nothing) instead of from the steps before them in the flow.

        All of them at once first: then every step waits for exactly its real
        dependencies, and the lead time is theirs. When that makes a path longer
        (the lead time or a deadline's days grow) or leaves a step or a deadline's
        end unreached, one step at a time, each kept only when it makes no path
        longer and every step still comes after the steps it ``depends_on``.
        Returns the steps that now start when ready, and those that keep their place.
        """
        started, kept = self._start_when_ready(step_ids)
        if started:
            self._note_forward_reach()  # the forward paths changed
        return started, kept

    def _start_when_ready(self, step_ids: Iterable[str]) -> tuple[list[str], list[str]]:
        order = self.order()
        candidates = [s for s in step_ids if self._needs_rewiring(s, order)]
        if not candidates:
            return [], []
        before = self._flow_measure()
        saved = self._save_flow()
        for step_id in candidates:
            self._rewire(step_id, order)
        if self._no_path_longer(before):
            return candidates, []
        self._restore_flow(saved)
        started, kept = [], []
        for step_id in candidates:
            measure, saved, kept_deps = self._flow_measure(), self._save_flow(), self._dependencies_met()
            self._rewire(step_id, order)
            if self._no_path_longer(measure) and kept_deps <= self._dependencies_met():
                started.append(step_id)
            else:
                self._restore_flow(saved)
                kept.append(step_id)
        return started, kept

    def _needs(self, step_id: str) -> list[str]:
        step = self.step(step_id)
        order = self.order()
        return [d for d in step.depends_on or () if d in order] or [self.case.steps[0].id]

    def _forward_in(self, step_id: str, order: dict[str, int]) -> list[Step]:
        return [self._by_id[p] for p in self._in_order(self._preds[step_id]) if order[p] < order[step_id]]

    def _needs_rewiring(self, step_id: str, order: dict[str, int]) -> bool:
        step = self.step(step_id)
        if step is None or step.depends_on is None or self.case.steps[0].id == step_id:
            return False
        return {p.id for p in self._forward_in(step_id, order)} != set(self._needs(step_id))

    def _rewire(self, step_id: str, order: dict[str, int]) -> None:
        needs = self._needs(step_id)
        for p in self._forward_in(step_id, order):
            if p.id not in needs:
                rest = [e for e in p.next if e.to != step_id]
                self._set_next(p, _rescaled(rest, 0.0) if len(rest) == 1 else rest)
        for need in needs:
            giver = self.step(need)
            if all(e.to != step_id for e in giver.next):
                self._set_next(giver, [*giver.next, NextStep(to=step_id)])

    def _save_flow(self) -> dict[str, list[NextStep]]:
        return {p.id: list(p.next) for p in self.case.steps}

    def _restore_flow(self, saved: dict[str, list[NextStep]]) -> None:
        for p in self.case.steps:
            self._set_next(p, saved[p.id])

    def _dependencies_met(self) -> set[tuple[str, str]]:
        """(dependency, step) pairs where the step comes after its dependency in the loop-free flow."""
        forward = {s.id: [] for s in self.case.steps}
        order = self.order()
        for s in self.case.steps:
            forward[s.id] = [e.to for e in s.next if order[e.to] > order[s.id]]
        met = set()
        for step in self.case.steps:
            for dep in step.depends_on or ():
                if dep in forward and step.id in reachable(forward, dep):
                    met.add((dep, step.id))
        return met

    def _flow_measure(self) -> tuple[float, dict[str, float | None], set[str]]:
        """Lead time, the days of every deadline, and the steps reached: what a change of
        the flow must not make worse."""
        graph = CaseGraph(self.case)
        deadlines = {}
        for key, rule in self.case.rules.items():
            if rule.deadline_days is not None and rule.from_step in graph.steps and rule.to_step in graph.steps:
                path = graph.longest_path_between(rule.from_step, rule.to_step)
                deadlines[key] = path.days if path is not None else None
        return graph.longest_path.days, deadlines, self._reachable()

    def _no_path_longer(self, before: tuple[float, dict[str, float | None], set[str]]) -> bool:
        lead, deadlines, reached = self._flow_measure()
        if lead > before[0] + 1e-9 or not before[2] <= reached:
            return False
        for key, days in before[1].items():
            if days is not None and (deadlines.get(key) is None or deadlines[key] > days + 1e-9):
                return False
        return True

    # --- the flow ----------------------------------------------------------------------------

    def drop_loops(self, group) -> list[tuple[str, str]]:
        """Remove the loop-back edges between the steps of ``group``; returns them (source, target)."""
        members = set(group)
        order = self.order()
        dropped = []
        for step_id in self._in_order(m for m in members if m in self._by_id):
            step = self._by_id[step_id]
            loops = [e for e in step.next if e.to in members and order[e.to] <= order[step.id]]
            if not loops:
                continue
            dropped += [(step.id, e.to) for e in loops]
            self._flow_changed = True
            back = sum(e.chance for e in loops if e.chance is not None)
            rest = [e for e in step.next if e not in loops]
            self._set_next(step, _rescaled(rest, back))
        return dropped

    def can_remove(self, step_id: str) -> bool:
        """A step can go unless it is the only one, or the first with a flow that
        would then start somewhere else than the step after it in the file."""
        steps = self.case.steps
        if len(steps) <= 1 or not self.has_step(step_id):
            return False
        if steps[0].id != step_id:
            return True
        forward = {e.to for e in steps[0].next if e.to != step_id}
        return forward == {steps[1].id}

    def remove_step(self, step_id: str, reason: str | None = "step_removed") -> bool:
        """Remove a step: contract the flow around it and reroute the rules that count on it."""
        if not self.can_remove(step_id):
            return False
        self._reroute_rules(step_id)
        order = self.order()
        gone = self.step(step_id)
        self._reroute_dependencies(gone, order)
        forward = [e for e in gone.next if order[e.to] > order[step_id]]
        predecessors = [self._by_id[p] for p in self._in_order(self._preds[step_id] - {step_id})]
        if len(forward) < len(gone.next) or any(order[p.id] >= order[step_id] for p in predecessors):
            self._flow_changed = True  # loop backs are dropped: some steps may no longer be reached
        asked = self.asked_facts(gone)
        self._asked_less((), self.asked(gone))
        for step in predecessors:
            rerouted: list[NextStep] = []
            for edge in step.next:
                if edge.to != step_id:
                    rerouted.append(edge)
                    continue
                back = order[step_id] <= order[step.id]
                for after in forward:
                    if back and order[after.to] > order[step.id]:
                        continue  # would turn a loop back into a new forward path
                    rerouted.append(NextStep(to=after.to, when=edge.when or after.when,
                                             chance=_times(edge.chance, after.chance)))
            merged = _merged(rerouted)
            if len(step.next) > 1 and len(merged) == 1:
                merged = _rescaled(merged, 0.0)  # one branch left: every case takes it
            self._set_next(step, merged)
        self._set_next(gone, [])
        self._set_form(gone, None)
        self._set_depends_on(gone, [])
        for fact in asked:
            self._askers[fact].discard(step_id)
        del self._preds[step_id]
        self._dependents.pop(step_id, None)
        steps = self.case.steps
        del steps[bisect_left(steps, order[step_id], key=lambda s: order[s.id])]
        del self._by_id[step_id]
        self._dirty.discard(step_id)
        if reason:
            self.say(reason, step=self.step_name(step_id))
        return True

    def _reroute_dependencies(self, gone: Step, order: dict[str, int]) -> None:
        """Steps that ``depends_on`` a step that goes depend on what it needed: its own
        ``depends_on``, or else its predecessors in the flow (all listed earlier)."""
        needed = gone.depends_on
        if needed is None:
            needed = [p for p in self._in_order(self._preds[gone.id]) if order[p] < order[gone.id]]
        for step in [self._by_id[s] for s in self._in_order(self._dependents.get(gone.id, ()))]:
            rerouted = []
            for dep in step.depends_on:
                rerouted += needed if dep == gone.id else [dep]
            self._set_depends_on(
                step, [d for d in dict.fromkeys(rerouted) if d != gone.id and order[d] < order[step.id]])

    def move_deadlines(self, old: str, new: str) -> None:
        """Deadlines that start or end at step ``old`` start or end at ``new`` instead,
        where the flow allows it (``to`` must stay reachable from ``from``)."""
        graph = None
        for rule in self.case.rules.values():
            if rule.deadline_days is None or old not in (rule.from_step, rule.to_step):
                continue
            start = new if rule.from_step == old else rule.from_step
            end = new if rule.to_step == old else rule.to_step
            graph = graph or CaseGraph(self.case)
            if start is None or end is None or graph.longest_path_between(start, end) is None:
                continue  # left to the rerouting when the step goes
            rule.from_step, rule.to_step = start, end
            self.say("deadline_from" if start == new else "deadline_to", rule=self.q(rule.name), step=self.step_name(new))

    def _reroute_rules(self, step_id: str) -> None:
        graph = None
        for key, rule in self.case.rules.items():
            if step_id not in (rule.from_step, rule.to_step):
                continue
            if rule.from_step is None or rule.to_step is None or rule.from_step == rule.to_step:
                self._drop_deadline(key, step_id)
                continue
            graph = graph or CaseGraph(self.case)
            if rule.to_step == step_id:
                path = graph.longest_path_between(rule.from_step, step_id)
                new = path.steps[-2] if path and len(path.steps) >= 2 else None
            else:
                path = graph.longest_path_between(step_id, rule.to_step)
                new = path.steps[1] if path and len(path.steps) >= 2 else None
            if new is None:
                self._drop_deadline(key, step_id)
            elif rule.to_step == step_id:
                rule.to_step = new
                if rule.deadline_days is not None:
                    self.say("deadline_to", rule=self.q(rule.name), step=self.step_name(new))
            else:
                rule.from_step = new
                if rule.deadline_days is not None:
                    self.say("deadline_from", rule=self.q(rule.name), step=self.step_name(new))

    def _drop_deadline(self, rule_key: str, step_id: str) -> None:
        rule = self.case.rules[rule_key]
        if rule.deadline_days is not None:
            self.say("deadline_dropped", rule=self.q(rule.name), step=self.step_name(step_id))
        rule.deadline_days = None
        rule.from_step = rule.to_step = None
        rule.binds = "organisation"  # whose deadline it was: nothing left to bind

    def _reachable(self, forward_only: bool = False) -> set[str]:
        return _reached(((s.id, s.next) for s in self.case.steps), self.case.steps[0].id, self._order, forward_only)

    def _note_forward_reach(self) -> None:
        # Contracting a step keeps every forward path, so a step reached along forward edges
        # stays reached: only those reached through a loop back alone can be lost (tidy()).
        self._reached_by_loops_only = self._reached_as_is - self._reachable(forward_only=True)

    # --- tidying up after an effect -------------------------------------------------------

    def tidy(self) -> None:
        """Remove the steps an effect left without a purpose, until none is left.

        Only what changed is looked at again (a step that asks less, a trip whose
        paper is asked less, the reach of the flow when edges went), so tidying
        after every proposal stays cheap on large cases.
        """
        while self._flow_changed or self._dirty:
            if self._flow_changed:
                self._flow_changed = False
                at_risk = [s for s in self._reached_by_loops_only if s in self._by_id]
                reachable = self._reachable() if at_risk else set()
                lost = self._in_order(s for s in at_risk if s not in reachable)
                if lost:
                    self._remove_lost(lost)
                    continue
            order = self.order()
            dirty, self._dirty = sorted((d for d in self._dirty if d in order), key=order.__getitem__), set()
            for step_id in dirty:
                step = self.step(step_id)
                reason = self._idle(step) if step is not None else None
                if reason:
                    self.remove_step(step_id, reason)

    def _remove_lost(self, lost: list[str]) -> None:
        # Only steps that are not reached themselves lead to these: contracting them
        # keeps every path (and deadline) among those steps as it was, minus the lost ones.
        for step_id in lost:
            self.remove_step(step_id, "step_unreached")

    def _idle(self, step: Step) -> str | None:
        """Why a step has no purpose left (a change key), or None."""
        if step.id in self._kept:
            return None
        if self.asked(step) or step.tells_story or step.uses or step.rule or step.kind is StepKind.DECISION:
            return None
        original = self.as_is.steps[step.id]
        if step.provides:
            # A trip to fetch papers nobody asks from the client any more.
            provided = list(dict.fromkeys(self.fact(i) for i in step.provides))
            fetched = [f for f in provided if f in self.as_is.fact_askers]
            if (original.client_minutes > 0 and len(fetched) == len(provided)
                    and not any(self._askers.get(f) for f in fetched)):
                return "step_fetch_gone"
            return None
        if self._follow_up_delivery(step.id):
            return "step_empty"
        if step.id in self._ended:
            return "step_application_gone"
        return None

    def _follow_up_delivery(self, step_id: str) -> bool:
        """In the as-is, the step only brought papers already asked at an earlier step
        (handing in what was missing): once nothing is missing any more, it has no purpose.

        Other steps that no longer ask anything stay: an application, a petition
        or a signature has a purpose of its own, whatever data it carries.
        """
        original = self.as_is.steps[step_id]
        asked = self.as_is.fact_asked_by_step[step_id]
        if original.kind is not StepKind.DOCUMENT or original.tells_story or not asked:
            return False
        if any(ways != ("brings",) for ways in asked.values()):
            return False
        position = self.as_is.order[step_id]
        return all(any(self.as_is.order[s] < position for s in self.as_is.fact_askers[fact]) for fact in asked)

    # --- the result -------------------------------------------------------------------

    def finish(self) -> Case:
        """The to-be case, with the flow written as compactly as the user would."""
        steps = self.case.steps
        for i, step in enumerate(steps):
            following = steps[i + 1].id if i + 1 < len(steps) else None
            plain = [e for e in step.next if e.when is None and e.chance is None]
            if following is not None and len(step.next) == 1 and plain and plain[0].to == following:
                step.next = None
            elif following is None and not step.next:
                step.next = None
        return self.case


def asked_ways(case: Case, step: Step) -> dict[str, set[str]]:
    """item -> how it is asked from the client at ``step`` of ``case`` (asks, field, attachment, brings)."""
    ways: dict[str, set[str]] = {}
    for item in step.asks:
        ways.setdefault(item, set()).add("asks")
    form = case.forms.get(step.form) if step.form else None
    if form is not None:
        for item in form.fields:
            ways.setdefault(item, set()).add("field")
        for item in form.attachments:
            ways.setdefault(item, set()).add("attachment")
    for item in step.brings:
        ways.setdefault(item, set()).add("brings")
    return ways


def _reached(flow: Iterable[tuple[str, Iterable[NextStep]]], first: str, order: dict[str, int],
             forward_only: bool = False) -> set[str]:
    """The steps reached from ``first`` along the edges of ``flow`` ((step, its next) pairs);
    with ``forward_only``, along the edges that go down the file only."""
    successors = {step_id: [e.to for e in edges if not forward_only or order[e.to] > order[step_id]]
                  for step_id, edges in flow}
    return reachable(successors, first)


def editable_copy(case: Case) -> Case:
    """A copy of ``case`` that the editor and the effects may change without touching ``case``.

    Structural, not deep (a pickle round trip was 4-5 times slower, ~1.2 ms at 100
    steps, and the two scenarios of every report each made one): the models the
    editor changes (the case info, actors, rules, forms, steps) are new objects
    with their own lists and dicts; what it never changes is shared with the
    as-is: texts, numbers and enums (immutable), the data items, sources and
    evidence (the editor never adds or changes data), and the ``next`` edges
    (NextStep; the editor makes new ones instead of changing one). The copies
    keep the originals' fields set, as a deep copy does (``__dict__`` is
    filled in directly, not through assignment).
    """
    copy = case.model_copy()
    fields = copy.__dict__
    fields["case"] = _own_containers(case.case.model_copy())
    fields["actors"] = {key: actor.model_copy() for key, actor in case.actors.items()}
    fields["rules"] = {key: rule.model_copy() for key, rule in case.rules.items()}
    fields["forms"] = {key: _own_containers(form.model_copy()) for key, form in case.forms.items()}
    fields["steps"] = [_own_containers(step.model_copy()) for step in case.steps]
    return copy


def _own_containers(model):
    """``model`` (a fresh shallow copy) with lists and dicts of its own, so that no change
    made in place to one of them could reach the as-is case."""
    fields = model.__dict__
    for name in _container_fields(type(model)):
        value = fields[name]
        if isinstance(value, list):
            fields[name] = list(value)
        elif isinstance(value, dict):  # a form's basis: item -> rules
            fields[name] = {key: list(rules) for key, rules in value.items()}
    return model


@cache
def _container_fields(model_class) -> tuple[str, ...]:
    # The fields whose type allows a list or a dict, read from the model's annotations once
    # per class (a step has some 25 fields, 6 of them lists): the copy looks at those only.
    return tuple(name for name, field in model_class.model_fields.items() if _may_hold_container(field.annotation))


def _may_hold_container(annotation) -> bool:
    origin = get_origin(annotation)
    if annotation in (list, dict) or origin in (list, dict):
        return True
    return any(_may_hold_container(arg) for arg in get_args(annotation) if arg is not Ellipsis)


def _minus(value: float, amount: float) -> float:
    """``value - amount``, never below zero. Not rounded to whole minutes: the proposals'
    savings are made of these same parts (kafka.detectors.base.split_minutes), and the
    list of proposals adds up to what the to-be saves only when no part is rounded away."""
    if amount <= 0:
        return value
    return float(min(value, max(0.0, value - amount)))


def days_text(value: float) -> str:
    return f"{round(value, 2):g}"


def _times(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None else a * b


def _clip(chance: float | None) -> float | None:
    return None if chance is None else min(1.0, round(chance, 4))


def _merged(edges: list[NextStep]) -> list[NextStep]:
    """One edge per target: the first label, the chances (where given) added up."""
    by_target: dict[str, list[NextStep]] = {}
    for edge in edges:
        by_target.setdefault(edge.to, []).append(edge)
    merged = []
    for target, group in by_target.items():
        chances = [e.chance for e in group if e.chance is not None]
        when = next((e.when for e in group if e.when), None)
        merged.append(NextStep(to=target, when=when, chance=_clip(sum(chances)) if chances else None))
    return merged


def _rescaled(edges: list[NextStep], removed_chance: float) -> list[NextStep]:
    """The remaining branches once loop backs with ``removed_chance`` are gone.

    Every case now takes one of them, so their chances grow in proportion; a
    single remaining branch needs no chance at all.
    """
    if len(edges) == 1:
        return [NextStep(to=edges[0].to, when=edges[0].when)]
    if removed_chance >= 1:
        return [NextStep(to=e.to, when=e.when) for e in edges]
    return [NextStep(to=e.to, when=e.when, chance=_clip(None if e.chance is None else e.chance / (1 - removed_chance)))
            for e in edges]


def _prune_basis(form) -> None:
    """A form's ``basis`` only names what the form still asks (the to-be must stay a valid case)."""
    if form.basis:
        asked = set(form.fields) | set(form.attachments)
        form.basis = {item: rules for item, rules in form.basis.items() if item in asked}

