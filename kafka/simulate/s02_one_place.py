"""S02 counter hopping -> bring the visits together in one place.

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

from collections import Counter

from kafka.findings import Finding
from kafka.model import StepKind
from kafka.simulate.base import Effect
from kafka.simulate.editor import Editor

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


EFFECT = Effect("S02", "one-place", apply)
