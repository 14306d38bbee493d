"""D03 unused data: an item is asked from the client but no step ``uses`` it.

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
    if not g.users:
        return
    for item, steps in g.askers.items():
        if item in g.users:
            continue
        level = level_of(g.steps_local(steps))
        name = ctx.item_name(item)
        target = ctx.target(level, "data", item, name, steps)
        costs = [ctx.asking_cost(s, item) for s in steps]
        forms = [g.form(s).name for s in steps if g.form(s) is not None and item in g.asked_by_step[s]]
        where = ctx.t("findings.D03.on_forms", forms=ctx.t.join(list(dict.fromkeys(forms)))) if forms else ""
        message, title, text = ctx.texts(
            "D03", level, item=name, steps=ctx.step_names(steps), owner=target.owner, where=where,
        )
        document = ctx.is_document(item, steps)
        yield ctx.finding(
            "D03",
            severity=Severity.MEDIUM if document else Severity.LOW,
            level=level, steps=steps, data=[item], message=message,
            proposal_title=title, proposal_text=text, target=target,
            saving=ctx.saving(sum(c for c, _ in costs), sum(s for _, s in costs)),
            facts=Facts(tuple(dict.fromkeys(forms))),
        )


# --- the to-be ------------------------------------------------------------------

def apply(ed: Editor, finding: Finding) -> None:
    item = finding.data[0]
    done = ed.stop_asking(ed.askers(item), item)
    if done:
        ed.say("dropped_unused", item=ed.item_name(item), steps=ed.step_names(done))


DETECTOR = Detector(
    "D03", "unused-data", detect,
    facts=Facts,
    effect=Effect("drop-unused", Phase.ASKED, apply),
)
