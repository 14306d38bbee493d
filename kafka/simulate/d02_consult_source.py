"""D02 authentic source ignored -> consult the source instead of asking the client.

The client no longer answers or brings the item anywhere; the staff keep
``consult_staff_minutes`` of the time they saved, for the consultation.
A trip that only fetched the paper goes with it (see the editor).
"""

from kafka.findings import Finding
from kafka.simulate.base import Effect
from kafka.simulate.editor import Editor


def apply(ed: Editor, finding: Finding) -> None:
    item = finding.data[0]
    source = ed.as_is.source_of(item)
    done = ed.stop_asking(ed.askers(item), item, consult_staff_minutes=ed.settings.consult_staff_minutes)
    if done:
        ed.say("consulted", item=ed.item_name(item), source=source.name if source else "", steps=ed.step_names(done))


EFFECT = Effect("D02", "consult-source", apply)
