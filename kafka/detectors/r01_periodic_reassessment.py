"""R01 periodic re-assessment: a step that comes back (``repeats_every_days``)
asks the client again for facts that never change (``stable``) or that an
authentic source holds. One finding per step (case-format.md 1.1)."""

from __future__ import annotations

from dataclasses import dataclass

from kafka.detectors.base import Context, Detector, level_of
from kafka.findings import Facts as FindingFacts, Level, Severity


@dataclass(frozen=True, slots=True)
class Facts(FindingFacts):
    """What R01 found about one recurring step."""

    every_days: int
    stable: tuple[str, ...]  # facts asked again that never change
    sourced: tuple[str, ...]  # facts asked again that a source holds


def detect(ctx: Context):
    g = ctx.graph
    for step in ctx.case.steps:
        if not step.repeats_every_days:
            continue
        asked = g.fact_asked_by_step[step.id]
        facts = [f for f in g.data_order(asked) if g.source_key(f) or g.is_stable(f)]
        if not facts:
            continue
        level = level_of(g.steps_local([step.id]))
        stable = [f for f in facts if g.is_stable(f)]
        sourced = [f for f in facts if not g.is_stable(f)]
        sources = list(dict.fromkeys(g.source_of(f).name for f in sourced if g.source_of(f) is not None))
        if level is Level.LOCAL:
            target = ctx.local_target("step", step.id, step.name, owner=g.organisation(step.id))
        else:
            target = ctx.supralocal_target("step", step.id, step.name, [step.id],
                                           sources=[g.source_key(f) for f in sourced])
        t = ctx.t
        message, title, text = ctx.texts(
            "R01", level, step=step.name, every=ctx.days(step.repeats_every_days), items=ctx.item_names(facts),
            stable=t("findings.R01.stable", items=ctx.item_names(stable)) if stable else "",
            sourced=t("findings.R01.sourced", items=ctx.item_names(sourced), sources=t.join(sources)) if sourced else "",
            owner=target.owner,
        )
        # Each time the step comes back: the client no longer brings these; the staff
        # consult the source instead (``consult_staff_minutes``) for the sourced ones.
        consult = ctx.settings.consult_staff_minutes
        parts = []
        for f in facts:
            client, staff = ctx.asking_cost(step.id, f)
            parts.append((step.id, client, staff if f in stable else max(0.0, staff - consult)))
        yield ctx.finding(
            "R01",
            severity=Severity.HIGH if stable else Severity.MEDIUM,
            level=level, steps=[step.id], data=facts, message=message,
            proposal_title=title, proposal_text=text, target=target,
            saving=ctx.step_saving(parts),
            facts=Facts(step.repeats_every_days, tuple(stable), tuple(sourced)),
        )


DETECTOR = Detector(
    "R01", "periodic-reassessment", detect,
    facts=Facts,
)
