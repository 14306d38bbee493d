"""T01 deadline exceeded: a rule's legal deadline is shorter than the longest path
from the start of its ``from`` step to the end of its ``to`` step.

The to-be: cut the waits on the way until the deadline is met.

The longest waits between the rule's ``from`` and ``to`` steps go first, each
down to ``target_wait_days``; when that is not enough, further, down to
zero. Only waits are cut, never the time the steps themselves take: when the
steps alone already take longer than the deadline, the finding stays, and
the change log says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from kafka.administrations import find_administration
from kafka.detectors.base import Context, Decider, Detector, Effect, Phase, level_of
from kafka.findings import Facts as FindingFacts, Finding, Level, Severity
from kafka.model import GovernmentLevel
from kafka.graph import CaseGraph

if TYPE_CHECKING:
    from kafka.simulate.editor import Editor


@dataclass(frozen=True, slots=True)
class Facts(FindingFacts):
    """What T01 found about one rule."""

    rule: str  # the rule's key
    deadline_days: float
    days: float  # from the start of its from step to the end of its to step
    path: tuple[str, ...]


def detect(ctx: Context):
    g = ctx.graph
    for key, rule in ctx.case.rules.items():
        if rule.deadline_days is None or rule.from_step is None or rule.to_step is None:
            continue
        path = g.longest_path_between(rule.from_step, rule.to_step)
        if path is None or path.days <= rule.deadline_days:
            continue
        level = level_of(g.steps_actors_local(path.steps))
        decider = ctx.decider(level, "rule", key, rule.name, path.steps, actors_only=True)
        if level is Level.SUPRALOCAL and rule.level is not GovernmentLevel.LOCAL:
            # The deadline belongs to whoever owns its rule (an OCMW-wet deadline to the POD MI),
            # whichever outside service on the path made it late.
            government, names, _ = ctx.non_local_party(path.steps, actors_only=True)
            admin = find_administration(rule.level.value, rule.ref, rule.name, *names)
            target = ctx.administration_target("rule", key, rule.name, admin, government)
            decider = Decider(target, "supralocal", ctx.called(target))
        outside = [g.actor(s).name for s in path.steps if not g.actor_local(g.steps[s].actor)]
        over = path.days - rule.deadline_days
        waits = sorted(path.steps, key=lambda s: -g.steps[s].wait_days)
        longest_waits = [s for s in waits[:2] if g.steps[s].wait_days > 0]
        wait_text = ctx.t.join(
            [ctx.t("findings.T01.wait", step=ctx.step_q(s), days=ctx.days(g.steps[s].wait_days)) for s in longest_waits]
        )
        # A deadline the client must meet (binds: client) is a right the client can lose,
        # not an organisation that is late: its message and proposal say so.
        client = rule.binds == "client"
        variant = ("client_" if client else "") + decider.variant
        message, title, text = ctx.texts(
            "T01", level, variant=variant, message="message_client" if client else "message",
            rule=ctx.q(rule.name), deadline=ctx.days(rule.deadline_days), days=ctx.days(path.days),
            over=ctx.days(over), start=ctx.step_q(rule.from_step), end=ctx.step_q(rule.to_step),
            waits=wait_text or "-", who=decider.who, home=ctx.q(ctx.organisation()), decides=ctx.decides(decider),
            outside=ctx.t.names(list(dict.fromkeys(outside)), "actors"),
        )
        target = decider.target
        yield ctx.finding(
            "T01",
            severity=Severity.HIGH,
            level=level, steps=[rule.from_step, rule.to_step] if rule.from_step != rule.to_step else [rule.from_step],
            message=message, proposal_title=title, proposal_text=text, target=target,
            saving=ctx.saving(lead_days=over),
            facts=Facts(key, rule.deadline_days, path.days, tuple(path.steps)),
        )


# --- the to-be ------------------------------------------------------------------

def apply(ed: Editor, finding: Finding) -> None:
    rule = ed.case.rules.get(finding.facts.rule)
    if rule is None or rule.deadline_days is None or rule.from_step is None or rule.to_step is None:
        return  # the deadline went with a step another proposal removed (logged there)
    graph = CaseGraph(ed.case)  # holds the editor's own steps: it sees every wait cut below
    before = {s.id: s.wait_days for s in ed.case.steps}
    path = graph.longest_path_between(rule.from_step, rule.to_step)
    for floor in (ed.settings.target_wait_days, 0.0):
        while path is not None and path.days > rule.deadline_days:
            # The 'from' step's own wait comes before the deadline starts: it does not count.
            waits = sorted((s for s in path.steps[1:] if graph.steps[s].wait_days > floor),
                           key=lambda s: -graph.steps[s].wait_days)
            if not waits:
                break
            over = path.days - rule.deadline_days
            for step_id in waits:  # longest first, until this path meets the deadline
                wait = graph.steps[step_id].wait_days
                cut = min(over, wait - floor)
                ed.set_wait(step_id, wait - cut, log=False)
                over -= cut
                if over <= 0:
                    break
            # another path may now be the longest: look again
            path = graph.longest_path_between(rule.from_step, rule.to_step)
    for step in ed.case.steps:
        if step.wait_days < before[step.id]:
            ed.say("wait", step=ed.step_name(step.id), old=ed.days(before[step.id]), new=ed.days(step.wait_days))
    if path is not None and path.days > rule.deadline_days:
        ed.say("deadline_not_met", rule=ed.q(rule.name), days=ed.days(path.days), deadline=ed.days(rule.deadline_days))


DETECTOR = Detector(
    "T01", "deadline-exceeded", detect,
    facts=Facts,
    theme="deadlines",
    effect=Effect("meet-deadline", Phase.DEADLINES, apply),
)
