"""D01 repeated question: one data item is asked from the client in two or more steps."""

from kafka.detectors.base import Context, Detector, level_of
from kafka.findings import Severity


def detect(ctx: Context):
    g = ctx.graph
    for item, steps in g.askers.items():
        if len(steps) < ctx.settings.repeated_question_steps:
            continue
        level = level_of(g.steps_local(steps))
        name = ctx.item_name(item)
        target = ctx.target(level, "data", item, name, steps)
        costs = [ctx.asking_cost(s, item) for s in steps[1:]]
        message, title, text = ctx.texts(
            "D01", level, item=name, n=len(steps), steps=ctx.step_names(steps),
            first=ctx.step_name(steps[0]), others=ctx.step_names(steps[1:]), owner=target.owner,
        )
        yield ctx.finding(
            "D01",
            severity=Severity.HIGH if len(steps) >= 3 else Severity.MEDIUM,
            level=level, steps=steps, data=[item], message=message,
            proposal_title=title, proposal_text=text, target=target,
            saving=ctx.saving(sum(c for c, _ in costs), sum(s for _, s in costs)),
            facts={"times": len(steps)},
        )


DETECTOR = Detector("D01", "repeated-question", detect)
