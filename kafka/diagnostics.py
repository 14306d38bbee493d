"""Problems found in a case file, as data.

Every problem knows where it is (file, line, column, key path) so that the
CLI, the live preview and the JSON output can all point the user at it.
"""

from __future__ import annotations

import difflib
from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Iterable, Sequence


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Problem:
    file: str
    line: int  # 1-based; 0 when the problem is about the file as a whole
    col: int  # 1-based; 0 when unknown
    path: str  # key path such as "steps[3].actor"; "" for the whole file
    message: str
    kind: str  # a stable category, e.g. "yaml-syntax", "unknown-reference"
    severity: Severity = Severity.ERROR

    def __str__(self) -> str:
        where = self.file
        if self.line:
            where += f":{self.line}:{self.col or 1}"
        label = "" if self.severity is Severity.ERROR else "warning: "
        path = f"{self.path}: " if self.path else ""
        return f"{where}: {label}{path}{self.message}"

    def to_dict(self) -> dict:
        return asdict(self)


def has_errors(problems: Iterable[Problem]) -> bool:
    return any(p.severity is Severity.ERROR for p in problems)


def format_path(path: Sequence[str | int]) -> str:
    """("steps", 3, "actor") -> "steps[3].actor"."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """A "; did you mean 'x'?" suffix, or "" when nothing is close."""
    close = difflib.get_close_matches(str(word), [str(c) for c in choices], n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""
