"""T03 needless sequence -> steps start when what they need is there.

Each step with ``depends_on`` that could start earlier is led to from its
real dependencies instead of from the step before it in the flow, so the
to-be lead time is the lead time of the real dependencies. A step whose
rewiring would make a deadline's path or the lead time longer, or leave a
step or a deadline unreached, keeps its place (the editor checks it), and
the change log says so.
"""

from kafka.findings import Finding
from kafka.simulate.base import Effect
from kafka.simulate.editor import Editor


def apply(ed: Editor, finding: Finding) -> None:
    started, kept = [], []
    for step_id in finding.steps:
        if not ed.has_step(step_id):
            continue
        (started if ed.start_when_ready(step_id) else kept).append(step_id)
    if started:
        ed.say("start_when_ready", steps=ed.step_names(started))
    if kept:
        ed.say("still_in_sequence", steps=ed.step_names(kept))


EFFECT = Effect("T03", "start-when-ready", apply)
