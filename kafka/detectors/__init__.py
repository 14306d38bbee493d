"""The findings: one module per code, in this explicit registry.

Codes are stable and never reused. Each module declares its finding in one
place (``DETECTOR = Detector(code, name, detect, effect=..., settings=...,
facts=...)``, see :mod:`kafka.detectors.base`); its texts live in the
catalogues. To add a finding: write its module, add its texts to
``kafka/locale/{nl,en}/findings.yaml`` (and ``simulate.yaml`` for what its
effect says), and list it here. docs/architecture.md shows an example.
"""

from typing import Iterable

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
from kafka.detectors.base import Context, Detector, Effect, Phase
from kafka.errors import UsageProblem

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
BY_CODE: dict[str, Detector] = {d.code: d for d in REGISTRY}


def codes_matching(prefixes: Iterable[str]) -> tuple[str, ...]:
    """The codes that start with any of ``prefixes`` (case-insensitive), in registry order.

    Every place that takes codes from a user (--select, --ignore, simulate
    --apply) goes through here: a prefix that matches no code is a typo, not
    an empty selection, and raises :class:`UsageProblem`.
    """
    wanted = tuple(p.strip().upper() for p in prefixes)
    for prefix in wanted:
        if not prefix or not any(code.startswith(prefix) for code in CODES):
            raise UsageProblem(f"'{prefix}' matches no finding code ({', '.join(CODES)})")
    return tuple(code for code in CODES if code.startswith(wanted)) if wanted else ()


def selected(select: Iterable[str] = (), ignore: Iterable[str] = ()) -> list[Detector]:
    """The detectors whose code starts with a prefix in ``select`` (all when
    empty) and with none in ``ignore``."""
    chosen = set(codes_matching(select)) if tuple(select) else set(CODES)
    chosen -= set(codes_matching(ignore))
    return [d for d in REGISTRY if d.code in chosen]


def effect_order() -> list[Detector]:
    """The detectors whose proposals change the to-be, in the order their effects apply."""
    with_effect = [d for d in REGISTRY if d.effect is not None]
    return sorted(with_effect, key=lambda d: d.effect.phase)  # stable: registry order within a phase


__all__ = ["BY_CODE", "CODES", "REGISTRY", "Context", "Detector", "Effect", "Phase", "codes_matching",
           "effect_order", "selected"]
