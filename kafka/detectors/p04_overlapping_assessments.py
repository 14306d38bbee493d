"""P04 overlapping assessments: decisions of distinct organisations assess some
of the same facts (2 or more, configurable, or all the facts one of them
uses). Such pairs are joined into groups; one finding per group, except a
group whose decisions all use exactly the same facts (that is P01)
(case-format.md 1.1)."""

from __future__ import annotations

from dataclasses import dataclass
import networkx as nx

from kafka.detectors.base import Context, Detector, level_of
from kafka.findings import Facts as FindingFacts, Level, Severity
from kafka.model import StepKind
from kafka.settings import threshold


@dataclass(frozen=True, slots=True)
class Facts(FindingFacts):
    """What P04 found about one group of decisions."""

    organisations: tuple[str, ...]


def detect(ctx: Context):
    g = ctx.graph
    decisions = [s.id for s in ctx.case.steps if s.kind is StepKind.DECISION and s.uses]
    facts = {s: set(g.facts_used(s)) for s in decisions}
    overlap = nx.Graph()
    for i, a in enumerate(decisions):
        for b in decisions[i + 1:]:
            if g.organisation(a) != g.organisation(b) and _overlap(facts[a], facts[b], ctx.settings):
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
        if level is Level.LOCAL:
            target = ctx.local_target("step", reusers[0], ctx.step_name(reusers[0]), owner=g.organisation(reusers[0]))
        else:
            target = ctx.supralocal_target("step", reusers[0], ctx.step_name(reusers[0]), steps)
        message, title, text = ctx.texts(
            "P04", level, n=len(organisations), organisations=ctx.t.join(organisations), items=ctx.item_names(shared),
            steps=ctx.step_names(steps), first=ctx.step_name(steps[0]), others=ctx.step_names(reusers),
            owner=target.owner,
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


DETECTOR = Detector(
    "P04", "overlapping-assessments", detect,
    facts=Facts,
    settings=(threshold("overlapping_assessment_facts", 2, "P04: two decisions of distinct organisations that use this many facts in common (or all the facts one uses)", 1),),
)
