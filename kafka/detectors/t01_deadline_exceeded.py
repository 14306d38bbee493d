"""T01 deadline exceeded: a rule's legal deadline is shorter than the longest path
from the start of its ``from`` step to the end of its ``to`` step."""

from kafka.detectors.base import Context, Detector, level_of
from kafka.findings import Severity


def detect(ctx: Context):
    g = ctx.graph
    for key, rule in ctx.case.rules.items():
        if rule.deadline_days is None or rule.from_step is None or rule.to_step is None:
            continue
        path = g.longest_path_between(rule.from_step, rule.to_step)
        if path is None or path.days <= rule.deadline_days:
            continue
        level = level_of(g.steps_actors_local(path.steps))
        target = ctx.target(level, "rule", key, rule.name, path.steps, actors_only=True)
        over = path.days - rule.deadline_days
        waits = sorted(path.steps, key=lambda s: -g.steps[s].wait_days)
        longest_waits = [s for s in waits[:2] if g.steps[s].wait_days > 0]
        wait_text = ctx.t.join(
            [ctx.t("findings.T01.wait", step=ctx.step_name(s), days=ctx.days(g.steps[s].wait_days)) for s in longest_waits]
        )
        message, title, text = ctx.texts(
            "T01", level, rule=rule.name, deadline=ctx.days(rule.deadline_days), days=ctx.days(path.days),
            over=ctx.days(over), start=ctx.step_name(rule.from_step), end=ctx.step_name(rule.to_step),
            waits=wait_text or "-", owner=target.owner,
        )
        yield ctx.finding(
            "T01",
            severity=Severity.HIGH,
            level=level, steps=[rule.from_step, rule.to_step] if rule.from_step != rule.to_step else [rule.from_step],
            message=message, proposal_title=title, proposal_text=text, target=target,
            saving=ctx.saving(lead_days=over),
            facts={"rule": key, "deadline_days": rule.deadline_days, "days": path.days, "path": list(path.steps)},
        )


DETECTOR = Detector("T01", "deadline-exceeded", detect)
