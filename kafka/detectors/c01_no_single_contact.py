"""C01 no single point of contact: nobody guides the client through the whole
procedure (no actor is a ``case_manager``), while the client's steps involve
3 or more organisations (configurable) (case-format.md 1.1)."""

from __future__ import annotations

from dataclasses import dataclass

from kafka.detectors.base import Context, Detector, level_of
from kafka.findings import Facts as FindingFacts, Level, Severity, Target
from kafka.model import ActorLevel
from kafka.output import safe_name
from kafka.settings import threshold


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
    if level is Level.LOCAL:
        local = next(s for s in steps if g.actor(s).level is ActorLevel.LOCAL)
        home = ctx.organisation() if ctx.organisation() in organisations else g.organisation(local)
        target = ctx.local_target("organisation", safe_name(home), home, owner=home)
    else:
        outsider = next((s for s in steps if not g.actor_local(g.steps[s].actor)), None)
        if outsider is not None:
            target = ctx.supralocal_target("actor", g.steps[outsider].actor, g.actor(outsider).name, steps,
                                           actors_only=True)
        else:  # only private parties (care providers, a bank): coordinating care is a Flemish matter
            first = organisations[0]
            target = Target("organisation", safe_name(first), first, ctx.government_name("flemish"), "flemish")
    message, title, text = ctx.texts(
        "C01", level, n=len(organisations), organisations=ctx.t.join(organisations), contacts=len(steps),
        owner=target.owner,
    )
    yield ctx.finding(
        "C01",
        severity=Severity.HIGH if len(organisations) >= ctx.settings.single_contact_organisations + 2 else Severity.MEDIUM,
        level=level, steps=steps, message=message,
        proposal_title=title, proposal_text=text, target=target,
        saving=ctx.saving(),
        facts=Facts(tuple(organisations)),
    )


DETECTOR = Detector(
    "C01", "no-single-point-of-contact", detect,
    facts=Facts,
    settings=(threshold("single_contact_organisations", 3, "C01: client steps at this many organisations or more, and no case manager", 2),),
)
