"""T03 needless sequence: the lead time is at least a day longer than the lead
time of the real dependencies (``depends_on``): steps wait for steps they do
not need (case-format.md 1.1)."""

from __future__ import annotations

from dataclasses import dataclass

from kafka.detectors.base import Context, Detector, level_of
from kafka.findings import Facts as FindingFacts, Level, Severity

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
    if level is Level.LOCAL:
        target = ctx.local_target("step", first, ctx.step_name(first), owner=g.organisation(first))
    else:
        target = ctx.supralocal_target("step", first, ctx.step_name(first), steps)
    t = ctx.t
    starts = []
    for s in steps:
        needs = g.steps[s].depends_on
        if needs:
            starts.append(t("findings.T03.after", step=ctx.step_name(s), needs=ctx.step_names(needs)))
        else:
            starts.append(t("findings.T03.at_once", step=ctx.step_name(s)))
    message, title, text = ctx.texts(
        "T03", level, lead=ctx.days(lead), real=ctx.days(real), gain=ctx.days(lead - real),
        steps=ctx.step_names(steps), starts=t.join(starts), owner=target.owner,
    )
    yield ctx.finding(
        "T03",
        severity=Severity.HIGH if lead - real >= ctx.settings.long_wait_days else Severity.MEDIUM,
        level=level, steps=steps, message=message,
        proposal_title=title, proposal_text=text, target=target,
        saving=ctx.saving(lead_days=lead - real),
        facts=Facts(lead, real, {s: (by_flow[s][0], by_needs[s][0]) for s in steps}),
    )


DETECTOR = Detector(
    "T03", "needless-sequence", detect,
    facts=Facts,
)
