"""What every effect shares: its declaration.

An effect is the change a proposal makes to the case model: it gets the
editor (a deep copy of the as-is case, see :mod:`kafka.simulate.editor`) and
the finding whose proposal is taken, and changes the copy only through the
editor's primitives, which only remove or shrink.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from kafka.findings import Finding
from kafka.simulate.editor import Editor


@dataclass(frozen=True)
class Effect:
    code: str  # the finding code whose proposal this effect carries out
    name: str  # a slug for humans and docs, e.g. "ask-once"
    apply: Callable[[Editor, Finding], None]
