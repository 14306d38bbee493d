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

from kafka.detectors.base import Context, Detector, Effect, Phase, level_of
from kafka.findings import Facts as FindingFacts, Finding, Level, Severity

if TYPE_CHECKING:
    from kafka.simulate.editor import Editor


@dataclass(frozen=True, slots=True)
class Facts(FindingFacts):
    """What D02 found about one item."""

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
        target = ctx.target(level, "source", source_key, source.name, steps, sources=[source_key])
        # The client no longer answers or brings it, nor fetches it elsewhere;
        # the staff consult the source once instead of handling it at every step.
        fetches = [p for p in g.fact_providers.get(fact, []) if g.steps[p].client_minutes > 0]
        parts = ctx.asking_parts(fact, steps) + [(p, g.steps[p].client_minutes, 0.0) for p in fetches]
        via = source.via or ctx.t("findings.D02.default_via")
        no_access = "" if source.local_access else ctx.t("findings.D02.no_access", source=source.name)
        # Supralocal for one of two reasons: the OCMW cannot consult the source
        # (ask for access), or an outside party asks for it (that party should
        # consult the source itself: once-only).
        variant = None
        if level is Level.SUPRALOCAL and source.local_access:
            variant = "outside_asker"
        message, title, text = ctx.texts(
            "D02", level, variant=variant, item=ctx.item_name(fact), label=ctx.fact_label(fact, steps),
            source=source.name, via=via,
            steps=ctx.step_names(steps), n=len(steps), owner=target.owner, no_access=no_access,
            fetch=ctx.t("findings.D02.fetch", steps=ctx.step_names(fetches)) if fetches else "",
        )
        yield ctx.finding(
            "D02",
            severity=Severity.HIGH if fetches or ctx.is_document(fact, steps) else Severity.MEDIUM,
            level=level, steps=steps, data=[fact], message=message,
            proposal_title=title, proposal_text=text, target=target,
            saving=ctx.step_saving(parts, staff_kept=ctx.settings.consult_staff_minutes),
            facts=Facts(source_key, source.local_access, tuple(fetches)),
        )


# --- the to-be ------------------------------------------------------------------

def apply(ed: Editor, finding: Finding) -> None:
    item = finding.data[0]
    source = ed.as_is.source_of(item)
    done = ed.stop_asking(ed.askers(item), item, consult_staff_minutes=ed.settings.consult_staff_minutes)
    if done:
        ed.say("consulted", item=ed.item_name(item), source=source.name if source else "", steps=ed.step_names(done))


DETECTOR = Detector(
    "D02", "authentic-source-ignored", detect,
    facts=Facts,
    theme="data_flows",
    effect=Effect("consult-source", Phase.ASKED, apply),
)
