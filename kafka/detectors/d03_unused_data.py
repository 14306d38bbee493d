"""D03 unused data: a fact is asked from the client but no step ``uses`` it
(nor a document that proves it).

Only when at least one step declares ``uses``: without any, the case does not
say what the decisions rely on.
"""

from kafka.detectors.base import Context, Detector, level_of
from kafka.findings import Severity


def detect(ctx: Context):
    g = ctx.graph
    if not g.fact_users:
        return
    for fact, steps in g.fact_askers.items():
        if fact in g.fact_users:
            continue
        level = level_of(g.steps_local(steps))
        name = ctx.item_name(fact)
        target = ctx.target(level, "data", fact, name, steps)
        forms = [g.form(s).name for s in steps if g.form(s) is not None and _on_form(g, s, fact)]
        where = ctx.t("findings.D03.on_forms", forms=ctx.t.join(list(dict.fromkeys(forms)))) if forms else ""
        message, title, text = ctx.texts(
            "D03", level, item=name, label=ctx.fact_label(fact, steps), steps=ctx.step_names(steps),
            owner=target.owner, where=where,
        )
        document = ctx.is_document(fact, steps)
        yield ctx.finding(
            "D03",
            severity=Severity.MEDIUM if document else Severity.LOW,
            level=level, steps=steps, data=[fact], message=message,
            proposal_title=title, proposal_text=text, target=target,
            saving=ctx.step_saving(ctx.asking_parts(fact, steps)),
        )


def _on_form(g, step_id: str, fact: str) -> bool:
    return bool({"field", "attachment"} & set(g.fact_asked_by_step[step_id].get(fact, ())))


DETECTOR = Detector("D03", "unused-data", detect)
