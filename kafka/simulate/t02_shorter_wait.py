"""T02 long wait -> the wait cut to ``target_wait_days`` (a weekly committee, a delegated decision)."""

from kafka.findings import Finding
from kafka.simulate.base import Effect
from kafka.simulate.editor import Editor


def apply(ed: Editor, finding: Finding) -> None:
    step = ed.step(finding.steps[0])
    if step is not None:
        ed.set_wait(step.id, min(ed.settings.target_wait_days, step.wait_days))


EFFECT = Effect("T02", "shorter-wait", apply)
