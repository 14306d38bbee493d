"""P01 double assessment: two or more decision steps use the same (non-empty) facts."""

from kafka.detectors.base import Context, Detector, level_of
from kafka.findings import Severity
from kafka.model import StepKind


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
        target = ctx.target(level, "step", drop[0], ctx.step_name(drop[0]), steps, owner=g.organisation(drop[0]))
        message, title, text = ctx.texts(
            "P01", level, n=len(steps), steps=ctx.step_names(steps), items=ctx.item_names(data),
            keep=ctx.step_name(keep), drop=ctx.step_names(drop), owner=target.owner,
        )
        yield ctx.finding(
            "P01",
            severity=Severity.MEDIUM,
            level=level, steps=steps, data=data, message=message,
            proposal_title=title, proposal_text=text, target=target,
            saving=ctx.step_saving(
                [(s, g.steps[s].client_minutes, g.steps[s].staff_minutes) for s in drop],
                lead_days=sum(g.step_days(s) for s in drop if s in g.longest_path.steps),
            ),
        )


DETECTOR = Detector("P01", "double-assessment", detect)
