"""D02 authentic source ignored: a fact with a ``source`` is asked from the client
(itself, or a document that proves it).

The to-be: consult the source instead of asking the client.

The client no longer answers or brings the item anywhere; the staff keep
``consult_staff_minutes`` of the time they saved, for the consultation.
A trip that only fetched the paper goes with it (see the editor).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from kafka.detectors.base import Action, Context, Decider, Detector, Effect, ItemFacts, Phase, level_of
from kafka.findings import Finding, Level, Plan, Severity

if TYPE_CHECKING:
    from kafka.simulate.editor import Editor


@dataclass(frozen=True, slots=True)
class Facts(ItemFacts):
    """What D02 found about one item (its action: consult the source instead of asking)."""

    source: str  # the source's key
    local_access: bool  # the OCMW can consult it today
    fetch_steps: tuple[str, ...]  # steps where the client fetches the item elsewhere


def detect(ctx: Context):
    g = ctx.graph
    for fact, steps in g.fact_askers.items():
        source = g.source_of(fact)
        if source is None:
            continue
        source_key = g.source_key(fact)
        level = level_of(g.steps_local(steps) and source.local_access)
        # Supralocal for one of two reasons: the OCMW cannot consult the source (ask the
        # administration that owns it for access), or an outside party asks for it (that
        # party should consult the source itself: once-only).
        variant = None
        if level is Level.SUPRALOCAL and not source.local_access:
            target = ctx.source_target("source", source_key, source.name, source_key)
            decider = Decider(target, "supralocal", ctx.called(target))
        else:
            decider = ctx.decider(level, "source", source_key, source.name, steps)
            if level is Level.SUPRALOCAL:
                variant = "outside_asker"
        # The client no longer answers or brings it, nor fetches it elsewhere;
        # the staff consult the source once instead of handling it at every step.
        fetches = [p for p in g.fact_providers.get(fact, []) if g.steps[p].client_minutes > 0]
        plan = Plan(tuple(ctx.asking_parts(fact, steps) + ctx.fetch_parts(fact)),
                    staff_kept=ctx.settings.consult_staff_minutes)
        # The catalogue's channel ("KSZ / MAGDA") as a sentence says it ("de KSZ of MAGDA").
        via_key = f"findings.D02.via_phrase.{source.via}"
        via = ctx.t(via_key) if source.via and ctx.t.has(via_key) else (source.via or ctx.t("findings.D02.default_via"))
        unused = bool(g.fact_users) and fact not in g.fact_users
        # A proposal that may give way to another about the same fact: its texts when it stands.
        message, proposal = ctx.texts_later(
            "D02", level, variant=variant or decider.variant, item=ctx.item_q(fact), label=ctx.fact_label(fact, steps),
            source=ctx.q(source.name), via=via, steps=ctx.step_names(steps), n=len(steps), who=decider.who,
            home=ctx.q(ctx.organisation()), decides=ctx.decides(decider),
            unused=ctx.t("findings.D02.unused") if unused else "",
            fetch=ctx.t("findings.D02.fetch", steps=ctx.step_names(fetches)) if fetches else "",
        )
        yield ctx.finding(
            "D02",
            severity=Severity.HIGH if fetches or ctx.is_document(fact, steps) else Severity.MEDIUM,
            level=level, steps=steps, data=[fact], message=message,
            proposal_texts=proposal, target=decider.target, plan=plan,
            facts=Facts(fact=fact, action=Action.CONSULT, source=source_key, local_access=source.local_access,
                        fetch_steps=tuple(fetches)),
        )


# --- the to-be ------------------------------------------------------------------

def apply(ed: Editor, finding: Finding) -> None:
    item = finding.data[0]
    source = ed.as_is.source_of(item)
    done = ed.stop_asking(ed.askers(item), item, consult_staff_minutes=ed.settings.consult_staff_minutes)
    if done:
        ed.say("consulted", item=ed.item_name(item), source=ed.q(source.name) if source else "-", steps=ed.step_names(done))


DETECTOR = Detector(
    "D02", "authentic-source-ignored", detect,
    facts=Facts,
    theme="data_flows",
    effect=Effect("consult-source", Phase.ASKED, apply),
)
