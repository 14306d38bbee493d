"""P02 automatic granting possible: the client has to apply, yet a decision
uses only facts that all have an authentic source."""

from kafka.detectors.base import Context, Detector, level_of
from kafka.findings import Severity
from kafka.model import StepKind


def detect(ctx: Context):
    g = ctx.graph
    if ctx.case.case.initiated_by != "client":
        return
    for step in ctx.case.steps:
        if step.kind is not StepKind.DECISION or not step.uses:
            continue
        items = g.facts_used(step.id)
        if not all(g.source_key(i) for i in items):
            continue
        level = level_of(g.steps_local([step.id]))
        sources = list(dict.fromkeys(g.source_key(i) for i in items))
        source_names = ctx.t.join([g.sources[s].name for s in sources])
        rule = next(iter(g.rules_of(step.id)), None)
        rule_key = step.rule
        if rule is not None and rule_key is not None:
            kind, key, name = "rule", rule_key, rule.name
        else:
            kind, key, name = "step", step.id, step.name
        target = ctx.target(level, kind, key, name, [step.id], owner=g.organisation(step.id), sources=sources)
        # With automatic granting the client no longer applies: the steps that
        # ask the decision's items from the client fall away.
        application = [s for s in g.client_steps if set(g.fact_asked_by_step[s]) & set(items)]
        message, title, text = ctx.texts(
            "P02", level, step=step.name, items=ctx.item_names(items), sources=source_names, owner=target.owner,
        )
        yield ctx.finding(
            "P02",
            severity=Severity.HIGH,
            level=level, steps=[step.id], data=items, message=message,
            proposal_title=title, proposal_text=text, target=target,
            saving=ctx.step_saving((s, g.steps[s].client_minutes, g.steps[s].staff_minutes) for s in application),
            facts={"application_steps": application, "sources": sources},
        )


DETECTOR = Detector("P02", "automatic-granting-possible", detect)
