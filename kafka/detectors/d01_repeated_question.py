"""D01 repeated question: one fact is asked from the client in two or more steps
(a document that proves it counts as asking it)."""

from kafka.detectors.base import Context, Detector, level_of
from kafka.findings import Severity


def detect(ctx: Context):
    g = ctx.graph
    for fact, steps in g.fact_askers.items():
        if len(steps) < ctx.settings.repeated_question_steps:
            continue
        level = level_of(g.steps_local(steps))
        name = ctx.item_name(fact)
        target = ctx.target(level, "data", fact, name, steps)
        message, title, text = ctx.texts(
            "D01", level, item=name, label=ctx.fact_label(fact, steps), n=len(steps), steps=ctx.step_names(steps),
            first=ctx.step_name(steps[0]), others=ctx.step_names(steps[1:]), owner=target.owner,
        )
        yield ctx.finding(
            "D01",
            severity=Severity.HIGH if len(steps) >= 3 else Severity.MEDIUM,
            level=level, steps=steps, data=[fact], message=message,
            proposal_title=title, proposal_text=text, target=target,
            saving=ctx.step_saving(ctx.asking_parts(fact, steps[1:])),
            facts={"times": len(steps)},
        )


DETECTOR = Detector("D01", "repeated-question", detect)
