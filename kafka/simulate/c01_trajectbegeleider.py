"""C01 no single point of contact -> one trajectbegeleider for the whole path.

The local actor of the organisation that runs the procedure whom the client
meets most becomes the case manager (``case_manager: true``); when no local
actor meets the client, a trajectbegeleider of that organisation is added.
"""

from kafka.findings import Finding
from kafka.simulate.base import Effect
from kafka.simulate.editor import Editor


def apply(ed: Editor, finding: Finding) -> None:
    if any(actor.case_manager for actor in ed.case.actors.values()):
        return
    candidates = [ed.as_is.steps[s].actor for s in finding.steps]
    key = ed.appoint_case_manager(candidates)
    ed.say("case_manager", actor=ed.case.actors[key].name)


EFFECT = Effect("C01", "trajectbegeleider", apply)
