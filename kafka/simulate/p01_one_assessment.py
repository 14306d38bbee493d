"""P01 double assessment -> one assessment instead of two: the first decision stays, the others go.

A legal deadline that started or ended at a decision that goes now starts or
ends at the decision that stays ("notify within 8 days of the decision").
"""

from kafka.findings import Finding
from kafka.simulate.base import Effect
from kafka.simulate.editor import Editor


def apply(ed: Editor, finding: Finding) -> None:
    decisions = [s for s in finding.steps if ed.has_step(s)]
    if len(decisions) < 2:
        return
    keep = decisions[0]
    for step_id in decisions[1:]:
        if not ed.can_remove(step_id):
            continue
        ed.move_deadlines(step_id, keep)  # "decide within 30 days" now holds for the decision that stays
        if ed.remove_step(step_id, reason=None):
            ed.say("one_assessment", step=ed.step_name(step_id), keep=ed.step_name(keep))


EFFECT = Effect("P01", "one-assessment", apply)
