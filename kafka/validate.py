"""The meaning of a structurally valid case: references, uniqueness, flow.

Runs after :mod:`kafka.model` accepted the structure. Every check appends
problems; none stops the others, so a user sees the whole list at once.
"""

from __future__ import annotations

from typing import Collection, Iterable

from kafka.catalogue import sources_for
from kafka.diagnostics import Names, Phrase, Problem, Severity, format_path, suggestion
from kafka.flow import flow_edge_tuples, reachable
from kafka.model import ActorLevel, Case
from kafka.yamlsource import Positions


class _Checker:
    def __init__(self, case: Case, name: str, positions: Positions | None):
        self.case = case
        self.name = name
        self.positions = positions or Positions()
        self.problems: list[Problem] = []

    def add(self, path: tuple, phrase: Phrase, kind: str, severity: Severity = Severity.ERROR,
            at_key: bool = False) -> None:
        line, col = self.positions.of(path, prefer_key=at_key)
        self.problems.append(Problem.said(self.name, line, col, format_path(path), phrase, kind, severity))

    def ref(self, path: tuple, value: str | None, known: Collection[str], what: str) -> None:
        if value is None or value in known:  # known is a dict or set: no scan per reference
            return
        # One text per kind of thing: Dutch says "onbekende actor" but "onbekend formulier".
        self.add(path, Phrase.of(f"unknown.{what}", value=value, hint=suggestion(value, list(known))), "unknown-reference")

    def refs(self, path: tuple, values: list[str], known: Collection[str], what: str) -> None:
        for i, value in enumerate(values):
            if value is not None and value not in known:  # (most are known: no path made for them)
                self.ref(path + (i,), value, known, what)


def check_meaning(case: Case, name: str = "<case>", positions: Positions | None = None) -> list[Problem]:
    """Every meaning problem of ``case`` (errors and warnings), located in the file."""
    c = _Checker(case, name, positions)
    actors, data, rules, forms = case.actors, case.data, case.rules, case.forms
    sources = sources_for(case)
    step_ids = {s.id: None for s in case.steps}  # file order kept, for suggestions

    clients = [key for key, actor in actors.items() if actor.level is ActorLevel.CLIENT]
    if len(clients) != 1:
        c.add(("actors",), Phrase.of("client_actor", found=Names(tuple(clients))), "client-actor")

    for key, item in data.items():
        c.ref(("data", key, "source"), item.source, sources, "source")
    _check_documents(c)

    for key, form in forms.items():
        c.ref(("forms", key, "owner"), form.owner, actors, "actor")
        c.ref(("forms", key, "rule"), form.rule, rules, "rule")
        c.refs(("forms", key, "fields"), form.fields, data, "data_item")
        c.refs(("forms", key, "attachments"), form.attachments, data, "data_item")
        _check_basis(c, key, form)

    first_index: dict[str, int] = {}
    for i, step in enumerate(case.steps):
        if step.id in first_index:  # an id used by an earlier step
            c.add(("steps", i, "id"), Phrase.of("duplicate_step_id", id=step.id, first=f"steps[{first_index[step.id]}]"),
                  "duplicate-id")
        first_index.setdefault(step.id, i)
        at = ("steps", i)
        c.ref(at + ("actor",), step.actor, actors, "actor")
        c.ref(at + ("form",), step.form, forms, "form")
        c.ref(at + ("rule",), step.rule, rules, "rule")
        for key in ("asks", "brings", "provides", "uses"):
            c.refs(at + (key,), getattr(step, key), data, "data_item")
        _check_depends_on(c, at, step, i, first_index, step_ids)
        if step.presence_required and step.channel is not None and step.channel.value in _REMOTE_CHANNELS:
            c.add(
                at + ("presence_required",),
                Phrase.of("presence_remote", step=step.id, channel=step.channel.value),
                "presence-remote",
                Severity.WARNING,
            )
        if step.next is not None:
            total = 0.0
            for k, nxt in enumerate(step.next):
                c.ref(at + ("next", k, "to"), nxt.to, step_ids, "step")
                total += nxt.chance or 0
            if total > 1.0001:
                c.add(at + ("next",), Phrase.of("chance_sum", total=total), "chance-sum")

    if case.evidence is not None:
        for activity, step in case.evidence.steps.items():
            c.ref(("evidence", "steps", activity), step, step_ids, "step")

    successors, forward = _successors(case)  # one walk of the edges: a case may have some 200,000 of them
    _check_rules(c, step_ids, forward)
    _check_reachability(c, successors)
    return c.problems


def _check_documents(c: _Checker) -> None:
    """``proves`` (version 1.1): a document proves another item, which is a fact itself
    (no chain), and the source belongs to that fact, not to the document."""
    data = c.case.data
    for key, item in data.items():
        if item.proves is None:
            continue
        at = ("data", key)
        if item.proves == key:
            c.add(at + ("proves",), Phrase.of("proves_self", item=key), "proves-self")
        elif item.proves not in data:
            c.ref(at + ("proves",), item.proves, data, "data_item")
        elif data[item.proves].proves is not None:
            c.add(
                at + ("proves",),
                Phrase.of("proves_chain", document=item.proves, fact=data[item.proves].proves, item=key),
                "proves-chain",
            )
        if item.source is not None:
            c.add(
                at + ("source",),
                Phrase.of("proves_source", fact=item.proves),
                "proves-source",
            )
        if item.stable:
            c.add(
                at + ("stable",),
                Phrase.of("proves_stable", fact=item.proves),
                "proves-stable",
                Severity.WARNING,
            )


# Channels through which the client is not there in person (kafka extension presence_required).
_REMOTE_CHANNELS = ("phone", "letter", "email", "online")


def _check_basis(c: _Checker, key: str, form) -> None:
    """``basis`` (kafka extension): each key is a field or attachment of this form, each value a rule."""
    on_form = set(form.fields) | set(form.attachments)
    for item, rules in form.basis.items():
        at = ("forms", key, "basis", item)
        if item not in c.case.data:
            c.add(at, Phrase.of("unknown.data_item", value=item, hint=suggestion(item, list(on_form) or list(c.case.data))),
                  "unknown-reference", at_key=True)
        elif item not in on_form:
            asked = Names(tuple(dict.fromkeys([*form.fields, *form.attachments])), empty="nothing")
            c.add(at, Phrase.of("basis_not_on_form", item=item, form=key, asked=asked, hint=suggestion(item, list(on_form))),
                  "basis-not-on-form", at_key=True)
        if not rules:
            c.add(at, Phrase.of("basis_without_rule", item=item), "basis-without-rule")
        # Written as one rule, not as a list, an unknown rule is pointed at as the value itself.
        # (The positions are only looked at for a rule that is unknown: reading them is a
        # second reading of the file, kafka.yamlsource.PositionsOnDemand.)
        if len(rules) == 1 and rules[0] not in c.case.rules and at + (0,) not in c.positions.values:
            c.ref(at, rules[0], c.case.rules, "rule")
        else:
            c.refs(at, rules, c.case.rules, "rule")


def _check_depends_on(c: _Checker, at: tuple, step, index: int, first_index: dict[str, int],
                      step_ids: dict[str, None]) -> None:
    """``depends_on`` (version 1.1) names steps listed earlier in the file."""
    for k, dep in enumerate(step.depends_on or ()):
        where = at + ("depends_on", k)
        if dep == step.id:
            c.add(where, Phrase.of("depends_on_self", step=step.id), "depends-on-self")
        elif dep not in step_ids:
            c.ref(where, dep, step_ids, "step")
        elif first_index.get(dep, index) >= index:
            c.add(
                where,
                Phrase.of("depends_on_later", dep=dep, step=step.id),
                "depends-on-later",
            )


def _check_rules(c: _Checker, step_ids: dict[str, None], forward: dict[str, list[str]]) -> None:
    for key, rule in c.case.rules.items():
        at = ("rules", key)
        if rule.binds == "client" and rule.deadline_days is None:
            c.add(at + ("binds",), Phrase.of("binds_without_deadline"), "binds-without-deadline", Severity.WARNING)
        c.ref(at + ("from",), rule.from_step, step_ids, "step")
        c.ref(at + ("to",), rule.to_step, step_ids, "step")
        ends = [rule.from_step, rule.to_step]
        if rule.deadline_days is not None and None in ends:
            missing = "from" if rule.from_step is None else "to"
            c.add(at, Phrase.of("deadline_ends", missing=missing), "deadline-ends")
            continue
        if None in ends or any(e not in step_ids for e in ends):
            continue
        if rule.deadline_days is None:
            c.add(at, Phrase.of("ends_without_deadline"), "deadline-ends", Severity.WARNING)
        if rule.to_step not in reachable(forward, rule.from_step):
            # A warning, not an error: the contract does not forbid it, but the
            # deadline can then never be checked (T01 needs a path).
            c.add(
                at + ("to",),
                Phrase.of("unreachable_deadline", to=rule.to_step, start=rule.from_step),
                "unreachable-deadline",
                Severity.WARNING,
            )


def _check_reachability(c: _Checker, successors: dict[str, list[str]]) -> None:
    reached = reachable(successors, c.case.steps[0].id)
    for i, step in enumerate(c.case.steps):
        if step.id not in reached:
            c.add(
                ("steps", i, "id"),
                Phrase.of("unreachable_step", step=step.id, first=c.case.steps[0].id),
                "unreachable-step",
                Severity.WARNING,
            )


def _successors(case: Case) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """Each step's next steps, and the same without the loops back (in the order of the
    edges), from the edges as plain tuples (a FlowEdge costs more to make than this)."""
    successors: dict[str, list[str]] = {s.id: [] for s in case.steps}
    forward: dict[str, list[str]] = {step_id: [] for step_id in successors}
    for source, target, _, _, _, loop in flow_edge_tuples(case):
        successors[source].append(target)
        if not loop:
            forward[source].append(target)
    return successors, forward




class CaseIds:
    """The one rule for a case id used by two files of a set (case-format.md: ids are
    unique across a set of cases): the first file in order keeps it, and every later
    file with the same id is invalid, with a problem that names the first.

    Keeping both under invented names would count the same case twice in every
    total, and the writer of the second file most likely copied the first and
    forgot to change the id.
    """

    def __init__(self) -> None:
        self._first: dict[str, str] = {}

    def claim(self, case_id: str, path: str, line: int = 0, col: int = 0) -> Problem | None:
        """None when ``path`` may have ``case_id``; else the problem of the later file."""
        first = self._first.setdefault(case_id, path)
        if first == path:
            return None
        return Problem.said(
            path, line, col, "case.id", Phrase.of("duplicate_case_id", id=case_id, first=first),
            "duplicate-case-id",
        )


    def check(self, item) -> Problem | None:
        """Claim the id of a loaded case; a problem is also added to the file's ``problems``,
        so that it counts as invalid."""
        if item.case is None:
            return None
        line, col = (item.positions or Positions()).of(("case", "id"))
        problem = self.claim(item.case.id, str(item.path), line, col)
        if problem is not None:
            item.problems.append(problem)
        return problem


def check_case_set(loaded: Iterable) -> list[Problem]:
    """Problems of a set of loaded cases together: a case id used by two files.

    Each problem is also added to the later file's ``problems``, so that the
    file counts as invalid.
    """
    ids = CaseIds()
    return [problem for item in loaded if (problem := ids.check(item)) is not None]
