"""L01 rework loop -> a complete checklist at the first contact: the loop back goes.

The branches that remain carry every case, so their chances grow in
proportion; a step that was only reached by going back goes too.
"""

from kafka.findings import Finding
from kafka.simulate.base import Effect
from kafka.simulate.editor import Editor


def apply(ed: Editor, finding: Finding) -> None:
    for source, target in ed.drop_loops(finding.steps):
        ed.say("loop_gone", source=ed.step_name(source), target=ed.step_name(target))


EFFECT = Effect("L01", "checklist", apply)
