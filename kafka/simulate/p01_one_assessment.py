"""P01 double assessment -> one assessment instead of two: the first decision stays, the others go."""

from kafka.findings import Finding
from kafka.simulate.base import Effect
from kafka.simulate.editor import Editor


def apply(ed: Editor, finding: Finding) -> None:
    decisions = [s for s in finding.steps if ed.has_step(s)]
    if len(decisions) < 2:
        return
    keep = decisions[0]
    for step_id in decisions[1:]:
        if ed.remove_step(step_id, reason=None):
            ed.say("one_assessment", step=ed.step_name(step_id), keep=ed.step_name(keep))


EFFECT = Effect("P01", "one-assessment", apply)
