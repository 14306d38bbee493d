"""P01 double assessment: two or more decision steps use the same (non-empty) facts.

The to-be: one assessment instead of two: the first decision stays, the others go.

A legal deadline that started or ended at a decision that goes now starts or
ends at the decision that stays ("notify within 8 days of the decision").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from kafka.detectors.base import Context, Detector, Effect, Phase, level_of
from kafka.findings import Facts as FindingFacts, Finding, Severity
from kafka.model import StepKind

if TYPE_CHECKING:
    from kafka.simulate.editor import Editor


@dataclass(frozen=True, slots=True)
class Facts(FindingFacts):
    """What P01 found about one group of decisions."""

    keep: str  # the decision that stays
    drop: tuple[str, ...]  # the decisions that could go


def detect(ctx: Context):
    g = ctx.graph
    groups: dict[frozenset[str], list[str]] = {}
    for step in ctx.case.steps:
        if step.kind is StepKind.DECISION and step.uses:
            groups.setdefault(frozenset(g.facts_used(step.id)), []).append(step.id)
    for facts, steps in groups.items():
        if len(steps) < 2:
            continue
        data = g.data_order(facts)
        level = level_of(g.steps_local(steps))
        keep, drop = steps[0], steps[1:]
        decider = ctx.decider(level, "step", drop[0], ctx.step_name(drop[0]), steps)
        message, title, text = ctx.texts(
            "P01", level, variant=decider.variant, n=len(steps), steps=ctx.step_names(steps, counted=True),
            items=ctx.item_names(data, counted=True), keep=ctx.step_q(keep), drop=ctx.step_names(drop), who=decider.who,
            decides=ctx.decides(decider),
        )
        target = decider.target
        yield ctx.finding(
            "P01",
            severity=Severity.MEDIUM,
            level=level, steps=steps, data=data, message=message,
            proposal_title=title, proposal_text=text, target=target,
            saving=ctx.step_saving(
                [(s, g.steps[s].client_minutes, g.steps[s].staff_minutes) for s in drop],
                lead_days=sum(g.step_days(s) for s in drop if s in g.longest_path.steps),
            ),
            facts=Facts(keep, tuple(drop)),
        )


# --- the to-be ------------------------------------------------------------------

def apply(ed: Editor, finding: Finding) -> None:
    decisions = [s for s in finding.steps if ed.has_step(s)]
    if len(decisions) < 2:
        return
    keep = decisions[0]
    for step_id in decisions[1:]:
        if not ed.can_remove(step_id):
            continue
        ed.move_deadlines(step_id, keep)  # "decide within 30 days" now holds for the decision that stays
        if ed.remove_step(step_id, reason=None):
            ed.say("one_assessment", step=ed.step_name(step_id), keep=ed.step_name(keep))


DETECTOR = Detector(
    "P01", "double-assessment", detect,
    facts=Facts,
    theme="coordination",
    effect=Effect("one-assessment", Phase.FLOW, apply),
)
