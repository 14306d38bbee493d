"""D03 unused data -> drop the item nobody uses, at every step and on every form."""

from kafka.findings import Finding
from kafka.simulate.base import Effect
from kafka.simulate.editor import Editor


def apply(ed: Editor, finding: Finding) -> None:
    item = finding.data[0]
    done = ed.stop_asking(ed.askers(item), item)
    if done:
        ed.say("dropped_unused", item=ed.item_name(item), steps=ed.step_names(done))


EFFECT = Effect("D03", "drop-unused", apply)
