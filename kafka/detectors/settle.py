"""One action per item, and every saving counted once.

The detectors look at a case one pattern at a time, so two findings can be
about the same thing: an item nobody uses (D03) that an authentic source
also holds (D02) and that is asked twice (D01). A brigade signs one action
for it, and a saving made once is counted once. After the detectors ran,
:func:`settle` makes the findings agree:

**One action per item.** The findings about one fact asked from the client
carry the action their proposal takes (:class:`~kafka.detectors.base.Action`
in their :class:`~kafka.detectors.base.ItemFacts`). At each level the
strongest action wins:

* *limit* (a sensitive item nobody uses: ask it only when needed, with
  consent) over everything: what is sensitive is not consulted routinely
  either;
* *consult* the authentic source over *drop*: the client is no longer asked
  either way, and when a case's ``uses`` is incomplete (it often is) the
  organisation still finds the item in the source; an item that identifies
  the client is never dropped (its action is *keep*);
* *drop* over *pass on* (the organisations hand the paper to each other):
  what nobody uses need not travel at all;
* *pass on* beside *reuse* (ask once): the two add up;
* *drop* over *reuse*: what nobody uses need not be asked at all.

A local action stands, and a supralocal one stands beside it only when it
does more: when the local action asks the item once (*reuse*) or passes it
on, and the supralocal one takes even that question away (access to a source). The
other findings stay, as evidence, but their proposals give way: they say
which proposal takes care of the item, save nothing themselves, and change
nothing in the to-be (``Proposal.defers_to``).

**Every part once.** A finding with a :class:`~kafka.findings.Plan` lists
what its proposal takes away, part by part (the asking of one fact at one
step, a trip to fetch a paper, a whole step). The local proposals claim
their parts first, in the order the to-be applies them (``Effect.phase``),
then the supralocal ones: a part another proposal already took away counts
for nothing in a later one. The local proposals then add up to what the
organisation can save on its own, and all proposals together to what the
to-be saves with every proposal taken (kafka.simulate applies them in this
same order, and keeps the same consultation minutes).
"""

from __future__ import annotations

from typing import Sequence

from kafka.detectors.base import Action, Context, Detector, ItemFacts, ProposalDraft
from kafka.findings import WHEN_EMPTIED, WHOLE_STEP, Finding, Level, Part, Plan, Proposal, Saving
from kafka.model import StepKind

# The catalogue key of the texts of a proposal that gives way to one taking each action.
_DEFER_KEYS = {action: f"findings.defer.{action.name.lower()}" for action in Action}

# The actions that leave the client no question about the item at all.
_COVERING = (Action.DROP, Action.CONSULT, Action.LIMIT)


def settle(ctx: Context, findings: list[Finding], detectors: Sequence[Detector]) -> list[Finding]:
    """The findings with one action per item and each part of a saving counted once."""
    findings = _one_action_per_item(ctx, findings)
    # The proposals that stand get the texts (and savings) their detectors left for now.
    findings = [_drafted(ctx, f) if type(f.proposal) is ProposalDraft else f for f in findings]
    return _each_part_once(ctx, findings, detectors)


def _drafted(ctx: Context, finding: Finding) -> Finding:
    """The finding with its :class:`ProposalDraft` worked out: the proposal as it stands."""
    draft = finding.proposal
    title, text = draft.texts()
    saving = ctx.plan_saving(finding.plan) if draft.saving_of_plan else draft.saving
    return _proposing(finding, Proposal(title, text, draft.level, draft.target, saving, draft.defers_to), finding.plan)


def _proposing(finding: Finding, proposal: Proposal, plan: Plan | None) -> Finding:
    """The finding with another proposal and plan, the rest as it is."""
    return Finding(finding.code, finding.title, finding.message, finding.severity, finding.level, finding.steps,
                   finding.data, proposal, finding.facts, plan)


# --- one action per item --------------------------------------------------------------

def _one_action_per_item(ctx: Context, findings: list[Finding]) -> list[Finding]:
    by_fact: dict[str, list[int]] = {}
    for i, f in enumerate(findings):
        if isinstance(f.facts, ItemFacts):
            by_fact.setdefault(f.facts.fact, []).append(i)
    result = list(findings)
    for fact, indexes in by_fact.items():
        if len(indexes) < 2:
            continue
        group = [findings[i] for i in indexes]
        keeping = _kept_only_where_required(group)
        gives_way = [keeping is not None and _reuses_what_is_dropped(f, keeping) for f in group]
        winners = _winners([f for f, gives in zip(group, gives_way) if not gives])
        for i, f, gives in zip(indexes, group, gives_way):
            if gives:
                result[i] = _deferred(ctx, f, keeping)
                continue
            # "is", not "in": a finding's == compares every text; one finding per code and fact
            if any(f is w for w in winners) or f.facts.stands_apart:
                continue
            winner = _winner_for(f, winners)
            if f.facts.action is Action.REUSE and winner is not None and winner.facts.action is Action.PASS:
                continue  # the organisations pass the paper on, and ask it once: the two add up
            result[i] = _deferred(ctx, f, winner)
    return result


def _kept_only_where_required(group: list[Finding]) -> Finding | None:
    """The proposal that keeps the item where a rule requires it and drops it at the other
    steps (D03 with a rule), if the group has one."""
    return next((f for f in group if f.facts.action is Action.KEEP and f.plan is not None), None)


def _reuses_what_is_dropped(finding: Finding, keeping: Finding) -> bool:
    """Whether ``finding`` asks the item once and then takes it from the file, keeping the very
    question ``keeping`` drops: the two together would leave the item asked nowhere, where
    the rule requires it. Asking it only where the rule requires it is the one action then."""
    dropped = {part.step for part in keeping.plan.parts}
    return finding.facts.action is Action.REUSE and finding.level is keeping.level and finding.steps[0] in dropped


def _steps_left_empty(ctx, planned, claimed, whole, taken, kept_parts, emptied, findings) -> None:
    """A step that goes once nothing is asked there any more (as the to-be editor tidies
    it away): one that only hands in papers asked before, or an application another
    proposal ends (``WHEN_EMPTIED``). When every item it asks is taken away, the rest of
    its minutes (the contact itself) count for the proposal that ends the application,
    else for the one that takes the last paper; and for the last paper's when only a
    supralocal proposal takes it, and a local one ends the application (the step only
    goes once both are taken: in the to-be with every proposal, not with the local ones)."""
    g = ctx.graph
    order = {i: n for n, i in enumerate(planned)}
    for step in ctx.case.steps:
        # The cheap tests first: most steps still ask something no proposal takes away.
        asked = g.fact_asked_by_step[step.id]
        if not asked or step.id in whole:
            continue
        owners = [claimed.get((step.id, fact)) for fact in asked]
        if any(o is None or o not in order for o in owners):
            continue
        ender = emptied.get(step.id)
        if ender not in order:
            ender = None
        if ender is None and not _only_hands_in(g, step):
            continue
        last = max(owners, key=order.__getitem__)
        if ender is not None and (findings[ender].level is not Level.LOCAL or findings[last].level is Level.LOCAL):
            last = ender
        client, staff = taken.get(step.id, (0.0, 0.0))
        rest = Part(step.id, WHOLE_STEP, max(0.0, step.client_minutes - client), max(0.0, step.staff_minutes - staff))
        if rest.client or rest.staff:
            kept_parts[last].append(rest)
        whole[step.id] = last


def _only_hands_in(g, step) -> bool:
    """The to-be editor's follow-up delivery: a ``document`` step that only brings papers
    already asked at an earlier step, and does nothing else."""
    asked = g.fact_asked_by_step[step.id]
    if (step.kind is not StepKind.DOCUMENT or step.tells_story or not asked or step.uses or step.rule
            or step.provides or step.form):
        return False
    if any(ways != ("brings",) for ways in asked.values()):
        return False
    position = g.order[step.id]
    return all(any(g.order[s] < position for s in g.fact_askers[fact]) for fact in asked)


def _strongest(findings: list[Finding]) -> Finding | None:
    acting = [f for f in findings if f.facts.action > Action.KEEP]
    return max(acting, key=lambda f: f.facts.action) if acting else None


def _winners(group: list[Finding]) -> list[Finding]:
    """The proposals that stand for one fact: the local winner, and a supralocal one that does more."""
    local = _strongest([f for f in group if f.level is Level.LOCAL])
    supralocal = _strongest([f for f in group if f.level is Level.SUPRALOCAL])
    winners = [local] if local is not None else []
    if supralocal is not None and (local is None or (local.facts.action in (Action.REUSE, Action.PASS)
                                                     and supralocal.facts.action in _COVERING)):
        winners.append(supralocal)
    return winners


def _winner_for(finding: Finding, winners: list[Finding]) -> Finding | None:
    """The proposal a finding gives way to: the winner at its own level, else the one that does most."""
    same = [w for w in winners if w.level is finding.level]
    if same and finding.facts.action > Action.KEEP:
        return same[0]
    return winners[-1] if winners else None


def _deferred(ctx: Context, finding: Finding, winner: Finding | None) -> Finding:
    """The finding, its proposal giving way to ``winner``'s: the same target, no saving."""
    if winner is None:
        return finding
    fact = finding.facts.fact
    key = _DEFER_KEYS[winner.facts.action]
    title, text = ctx.memo("defer", (key, fact, winner.title), lambda: _defer_texts(ctx, key, fact, winner.title))
    old = finding.proposal
    return _proposing(finding, Proposal(title, text, old.level, old.target, Saving(), defers_to=winner.code), None)


def _defer_texts(ctx: Context, key: str, fact: str, winner_title: str) -> tuple[str, str]:
    """The title and text of a proposal about ``fact`` that gives way to ``winner_title``'s."""
    source = ctx.graph.source_of(fact)
    params = dict(item=ctx.item_q(fact), finding=winner_title, source=ctx.q(source.name) if source else "-")
    return ctx.t(f"{key}.title", **params), ctx.t(f"{key}.text", **params) + " " + ctx.t("findings.defer.no_saving")


# --- every part once ---------------------------------------------------------------------

def _each_part_once(ctx: Context, findings: list[Finding], detectors: Sequence[Detector]) -> list[Finding]:
    rank = {d.code: (d.effect.phase if d.effect is not None else 99, i) for i, d in enumerate(detectors)}
    planned = [i for i, f in enumerate(findings) if f.plan is not None and not f.proposal.defers_to]
    planned.sort(key=lambda i: (findings[i].level is not Level.LOCAL, *rank.get(findings[i].code, (99, 99)), i))
    claimed: dict[tuple[str, str], int] = {}  # (step, what) -> the finding that takes it away
    taken: dict[str, tuple[float, float]] = {}  # step -> client, staff minutes claimed there
    whole: dict[str, int] = {}  # steps a proposal takes away as a whole -> that proposal
    result = list(findings)
    kept_parts: dict[int, list[Part]] = {}
    lost: dict[int, list[int]] = {}
    emptied: dict[str, int] = {}  # step -> the proposal that removes it once nothing is asked there
    for n, i in enumerate(planned):
        f = findings[i]
        if f.level is not Level.LOCAL and (n == 0 or findings[planned[n - 1]].level is Level.LOCAL):
            # the local proposals are all in: the steps they empty go with them
            _steps_left_empty(ctx, planned[:n], claimed, whole, taken, kept_parts, emptied, findings)
        parts, others = [], []
        for part in f.plan.parts:
            if part.what == WHEN_EMPTIED:
                emptied.setdefault(part.step, i)  # settled when the level's proposals are all in
                continue
            owner = whole.get(part.step, claimed.get((part.step, part.what)))
            if owner is not None:
                others.append(owner)
                continue
            if part.what == WHOLE_STEP:
                client, staff = taken.get(part.step, (0.0, 0.0))
                others += [j for (step, _), j in claimed.items() if step == part.step]
                part = Part(part.step, part.what, max(0.0, part.client - client), max(0.0, part.staff - staff))
                whole[part.step] = i
            else:
                claimed[(part.step, part.what)] = i
                client, staff = taken.get(part.step, (0.0, 0.0))
                taken[part.step] = (client + part.client, staff + part.staff)
            parts.append(part)
        # The staff minutes kept for a consultation stay on the step: a step that goes as a
        # whole later takes them with it (as in the to-be). (consultations() of these parts,
        # without making a Plan of them first.)
        left: dict[str, float] = {}
        for part in parts:
            if part.what != WHOLE_STEP:
                available = left.get(part.what, f.plan.staff_kept)
                kept = min(available, part.staff)
                left[part.what] = available - kept
                if kept:
                    client, staff = taken[part.step]
                    taken[part.step] = (client, staff - kept)
        kept_parts[i] = parts
        lost[i] = list(dict.fromkeys(others))
    _steps_left_empty(ctx, planned, claimed, whole, taken, kept_parts, emptied, findings)
    for i in planned:
        f, parts, others = findings[i], kept_parts[i], lost[i]
        if not others:
            if len(parts) != len(f.plan.parts):  # a step it empties goes as a whole
                plan = Plan(tuple(parts), f.plan.lead_days, f.plan.staff_kept)
                old = f.proposal
                proposal = Proposal(old.title, old.text, old.level, old.target, ctx.plan_saving(plan), old.defers_to)
                result[i] = _proposing(f, proposal, plan)
            continue
        # Only a proposal about the same fact can stand for this one: when another item's
        # proposal takes away the same steps (two items fetched with one paper), this one's
        # action is still needed; only its saving is counted there.
        item_claimants = [j for j in others if isinstance(f.facts, ItemFacts)
                          and isinstance(findings[j].facts, ItemFacts) and findings[j].facts.fact == f.facts.fact]
        if not parts and item_claimants and not f.facts.stands_apart:
            # Everything it would take away, another proposal about the item takes away first.
            result[i] = _deferred(ctx, f, findings[item_claimants[0]])
            continue
        plan = Plan(tuple(parts), f.plan.lead_days, f.plan.staff_kept)
        key = "findings.counted_elsewhere" + ("" if parts else "_all")
        note = ctx.t(key, findings=ctx.t.join(
            list(dict.fromkeys(findings[j].title for j in others))))
        old = f.proposal
        proposal = Proposal(old.title, f"{old.text} {note}", old.level, old.target, ctx.plan_saving(plan),
                            old.defers_to)
        result[i] = _proposing(f, proposal, plan)
    return result
