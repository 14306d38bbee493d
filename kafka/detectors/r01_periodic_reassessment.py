"""R01 periodic re-assessment: a step that comes back (``repeats_every_days``)
asks the client again for facts that never change (``stable``) or that an
authentic source holds. One finding per step (case-format.md 1.1).

The to-be: a renewal asks only what can change. What never changes
(``stable``) is taken from the file; what an authentic source holds is
consulted there. The renewal itself stays for what can change.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from kafka.detectors.base import Context, Detector, Effect, Phase, level_of
from kafka.findings import Facts as FindingFacts, Finding, Part, Plan, Severity

if TYPE_CHECKING:
    from kafka.simulate.editor import Editor


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
        # What the OCMW can consult today, and what it needs access to first.
        open_ = [f for f in sourced if g.source_of(f) is not None and g.source_of(f).local_access]
        closed = [f for f in sourced if f not in open_]
        decider = ctx.decider(level, "step", step.id, step.name, [step.id],
                              sources=[g.source_key(f) for f in sourced])
        t = ctx.t
        message, title, text = ctx.texts(
            "R01", level, variant=decider.variant, step=ctx.step_q(step.id), every=ctx.days(step.repeats_every_days),
            items=ctx.fact_labels(facts, [step.id]),
            stable=t("findings.R01.stable", items=ctx.item_names(stable)) if stable else "",
            sourced=(t("findings.R01.sourced", items=ctx.item_names(open_), sources=_source_names(ctx, open_))
                     if open_ else "")
                    + (" " + t("findings.R01.no_access", items=ctx.item_names(closed), sources=_source_names(ctx, closed))
                       if closed else ""),
            who=decider.who, decides=ctx.decides(decider),
        )
        target = decider.target
        # Each time the step comes back: the client no longer brings these; the staff
        # consult the source instead (``consult_staff_minutes``) for the sourced ones.
        consult = ctx.settings.consult_staff_minutes
        parts = []
        for f in facts:
            client, staff = ctx.asking_cost(step.id, f)
            parts.append(Part(step.id, f, client, staff if f in stable else max(0.0, staff - consult)))
        yield ctx.finding(
            "R01",
            severity=Severity.HIGH if stable else Severity.MEDIUM,
            level=level, steps=[step.id], data=facts, message=message,
            proposal_title=title, proposal_text=text, target=target,
            plan=Plan(tuple(parts)),
            facts=Facts(step.repeats_every_days, tuple(stable), tuple(sourced)),
        )


def _source_names(ctx: Context, facts) -> str:
    g = ctx.graph
    return ctx.t.names(list(dict.fromkeys(g.source_of(f).name for f in facts if g.source_of(f) is not None)))


# --- the to-be ------------------------------------------------------------------

def apply(ed: Editor, finding: Finding) -> None:
    """A renewal asks only what can change: what never changes comes from the file,
    what a source holds is consulted there (the staff keep ``consult_staff_minutes``)."""
    step_id = finding.steps[0]
    if not ed.has_step(step_id):
        return
    for fact in finding.facts.stable:
        if ed.stop_asking([step_id], fact):
            ed.say("renewal_from_file", item=ed.item_name(fact), step=ed.step_name(step_id))
    for fact in finding.facts.sourced:
        source = ed.as_is.source_of(fact)
        if ed.stop_asking([step_id], fact, consult_staff_minutes=ed.settings.consult_staff_minutes):
            ed.say("renewal_from_source", item=ed.item_name(fact), step=ed.step_name(step_id),
                   source=ed.q(source.name) if source else "-")


DETECTOR = Detector(
    "R01", "periodic-reassessment", detect,
    facts=Facts,
    theme="data_flows",
    # Before the questions: a renewal says itself what it no longer asks.
    effect=Effect("ask-what-changes", Phase.HANDOVER, apply),
)
