"""S01 repeated story -> the story told once, then passed on (warm hand-over, shared file).

The first step where the client tells it keeps the story; the later ones
build on the file, and lose ``story_*_minutes``.
"""

from kafka.findings import Finding
from kafka.simulate.base import Effect
from kafka.simulate.editor import Editor


def apply(ed: Editor, finding: Finding) -> None:
    tellers = [s for s in finding.steps if (step := ed.step(s)) is not None and step.tells_story]
    if len(tellers) < 2:
        return
    done = [s for s in tellers[1:] if ed.drop_story(s)]
    if done:
        ed.say("story_once", first=ed.step_name(tellers[0]), steps=ed.step_names(done))


EFFECT = Effect("S01", "one-story", apply)
