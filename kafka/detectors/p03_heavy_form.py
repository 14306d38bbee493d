"""P03 heavy form: a form has 15 or more fields, or 3 or more attachments (configurable).

The to-be: a shorter form: the parts that can go, go.

Those are the items the detector found removable: kept in an authentic
source, used by no step, or already asked in an earlier step. When that is
not enough to make the form light, the finding stays in the to-be.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from kafka.detectors.base import Context, Detector, Effect, Phase, level_of
from kafka.findings import Facts as FindingFacts, Finding, Part, Plan, Severity
from kafka.settings import threshold

if TYPE_CHECKING:
    from kafka.simulate.editor import Editor


@dataclass(frozen=True, slots=True)
class Facts(FindingFacts):
    """What P03 found about one form."""

    fields: int
    attachments: int
    removable: tuple[str, ...]  # items that could go: sourced, unused, or asked before


def detect(ctx: Context):
    g = ctx.graph
    s = ctx.settings
    for key, form in ctx.case.forms.items():
        too_many_fields = len(form.fields) >= s.heavy_form_fields
        too_many_attachments = len(form.attachments) >= s.heavy_form_attachments
        steps = g.form_steps(key)
        if not (too_many_fields or too_many_attachments) or not steps:
            continue
        level = level_of(g.form_local(key))
        decider = ctx.decider(level, "form", key, form.name, steps, organisations=[ctx.case.actors[form.owner].org])
        removable = _removable(ctx, key, steps)
        parts = [Part(step, g.fact(item), *_item_cost(ctx, step, item)) for step in steps for item in removable]
        t = ctx.t
        if removable:
            parts_text = t.n("findings.P03.removable", len(removable), items=ctx.item_names(removable, counted=True))
        else:
            parts_text = t("findings.P03.none_removable")
        message, title, text = ctx.texts(
            "P03", level, variant=decider.variant, form=ctx.q(form.name),
            fields=t.n("findings.P03.fields", len(form.fields)),
            attachments=t.n("findings.P03.attachments", len(form.attachments)),
            removable=parts_text, who=decider.who, decides=ctx.decides(decider),
        )
        target = decider.target
        yield ctx.finding(
            "P03",
            severity=Severity.HIGH if too_many_fields and too_many_attachments else Severity.MEDIUM,
            level=level, steps=steps, message=message,
            proposal_title=title, proposal_text=text, target=target,
            plan=Plan(tuple(parts)),
            facts=Facts(len(form.fields), len(form.attachments), tuple(removable)),
        )


def _item_cost(ctx: Context, step_id: str, item: str) -> tuple[float, float]:
    """Client and staff minutes of one part of the form at a step: a paper costs more than a question."""
    return ctx.minutes(step_id).items.get(item, (0.0, 0.0))


def _removable(ctx: Context, form_key: str, steps: list[str]) -> list[str]:
    """Items of the form that could go: their fact is kept in an authentic source (prefill
    it), already asked in an earlier step (take it from the file), or used by no step.
    Being unused alone is no reason for an item a rule requires on the form (its
    ``basis``), one that identifies the client (it stays) or a sensitive one (asked only
    when needed, with consent): kafka.nature says which."""
    g = ctx.graph
    form = ctx.case.forms[form_key]
    first = min(g.order[s] for s in steps)
    out = []
    for item in dict.fromkeys(form.fields + form.attachments):
        fact = g.fact(item)
        earlier = any(g.order[a] < first for a in g.fact_askers.get(fact, []))
        unused = (bool(g.fact_users) and fact not in g.fact_users and item not in form.basis
                  and not g.identifies(fact) and not g.is_sensitive(fact))
        if g.source_key(item) or unused or earlier:
            out.append(item)
    return out


# --- the to-be ------------------------------------------------------------------

def apply(ed: Editor, finding: Finding) -> None:
    form_key = finding.proposal.target.id
    name = ed.analysis.case.forms[form_key].name if form_key in ed.analysis.case.forms else form_key
    removed: dict[str, None] = {}
    for key in ed.forms_from(form_key):
        removed.update(dict.fromkeys(ed.drop_from_form(key, finding.facts.removable)))
    if removed:
        ed.say("form_shorter", form=ed.q(name), items=ed.item_names(removed))


DETECTOR = Detector(
    "P03", "heavy-form", detect,
    facts=Facts,
    theme="forms",
    settings=(
        threshold("heavy_form_fields", 15, "P03: a form with this many fields or more", 1),
        threshold("heavy_form_attachments", 3, "P03: a form with this many attachments or more", 1),
    ),
    effect=Effect("shorter-form", Phase.FORM, apply),
)
