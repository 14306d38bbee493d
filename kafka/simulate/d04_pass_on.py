"""D04 client as courier -> the organisations pass the paper on; the client no longer carries it.

The asking steps no longer ask the client for it (the staff still receive it,
now directly: they keep their minutes); the steps that make it stay, even
when the client no longer takes it with them (the discharge still happens).
"""

from kafka.findings import Finding
from kafka.simulate.base import Effect
from kafka.simulate.editor import Editor


def apply(ed: Editor, finding: Finding) -> None:
    fact = finding.data[0]
    makers = [s for s in finding.facts.get("providers", []) if ed.has_step(s)]
    for step_id in makers:
        ed.keep(step_id)
    carried = finding.facts.get("askers", [])
    done = ed.stop_asking(carried, fact, keep_staff=True)
    if done:
        graph = ed.as_is
        ed.say("passed_on", item=ed.item_name(fact), steps=ed.step_names(done),
               makers=ed.t.join(list(dict.fromkeys(graph.organisation(s) for s in makers))) or "-",
               askers=ed.t.join(list(dict.fromkeys(graph.organisation(s) for s in done))))


EFFECT = Effect("D04", "pass-on", apply)
