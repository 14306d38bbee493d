"""S02 counter hopping: the client visits three or more organisations in person.

The to-be: bring the visits together in one place.

The client still goes in person to one organisation: the one that runs the
procedure (or, when the client never visits it, the one visited most). The
visits to the others that exchange information (data asked, brought or
handed out, the story told, a referral, a form, a paper) become a call, or
an online exchange for papers: the trip (``trip_client_minutes``) goes, the
contact itself stays. A visit for a service that needs the client there (a
``visit`` such as a medical examination, or a contact that exchanges no
information, such as fetching medicines or a food parcel) stays in person;
when such visits keep three organisations apart, the finding stays too.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kafka.detectors.base import Context, Detector, Effect, Phase
from kafka.findings import Facts as FindingFacts, Finding, Severity
from kafka.model import StepKind
from kafka.settings import threshold

if TYPE_CHECKING:
    from kafka.simulate.editor import Editor


@dataclass(frozen=True, slots=True)
class Facts(FindingFacts):
    """What S02 found."""

    organisations: tuple[str, ...]  # visited in person, in order of the first visit


def detect(ctx: Context):
    g = ctx.graph
    steps = g.in_person_steps
    organisations = list(dict.fromkeys(g.organisation(s) for s in steps))
    if len(organisations) < ctx.settings.counter_hopping_organisations:
        return
    level, target = ctx.journey_target(steps)
    trips = len(organisations) - 1
    message, title, text = ctx.texts(
        "S02", level, n=len(organisations), organisations=ctx.t.join(organisations),
        visits=len(steps), steps=ctx.step_names(steps), owner=target.owner,
    )
    yield ctx.finding(
        "S02",
        severity=Severity.HIGH if len(organisations) >= 4 else Severity.MEDIUM,
        level=level, steps=steps, message=message,
        proposal_title=title, proposal_text=text, target=target,
        saving=ctx.saving(trips * ctx.settings.trip_client_minutes),
        facts=Facts(tuple(organisations)),
    )


# --- the to-be ------------------------------------------------------------------

# Kinds of step that exchange information by their nature.
_INFORMATION_KINDS = (StepKind.DOCUMENT, StepKind.FORM, StepKind.REFERRAL, StepKind.NOTIFICATION)


def apply(ed: Editor, finding: Finding) -> None:
    visits = [s for s in finding.steps if (step := ed.step(s)) is not None and step.in_person and step.client_minutes > 0]
    if not visits:
        return
    org = {s: ed.case.actors[ed.step(s).actor].org for s in visits}
    home = ed.case.case.organisation
    if home not in org.values():
        home = Counter(org[s] for s in visits).most_common(1)[0][0]
    for step_id in visits:
        if org[step_id] == home or not _information_only(ed, step_id):
            continue
        channel = ed.go_remote(step_id)
        if channel is not None:
            ed.say("remote", step=ed.step_name(step_id), channel=ed.t(f"simulate.channel.{channel.value}"), home=home)


def _information_only(ed: Editor, step_id: str) -> bool:
    """Whether the visit, as the case describes it, is there to exchange information."""
    step = ed.as_is.steps[step_id]
    if step.kind is StepKind.VISIT:
        return False
    return (step.kind in _INFORMATION_KINDS or step.tells_story
            or bool(ed.as_is.asked_by_step[step_id]) or bool(step.provides))


DETECTOR = Detector(
    "S02", "counter-hopping", detect,
    facts=Facts,
    theme="coordination",
    settings=(threshold("counter_hopping_organisations", 3, "S02: in-person visits to this many organisations", 2),),
    effect=Effect("one-place", Phase.CONTACTS, apply),
)
