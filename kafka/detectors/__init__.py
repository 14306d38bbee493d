"""The red-tape detectors: one module per finding code, in this explicit registry.

Codes are stable and never reused. To add a detector: write a module with a
``DETECTOR = Detector(code, name, detect)`` and list it here.
"""

from kafka.detectors import (
    d01_repeated_question,
    d02_authentic_source,
    d03_unused_data,
    l01_rework_loop,
    p01_double_assessment,
    p02_automatic_granting,
    p03_heavy_form,
    s01_repeated_story,
    s02_counter_hopping,
    t01_deadline_exceeded,
    t02_long_wait,
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
