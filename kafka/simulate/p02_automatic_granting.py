"""P02 automatic granting possible -> the organisation grants on the sources' data.

The procedure is then started by the organisation (``initiated_by:
organisation``), and the client's steps no longer ask the decision's items:
the staff consult the sources (``consult_staff_minutes``). An application
step left with nothing else to do goes.
"""

from kafka.findings import Finding
from kafka.simulate.base import Effect
from kafka.simulate.editor import Editor


def apply(ed: Editor, finding: Finding) -> None:
    decision = finding.steps[0]
    application = finding.facts.get("application_steps", [])
    sources = [ed.as_is.sources[key].name for key in finding.facts.get("sources", []) if key in ed.as_is.sources]
    if ed.case.case.initiated_by != "organisation":
        ed.case.case.initiated_by = "organisation"
        ed.say("automatic", step=ed.step_name(decision), sources=ed.t.join(sources))
    for item in finding.data:
        done = ed.stop_asking(application, item, consult_staff_minutes=ed.settings.consult_staff_minutes)
        if done:
            ed.say("not_asked", item=ed.item_name(item), steps=ed.step_names(done))
    for step_id in application:
        step = ed.step(step_id)
        # An application that asks nothing any more, and does nothing else, falls away.
        if step is not None and not (ed.asked(step) or step.tells_story or step.provides or step.uses or step.rule):
            ed.remove_step(step_id, reason="step_application_gone")


EFFECT = Effect("P02", "automatic-granting", apply)
