"""The effects of the proposals: one module per finding code, in this explicit registry.

The registry's order is the order in which the effects are applied, and it
differs from the detectors' on purpose: first what is asked (D04 first, so
that a step that makes a paper an organisation now passes on is kept before
D01-D03 take the paper away; R01 before D01, so a renewal says itself what it
no longer asks; then D01, D02, D03, the forms and the application, P03, P02
and N01), then the client's contacts (S01, S02, C01),
then the flow (L01, P01, P04, T03), and the waits last (T02, then T01),
because a deadline can only be checked on the final flow.
"""

from kafka.simulate import (
    c01_trajectbegeleider,
    d01_ask_once,
    d02_consult_source,
    d03_drop_unused,
    d04_pass_on,
    l01_checklist,
    n01_invite,
    p01_one_assessment,
    p02_automatic_granting,
    p03_shorter_form,
    p04_shared_assessment,
    r01_ask_what_changes,
    s01_one_story,
    s02_one_place,
    t01_meet_deadline,
    t02_shorter_wait,
    t03_start_when_ready,
)
from kafka.simulate.base import Effect

REGISTRY: tuple[Effect, ...] = (
    d04_pass_on.EFFECT,
    r01_ask_what_changes.EFFECT,
    d01_ask_once.EFFECT,
    d02_consult_source.EFFECT,
    d03_drop_unused.EFFECT,
    p03_shorter_form.EFFECT,
    p02_automatic_granting.EFFECT,
    n01_invite.EFFECT,
    s01_one_story.EFFECT,
    s02_one_place.EFFECT,
    c01_trajectbegeleider.EFFECT,
    l01_checklist.EFFECT,
    p01_one_assessment.EFFECT,
    p04_shared_assessment.EFFECT,
    t03_start_when_ready.EFFECT,
    t02_shorter_wait.EFFECT,
    t01_meet_deadline.EFFECT,
)

EFFECTS: dict[str, Effect] = {e.code: e for e in REGISTRY}
