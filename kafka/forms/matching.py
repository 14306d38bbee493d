"""Match a form's labels to data items and authentic sources (for ``kafka forms import``).

The known items are the synonym table ``kafka/data/form_synonyms.yaml`` and,
first, the data items of case files the user names (their ids and names):
a service's own vocabulary wins over kafka's. A text (a label, or free text
in the item column) is matched in this order, the first hit wins:

1. **exact**: the text, without case, accents and punctuation, is an item's
   id, name or one of its labels ("attest gezinssamenstelling");
2. **contains**: a label occurs as whole words inside the text ("Kopie van
   uw identiteitskaart (voor- en achterzijde)" contains "identiteitskaart");
   the longest such label wins, so "naam en adres van de verhuurder" is the
   landlord, not the client's name;
3. **fuzzy**: the text, or one of its longer words, resembles a label
   closely (:data:`FUZZY_CUTOFF`, :mod:`difflib`): typing errors such as
   "gezinsamenstelling" or "rijksregisternumer";
4. **catalogue**: no known item, but the text names an authentic source of
   the catalogue (its key, or a phrase of what it holds, such as
   "werkloosheidsuitkeringen"): a new item with that source.

Anything else is *not recognised*: the import keeps it as a field with an id
made from its label and lists it for the user to complete.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Iterable, Mapping

import yaml

from kafka.forms.review import normalise
from kafka.model import Case, Source

# kafka's own data files: PyYAML's C loader when it is there (ten times faster; the
# catalogues were a fifth of a first report), the same safe loader otherwise.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

FUZZY_CUTOFF = 0.84  # below this, "huurprijs" would match "huurwaarborg"-like near misses
MIN_WORD_FOR_FUZZY = 6  # shorter words are too easily alike ("loon" / "lood")
MIN_PHRASE_FOR_CONTAINS = 3  # "cv" only matches exactly


@dataclass(frozen=True)
class KnownItem:
    id: str
    name: str
    source: str | None
    labels: tuple[str, ...]  # normalised
    origin: str  # "synonyms" or the case file it comes from


@dataclass(frozen=True)
class Match:
    how: str  # id | exact | contains | fuzzy | catalogue | none
    item: KnownItem | None = None
    source: str | None = None  # for catalogue matches (and copied from item otherwise)
    phrase: str | None = None  # the label or phrase that matched
    score: float = 1.0

    @property
    def found(self) -> bool:
        return self.how != "none"


NO_MATCH = Match("none", score=0.0)


@cache
def synonym_items() -> tuple[KnownItem, ...]:
    text = resources.files("kafka").joinpath("data/form_synonyms.yaml").read_text(encoding="utf-8")
    items = []
    for key, entry in yaml.load(text, Loader=_LOADER).items():
        labels = [entry["name"], key.replace("_", " "), *entry.get("labels", [])]
        items.append(KnownItem(key, entry["name"], entry.get("source"), _normalised(labels), "synonyms"))
    return tuple(items)


def case_items(case: Case, origin: str) -> list[KnownItem]:
    """The data items of a case file, as known items (their id and name are their labels)."""
    return [
        KnownItem(key, item.name, item.source, _normalised([item.name, key.replace("_", " ")]), origin)
        for key, item in case.data.items()
    ]


def _normalised(labels: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(n for n in (normalise(label) for label in labels) if n))


class Matcher:
    def __init__(self, extra_items: Iterable[KnownItem] = (), sources: Mapping[str, Source] | None = None):
        from kafka.catalogue import builtin_sources

        self.items = _merge(list(extra_items), list(synonym_items()))
        self.by_id = {item.id: item for item in self.items}
        self.sources = dict(sources if sources is not None else builtin_sources())
        self._labels = [(label, item) for item in self.items for label in item.labels]
        self._source_phrases = _source_phrases(self.sources)

    def known(self, item_id: str) -> KnownItem | None:
        return self.by_id.get(item_id)

    def match(self, text: str) -> Match:
        plain = normalise(text)
        if not plain:
            return NO_MATCH
        return (
            self._exact(plain) or self._contains(plain) or self._fuzzy(plain) or self._catalogue(plain) or NO_MATCH
        )

    def _exact(self, plain: str) -> Match | None:
        for label, item in self._labels:
            if label == plain:
                return Match("exact", item, item.source, label)
        return None

    def _contains(self, plain: str) -> Match | None:
        padded = f" {plain} "
        hits = [(label, item) for label, item in self._labels
                if len(label) >= MIN_PHRASE_FOR_CONTAINS and f" {label} " in padded]
        if not hits:
            return None
        label, item = max(hits, key=lambda hit: len(hit[0]))  # max keeps the first of equals
        return Match("contains", item, item.source, label)

    def _fuzzy(self, plain: str) -> Match | None:
        candidates = [plain] + [w for w in plain.split() if len(w) >= MIN_WORD_FOR_FUZZY]
        best: tuple[float, str, KnownItem] | None = None
        for text in dict.fromkeys(candidates):
            for label, item in self._labels:
                if 2 * min(len(label), len(text)) < FUZZY_CUTOFF * (len(label) + len(text)):
                    continue  # the lengths alone keep the ratio below the cutoff: skip the comparison
                score = difflib.SequenceMatcher(None, text, label).ratio()
                if score >= FUZZY_CUTOFF and (best is None or score > best[0]):
                    best = (score, label, item)
        if best is None:
            return None
        score, label, item = best
        return Match("fuzzy", item, item.source, label, round(score, 2))

    def _catalogue(self, plain: str) -> Match | None:
        padded = f" {plain} "
        hits = [(phrase, key) for phrase, key in self._source_phrases if f" {phrase} " in padded]
        if not hits:
            words = [w for w in plain.split() if len(w) >= MIN_WORD_FOR_FUZZY]
            hits = [(phrase, key) for phrase, key in self._source_phrases for w in words
                    if difflib.SequenceMatcher(None, w, phrase).ratio() >= FUZZY_CUTOFF]
        if not hits:
            return None
        phrase, key = max(hits, key=lambda hit: len(hit[0]))
        return Match("catalogue", None, key, phrase)


def _merge(first: list[KnownItem], then: list[KnownItem]) -> list[KnownItem]:
    """Known items by id: a case's item keeps its name and source and gains the synonyms' labels."""
    merged: dict[str, KnownItem] = {}
    synonyms = {item.id: item for item in then}
    for item in first:
        if item.id in merged:
            continue
        extra = synonyms[item.id].labels if item.id in synonyms else ()
        merged[item.id] = KnownItem(item.id, item.name, item.source, tuple(dict.fromkeys(item.labels + extra)),
                                    item.origin)
    for item in then:
        merged.setdefault(item.id, item)
    return list(merged.values())


def _source_phrases(sources: Mapping[str, Source]) -> list[tuple[str, str]]:
    """(phrase, source key): the key, and each comma-separated part of what the source holds."""
    phrases = []
    for key, source in sources.items():
        parts = [key.replace("_", " ")] + re.split(r",| en ", source.what or "")
        for part in parts:
            phrase = normalise(part)
            if len(phrase) >= MIN_PHRASE_FOR_CONTAINS:
                phrases.append((phrase, key))
    return phrases
