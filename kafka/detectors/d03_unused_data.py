"""D03 unused data: a fact is asked from the client but no step ``uses`` it
(nor a document that proves it).

Only when at least one step declares ``uses``: without any, the case does not
say what the decisions rely on.

The to-be: drop the item nobody uses, at every step and on every form.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from kafka.detectors.base import Context, Detector, Effect, Phase, level_of
from kafka.findings import Facts as FindingFacts, Finding, Severity

if TYPE_CHECKING:
    from kafka.simulate.editor import Editor


@dataclass(frozen=True, slots=True)
class Facts(FindingFacts):
    """What D03 found about one item."""

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
            facts=Facts(tuple(dict.fromkeys(forms))),
        )


def _on_form(g, step_id: str, fact: str) -> bool:
    return bool({"field", "attachment"} & set(g.fact_asked_by_step[step_id].get(fact, ())))


# --- the to-be ------------------------------------------------------------------

def apply(ed: Editor, finding: Finding) -> None:
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
