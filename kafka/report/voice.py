"""The client's voice: the feelings and quotes of a case as an emotion lane.

Journey maps draw how the client felt at each step as a line above or below
a neutral middle, with what they said beside it. A case file gives both as
optional step keys (``feeling`` from -2 to +2, ``quote``); this builds the
lane's geometry (plain SVG units) for ``templates/_voice.html``.
"""

from __future__ import annotations

from dataclasses import dataclass

from kafka.analysis import Analysis

COLUMN = 64.0  # SVG units per step
LEFT = 96.0  # room for the feeling labels
TOP = 18.0
ROW = 34.0  # per feeling level: -2..+2 is four rows
BOTTOM = 30.0  # the step numbers


@dataclass(frozen=True)
class VoicePoint:
    number: int
    step_id: str
    step_name: str
    map_anchor: str
    feeling: int | None
    quote: str | None
    x: float
    y: float | None  # None: no feeling at this step

    @property
    def tone(self) -> str:
        if self.feeling is None or self.feeling == 0:
            return "neutral"
        return "good" if self.feeling > 0 else "bad"


@dataclass(frozen=True)
class VoiceLane:
    points: list[VoicePoint]
    width: float
    height: float
    left: float
    top: float
    row: float
    levels: list[tuple[int, float]]  # (feeling, y) of the five guide lines
    line: str  # the SVG points of the line through the feelings, in step order

    @property
    def quotes(self) -> list[VoicePoint]:
        return [p for p in self.points if p.quote]

    @property
    def has_feelings(self) -> bool:
        return any(p.feeling is not None for p in self.points)


def voice_lane(analysis: Analysis, map_id: str = "map") -> VoiceLane | None:
    """The lane of ``analysis``'s case; None when no step has a feeling or a quote."""
    steps = analysis.case.steps
    if not any(s.feeling is not None or s.quote for s in steps):
        return None
    def y_of(feeling: int) -> float:
        return TOP + (2 - feeling) * ROW
    points = []
    for i, step in enumerate(steps):
        x = LEFT + COLUMN * (i + 0.5)
        points.append(VoicePoint(
            number=i + 1, step_id=step.id, step_name=step.name, map_anchor=f"{map_id}-step-{step.id}",
            feeling=step.feeling, quote=step.quote, x=x, y=y_of(step.feeling) if step.feeling is not None else None,
        ))
    line = " ".join(f"{p.x:.1f},{p.y:.1f}" for p in points if p.y is not None)
    return VoiceLane(
        points=points, width=LEFT + COLUMN * len(steps) + 12, height=TOP + 4 * ROW + BOTTOM,
        left=LEFT, top=TOP, row=ROW, levels=[(f, y_of(f)) for f in (2, 1, 0, -1, -2)], line=line,
    )
