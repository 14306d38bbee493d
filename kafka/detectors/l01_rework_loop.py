"""L01 rework loop: steps form a cycle; one finding per strongly connected group.

The to-be: the loop back goes. Within the organisation: everything asked at
once at the first contact. Between organisations that send the client back
and forth: one contact person and agreements between them, so that what is
missing is asked of each other, not of the client.

The branches that remain carry every case, so their chances grow in
proportion; a step that was only reached by going back goes too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from kafka.detectors.base import Context, Detector, Effect, Phase, level_of
from kafka.findings import Facts as FindingFacts, Finding, Severity
from kafka.metrics import loop_expected_extra

if TYPE_CHECKING:
    from kafka.simulate.editor import Editor


@dataclass(frozen=True, slots=True)
class Facts(FindingFacts):
    """What L01 found about one loop."""

    expected_extra_days: float
    chances: tuple[float, ...]  # of the loop-back edges that have one


def detect(ctx: Context):
    g = ctx.graph
    for group in g.loops:
        level = level_of(g.steps_local(group))
        entry = group[0]
        organisations = ctx.organisations_of(group)
        decider = ctx.decider(level, "step", entry, ctx.step_name(entry), group, organisations=organisations)
        edges = g.loop_edges(group)
        reasons = [d["when"] for _, _, d in edges if d.get("when")]
        chances = [d["chance"] for _, _, d in edges if d.get("chance") is not None]
        extra = loop_expected_extra(g, group, ctx.settings)
        reason = ctx.t("findings.L01.reason", reasons=ctx.t.names(reasons)) if reasons else ""
        message, title, text = ctx.texts(
            "L01", level, count=len(group), variant=decider.variant, steps=ctx.step_names(group, counted=True),
            entry=ctx.step_q(entry), reason=reason, days=ctx.days(extra["days"]), who=decider.who,
            home=ctx.q(ctx.organisation()), decides=ctx.decides(decider),
        )
        target = decider.target
        yield ctx.finding(
            "L01",
            severity=Severity.HIGH if any(c >= 0.3 for c in chances) else Severity.MEDIUM,
            level=level, steps=group, message=message,
            proposal_title=title, proposal_text=text, target=target,
            # The days the loop adds on average; its extra minutes are not in the yearly burden
            # (the contract counts every step once), so neither are they in the saving.
            saving=ctx.saving(lead_days=extra["days"]),
            facts=Facts(extra["days"], tuple(chances)),
        )


# --- the to-be ------------------------------------------------------------------

def apply(ed: Editor, finding: Finding) -> None:
    for source, target in ed.drop_loops(finding.steps):
        ed.say("loop_gone", source=ed.step_name(source), target=ed.step_name(target))


DETECTOR = Detector(
    "L01", "rework-loop", detect,
    facts=Facts,
    theme="deadlines",
    effect=Effect("no-loop-back", Phase.FLOW, apply),
)
