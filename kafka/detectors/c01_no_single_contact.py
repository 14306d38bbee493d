"""C01 no single point of contact: nobody guides the client through the whole
procedure (no actor is a ``case_manager``), while the client's steps involve
3 or more organisations (configurable) (case-format.md 1.1).

The to-be: one trajectbegeleider for the whole path.

The local actor of the organisation that runs the procedure whom the client
meets most becomes the case manager (``case_manager: true``); when no local
actor meets the client, a trajectbegeleider of that organisation is added.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from kafka.detectors.base import Context, Detector, Effect, Phase, level_of
from kafka.administrations import administrations
from kafka.findings import Facts as FindingFacts, Finding, Level, Severity
from kafka.model import ActorLevel
from kafka.output import safe_name
from kafka.settings import threshold

if TYPE_CHECKING:
    from kafka.simulate.editor import Editor


# The administration of the Flemish welfare policy (kafka/data/administrations.yaml).
WELFARE = "departement_wvg"


@dataclass(frozen=True, slots=True)
class Facts(FindingFacts):
    """What C01 found."""

    organisations: tuple[str, ...]  # met in client steps, no case manager among them


def detect(ctx: Context):
    g = ctx.graph
    if any(actor.case_manager for actor in ctx.case.actors.values()):
        return
    steps = [s for s in g.client_steps if g.actor(s).level is not ActorLevel.CLIENT]
    organisations = list(dict.fromkeys(g.organisation(s) for s in steps))
    if len(organisations) < ctx.settings.single_contact_organisations:
        return
    level = level_of(any(g.actor(s).level is ActorLevel.LOCAL for s in steps))
    # Who appoints the case manager: the organisation that runs the procedure.
    home = ctx.organisation()
    if level is Level.LOCAL:
        target = ctx.local_target("organisation", safe_name(home), home, owner=home)
        who = ctx.q(home)
    else:
        # No local service meets the client: one point of contact across care and welfare
        # services is what the Flemish welfare policy organises (the integrated broad
        # intake, the CAW's), whichever public party the client also meets.
        target = ctx.administration_target("organisation", safe_name(home), home, administrations()[WELFARE])
        who = ctx.called(target)
    message, title, text = ctx.texts(
        "C01", level, n=len(organisations), organisations=ctx.org_names(organisations, counted=True), contacts=len(steps),
        who=who, home=ctx.q(home),
    )
    yield ctx.finding(
        "C01",
        severity=Severity.HIGH if len(organisations) >= ctx.settings.single_contact_organisations + 2 else Severity.MEDIUM,
        level=level, steps=steps, message=message,
        proposal_title=title, proposal_text=text, target=target,
        saving=ctx.saving(),
        facts=Facts(tuple(organisations)),
    )


# --- the to-be ------------------------------------------------------------------

def apply(ed: Editor, finding: Finding) -> None:
    if any(actor.case_manager for actor in ed.case.actors.values()):
        return
    candidates = [ed.as_is.steps[s].actor for s in finding.steps]
    key = ed.appoint_case_manager(candidates)
    ed.say("case_manager", actor=ed.q(ed.case.actors[key].name))


DETECTOR = Detector(
    "C01", "no-single-point-of-contact", detect,
    facts=Facts,
    theme="coordination",
    settings=(threshold("single_contact_organisations", 3,
                        "C01: client steps at this many organisations or more, and no case manager", 2),),
    effect=Effect("trajectbegeleider", Phase.CONTACTS, apply),
)
