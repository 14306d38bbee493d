"""R01 periodic re-assessment: a step that comes back (``repeats_every_days``)
asks the client again for facts that never change (``stable``) or that an
authentic source holds. One finding per step (case-format.md 1.1)."""

from kafka.detectors.base import Context, Detector, level_of
from kafka.findings import Level, Severity


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
        if level is Level.LOCAL:
            target = ctx.local_target("step", step.id, step.name, owner=g.organisation(step.id))
        else:
            target = ctx.supralocal_target("step", step.id, step.name, [step.id],
                                           sources=[g.source_key(f) for f in sourced])
        t = ctx.t
        message, title, text = ctx.texts(
            "R01", level, step=step.name, every=ctx.days(step.repeats_every_days),
            items=ctx.fact_labels(facts, [step.id]),
            stable=t("findings.R01.stable", items=ctx.item_names(stable)) if stable else "",
            sourced=(t("findings.R01.sourced", items=ctx.item_names(open_), sources=_source_names(g, t, open_))
                     if open_ else "")
                    + (" " + t("findings.R01.no_access", items=ctx.item_names(closed), sources=_source_names(g, t, closed))
                       if closed else ""),
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
            facts={"every_days": step.repeats_every_days, "stable": stable, "sourced": sourced},
        )


def _source_names(g, t, facts) -> str:
    return t.join(list(dict.fromkeys(g.source_of(f).name for f in facts if g.source_of(f) is not None)))


DETECTOR = Detector("R01", "periodic-reassessment", detect)
