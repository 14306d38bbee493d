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

from kafka.detectors.base import Context, Detector, Effect, Phase, level_of
from kafka.findings import Facts as FindingFacts, Finding, Severity
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
        ed.say("deadline_not_met", rule=rule.name, days=ed.days(path.days), deadline=ed.days(rule.deadline_days))


DETECTOR = Detector(
    "T01", "deadline-exceeded", detect,
    facts=Facts,
    theme="deadlines",
    effect=Effect("meet-deadline", Phase.DEADLINES, apply),
)
