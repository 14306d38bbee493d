"""The built-in catalogue of administrations (``kafka/data/administrations.yaml``).

A supralocal proposal is only worth taking to a meeting when it says *who*
can make the change: not "de federale overheid (RMI-wet ...)", but "POD
Maatschappelijke Integratie, beleidsdomein Maatschappelijke integratie". The
catalogue lists the Flemish and federal administrations a proposal can be
addressed to, with their government level, policy domain, what they are
responsible for, the authentic sources they own and the words that name them
in rules and actors.

The API is one lookup and the catalogue itself::

    >>> find_administration("federal", "Wet 26 mei 2002, art. 21").key
    'pod_mi'
    >>> find_administration("flemish", source="groeipakket").key
    'opgroeien'
    >>> find_administration("flemish", "Organieke wet 8 juli 1976 (OCMW-wet)").government
    'federal'
    >>> find_administration("federal", "Maatschappelijk werker").key  # unsure: the level alone
    'federal'

The lookup says less rather than something wrong: when nothing matches, or
two administrations match one text equally well (phrases of as many words), it answers with the
government level alone (an :class:`Administration` whose ``specific`` is
false). A match always carries the administration's own level, so an
OCMW-wet deadline a case file labels ``flemish`` is still federal.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from typing import Iterable

from kafka.yamlsource import load_data


GOVERNMENTS = ("federal", "flemish", "european")
_NOT_WORD = re.compile(r"[^0-9a-z]+")


@dataclass(frozen=True)
class Administration:
    """One administration, or (``specific`` false) a government level alone."""

    key: str
    short: str
    government: str  # federal | flemish | european
    names: dict[str, str]  # language -> name
    domains: dict[str, str]  # language -> policy domain
    responsibilities: dict[str, str]  # language -> what it is responsible for
    sources: tuple[str, ...] = ()
    phrases: tuple[str, ...] = ()
    specific: bool = True
    articles: dict[str, str] | None = None  # language -> the article before its name in a sentence

    def article(self, lang: str = "nl") -> str:
        """'de', 'het', 'the' or '' (Opgroeien, Wonen in Vlaanderen take none)."""
        articles = self.articles or {}
        return articles.get(lang, articles.get("nl", ""))

    def name(self, lang: str = "nl") -> str:
        return self.names.get(lang) or self.names["nl"]

    def domain(self, lang: str = "nl") -> str:
        return self.domains.get(lang) or self.domains["nl"]

    def responsible_for(self, lang: str = "nl") -> str:
        return self.responsibilities.get(lang) or self.responsibilities["nl"]


@cache
def administrations() -> dict[str, Administration]:
    """The catalogue, in file order (federal first, then Flemish, then the government levels)."""
    text = resources.files("kafka").joinpath("data/administrations.yaml").read_text(encoding="utf-8")
    entries = {}
    for key, raw in load_data(text).items():
        entries[key] = Administration(
            key=key, short=raw["short"], government=raw["government"], names=dict(raw["name"]),
            domains=dict(raw["domain"]), responsibilities=dict(raw["responsible"]),
            sources=tuple(raw.get("sources") or ()), phrases=tuple(normalise(p) for p in raw.get("match") or ()),
            specific=not raw.get("fallback", False), articles=dict(raw.get("article") or {}),
        )
    return entries


def government_level(government: str) -> Administration:
    """The fallback for a government level ('federal', 'flemish', 'european'); federal for anything else."""
    return administrations().get(government if government in GOVERNMENTS else "federal")


def find_administration(government: str, *names: str | None, source: str | None = None) -> Administration:
    """The administration responsible for what ``names`` and ``source`` describe.

    ``names`` are texts that identify the target of a proposal, the most
    telling first: a rule's legal reference, then its name, an actor's
    organisation or name, the "who" of a proposal. ``source`` is a key of the
    authentic-sources catalogue (``rijksregister``); it is tried after the
    names, since a data item is usually asked because of a rule, and the rule
    says who can change that. The first text that identifies one
    administration decides; ``government`` (the level the case gives) is the
    answer when none does.
    """
    for text in names:
        found = _match(_normalised(text))
        if found is not None:
            return found
    if source:
        owners = [a for a in administrations().values() if source in a.sources]
        if len(owners) == 1:
            return owners[0]
    return government_level(government)


@lru_cache(maxsize=4096)  # the same rule names and organisations come back finding after finding
def _normalised(text: str | None) -> str:
    return normalise(text)


@lru_cache(maxsize=4096)  # the same rule names and organisations come back finding after finding
def _match(text: str) -> Administration | None:
    """The administration whose longest phrase (in words) occurs in ``text`` as whole words; None when none or a tie."""
    if not text:
        return None
    padded = f" {text} "
    best: list[tuple[int, Administration]] = []
    for admin in administrations().values():
        length = max((p.count(" ") + 1 for p in admin.phrases if f" {p} " in padded), default=0)
        if length:
            best.append((length, admin))
    if not best:
        return None
    best.sort(key=lambda pair: -pair[0])
    if len(best) > 1 and best[1][0] == best[0][0]:
        return None  # two administrations match equally well: do not guess
    return best[0][1]


def normalise(text: str | None) -> str:
    """'OCMW-wet, art. 62bis' -> 'ocmw wet art 62bis': no accents, lower case, punctuation as spaces."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", str(text))
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _NOT_WORD.sub(" ", plain.casefold()).strip()


def catalogue_rows(lang: str = "nl") -> list[dict]:
    """The catalogue as plain rows (for listings, JSON and tests)."""
    return [
        {"key": a.key, "short": a.short, "name": a.name(lang), "government": a.government,
         "domain": a.domain(lang), "responsible": a.responsible_for(lang), "sources": list(a.sources),
         "specific": a.specific}
        for a in administrations().values()
    ]


def by_keys(keys: Iterable[str]) -> list[Administration]:
    """The administrations of ``keys`` that exist, in the given order, each once."""
    table = administrations()
    return [table[k] for k in dict.fromkeys(keys) if k in table]
