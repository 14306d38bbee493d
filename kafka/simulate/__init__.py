"""The to-be procedure: the proposals of an analysis applied to a copy of its case.

``simulate(analysis, codes=None, level=None)`` takes the chosen proposals
(all by default) and returns a :class:`Scenario`: the as-is and the to-be
metrics, the to-be case (valid, and analysed again) and what each proposal
changed, in words. ``scenarios(analysis)`` gives the two a report shows:
"local" (what the organisation can do on its own) and "all".

Each finding declares the effect of its proposal in its own module (see
:mod:`kafka.detectors`: ``Detector.effect``, applied in the order of their
``Phase``); every effect changes the case through the editor (``editor.py``),
whose primitives only remove or shrink, so the to-be is never worse than the
as-is on any metric of the contract.
"""

from kafka.simulate.scenario import (
    ALL,
    LOCAL,
    SCENARIOS,
    AppliedProposal,
    Scenario,
    metrics_dict,
    scenario_totals,
    scenarios,
    simulate,
)

__all__ = [
    "ALL", "LOCAL", "SCENARIOS", "AppliedProposal", "Scenario",
    "metrics_dict", "scenario_totals", "scenarios", "simulate",
]
