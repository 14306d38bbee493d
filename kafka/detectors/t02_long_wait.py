"""T02 long wait: the client waits 14 days or more (configurable) before a step.

The to-be: the wait cut to ``target_wait_days``.

The proposal fits who keeps the client waiting: a committee of the
organisation itself (a BCSD, a vast bureau) can meet more often or delegate;
the organisation's own appointments can be planned sooner; another
local-side party (a syndic, a care provider's waiting list, a ziekenfonds's
adviserend arts) is asked for a shorter wait or for priority, never promised
more frequent sessions; an administration is asked for a maximum lead time.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from kafka.detectors.base import Context, Detector, Effect, Phase, level_of
from kafka.findings import Facts as FindingFacts, Finding, Severity
from kafka.model import StepKind
from kafka.nature import mentions
from kafka.settings import Setting

if TYPE_CHECKING:
    from kafka.simulate.editor import Editor


@dataclass(frozen=True, slots=True)
class Facts(FindingFacts):
    """What T02 found about one step."""

    wait_days: float


def detect(ctx: Context):
    g = ctx.graph
    limit = ctx.settings.long_wait_days
    for step in ctx.case.steps:
        if step.wait_days < limit:
            continue
        level = level_of(g.actor_local(step.actor))
        actor = g.actor(step.id)
        decider = ctx.decider(level, "step", step.id, step.name, [step.id], organisations=[actor.org],
                              actors_only=True)
        variant = decider.variant
        if variant == "local":
            variant = "committee" if _committee(step, actor.name) else "appointment"
        goal = min(ctx.settings.target_wait_days, step.wait_days)
        message, title, text = ctx.texts(
            "T02", level, variant=variant, step=ctx.q(step.name), days=ctx.days(step.wait_days),
            actor=ctx.q(actor.name), target=ctx.days(goal), who=decider.who, home=ctx.q(ctx.organisation()),
            decides=ctx.decides(decider),
        )
        target = decider.target
        yield ctx.finding(
            "T02",
            severity=Severity.HIGH if step.wait_days >= 2 * limit else Severity.MEDIUM,
            level=level, steps=[step.id], message=message,
            proposal_title=title, proposal_text=text, target=target,
            saving=ctx.saving(lead_days=step.wait_days - goal),
            facts=Facts(step.wait_days),
        )


# A decision of a body that meets (the case's own words say so: "Bijzonder comité voor de
# sociale dienst", "vast bureau"): only such a body can meet more often or delegate.
COMMITTEE_WORDS = ("comite", "bcsd", "vast bureau", "raad", "college", "zitting", "commissie", "committee",
                   "council", "board")


def _committee(step, actor_name: str) -> bool:
    return step.kind is StepKind.DECISION and (mentions(actor_name, COMMITTEE_WORDS) or mentions(step.name, COMMITTEE_WORDS))


# --- the to-be ------------------------------------------------------------------

def apply(ed: Editor, finding: Finding) -> None:
    step = ed.step(finding.steps[0])
    if step is None:
        return
    new = min(ed.settings.target_wait_days, step.wait_days)
    target = finding.proposal.target if finding.proposal else None
    # Another local-side party keeps the client waiting (a syndic, a ziekenfonds): the
    # organisation can only ask. What it can do alone (the local scenario) keeps the wait;
    # with every proposal taken, the change says on what it depends.
    if target is not None and target.government == "local" and target.owner != ed.case.case.organisation:
        old = step.wait_days
        if ed.own_only:
            ed.say("wait_kept_other", step=ed.step_name(step.id), days=ed.days(old), who=ed.q(target.owner))
        elif ed.set_wait(step.id, new, log=False):
            ed.say("wait_asked", step=ed.step_name(step.id), old=ed.days(old), new=ed.days(new), who=ed.q(target.owner))
        return
    ed.set_wait(step.id, new)


DETECTOR = Detector(
    "T02", "long-wait", detect,
    facts=Facts,
    theme="deadlines",
    settings=(Setting("long_wait_days", 14, "T02: a wait of this many days or more"),),
    effect=Effect("shorter-wait", Phase.WAITS, apply),
)
