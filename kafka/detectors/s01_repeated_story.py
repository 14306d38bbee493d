"""S01 repeated story: the client tells their story in two or more steps."""

from kafka.detectors.base import Context, Detector
from kafka.findings import Severity


def detect(ctx: Context):
    g = ctx.graph
    steps = [s.id for s in ctx.case.steps if s.tells_story]
    if len(steps) < ctx.settings.repeated_story_steps:
        return
    level, target = ctx.journey_target(steps)
    n = len(steps)
    set_ = ctx.settings
    message, title, text = ctx.texts(
        "S01", level, n=n, steps=ctx.step_names(steps), first=ctx.step_name(steps[0]),
        actors=ctx.t.join(list(dict.fromkeys(g.actor(s).name for s in steps))), owner=target.owner,
    )
    yield ctx.finding(
        "S01",
        severity=Severity.HIGH if n >= 3 else Severity.MEDIUM,
        level=level, steps=steps, message=message,
        proposal_title=title, proposal_text=text, target=target,
        saving=ctx.saving((n - 1) * set_.story_client_minutes, (n - 1) * set_.story_staff_minutes),
        facts={"times": n},
    )


DETECTOR = Detector("S01", "repeated-story", detect)
