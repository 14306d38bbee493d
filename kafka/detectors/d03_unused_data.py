"""D03 unused data: a fact is asked from the client but no step ``uses`` it
(nor a document that proves it).

Only when at least one step declares ``uses``: without any, the case does not
say what the decisions rely on.

The to-be: drop the item nobody uses, at every step and on every form.
Never an item that identifies the client (it stays), nor a sensitive one:
that one is asked only when needed, with consent, which kafka cannot model,
so the to-be keeps it (kafka.nature says which items are which).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from kafka.detectors.base import Action, Context, Detector, Effect, ItemFacts, Phase, level_of
from kafka.findings import Finding, Plan, Severity

if TYPE_CHECKING:
    from kafka.simulate.editor import Editor


@dataclass(frozen=True, slots=True)
class Facts(ItemFacts):
    """What D03 found about one item. Its action: drop it; ask it only when needed, with
    consent (a sensitive item); or keep it (an item that identifies the client)."""

    forms: tuple[str, ...]  # the names of the forms that ask it


def detect(ctx: Context):
    g = ctx.graph
    if not g.fact_users:
        return
    for fact, steps in g.fact_askers.items():
        if fact in g.fact_users:
            continue
        level = level_of(g.steps_local(steps))
        name = ctx.item_name(fact)
        organisations = ctx.organisations_of(steps) + [
            ctx.case.actors[g.form(s).owner].org for s in steps if g.form(s) is not None and _on_form(g, s, fact)
        ]
        decider = ctx.decider(level, "data", fact, name, steps, organisations=organisations)
        forms = [g.form(s).name for s in steps if g.form(s) is not None and _on_form(g, s, fact)]
        forms = list(dict.fromkeys(forms))
        where = ctx.t("findings.D03.on_forms", forms=ctx.t.names(forms)) if forms else ""
        # What never to propose for dropping: what identifies the client, and what is
        # sensitive (asked only when needed, with consent). kafka.nature says which.
        if g.identifies(fact):
            action, variant, plan = Action.KEEP, "keep", None
        elif g.is_sensitive(fact):
            action, variant, plan = Action.LIMIT, "limit", None  # how often it is needed: kafka cannot tell
        else:
            action, variant = Action.DROP, decider.variant
            plan = Plan(tuple(ctx.asking_parts(fact, steps) + ctx.fetch_parts(fact)))
        message, title, text = ctx.texts(
            "D03", level, variant=variant, item=ctx.item_q(fact), label=ctx.fact_label(fact, steps),
            steps=ctx.step_names(steps), who=decider.who, where=where, decides=ctx.decides(decider),
            home=ctx.q(ctx.organisation()),
        )
        document = ctx.is_document(fact, steps)
        yield ctx.finding(
            "D03",
            severity=Severity.MEDIUM if document else Severity.LOW,
            level=level, steps=steps, data=[fact], message=message,
            proposal_title=title, proposal_text=text, target=decider.target, plan=plan,
            facts=Facts(fact=fact, action=action, forms=tuple(forms)),
        )


def _on_form(g, step_id: str, fact: str) -> bool:
    return bool({"field", "attachment"} & set(g.fact_asked_by_step[step_id].get(fact, ())))


# --- the to-be ------------------------------------------------------------------

def apply(ed: Editor, finding: Finding) -> None:
    if finding.facts.action is not Action.DROP:
        return  # kept, or asked only when needed: nothing kafka can take away
    item = finding.data[0]
    done = ed.stop_asking(ed.askers(item), item)
    if done:
        ed.say("dropped_unused", item=ed.item_name(item), steps=ed.step_names(done))


DETECTOR = Detector(
    "D03", "unused-data", detect,
    facts=Facts,
    theme="data_flows",
    effect=Effect("drop-unused", Phase.ASKED, apply),
)
