"""P04 overlapping assessments: decisions of distinct organisations assess some
of the same facts (2 or more, configurable, or all the facts one of them
uses). Such pairs are joined into groups; one finding per group, except a
group whose decisions all use exactly the same facts (that is P01)
(case-format.md 1.1).

The to-be: one assessment that the other agencies reuse.

The first decision of the group (in file order) assesses; each later one
takes over the facts an earlier one already assessed: it no longer uses
them itself and loses that share of its minutes (the decision itself stays).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import networkx as nx

from kafka.detectors.base import Context, Detector, Effect, Phase, level_of
from kafka.findings import Facts as FindingFacts, Finding, Severity
from kafka.model import StepKind
from kafka.settings import threshold

if TYPE_CHECKING:
    from kafka.simulate.editor import Editor


@dataclass(frozen=True, slots=True)
class Facts(FindingFacts):
    """What P04 found about one group of decisions."""

    organisations: tuple[str, ...]


def detect(ctx: Context):
    g = ctx.graph
    decisions = [s.id for s in ctx.case.steps if s.kind is StepKind.DECISION and s.uses]
    facts = {s: set(g.facts_used(s)) for s in decisions}
    org = {s: g.organisation(s) for s in decisions}
    # Only decisions that share a fact can overlap: compare those pairs, not all of them.
    by_fact: dict[str, list[str]] = {}
    for s in decisions:
        for f in facts[s]:
            by_fact.setdefault(f, []).append(s)
    pairs = {(a, b) for users in by_fact.values() for i, a in enumerate(users) for b in users[i + 1:]}
    overlap = nx.Graph()
    for a, b in sorted(pairs, key=lambda p: (g.order[p[0]], g.order[p[1]])):
        if org[a] != org[b] and _overlap(facts[a], facts[b], ctx.settings):
            overlap.add_edge(a, b)
    for component in nx.connected_components(overlap):
        steps = sorted(component, key=g.order.__getitem__)
        if len({frozenset(facts[s]) for s in steps}) == 1:
            continue  # all the same facts: P01 reports it
        shared = g.data_order(f for f in set().union(*(facts[s] for s in steps))
                              if sum(f in facts[s] for s in steps) >= 2)
        organisations = list(dict.fromkeys(g.organisation(s) for s in steps))
        level = level_of(g.steps_local(steps))
        # The first decision assesses; the later ones take over what was assessed before.
        reusers = steps[1:]
        decider = ctx.decider(level, "step", reusers[0], ctx.step_name(reusers[0]), steps, organisations=organisations)
        target = decider.target
        message, title, text = ctx.texts(
            "P04", level, variant=decider.variant, n=len(organisations), organisations=ctx.org_names(organisations, counted=True),
            items=ctx.item_names(shared), steps=ctx.step_names(steps), first=ctx.step_q(steps[0]),
            others=ctx.step_names(reusers), who=decider.who, decides=ctx.decides(decider),
        )
        yield ctx.finding(
            "P04",
            severity=Severity.HIGH if len(organisations) >= 3 else Severity.MEDIUM,
            level=level, steps=steps, data=shared, message=message,
            proposal_title=title, proposal_text=text, target=target,
            saving=ctx.step_saving(reuse_parts(ctx, steps, facts)),
            facts=Facts(tuple(organisations)),
        )


def _overlap(a: set[str], b: set[str], settings) -> bool:
    common = a & b
    return bool(common) and (len(common) >= settings.overlapping_assessment_facts or common == a or common == b)


def reuse_parts(ctx: Context, steps: list[str], facts: dict[str, set[str]]) -> list[tuple[str, float, float]]:
    """What the later decisions save when they take over what an earlier one assessed:
    the share of their facts already assessed, of the minutes that are not the decision itself."""
    g = ctx.graph
    room = 1.0 - min(1.0, max(0.0, ctx.settings.contact_core_share))
    assessed: set[str] = set(facts[steps[0]])
    parts = []
    for s in steps[1:]:
        share = len(facts[s] & assessed) / len(facts[s])
        step = g.steps[s]
        parts.append((s, step.client_minutes * share * room, step.staff_minutes * share * room))
        assessed |= facts[s]
    return parts


# --- the to-be ------------------------------------------------------------------

def apply(ed: Editor, finding: Finding) -> None:
    decisions = [s for s in finding.steps if ed.has_step(s)]
    if len(decisions) < 2:
        return
    assessed = set(ed.as_is.facts_used(decisions[0]))
    for step_id in decisions[1:]:
        own = set(ed.as_is.facts_used(step_id))
        taken = ed.reuse_assessment(step_id, assessed)
        if taken:
            ed.say("assessment_reused", step=ed.step_name(step_id), first=ed.step_name(decisions[0]),
                   items=ed.item_names(taken))
        assessed |= own


DETECTOR = Detector(
    "P04", "overlapping-assessments", detect,
    facts=Facts,
    theme="coordination",
    settings=(threshold("overlapping_assessment_facts", 2,
                        "P04: decisions of two organisations that share this many facts (or all the facts one uses)", 1),),
    effect=Effect("shared-assessment", Phase.FLOW, apply),
)
