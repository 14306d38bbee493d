"""D03 unused data: a fact is asked from the client but no step ``uses`` it
(nor a document that proves it).

Only when at least one step declares ``uses``: without any, the case does not
say what the decisions rely on.

The to-be: drop the item nobody uses, at every step and on every form.

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

from kafka.detectors.base import Context, Detector, Effect, Phase, level_of
from kafka.findings import Facts as FindingFacts, Finding, Severity
from kafka.model import GovernmentLevel

if TYPE_CHECKING:
    from kafka.simulate.editor import Editor


@dataclass(frozen=True, slots=True)
class Facts(FindingFacts):
    """What D03 found about one item."""

    forms: tuple[str, ...]  # the names of the forms that ask it
    required_by: tuple[str, ...] = ()  # rule ids that require it on a form (the form's basis)
    required_at: tuple[str, ...] = ()  # the steps whose form a rule makes ask it: never dropped there


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
        required_by = list(dict.fromkeys(r for s in steps for r in g.rules_requiring(s, fact)))
        required_at = [s for s in steps if g.rules_requiring(s, fact)]
        droppable = [s for s in steps if s not in required_at]
        message, title, text = ctx.texts(
            "D03", level, variant="required" if required_by else None, item=name, label=ctx.fact_label(fact, steps),
            steps=ctx.step_names(steps), owner=target.owner, where=where,
            **(_required_texts(ctx, required_by, droppable) if required_by else {}),
        )
        document = ctx.is_document(fact, steps)
        yield ctx.finding(
            "D03",
            severity=Severity.MEDIUM if document else Severity.LOW,
            level=level, steps=steps, data=[fact], message=message,
            proposal_title=title, proposal_text=text, target=target,
            saving=ctx.step_saving(ctx.asking_parts(fact, droppable)),
            facts=Facts(tuple(dict.fromkeys(forms)), tuple(required_by), tuple(required_at)),
        )


def _required_texts(ctx: Context, rule_ids: list[str], droppable: list[str]) -> dict[str, str]:
    """The words of the 'required' proposal: which rules, who can change them, where it can go."""
    rules = [ctx.case.rules[r] for r in rule_ids]
    named = ctx.t.join([ctx.t("findings.D03.rule", rule=r.name, level=ctx.t(f"common.rule_level.{r.level.value}"))
                        for r in rules])
    if all(r.level is GovernmentLevel.LOCAL for r in rules):
        change = ctx.t("findings.D03.change_own_rule", organisation=ctx.organisation())
    else:
        governments = [r.level.value for r in rules if r.level is not GovernmentLevel.LOCAL]
        change = ctx.t("findings.D03.ask_rule_owner",
                       government=ctx.t.join([ctx.government_name(gv) for gv in dict.fromkeys(governments)]))
    elsewhere = ctx.t("findings.D03.drop_elsewhere", steps=ctx.step_names(droppable)) if droppable else ""
    return {"rules": named, "change": change, "elsewhere": elsewhere}


def _on_form(g, step_id: str, fact: str) -> bool:
    return bool({"field", "attachment"} & set(g.fact_asked_by_step[step_id].get(fact, ())))


# --- the to-be ------------------------------------------------------------------

def apply(ed: Editor, finding: Finding) -> None:
    item = finding.data[0]
    required_at = finding.facts.required_at if isinstance(finding.facts, Facts) else ()
    done = ed.stop_asking([s for s in ed.askers(item) if s not in required_at], item)
    if done:
        ed.say("dropped_unused", item=ed.item_name(item), steps=ed.step_names(done))


DETECTOR = Detector(
    "D03", "unused-data", detect,
    facts=Facts,
    theme="data_flows",
    effect=Effect("drop-unused", Phase.ASKED, apply),
)
