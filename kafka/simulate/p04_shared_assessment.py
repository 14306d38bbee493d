"""P04 overlapping assessments -> one assessment that the other agencies reuse.

The first decision of the group (in file order) assesses; each later one
takes over the facts an earlier one already assessed: it no longer uses
them itself and loses that share of its minutes (the decision itself stays).
"""

from kafka.findings import Finding
from kafka.simulate.base import Effect
from kafka.simulate.editor import Editor


def apply(ed: Editor, finding: Finding) -> None:
    decisions = [s for s in finding.steps if ed.has_step(s)]
    if len(decisions) < 2:
        return
    assessed = set(ed.as_is.facts_used(decisions[0]))
    for step_id in decisions[1:]:
        own = set(ed.as_is.facts_used(step_id))
        taken = ed.reuse_assessment(step_id, assessed)
        if taken:
            ed.say("assessment_reused", step=ed.step_name(step_id), first=ed.step_name(decisions[0]),
                   items=ed.t.join([ed.item_name(f) for f in taken]))
        assessed |= own


EFFECT = Effect("P04", "shared-assessment", apply)
