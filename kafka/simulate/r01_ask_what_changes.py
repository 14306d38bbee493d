"""R01 periodic re-assessment -> a renewal asks only what can change.

What never changes (``stable``) is taken from the file; what an authentic
source holds is consulted there (the staff keep ``consult_staff_minutes``).
The renewal itself stays for what can change.
"""

from kafka.findings import Finding
from kafka.simulate.base import Effect
from kafka.simulate.editor import Editor


def apply(ed: Editor, finding: Finding) -> None:
    step_id = finding.steps[0]
    if not ed.has_step(step_id):
        return
    for fact in finding.facts.get("stable", []):
        if ed.stop_asking([step_id], fact):
            ed.say("renewal_from_file", item=ed.item_name(fact), step=ed.step_name(step_id))
    for fact in finding.facts.get("sourced", []):
        source = ed.as_is.source_of(fact)
        if ed.stop_asking([step_id], fact, consult_staff_minutes=ed.settings.consult_staff_minutes):
            ed.say("renewal_from_source", item=ed.item_name(fact), step=ed.step_name(step_id),
                   source=source.name if source else "-")


EFFECT = Effect("R01", "ask-what-changes", apply)
