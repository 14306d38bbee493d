"""T03 needless sequence -> steps start when what they need is there.

The steps with ``depends_on`` that could start earlier are led to from their
real dependencies instead of from the step before them in the flow, all at
once, so the to-be lead time is the lead time of the real dependencies. When
that would make a deadline's path or the lead time longer, or leave a step
or a deadline unreached, they move one at a time and a step that cannot
keeps its place (the editor checks it); the change log says so.
"""

from kafka.findings import Finding
from kafka.simulate.base import Effect
from kafka.simulate.editor import Editor


def apply(ed: Editor, finding: Finding) -> None:
    started, kept = ed.start_when_ready(s for s in finding.steps if ed.has_step(s))
    if started:
        ed.say("start_when_ready", steps=ed.step_names(started))
    if kept:
        ed.say("still_in_sequence", steps=ed.step_names(kept))


EFFECT = Effect("T03", "start-when-ready", apply)
