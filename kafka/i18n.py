"""One translation mechanism for every user-facing text of the reports and findings.

Messages live in YAML catalogues, ``kafka/locale/<lang>/<domain>.yaml``; a key
``report.title`` is the key ``title`` in the file ``report.yaml``. Dutch is the
default language. Both languages must have exactly the same keys (a test
checks), so no text is ever left untranslated.

Placeholders use ``str.format`` syntax: ``"{n} keer gevraagd"``. Plurals: a
key with the sub-keys ``one`` and ``other`` is chosen by :meth:`Translator.n`.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

from kafka.yamlsource import load_data

LANGUAGES = ("nl", "en")
# A list of more names than this is shortened to its count and the first NAMES_SHOWN.
NAMES_LIMIT = 4
NAMES_SHOWN = 3
DEFAULT_LANGUAGE = "nl"


class MissingTranslation(KeyError):
    pass


_MISSING = object()


def _around(template: str) -> tuple[str, str]:
    """The text before and after ``{name}`` in a quote template ("«{name}»"), so a quote is
    two concatenations instead of a ``str.format`` (the same text: both format the name
    with an empty spec)."""
    before, marker, after = template.partition("{name}")
    if not marker or "{" in before + after or "}" in before + after:
        raise ValueError(f"a quote template needs exactly one {{name}} and no other braces: {template!r}")
    return before, after


@cache
def catalogue(lang: str) -> dict[str, Any]:
    """All messages of a language, flattened to dotted keys."""
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language '{lang}'; use one of {', '.join(LANGUAGES)}")
    folder = resources.files("kafka").joinpath(f"locale/{lang}")
    flat: dict[str, Any] = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".yaml"):
            continue
        domain = entry.name.removesuffix(".yaml")
        _flatten(domain, load_data(entry.read_text(encoding="utf-8")) or {}, flat)
    return flat


def _flatten(prefix: str, value: Any, out: dict[str, Any]) -> None:
    if isinstance(value, dict) and not _is_plural(value):
        for key, sub in value.items():
            _flatten(f"{prefix}.{key}", sub, out)
    else:
        out[prefix] = value


def _is_plural(value: dict) -> bool:
    return set(value) == {"one", "other"}


class Translator:
    """``t("report.title")``, ``t("findings.D01.message", item="IBAN", n=3)``."""

    def __init__(self, lang: str = DEFAULT_LANGUAGE):
        self.lang = lang
        self._messages = catalogue(lang)
        self._quote: tuple[str, str] | None = None
        self._and: str | None = None

    # An analysis asks for a few hundred texts per case, so the common paths below look a
    # key up once (no ``in`` before the lookup) and build no key twice.

    def __call__(self, key: str, /, **params: Any) -> str:
        message = self._messages.get(key, _MISSING)
        if message is _MISSING:
            raise self._missing(key)
        if type(message) is dict:
            message = message["other"]
        return str(message).format(**params) if params else str(message)

    def n(self, key: str, count: float, /, **params: Any) -> str:
        """The plural form for ``count``; ``{n}`` in the message is the count
        (as this language writes numbers) unless ``params`` gives ``n``."""
        message = self._messages.get(key, _MISSING)
        if message is _MISSING:
            raise self._missing(key)
        if type(message) is dict:
            message = message["one"] if count == 1 else message["other"]
        if "n" not in params:  # (not setdefault: that would format the number every time)
            params["n"] = self.number(count, 0 if float(count).is_integer() else 1)
        return str(message).format(**params)

    def plurals(self, keys: tuple[str, ...], count: float, params: dict[str, Any]) -> list[str]:
        """``[self.n(key, count, **params) for key in keys]``, with the count written once
        (a finding's message, proposal title and text come together)."""
        messages = self._messages
        if "n" not in params:
            params = {**params, "n": self.number(count, 0 if float(count).is_integer() else 1)}
        result = []
        for key in keys:
            message = messages.get(key, _MISSING)
            if message is _MISSING:
                raise self._missing(key)
            if type(message) is dict:
                message = message["one"] if count == 1 else message["other"]
            # format_map: the same text as format(**params), without copying the dozen
            # parameters of a finding into keywords for each of its three texts.
            result.append((message if type(message) is str else str(message)).format_map(params))
        return result

    def has(self, key: str) -> bool:
        return key in self._messages

    def _lookup(self, key: str) -> Any:
        message = self._messages.get(key, _MISSING)
        if message is _MISSING:
            raise self._missing(key)
        return message

    def _missing(self, key: str) -> MissingTranslation:
        return MissingTranslation(f"no '{self.lang}' text for '{key}'")

    def join(self, items: list[str]) -> str:
        """'a, b en c' / 'a, b and c'."""
        items = [str(i) for i in items]
        if len(items) <= 1:
            return "".join(items)
        if self._and is None:  # asked for by most findings: looked up once
            self._and = self("common.and")
        return f"{', '.join(items[:-1])} {self._and} {items[-1]}"

    def quote(self, name: object) -> str:
        """A name from a case or a catalogue, in this language's quotes: «Huurcontract».

        The house style for every name dropped into a sentence: in quotes (or as a
        list item after a colon) the sentence never has to agree with the name."""
        if self._quote is None:  # asked for tens of thousands of times in a run: looked up once
            message = self._lookup("common.quote")
            self._quote = _around(str(message["other"] if isinstance(message, dict) else message))
        before, after = self._quote
        return f"{before}{name}{after}"

    def names(self, names, noun: str | bool | None = None, limit: int = NAMES_LIMIT) -> str:
        """Names quoted and joined: '«A», «B» en «C»'. A list longer than ``limit`` is
        shortened: with ``noun`` (a key of ``common.more``: steps, items, organisations,
        actors) to its count and the first few, '12 stappen, o.a. «A», «B» en «C»'; without
        (the sentence gives the count already) to '«A», «B», «C» en 9 andere'; with
        ``noun=False`` it is never shortened."""
        return self.quoted_names([self.quote(n) for n in names], noun, limit)

    def quoted_names(self, quoted: list[str], noun: str | bool | None = None, limit: int = NAMES_LIMIT) -> str:
        """:meth:`names` of names already in quotes (a caller that quotes the same names
        over and over keeps them quoted)."""
        if len(quoted) <= limit or noun is False:
            return self.join(quoted)
        if noun is None:  # the sentence gives the count already: '«A», «B», «C» en 9 andere'
            return self("common.more_plain", first=", ".join(quoted[:NAMES_SHOWN]), rest=len(quoted) - NAMES_SHOWN)
        return self.n(f"common.more.{noun}", len(quoted), first=self.join(quoted[:NAMES_SHOWN]))

    def number(self, value: float, decimals: int = 0) -> str:
        """Numbers as a reader of this language writes them (1.234,5 in Dutch)."""
        text = f"{value:,.{decimals}f}"
        if self.lang == "nl":
            text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
        return text

