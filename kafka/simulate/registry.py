"""The effects of the proposals: one module per finding code, in this explicit registry.

The registry's order is the order in which the effects are applied, and it
differs from the detectors' on purpose: first what is asked (D01, D02, D03,
then the forms and the application, P03 and P02), then the client's contacts
(S01, S02), then the flow (L01, P01), and the waits last (T02, then T01),
because a deadline can only be checked on the final flow.
"""

from kafka.simulate import (
    d01_ask_once,
    d02_consult_source,
    d03_drop_unused,
    l01_checklist,
    p01_one_assessment,
    p02_automatic_granting,
    p03_shorter_form,
    s01_one_story,
    s02_one_place,
    t01_meet_deadline,
    t02_shorter_wait,
)
from kafka.simulate.base import Effect

REGISTRY: tuple[Effect, ...] = (
    d01_ask_once.EFFECT,
    d02_consult_source.EFFECT,
    d03_drop_unused.EFFECT,
    p03_shorter_form.EFFECT,
    p02_automatic_granting.EFFECT,
    s01_one_story.EFFECT,
    s02_one_place.EFFECT,
    l01_checklist.EFFECT,
    p01_one_assessment.EFFECT,
    t02_shorter_wait.EFFECT,
    t01_meet_deadline.EFFECT,
)

EFFECTS: dict[str, Effect] = {e.code: e for e in REGISTRY}
