"""S02 counter hopping: the client visits three or more organisations in person.

The to-be: bring the visits together in one place.

The client still goes in person to one organisation: the one that runs the
procedure (or, when the client never visits it, the one visited most). The
visits to the others that exchange information (data asked, brought or
handed out, the story told, a referral, a form, a paper) become a call, or
an online exchange for papers: the trip (``trip_client_minutes``) goes, the
contact itself stays. A visit that needs the client there stays in person:
a shelter intake, a medical examination, a placement, a hospital discharge,
a home visit, showing an identity card (``presence_required``, see
kafka.nature), or a contact that exchanges no information, such as fetching
medicines or a food parcel. When such visits keep three organisations apart,
the finding stays too. The proposal's text names the visits that can go
remote and those that stay, exactly as the to-be does.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kafka.detectors.base import Context, Detector, Effect, Phase
from kafka.findings import Facts as FindingFacts, Finding, Level, Part, Plan, Severity
from kafka.graph import CaseGraph
from kafka.model import StepKind
from kafka.settings import threshold

if TYPE_CHECKING:
    from kafka.simulate.editor import Editor


@dataclass(frozen=True, slots=True)
class Facts(FindingFacts):
    """What S02 found."""

    organisations: tuple[str, ...]  # visited in person, in order of the first visit
    home: str  # the organisation the client still visits
    remote: tuple[str, ...]  # visits elsewhere that can be a call or an online exchange
    stay: tuple[str, ...]  # visits elsewhere that stay in person (the client must be there)


def detect(ctx: Context):
    g = ctx.graph
    steps = g.in_person_steps
    organisations = list(dict.fromkeys(g.organisation(s) for s in steps))
    if len(organisations) < ctx.settings.counter_hopping_organisations:
        return
    decider = ctx.journey_decider(steps)
    level = Level.SUPRALOCAL if decider.variant == "supralocal" else Level.LOCAL
    home, remote, stay = sort_visits(g, steps)
    t = ctx.t
    message, title, text = ctx.texts(
        "S02", level, variant=decider.variant, n=len(organisations), organisations=ctx.org_names(organisations, counted=True),
        visits=len(steps), who=decider.who, home=ctx.q(home), decides=ctx.decides(decider),
        remote=t("findings.S02.remote", steps=ctx.step_names(remote)) if remote else "",
        stay=t("findings.S02.stay", steps=ctx.step_names(stay)) if stay else "",
    )
    yield ctx.finding(
        "S02",
        severity=Severity.HIGH if len(organisations) >= 4 else Severity.MEDIUM,
        level=level, steps=steps, message=message,
        proposal_title=title, proposal_text=text, target=decider.target,
        plan=Plan(tuple(Part(s, "trip", *ctx.minutes(s).trip) for s in remote)),
        facts=Facts(tuple(organisations), home, tuple(remote), tuple(stay)),
    )


# Kinds of step that exchange information by their nature.
_INFORMATION_KINDS = (StepKind.DOCUMENT, StepKind.FORM, StepKind.REFERRAL, StepKind.NOTIFICATION)


def sort_visits(g: CaseGraph, visits: list[str]) -> tuple[str, list[str], list[str]]:
    """The organisation the client keeps visiting, the visits elsewhere that can be done
    remotely, and those elsewhere that stay in person."""
    org = {s: g.organisation(s) for s in visits}
    home = g.case.case.organisation
    if home not in org.values():
        home = Counter(org[s] for s in visits).most_common(1)[0][0]
    away = [s for s in visits if org[s] != home]
    remote = [s for s in away if _information_only(g, s) and not g.presence_required(s)]
    return home, remote, [s for s in away if s not in remote]


def _information_only(g: CaseGraph, step_id: str) -> bool:
    """Whether the visit, as the case describes it, is there to exchange information."""
    step = g.steps[step_id]
    if step.kind is StepKind.VISIT:
        return False
    return (step.kind in _INFORMATION_KINDS or step.tells_story
            or bool(g.asked_by_step[step_id]) or bool(step.provides))


# --- the to-be ------------------------------------------------------------------

def apply(ed: Editor, finding: Finding) -> None:
    facts: Facts = finding.facts
    for step_id in facts.remote:
        channel = ed.go_remote(step_id)
        if channel is not None:
            ed.say("remote", step=ed.step_name(step_id), channel=ed.t(f"simulate.channel.{channel.value}"))
    staying = [s for s in facts.stay if ed.has_step(s)]
    if staying:
        ed.say("stays_in_person", steps=ed.step_names(staying))


DETECTOR = Detector(
    "S02", "counter-hopping", detect,
    facts=Facts,
    theme="coordination",
    settings=(threshold("counter_hopping_organisations", 3, "S02: in-person visits to this many organisations", 2),),
    effect=Effect("one-place", Phase.CONTACTS, apply),
)
