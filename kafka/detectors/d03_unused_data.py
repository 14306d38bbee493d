"""D03 unused data: a fact is asked from the client but no step ``uses`` it
(nor a document that proves it).

Only when at least one step declares ``uses``: without any, the case does not
say what the decisions rely on.

The to-be: drop the item nobody uses, at every step and on every form.
Never an item that identifies the client (it stays), nor a sensitive one:
that one is asked only when needed, with consent, which kafka cannot model,
so the to-be keeps it (kafka.nature says which items are which).

**A rule that requires it.** A form can say which rule requires which of its
fields (``basis``, a kafka extension). Where a rule requires the item, the
finding still fires (the contract's condition is about use, not law), but its
proposal does not drop it there: it asks whoever owns the rule whether the
rule still needs it, and drops it only at the other steps. The facts say
which rules and steps, so the to-be and the forms review hold back too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from kafka.administrations import find_administration
from kafka.detectors.base import Action, Context, Detector, Effect, ItemFacts, Phase, level_of
from kafka.findings import Finding, Plan, Severity
from kafka.model import GovernmentLevel

if TYPE_CHECKING:
    from kafka.simulate.editor import Editor


@dataclass(frozen=True, slots=True)
class Facts(ItemFacts):
    """What D03 found about one item. Its action: drop it; ask it only when needed, with
    consent (a sensitive item); or keep it (an item that identifies the client, or one a
    rule requires at every step that asks it)."""

    forms: tuple[str, ...]  # the names of the forms that ask it
    required_by: tuple[str, ...] = ()  # rule ids that require it on a form (the form's basis)
    required_at: tuple[str, ...] = ()  # the steps whose form a rule makes ask it: never dropped there

    @property
    def stands_apart(self) -> bool:
        # Whether the rule still needs it is asked by no other proposal: it stands beside them.
        return bool(self.required_by)


def detect(ctx: Context):
    g = ctx.graph
    if not g.fact_users:
        return
    for fact, steps in g.fact_askers.items():
        if fact in g.fact_users:
            continue
        level = level_of(g.steps_local(steps))
        name = ctx.item_name(fact)
        on_forms = [g.form(s) for s in steps if g.form(s) is not None and _on_form(g, s, fact)]
        organisations = ctx.organisations_of(steps) + [ctx.case.actors[form.owner].org for form in on_forms]
        decider = ctx.decider(level, "data", fact, name, steps, organisations=organisations)
        forms = list(dict.fromkeys(form.name for form in on_forms))
        where = ctx.t("findings.D03.on_forms", forms=ctx.t.names(forms)) if forms else ""
        requiring = {s: g.rules_requiring(s, fact) for s in steps}  # asked once per step
        required_by = list(dict.fromkeys(r for s in steps for r in requiring[s]))
        required_at = [s for s in steps if requiring[s]]
        droppable = [s for s in steps if s not in required_at]
        extra = {}
        # What never to propose for dropping: what identifies the client, what a rule
        # requires (asked of the rule's owner), and what is sensitive (asked only when
        # needed, with consent). kafka.nature says which items are which.
        if g.identifies(fact):
            action, variant, plan = Action.KEEP, "keep", None
        elif required_by:
            # Not dropped where the rule requires it: the proposal asks the rule's owner; it
            # takes no action over the others about the item (it keeps), and drops it only
            # at the steps the rule does not reach.
            action, variant = Action.KEEP, "required"
            plan = Plan(tuple(ctx.asking_parts(fact, droppable))) if droppable else None
            extra = _required_texts(ctx, required_by, droppable)
        elif g.is_sensitive(fact):
            action, variant, plan = Action.LIMIT, "limit", None  # how often it is needed: kafka cannot tell
        else:
            action, variant = Action.DROP, decider.variant
            plan = Plan(tuple(ctx.asking_parts(fact, steps) + ctx.fetch_parts(fact)))
        # A proposal that may give way to another about the same fact: its texts when it stands.
        message, proposal = ctx.texts_later(
            "D03", level, variant=variant, item=ctx.item_q(fact), label=ctx.fact_label(fact, steps),
            steps=ctx.step_names(steps), who=decider.who, where=where, decides=ctx.decides(decider),
            home=ctx.q(ctx.organisation()), **extra,
        )
        document = ctx.is_document(fact, steps)
        yield ctx.finding(
            "D03",
            severity=Severity.MEDIUM if document else Severity.LOW,
            level=level, steps=steps, data=[fact], message=message,
            proposal_texts=proposal, target=decider.target, plan=plan,
            facts=Facts(fact=fact, action=action, forms=tuple(forms), required_by=tuple(required_by),
                        required_at=tuple(required_at)),
        )


def _required_texts(ctx: Context, rule_ids: list[str], droppable: list[str]) -> dict[str, str]:
    """The words of the 'required' proposal: which rules, who can change them, where it can go."""
    rules = [ctx.case.rules[r] for r in rule_ids]
    named = ctx.t.join([ctx.t("findings.D03.rule", rule=ctx.q(r.name), level=ctx.t(f"common.rule_level.{r.level.value}"))
                        for r in rules])
    if all(r.level is GovernmentLevel.LOCAL for r in rules):
        change = ctx.t("findings.D03.change_own_rule", organisation=ctx.q(ctx.organisation()))
    else:
        owners = [ctx.addressee(find_administration(r.level.value, r.ref, r.name))
                  for r in rules if r.level is not GovernmentLevel.LOCAL]
        change = ctx.t("findings.D03.ask_rule_owner", government=ctx.t.join(list(dict.fromkeys(owners))))
    elsewhere = ctx.t("findings.D03.drop_elsewhere", steps=ctx.step_names(droppable)) if droppable else ""
    return {"rules": named, "change": change, "elsewhere": elsewhere}


def _on_form(g, step_id: str, fact: str) -> bool:
    return bool({"field", "attachment"} & set(g.fact_asked_by_step[step_id].get(fact, ())))


# --- the to-be ------------------------------------------------------------------

def apply(ed: Editor, finding: Finding) -> None:
    facts = finding.facts
    if facts.action is not Action.DROP and not facts.required_by:
        return  # kept, or asked only when needed: nothing kafka can take away
    item = finding.data[0]
    required_at = finding.facts.required_at
    done = ed.stop_asking([s for s in ed.askers(item) if s not in required_at], item)
    if done:
        ed.say("dropped_unused", item=ed.item_name(item), steps=ed.step_names(done))


DETECTOR = Detector(
    "D03", "unused-data", detect,
    facts=Facts,
    theme="data_flows",
    effect=Effect("drop-unused", Phase.ASKED, apply),
)
