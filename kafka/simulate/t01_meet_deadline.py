"""T01 deadline exceeded -> cut the waits on the way until the deadline is met.

The longest waits between the rule's ``from`` and ``to`` steps go first, each
down to ``target_wait_days``; when that is not enough, further, down to
zero. Only waits are cut, never the time the steps themselves take: when the
steps alone already take longer than the deadline, the finding stays, and
the change log says so.
"""

from kafka.findings import Finding
from kafka.graph import CaseGraph
from kafka.simulate.base import Effect
from kafka.simulate.editor import Editor, days_text


def apply(ed: Editor, finding: Finding) -> None:
    rule = ed.case.rules.get(finding.facts.get("rule", ""))
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
            ed.say("wait", step=ed.step_name(step.id), old=days_text(before[step.id]), new=days_text(step.wait_days))
    if path is not None and path.days > rule.deadline_days:
        ed.say("deadline_not_met", rule=rule.name, days=days_text(path.days), deadline=days_text(rule.deadline_days))


EFFECT = Effect("T01", "meet-deadline", apply)
