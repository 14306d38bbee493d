"""S02 counter hopping: the client visits three or more organisations in person."""

from kafka.detectors.base import Context, Detector
from kafka.findings import Severity


def detect(ctx: Context):
    g = ctx.graph
    steps = g.in_person_steps
    organisations = list(dict.fromkeys(g.organisation(s) for s in steps))
    if len(organisations) < ctx.settings.counter_hopping_organisations:
        return
    level, target = ctx.journey_target(steps)
    trips = len(organisations) - 1
    message, title, text = ctx.texts(
        "S02", level, n=len(organisations), organisations=ctx.t.join(organisations),
        visits=len(steps), steps=ctx.step_names(steps), owner=target.owner,
    )
    yield ctx.finding(
        "S02",
        severity=Severity.HIGH if len(organisations) >= 4 else Severity.MEDIUM,
        level=level, steps=steps, message=message,
        proposal_title=title, proposal_text=text, target=target,
        saving=ctx.saving(trips * ctx.settings.trip_client_minutes),
        facts={"organisations": organisations},
    )


DETECTOR = Detector("S02", "counter-hopping", detect)
