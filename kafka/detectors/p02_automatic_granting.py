"""P02 automatic granting possible: the client has to apply, yet a decision
uses only facts that all have an authentic source.

The to-be: the organisation grants on the sources' data.

The procedure is then started by the organisation (``initiated_by:
organisation``), and the client's steps no longer ask the decision's items:
the staff consult the sources (``consult_staff_minutes``). An application
step left with nothing else to do goes.

A decision that needs to see the client (a placement, a medical
examination: ``presence_required``, see kafka.nature) is never proposed for
granting without the client: the proposal is then to find the entitled
people in the sources and invite them, so that they no longer bring what the
sources hold. Their application stays, as the contact they are invited to.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from kafka.detectors.base import Context, Detector, Effect, Phase, level_of
from kafka.findings import WHEN_EMPTIED, Facts as FindingFacts, Finding, Part, Plan, Severity
from kafka.model import StepKind

if TYPE_CHECKING:
    from kafka.simulate.editor import Editor


@dataclass(frozen=True, slots=True)
class Facts(FindingFacts):
    """What P02 found about one decision."""

    application_steps: tuple[str, ...]  # the client steps that ask the decision's items
    sources: tuple[str, ...]  # the keys of the sources holding them
    invite: bool = False  # the decision needs to see the client: invite, do not grant unseen


def detect(ctx: Context):
    g = ctx.graph
    if ctx.case.case.initiated_by != "client":
        return
    client_steps = set(g.client_steps)
    for step in ctx.case.steps:
        if step.kind is not StepKind.DECISION or not step.uses:
            continue
        items = g.facts_used(step.id)
        if not all(g.source_key(i) for i in items):
            continue
        level = level_of(g.steps_local([step.id]))
        sources = list(dict.fromkeys(g.source_key(i) for i in items))
        rule = next(iter(g.rules_of(step.id)), None)
        rule_key = step.rule
        if rule is not None and rule_key is not None:
            kind, key, name = "rule", rule_key, rule.name
        else:
            kind, key, name = "step", step.id, step.name
        decider = ctx.decider(level, kind, key, name, [step.id], sources=sources)
        # With automatic granting the client no longer applies: the steps that
        # ask the decision's items from the client fall away.
        asking = {s for item in items for s in g.fact_askers.get(item, ())}  # an index, not a scan per decision
        application = [s for s in sorted(asking, key=g.order.__getitem__) if s in client_steps]
        invite = g.presence_required(step.id)
        plan = _plan(ctx, application, items, invite)
        message, title, text = ctx.texts(
            "P02", level, variant=("invite_" if invite else "") + decider.variant, step=ctx.step_q(step.id),
            items=ctx.item_names(items, counted=True), sources=ctx.t.names([g.sources[s].name for s in sources]),
            who=decider.who, decides=ctx.decides(decider),
        )
        yield ctx.finding(
            "P02",
            severity=Severity.HIGH,
            level=level, steps=[step.id], data=items, message=message,
            proposal_title=title, proposal_text=text, target=decider.target, plan=plan,
            facts=Facts(tuple(application), tuple(sources), invite),
        )


def _plan(ctx: Context, application: list[str], items: list[str], invite: bool) -> Plan:
    """What granting on the sources takes away: the asking of the decision's items at the
    application steps (the staff consult the sources instead), and an application as a
    whole once nothing is asked there any more (not when the client is invited to it)."""
    g = ctx.graph
    parts = []
    for s in application:
        step = g.steps[s]
        parts += ctx.asking_parts_of([i for i in items if i in g.fact_asked_by_step[s]], s)
        if not invite and not (step.tells_story or step.provides or step.uses or step.rule):
            parts.append(Part(s, WHEN_EMPTIED, 0.0, 0.0))
    return Plan(tuple(parts), staff_kept=ctx.settings.consult_staff_minutes)


# --- the to-be ------------------------------------------------------------------

def apply(ed: Editor, finding: Finding) -> None:
    decision = finding.steps[0]
    facts: Facts = finding.facts
    application = list(facts.application_steps)
    sources = [ed.as_is.sources[key].name for key in facts.sources if key in ed.as_is.sources]
    if ed.case.case.initiated_by != "organisation":
        ed.case.case.initiated_by = "organisation"
        ed.say("invited_to_decide" if facts.invite else "automatic", step=ed.step_name(decision),
               sources=ed.names(sources))
    for item in finding.data:
        done = ed.stop_asking(application, item, consult_staff_minutes=ed.settings.consult_staff_minutes)
        if done:
            ed.say("not_asked", item=ed.item_name(item), steps=ed.step_names(done))
    for step_id in application:
        step = ed.step(step_id)
        if step is None:
            continue
        if facts.invite:
            ed.keep(step_id)  # the contact the client is invited to
        else:
            # An application that asks nothing any more, and does nothing else, falls away
            # (now, or once later proposals take away what it still asks).
            ed.end_application(step_id)


DETECTOR = Detector(
    "P02", "automatic-granting-possible", detect,
    facts=Facts,
    theme="automatic_granting",
    effect=Effect("automatic-granting", Phase.APPLICATION, apply),
)
