"""D01 repeated question -> ask the item once and reuse it.

The first step that asks the item keeps asking it; every later step takes it
from the file instead, so the client and the staff lose that question or
paper there. A step left with nothing to hand over goes (see the editor).
"""

from kafka.findings import Finding
from kafka.simulate.base import Effect
from kafka.simulate.editor import Editor


def apply(ed: Editor, finding: Finding) -> None:
    item = finding.data[0]
    askers = ed.askers(item)
    if len(askers) < 2:
        return
    done = ed.stop_asking(askers[1:], item)
    if done:
        ed.say("asked_once", item=ed.item_name(item), first=ed.step_name(askers[0]), steps=ed.step_names(done))


EFFECT = Effect("D01", "ask-once", apply)
