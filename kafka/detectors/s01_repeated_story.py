"""S01 repeated story: the client tells their story in two or more steps.

The to-be: the story told once, then passed on (warm hand-over, shared file).

The first step where the client tells it keeps the story; the later ones
build on the file, and lose ``story_*_minutes`` (within what the step takes).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from kafka.detectors.base import Context, Detector, Effect, Phase
from kafka.findings import Facts as FindingFacts, Finding, Level, Part, Plan, Severity
from kafka.settings import threshold

if TYPE_CHECKING:
    from kafka.simulate.editor import Editor


@dataclass(frozen=True, slots=True)
class Facts(FindingFacts):
    """What S01 found."""

    times: int


def detect(ctx: Context):
    steps = [s.id for s in ctx.case.steps if s.tells_story]
    if len(steps) < ctx.settings.repeated_story_steps:
        return
    decider = ctx.journey_decider(steps)
    level = Level.SUPRALOCAL if decider.variant == "supralocal" else Level.LOCAL
    n = len(steps)
    message, title, text = ctx.texts(
        "S01", level, variant=decider.variant, n=n, steps=ctx.step_names(steps, counted=True), first=ctx.step_q(steps[0]),
        who=decider.who, decides=ctx.decides(decider),
    )
    yield ctx.finding(
        "S01",
        severity=Severity.HIGH if n >= 3 else Severity.MEDIUM,
        level=level, steps=steps, message=message,
        proposal_title=title, proposal_text=text, target=decider.target,
        plan=Plan(tuple(Part(s, "story", *ctx.minutes(s).story) for s in steps[1:])),
        facts=Facts(times=n),
    )


# --- the to-be ------------------------------------------------------------------

def apply(ed: Editor, finding: Finding) -> None:
    tellers = [s for s in finding.steps if (step := ed.step(s)) is not None and step.tells_story]
    if len(tellers) < 2:
        return
    done = [s for s in tellers[1:] if ed.drop_story(s)]
    if done:
        ed.say("story_once", first=ed.step_name(tellers[0]), steps=ed.step_names(done))


DETECTOR = Detector(
    "S01", "repeated-story", detect,
    facts=Facts,
    theme="coordination",
    settings=(threshold("repeated_story_steps", 2, "S01: the story told in this many steps", 2),),
    effect=Effect("one-story", Phase.CONTACTS, apply),
)
