"""N01 non-take-up: the client must apply, and fewer people go through the
procedure than are entitled: ``cases_per_year / eligible_per_year`` is below
0.8 (configurable) (case-format.md 1.1).

The to-be: the organisation finds and invites the entitled people, or grants
without application.

The procedure is then started by the organisation (``initiated_by:
organisation``). The case's count of cases a year stays as it is: the
to-be compares the burden of one case, not how many people are reached.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from kafka.detectors.base import Context, Detector, Effect, Phase, level_of
from kafka.findings import Facts as FindingFacts, Finding, Level, Severity
from kafka.metrics import take_up
from kafka.model import StepKind
from kafka.settings import Setting

if TYPE_CHECKING:
    from kafka.simulate.editor import Editor


@dataclass(frozen=True, slots=True)
class Facts(FindingFacts):
    """What N01 found."""

    take_up: float  # cases_per_year / eligible_per_year
    eligible_per_year: float
    missed_per_year: float  # entitled people who do not go through the procedure


def detect(ctx: Context):
    g = ctx.graph
    info = ctx.case.case
    share = take_up(ctx.case)
    if info.initiated_by != "client" or share is None or share >= ctx.settings.take_up_below:
        return
    first = g.client_steps[0] if g.client_steps else ctx.case.steps[0].id
    decisions = [s.id for s in ctx.case.steps if s.kind is StepKind.DECISION]
    used = list(dict.fromkeys(f for d in decisions for f in g.facts_used(d)))
    sourced = g.data_order(f for f in used if g.source_key(f))
    # The entitled people can be found from the sources alone: every fact has a source
    # the OCMW can consult, and the decision is the local side's own.
    findable = bool(used) and all(g.source_of(f) is not None and g.source_of(f).local_access for f in used)
    level = level_of(findable and g.steps_actors_local(decisions))
    source_keys = list(dict.fromkeys(g.source_key(f) for f in sourced))
    source_names = ctx.t.names([g.sources[k].name for k in source_keys if k in g.sources])
    decider = ctx.decider(level, "step", first, ctx.step_name(first), decisions, sources=source_keys,
                          organisations=ctx.organisations_of(decisions) or [ctx.organisation()])
    target = decider.target
    eligible = info.eligible_per_year
    cases = float(info.cases_per_year)
    missed = max(0.0, eligible - cases)
    t = ctx.t
    # A decision that needs to see the client is never granted without an application.
    unseen = not any(g.presence_required(d) for d in decisions)
    message, title, text = ctx.texts(
        "N01", level, count=round(missed), variant=decider.variant, cases=t.number(cases),
        eligible=t.number(eligible), share=f"{t.number(share * 100)}%", missed=t.number(round(missed)),
        sources=source_names or "-", why="; ".join(_why_not_findable(ctx, used, decisions)) or "-",
        who=decider.who, decides=ctx.decides(decider),
        grant=t("findings.N01.grant") if unseen else "",
    )
    yield ctx.finding(
        "N01",
        severity=Severity.HIGH if share < 0.5 else Severity.MEDIUM,
        level=level, steps=[first], data=sourced, message=message,
        proposal_title=title, proposal_text=text, target=target,
        saving=ctx.saving(),
        facts=Facts(share, eligible, missed),
    )


def _why_not_findable(ctx: Context, used: list[str], decisions: list[str]) -> list[str]:
    """Why the entitled people cannot be found from the sources alone, in words."""
    g, t = ctx.graph, ctx.t
    reasons = []
    if not used:
        reasons.append(t("findings.N01.why.no_uses"))
    no_source = [f for f in used if g.source_of(f) is None]
    if no_source:
        reasons.append(t("findings.N01.why.no_source", items=ctx.item_names(no_source)))
    closed = list(dict.fromkeys(g.source_of(f).name for f in used
                                if g.source_of(f) is not None and not g.source_of(f).local_access))
    if closed:
        reasons.append(t("findings.N01.why.no_access", sources=t.names(closed)))
    outside = list(dict.fromkeys(g.actor(d).name for d in decisions if not g.actor_local(g.steps[d].actor)))
    if outside:
        reasons.append(t("findings.N01.why.outside", actors=t.names(outside, "actors")))
    return reasons


# --- the to-be ------------------------------------------------------------------

def apply(ed: Editor, finding: Finding) -> None:
    if ed.case.case.initiated_by == "organisation":
        return  # already so (automatic granting, P02)
    ed.case.case.initiated_by = "organisation"
    organisation = ed.case.case.organisation
    # Only a local finding may say the sources alone find them: otherwise it takes the
    # data the supralocal proposal asks for.
    sources = [ed.as_is.source_of(f).name for f in finding.data if ed.as_is.source_of(f) is not None]
    if sources and finding.level is Level.LOCAL:
        ed.say("invited_from_sources", organisation=ed.q(organisation), sources=ed.names(dict.fromkeys(sources)))
    else:
        ed.say("invited", organisation=ed.q(organisation))


DETECTOR = Detector(
    "N01", "non-take-up", detect,
    facts=Facts,
    theme="automatic_granting",
    settings=(Setting("take_up_below", 0.8, "N01: a take-up (cases_per_year / eligible_per_year) below this share", 0, 1),),
    effect=Effect("invite", Phase.APPLICATION, apply),
)
