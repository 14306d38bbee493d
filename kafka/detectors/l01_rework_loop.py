"""L01 rework loop: steps form a cycle; one finding per strongly connected group."""

from kafka.detectors.base import Context, Detector, level_of
from kafka.findings import Severity
from kafka.metrics import loop_expected_extra


def detect(ctx: Context):
    g = ctx.graph
    for group in g.loops:
        level = level_of(g.steps_local(group))
        entry = group[0]
        target = ctx.target(level, "step", entry, ctx.step_name(entry), group, owner=g.organisation(entry))
        edges = g.loop_edges(group)
        reasons = [d["when"] for _, _, d in edges if d.get("when")]
        chances = [d["chance"] for _, _, d in edges if d.get("chance") is not None]
        extra = loop_expected_extra(g, group, ctx.settings)
        reason = ctx.t("findings.L01.reason", reasons=ctx.t.join([f"'{r}'" for r in reasons])) if reasons else ""
        message, title, text = ctx.texts(
            "L01", level, count=len(group), steps=ctx.step_names(group), entry=ctx.step_name(entry), reason=reason,
            days=ctx.days(extra["days"]), owner=target.owner,
        )
        yield ctx.finding(
            "L01",
            severity=Severity.HIGH if any(c >= 0.3 for c in chances) else Severity.MEDIUM,
            level=level, steps=group, message=message,
            proposal_title=title, proposal_text=text, target=target,
            saving=ctx.saving(extra["client_minutes"], extra["staff_minutes"], extra["days"]),
            facts={"expected_extra_days": extra["days"], "chances": chances},
        )


DETECTOR = Detector("L01", "rework-loop", detect)
