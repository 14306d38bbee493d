"""The red-tape detectors: one module per finding code, in this explicit registry.

Codes are stable and never reused. To add a detector: write a module with a
``DETECTOR = Detector(code, name, detect)`` and list it here.
"""

from kafka.detectors import (
    c01_no_single_contact,
    d01_repeated_question,
    d02_authentic_source,
    d03_unused_data,
    d04_client_as_courier,
    l01_rework_loop,
    n01_non_take_up,
    p01_double_assessment,
    p02_automatic_granting,
    p03_heavy_form,
    p04_overlapping_assessments,
    r01_periodic_reassessment,
    s01_repeated_story,
    s02_counter_hopping,
    t01_deadline_exceeded,
    t02_long_wait,
    t03_needless_sequence,
)
from kafka.detectors.base import Context, Detector

REGISTRY: tuple[Detector, ...] = (
    d01_repeated_question.DETECTOR,
    d02_authentic_source.DETECTOR,
    d03_unused_data.DETECTOR,
    s01_repeated_story.DETECTOR,
    s02_counter_hopping.DETECTOR,
    t01_deadline_exceeded.DETECTOR,
    t02_long_wait.DETECTOR,
    l01_rework_loop.DETECTOR,
    p01_double_assessment.DETECTOR,
    p02_automatic_granting.DETECTOR,
    p03_heavy_form.DETECTOR,
    # version 1.1 of the contract
    d04_client_as_courier.DETECTOR,
    r01_periodic_reassessment.DETECTOR,
    t03_needless_sequence.DETECTOR,
    p04_overlapping_assessments.DETECTOR,
    n01_non_take_up.DETECTOR,
    c01_no_single_contact.DETECTOR,
)

CODES: tuple[str, ...] = tuple(d.code for d in REGISTRY)


def selected(select: tuple[str, ...] = (), ignore: tuple[str, ...] = ()) -> list[Detector]:
    """The detectors whose code starts with a prefix in ``select`` (all when
    empty) and with none in ``ignore``; prefixes are case-insensitive."""
    sel = tuple(p.upper() for p in select)
    ign = tuple(p.upper() for p in ignore)
    return [
        d for d in REGISTRY
        if (not sel or d.code.startswith(sel)) and not (ign and d.code.startswith(ign))
    ]


__all__ = ["CODES", "REGISTRY", "Context", "Detector", "selected"]
