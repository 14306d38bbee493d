"""T02 long wait: the client waits 14 days or more (configurable) before a step."""

from kafka.detectors.base import Context, Detector, level_of
from kafka.findings import Severity


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
            facts={"wait_days": step.wait_days},
        )


DETECTOR = Detector("T02", "long-wait", detect)
