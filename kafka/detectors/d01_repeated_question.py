"""D01 repeated question: one fact is asked from the client in two or more steps
(a document that proves it counts as asking it).

The to-be: ask the item once and reuse it.

The first step that asks the item keeps asking it; every later step takes it
from the file instead, so the client and the staff lose that question or
paper there. A step left with nothing to hand over goes (see the editor).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from kafka.detectors.base import Action, Context, Detector, Effect, ItemFacts, Phase, level_of
from kafka.findings import Finding, Plan, Severity
from kafka.settings import threshold

if TYPE_CHECKING:
    from kafka.simulate.editor import Editor


@dataclass(frozen=True, slots=True)
class Facts(ItemFacts):
    """What D01 found about one item (its action: ask it once, then reuse it)."""

    times: int  # distinct steps asking the item


def detect(ctx: Context):
    g = ctx.graph
    for fact, steps in g.fact_askers.items():
        if len(steps) < ctx.settings.repeated_question_steps:
            continue
        level = level_of(g.steps_local(steps))
        name = ctx.item_name(fact)
        decider = ctx.decider(level, "data", fact, name, steps)
        consent = ctx.t("findings.D01.consent") if g.is_sensitive(fact) else ""
        # A proposal that may give way to another about the same fact: its texts when it stands.
        message, proposal = ctx.texts_later(
            "D01", level, variant=decider.variant, item=ctx.item_q(fact), label=ctx.fact_label(fact, steps),
            n=len(steps), steps=ctx.step_names(steps, counted=True), first=ctx.step_q(steps[0]), others=ctx.step_names(steps[1:]),
            who=decider.who, consent=consent, decides=ctx.decides(decider),
        )
        yield ctx.finding(
            "D01",
            severity=Severity.HIGH if len(steps) >= 3 else Severity.MEDIUM,
            level=level, steps=steps, data=[fact], message=message,
            proposal_texts=proposal, target=decider.target,
            plan=Plan(tuple(ctx.asking_parts(fact, steps[1:]))),
            facts=Facts(fact=fact, action=Action.REUSE, times=len(steps)),
        )


# --- the to-be ------------------------------------------------------------------

def apply(ed: Editor, finding: Finding) -> None:
    item = finding.data[0]
    askers = ed.askers(item)
    if len(askers) < 2:
        return
    done = ed.stop_asking(askers[1:], item)
    if done:
        ed.say("asked_once", item=ed.item_name(item), first=ed.step_name(askers[0]), steps=ed.step_names(done))


DETECTOR = Detector(
    "D01", "repeated-question", detect,
    facts=Facts,
    theme="data_flows",
    settings=(threshold("repeated_question_steps", 2, "D01: an item asked in this many distinct steps", 2),),
    effect=Effect("ask-once", Phase.ASKED, apply),
)
