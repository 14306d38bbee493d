"""D04 client as courier: a fact without a source is made by an organisation
(a step whose actor is not the client ``provides`` it) and asked from the
client in a later step of another organisation: the client carries it
between them. One finding per fact (case-format.md 1.1).

The to-be: the organisations pass the paper on; the client no longer carries it.

The asking steps no longer ask the client for it (the staff still receive it,
now directly: they keep their minutes); the steps that make it stay, even
when the client no longer takes it with them (the discharge still happens).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from kafka.detectors.base import Action, Context, Detector, Effect, ItemFacts, Phase, level_of
from kafka.findings import Finding, Part, Plan, Severity
from kafka.model import ActorLevel

if TYPE_CHECKING:
    from kafka.simulate.editor import Editor


@dataclass(frozen=True, slots=True)
class Facts(ItemFacts):
    """What D04 found about one fact (its action: the organisations pass it on)."""

    providers: tuple[str, ...]  # the steps of organisations that make it
    askers: tuple[str, ...]  # the later steps that ask the client for it


def detect(ctx: Context):
    g = ctx.graph
    for fact, providers in g.fact_providers.items():
        if g.source_key(fact):
            continue  # D02's ground: the organisation consults the source
        askers = g.fact_askers.get(fact, [])
        pairs = [
            (p, a) for p in providers if g.actor(p).level is not ActorLevel.CLIENT
            for a in askers if g.order[a] > g.order[p] and g.organisation(a) != g.organisation(p)
        ]
        if not pairs:
            continue
        given = _in_order(g, (p for p, _ in pairs))
        carried = _in_order(g, (a for _, a in pairs))
        steps = _in_order(g, given + carried)
        level = level_of(g.steps_actors_local(steps) and all(g.step_rules_local(a) for a in carried))
        name = ctx.item_name(fact)
        from_orgs = list(dict.fromkeys(g.organisation(p) for p in given))
        to_orgs = list(dict.fromkeys(g.organisation(a) for a in carried))
        # The organisations that hand the paper to each other agree on it together.
        decider = ctx.decider(level, "data", fact, name, steps, organisations=from_orgs + to_orgs)
        message, title, text = ctx.texts(
            "D04", level, variant=decider.variant, item=ctx.item_q(fact), label=ctx.fact_label(fact, carried),
            given=ctx.step_names(given), carried=ctx.step_names(carried),
            from_orgs=ctx.org_names(from_orgs), to_orgs=ctx.org_names(to_orgs), who=decider.who,
            decides=ctx.decides(decider),
            medical=ctx.t("findings.D04.medical") if g.is_sensitive(fact) else "",
        )
        # The client no longer brings the paper; the staff still receive it (now directly).
        parts = [Part(a, fact, ctx.asking_cost(a, fact)[0], 0.0) for a in carried]
        yield ctx.finding(
            "D04",
            severity=Severity.HIGH if len(carried) >= 2 else Severity.MEDIUM,
            level=level, steps=steps, data=[fact], message=message,
            proposal_title=title, proposal_text=text, target=decider.target, plan=Plan(tuple(parts)),
            facts=Facts(fact=fact, action=Action.PASS, providers=tuple(given), askers=tuple(carried)),
        )


def _in_order(g, step_ids) -> list[str]:
    return sorted(set(step_ids), key=g.order.__getitem__)


# --- the to-be ------------------------------------------------------------------

def apply(ed: Editor, finding: Finding) -> None:
    fact = finding.data[0]
    makers = [s for s in finding.facts.providers if ed.has_step(s)]
    for step_id in makers:
        ed.keep(step_id)
    carried = finding.facts.askers
    done = ed.stop_asking(carried, fact, keep_staff=True)
    if done:
        graph = ed.as_is
        ed.say("passed_on", item=ed.item_name(fact), steps=ed.step_names(done),
               makers=ed.names(dict.fromkeys(graph.organisation(s) for s in makers), "organisations") or "-",
               askers=ed.names(dict.fromkeys(graph.organisation(s) for s in done), "organisations"))


DETECTOR = Detector(
    "D04", "client-as-courier", detect,
    facts=Facts,
    theme="data_flows",
    effect=Effect("pass-on", Phase.HANDOVER, apply),
)
