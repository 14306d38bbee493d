"""S02 counter hopping -> bring the visits together in one place.

The client still goes in person to one organisation: the one that runs the
procedure (or, when the client never visits it, the one visited most). The
visits to the others become a call, or an online exchange for papers: the
trip (``trip_client_minutes``) goes, the contact itself stays.
"""

from collections import Counter

from kafka.findings import Finding
from kafka.simulate.base import Effect
from kafka.simulate.editor import Editor


def apply(ed: Editor, finding: Finding) -> None:
    visits = [s for s in finding.steps if (step := ed.step(s)) is not None and step.in_person and step.client_minutes > 0]
    if not visits:
        return
    org = {s: ed.case.actors[ed.step(s).actor].org for s in visits}
    home = ed.case.case.organisation
    if home not in org.values():
        home = Counter(org[s] for s in visits).most_common(1)[0][0]
    for step_id in visits:
        if org[step_id] == home:
            continue
        channel = ed.go_remote(step_id)
        if channel is not None:
            ed.say("remote", step=ed.step_name(step_id), channel=ed.t(f"simulate.channel.{channel.value}"), home=home)


EFFECT = Effect("S02", "one-place", apply)
