"""Problems found in a case file, as data.

Every problem knows where it is (file, line, column, key path) so that the
CLI, the live preview and the JSON output can all point the user at it.
"""

from __future__ import annotations

import difflib
from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Iterable, Sequence

CATALOGUE = "validation"  # kafka/locale/<lang>/validation.yaml: the texts of the problems


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Phrase:
    """A text of the validation catalogue with its parameters, said in one language at a time.

    A parameter is a value (a name or number as the user wrote it: text; a count:
    an int, written with the language's thousands separator) or a phrase itself
    (a hint such as "did you mean 'x'?", or "" for none), said in the same language.
    """

    key: str  # under "validation." in the catalogues
    params: tuple[tuple[str, object], ...] = ()

    @classmethod
    def of(cls, key: str, /, **params: object) -> "Phrase":
        return cls(key, tuple(params.items()))

    def text(self, lang: str = "en") -> str:
        from kafka.i18n import Translator  # late: i18n reads its catalogues through yamlsource

        return self.render(Translator(lang))

    def render(self, t) -> str:
        return t(f"{CATALOGUE}.{self.key}", **{name: _said(value, t) for name, value in self.params})


@dataclass(frozen=True, slots=True)
class Names:
    """Names for a phrase, each quoted as the language quotes them, joined with commas:
    'a', 'b' in English, «a», «b» in Dutch; ``empty`` (a catalogue key) when there are none."""

    names: tuple[str, ...]
    empty: str = "none"

    def render(self, t) -> str:
        if not self.names:
            return t(f"{CATALOGUE}.{self.empty}")
        return ", ".join(t(f"{CATALOGUE}.quote", name=name) for name in self.names)


def _said(value: object, t) -> object:
    if isinstance(value, (Phrase, Names)):
        return value.render(t)
    if isinstance(value, int) and not isinstance(value, bool):
        return t.number(value)  # 5,000 in English, 5.000 in Dutch
    if isinstance(value, float):
        return f"{value:g}".replace(".", "," if t.lang == "nl" else ".")
    return value


@dataclass(frozen=True, slots=True)
class Problem:
    file: str
    line: int  # 1-based; 0 when the problem is about the file as a whole
    col: int  # 1-based; 0 when unknown
    path: str  # key path such as "steps[3].actor"; "" for the whole file
    message: str  # in English (the command line's language); ``text(lang)`` for another
    kind: str  # a stable category, e.g. "yaml-syntax", "unknown-reference"
    severity: Severity = Severity.ERROR
    phrase: Phrase | None = None  # the message as a catalogue text: said in the reader's language

    @classmethod
    def said(cls, file: str, line: int, col: int, path: str, phrase: Phrase, kind: str,
             severity: Severity = Severity.ERROR) -> "Problem":
        """A problem whose message is ``phrase`` (its English text is the ``message``)."""
        return cls(file, line, col, path, phrase.text("en"), kind, severity, phrase)

    def text(self, lang: str = "en") -> str:
        """The message in ``lang``: the phrase in that language, else the English message."""
        if self.phrase is None or lang == "en":
            return self.message
        return self.phrase.text(lang)

    def line_text(self, lang: str = "en") -> str:
        """FILE:LINE:COL: [warning: ]key.path: message, in ``lang``."""
        where = self.file
        if self.line:
            where += f":{self.line}:{self.col or 1}"
        label = "" if self.severity is Severity.ERROR else f"{Phrase.of('warning_label').text(lang)} "
        path = f"{self.path}: " if self.path else ""
        return f"{where}: {label}{path}{self.text(lang)}"

    def __str__(self) -> str:
        return self.line_text("en")

    def to_dict(self, lang: str = "en") -> dict:
        data = asdict(self)
        data.pop("phrase")
        data["message"] = self.text(lang)
        return data


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
    """A "; did you mean 'x'?" suffix, or "" when nothing is close (English only: the
    problems of a case file use :func:`suggestion`, said in the reader's language)."""
    close = closest(word, choices)
    return f"; did you mean '{close}'?" if close else ""


def closest(word: str, choices: Iterable[str]) -> str | None:
    close = difflib.get_close_matches(str(word), [str(c) for c in choices], n=1, cutoff=0.6)
    return close[0] if close else None


def suggestion(word: str, choices: Iterable[str]) -> Phrase | str:
    """The "; did you mean 'x'?" suffix as a phrase, for a phrase's ``hint``; "" when nothing is close."""
    close = closest(word, choices)
    return Phrase.of("did_you_mean", word=close) if close else ""
