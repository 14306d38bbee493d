"""T03 needless sequence: the lead time is at least a day longer than the lead
time of the real dependencies (``depends_on``): steps wait for steps they do
not need (case-format.md 1.1).

The to-be: steps start when what they need is there.

The steps with ``depends_on`` that could start earlier are led to from their
real dependencies instead of from the step before them in the flow, all at
once, so the to-be lead time is the lead time of the real dependencies. When
that would make a deadline's path or the lead time longer, or leave a step
or a deadline unreached, they move one at a time and a step that cannot
keeps its place (the editor checks it); the change log says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from kafka.detectors.base import Context, Detector, Effect, Phase, level_of
from kafka.findings import Facts as FindingFacts, Finding, Severity

if TYPE_CHECKING:
    from kafka.simulate.editor import Editor

MIN_DAYS = 1.0  # the contract's "at least 1 day longer"


@dataclass(frozen=True, slots=True)
class Facts(FindingFacts):
    """What T03 found."""

    lead_time_days: float
    dependency_lead_time_days: float  # the lead time of the real dependencies
    starts: dict[str, tuple[float, float]]  # step -> (earliest start by the flow, by its real needs)


def detect(ctx: Context):
    g = ctx.graph
    lead = g.longest_path.days
    real = g.dependency_lead_time
    if lead - real < MIN_DAYS:
        return
    by_flow, by_needs = g.schedule(by_dependencies=False), g.schedule(by_dependencies=True)
    steps = [s.id for s in ctx.case.steps
             if s.depends_on is not None and by_needs[s.id][0] < by_flow[s.id][0] - 1e-9]
    if not steps:
        return
    level = level_of(g.steps_local(steps))
    first = steps[0]
    decider = ctx.decider(level, "step", first, ctx.step_name(first), steps)
    target = decider.target
    t = ctx.t
    starts = []
    for s in steps:
        needs = g.steps[s].depends_on
        if needs:
            starts.append(t("findings.T03.after", step=ctx.step_q(s), needs=ctx.step_names(needs)))
        else:
            starts.append(t("findings.T03.at_once", step=ctx.step_q(s)))
    message, title, text = ctx.texts(
        "T03", level, variant=decider.variant, lead=ctx.days(lead), real=ctx.days(real), gain=ctx.days(lead - real),
        steps=ctx.step_names(steps), starts="; ".join(starts), who=decider.who, decides=ctx.decides(decider),
    )
    yield ctx.finding(
        "T03",
        severity=Severity.HIGH if lead - real >= ctx.settings.long_wait_days else Severity.MEDIUM,
        level=level, steps=steps, message=message,
        proposal_title=title, proposal_text=text, target=target,
        saving=ctx.saving(lead_days=lead - real),
        facts=Facts(lead, real, {s: (by_flow[s][0], by_needs[s][0]) for s in steps}),
    )


# --- the to-be ------------------------------------------------------------------

def apply(ed: Editor, finding: Finding) -> None:
    started, kept = ed.start_when_ready(s for s in finding.steps if ed.has_step(s))
    if started:
        ed.say("start_when_ready", steps=ed.step_names(started))
    if kept:
        ed.say("still_in_sequence", steps=ed.step_names(kept))


DETECTOR = Detector(
    "T03", "needless-sequence", detect,
    facts=Facts,
    theme="deadlines",
    effect=Effect("start-when-ready", Phase.FLOW, apply),
)
