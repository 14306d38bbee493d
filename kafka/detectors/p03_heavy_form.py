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
from kafka.findings import Facts as FindingFacts, Finding, Severity
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
        target = ctx.target(level, "form", key, form.name, steps, owner=ctx.case.actors[form.owner].org)
        removable = _removable(ctx, key, steps)
        parts = [(step, *_item_cost(ctx, step, item)) for step in steps for item in removable]
        message, title, text = ctx.texts(
            "P03", level, form=form.name, fields=len(form.fields), attachments=len(form.attachments),
            removable=len(removable), items=ctx.item_names(removable) or "-", owner=target.owner,
        )
        yield ctx.finding(
            "P03",
            severity=Severity.HIGH if too_many_fields and too_many_attachments else Severity.MEDIUM,
            level=level, steps=steps, message=message,
            proposal_title=title, proposal_text=text, target=target,
            saving=ctx.step_saving(parts),
            facts=Facts(len(form.fields), len(form.attachments), tuple(removable)),
        )


def _item_cost(ctx: Context, step_id: str, item: str) -> tuple[float, float]:
    """Client and staff minutes of one part of the form at a step: a paper costs more than a question."""
    ways = ctx.graph.asked_by_step[step_id].get(item, ())
    s = ctx.settings
    if "attachment" in ways or "brings" in ways:
        return s.document_client_minutes, s.document_staff_minutes
    return s.question_client_minutes, s.question_staff_minutes


def _removable(ctx: Context, form_key: str, steps: list[str]) -> list[str]:
    """Items of the form that could go: their fact is kept in an authentic source,
    used by no step (unless a rule requires it on the form: its ``basis``), or already
    asked in an earlier step."""
    g = ctx.graph
    form = ctx.case.forms[form_key]
    first = min(g.order[s] for s in steps)
    out = []
    for item in dict.fromkeys(form.fields + form.attachments):
        fact = g.fact(item)
        earlier = any(g.order[a] < first for a in g.fact_askers.get(fact, []))
        unused = bool(g.fact_users) and fact not in g.fact_users and item not in form.basis
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
        ed.say("form_shorter", form=name, items=ed.t.join([ed.item_name(i) for i in removed]))


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
