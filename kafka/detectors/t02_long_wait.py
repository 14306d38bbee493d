"""T02 long wait: the client waits 14 days or more (configurable) before a step.

The to-be: the wait cut to ``target_wait_days`` (a weekly committee, a delegated decision).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from kafka.detectors.base import Context, Detector, Effect, Phase, level_of
from kafka.findings import Facts as FindingFacts, Finding, Severity
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
        target = ctx.target(level, "step", step.id, step.name, [step.id], owner=actor.org, actors_only=True)
        goal = min(ctx.settings.target_wait_days, step.wait_days)
        message, title, text = ctx.texts(
            "T02", level, step=step.name, days=ctx.days(step.wait_days), actor=actor.name,
            target=ctx.days(goal), owner=target.owner,
        )
        yield ctx.finding(
            "T02",
            severity=Severity.HIGH if step.wait_days >= 2 * limit else Severity.MEDIUM,
            level=level, steps=[step.id], message=message,
            proposal_title=title, proposal_text=text, target=target,
            saving=ctx.saving(lead_days=step.wait_days - goal),
            facts=Facts(step.wait_days),
        )


# --- the to-be ------------------------------------------------------------------

def apply(ed: Editor, finding: Finding) -> None:
    step = ed.step(finding.steps[0])
    if step is not None:
        ed.set_wait(step.id, min(ed.settings.target_wait_days, step.wait_days))


DETECTOR = Detector(
    "T02", "long-wait", detect,
    facts=Facts,
    theme="deadlines",
    settings=(Setting("long_wait_days", 14, "T02: a wait of this many days or more"),),
    effect=Effect("shorter-wait", Phase.WAITS, apply),
)
