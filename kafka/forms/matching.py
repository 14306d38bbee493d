"""Match a form's labels to data items and authentic sources (for ``kafka forms import``).

The known items are the synonym table ``kafka/data/form_synonyms.yaml`` and,
first, the data items of case files the user names (their ids and names):
a service's own vocabulary wins over kafka's.

Every match says **how** it was found and **how sure** it is (a confidence
from 0 to 1). A match below :data:`CONFIRM_BELOW` is a guess: the import
lists it for the user to confirm and does not count it as recognised. A text
(a label, or free text in the item column) is matched in this order, the
first kind that finds something wins:

=========  =====  =============================================================
how        sure   when
=========  =====  =============================================================
exact      1.00   the text is an item's id or name ("Gezinssamenstelling")
synonym    0.95   the text is one of an item's labels ("attest gezinssamenstelling")
contains   0.90   a label occurs as whole words in the *head* of the text, the
                  part before its first preposition ("Netto maandinkomen | van
                  alle gezinsleden" is income, not the household); the longest
                  label wins, and a label inside a longer one does not compete
           0.85   only after the head, and the head says only what kind of paper
                  it is ("Kopie | van uw identiteitskaart"), or a compound of a
                  label and such a word ("mutualiteitsattest")
           0.65   only after a head that names something else ("Tegemoetkoming |
                  in de huur"): a guess
           0.55   labels of two or more items in the same part ("Inkomsten en
                  uitgaven", "Rekeningnummer verhuurder"): a guess, with the others
fuzzy      r-0.1  the text, or one of its longer words, resembles a label with
                  similarity r >= :data:`FUZZY_FLOOR` (:mod:`difflib`): a typing
                  error ("gezinsamenstelling", r=0.97) is recognised, a near word
                  ("geboorteakte" ~ "geboortedatum", r=0.80) is a guess
catalogue  0.85   no label, but the text names an authentic source of the catalogue
                  (its key, name, or a phrase of what it holds) and one known item
                  comes from it ("Attest RVA"); 0.80 with none (a new item with
                  that source); 0.50 with several ("Attest van de mutualiteit":
                  the kleefbriefje, the verhoogde tegemoetkoming or a benefit?)
=========  =====  =============================================================

Anything else is *not recognised*: the import keeps it as a field with a
short id made from its label and lists it for the user to complete. An item
id in the item column is not matched at all: it wins over any guess
(:mod:`kafka.forms.importer`).
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

CONFIRM_BELOW = 0.8  # a match less sure than this is a guess for the user to confirm
FUZZY_FLOOR = 0.8  # below this similarity, nothing is proposed at all
FUZZY_PENALTY = 0.1  # a fuzzy match is never as sure as the words themselves
MIN_WORD_FOR_FUZZY = 6  # shorter words are too easily alike ("loon" / "lood")
MIN_PHRASE_FOR_CONTAINS = 3  # "cv" only matches exactly
MIN_COMPOUND_PART = 6  # "mutualiteitsattest" = "mutualiteit" + "attest"; "huur" is too short to split on

EXACT, SYNONYM, CONTAINS_HEAD, CONTAINS_KIND, GUESS_MODIFIER, GUESS_SEVERAL = 1.0, 0.95, 0.9, 0.85, 0.65, 0.55
CATALOGUE_ONE, CATALOGUE_NEW, CATALOGUE_SEVERAL = 0.85, 0.8, 0.5

# The head of a Dutch noun phrase ends at its first preposition or relative word:
# "Netto maandinkomen | van alle gezinsleden", "Onderhoudsgeld | dat u ontvangt".
BOUNDARY_WORDS = frozenset({
    "van", "voor", "per", "bij", "uit", "met", "door", "op", "in", "aan", "over", "na", "tot", "zonder", "om",
    "tijdens", "vanaf", "sinds", "dat", "die", "waar", "waarin", "wanneer", "als", "indien",
    "for", "from", "with", "by",
})
# Words that say nothing about which item is meant.
STOP_WORDS = frozenset({
    "de", "het", "een", "en", "of", "u", "uw", "je", "jouw", "jullie", "alle", "elke", "ieder", "laatste", "eerste",
    "maand", "maanden", "jaar", "week", "3", "6", "12", "is", "zijn", "hebt", "heeft", "wordt", "welke", "wat", "wie",
    "hoe", "waarom", "the", "and", "your", "all", "last",
})
PLURAL_ENDINGS = frozenset({"s", "en", "n"})  # "werkloosheidsuitkering-en", "loonfiche-s"
# Words that only say what kind of paper or value it is: "Kopie van ...", "Bedrag van ...", "...attest".
KIND_WORDS = frozenset({
    "kopie", "attest", "attesten", "bewijs", "bewijzen", "bewijsstuk", "bewijsstukken", "bedrag", "bedragen",
    "gegevens", "overzicht", "document", "documenten", "formulier", "scan", "foto", "lijst", "nummer", "brief",
    "fiche", "kosten", "factuur", "facturen", "verklaring", "uittreksel", "copy", "proof", "amount", "certificate",
    "s",  # the linking s of a compound: "mutualiteit-s-attest"
})


@dataclass(frozen=True)
class KnownItem:
    id: str
    name: str
    source: str | None
    labels: tuple[str, ...]  # normalised
    origin: str  # "synonyms" or the case file it comes from


@dataclass(frozen=True)
class Match:
    how: str  # id | exact | synonym | contains | fuzzy | catalogue | none
    item: KnownItem | None = None
    source: str | None = None  # for catalogue matches (and copied from item otherwise)
    phrase: str | None = None  # the label or phrase that matched
    confidence: float = 1.0
    why: str = ""  # why a guess is a guess: several | modifier | fuzzy | source_items (empty when sure)
    alternatives: tuple[str, ...] = ()  # the other items it could be (ids), for a guess

    @property
    def found(self) -> bool:
        return self.how != "none"

    @property
    def sure(self) -> bool:
        """Found and sure enough to count as recognised; otherwise the user confirms it."""
        return self.found and self.confidence >= CONFIRM_BELOW


NO_MATCH = Match("none", confidence=0.0)


@dataclass(frozen=True)
class _Hit:
    """A label found as whole words (or as part of a compound word) in the text."""

    label: str
    item: KnownItem
    start: int  # word positions in the text
    end: int
    kind_compound: bool = False  # "mutualiteitsattest": the label and a kind word in one word
    other_compound: bool = False  # the label and some other word in one word: a guess

    def inside(self, other: "_Hit") -> bool:
        return other is not self and other.start <= self.start and self.end <= other.end and \
            len(other.label) > len(self.label)


@cache
def synonym_items() -> tuple[KnownItem, ...]:
    text = resources.files("kafka").joinpath("data/form_synonyms.yaml").read_text(encoding="utf-8")
    items = []
    for key, entry in yaml.safe_load(text).items():
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
        self._names = {normalise(n): item for item in self.items for n in (item.name, item.id.replace("_", " "))}
        self._one_word = [(label, item) for label, item in self._labels
                          if " " not in label and len(label) >= MIN_COMPOUND_PART]
        self._source_phrases = _source_phrases(self.sources)

    def known(self, item_id: str) -> KnownItem | None:
        return self.by_id.get(item_id)

    def match(self, text: str) -> Match:
        plain = normalise(text)
        if not plain:
            return NO_MATCH
        # words that are there beat words that look alike: a source named outright comes before a resemblance
        return (
            self._exact(plain) or self._contains(plain) or self._catalogue(plain, exact=True) or self._fuzzy(plain)
            or self._catalogue(plain, exact=False) or NO_MATCH
        )

    # --- the kinds of match, most certain first ---------------------------------------

    def _exact(self, plain: str) -> Match | None:
        if plain in self._names:
            item = self._names[plain]
            return Match("exact", item, item.source, plain, EXACT)
        for label, item in self._labels:
            if label == plain:
                return Match("synonym", item, item.source, label, SYNONYM)
        return None

    def _contains(self, plain: str) -> Match | None:
        words = plain.split()
        hits = self._phrase_hits(words) + self._compound_hits(words)
        # A label inside a longer label of the same text does not compete: "huur" in "bedrag van de huur".
        hits = [h for h in hits if not any(h.inside(o) for o in hits)]
        if not hits:
            return None
        head_end = _head_end(words)
        in_head = [h for h in hits if h.start < head_end]
        candidates = in_head or hits
        best: dict[str, _Hit] = {}
        for h in sorted(candidates, key=lambda h: (-len(h.label), h.start)):  # the longest label per item
            best.setdefault(h.item.id, h)
        first = next(iter(best.values()))
        others = tuple(i for i in best if i != first.item.id)
        if others:
            confidence, why = GUESS_SEVERAL, "several"
        elif first.other_compound:
            confidence, why = GUESS_MODIFIER, "modifier"
        elif in_head:
            confidence, why = (CONTAINS_KIND if first.kind_compound else CONTAINS_HEAD), ""
        elif _content_words(words[:head_end]):
            confidence, why = GUESS_MODIFIER, "modifier"  # the head names something else
        else:
            confidence, why = CONTAINS_KIND, ""
        return Match("contains", first.item, first.item.source, first.label, confidence, why, others)

    def _phrase_hits(self, words: list[str]) -> list[_Hit]:
        padded = " " + " ".join(words) + " "
        hits = []
        for label, item in self._labels:
            if len(label) < MIN_PHRASE_FOR_CONTAINS or f" {label} " not in padded:
                continue
            size = len(label.split())
            for start in range(len(words) - size + 1):
                if " ".join(words[start:start + size]) == label:
                    hits.append(_Hit(label, item, start, start + size))
        return hits

    def _compound_hits(self, words: list[str]) -> list[_Hit]:
        """Dutch writes compounds as one word: "mutualiteitsattest", "kinderopvangkosten"."""
        hits = []
        for position, word in enumerate(words):
            for label, item in self._one_word:
                if word == label or len(word) <= len(label):
                    continue
                if word.startswith(label):
                    rest = word[len(label):]
                elif word.endswith(label):
                    rest = word[:-len(label)]
                else:
                    continue
                if rest in PLURAL_ENDINGS and word.startswith(label):
                    hits.append(_Hit(label, item, position, position + 1))  # the label in the plural
                    continue
                kind = rest in KIND_WORDS or rest.removeprefix("s") in KIND_WORDS
                hits.append(_Hit(label, item, position, position + 1, kind_compound=kind, other_compound=not kind))
        return hits

    def _fuzzy(self, plain: str) -> Match | None:
        # the whole text, or one of its longer words that names something ("uittreksel" only says what kind)
        candidates = [plain] + [w for w in _content_words(plain.split()) if len(w) >= MIN_WORD_FOR_FUZZY]
        best: tuple[float, str, KnownItem] | None = None
        for text in dict.fromkeys(candidates):
            for label, item in self._labels:
                if 2 * min(len(label), len(text)) < FUZZY_FLOOR * (len(label) + len(text)):
                    continue  # the lengths alone keep the ratio below the floor: skip the comparison
                score = difflib.SequenceMatcher(None, text, label).ratio()
                if score >= FUZZY_FLOOR and (best is None or score > best[0]):
                    best = (score, label, item)
        if best is None:
            return None
        score, label, item = best
        confidence = round(score - FUZZY_PENALTY, 2)
        return Match("fuzzy", item, item.source, label, confidence, "" if confidence >= CONFIRM_BELOW else "fuzzy")

    def _catalogue(self, plain: str, exact: bool) -> Match | None:
        padded = f" {plain} "
        if exact:
            hits = [(phrase, key) for phrase, key in self._source_phrases if f" {phrase} " in padded]
            if not hits:  # a compound of a source and a kind of paper: "mutualiteitsattest", "rva-attest"
                hits = [(phrase, key) for phrase, key in self._source_phrases for w in plain.split()
                        if " " not in phrase and w.startswith(phrase) and w != phrase
                        and w[len(phrase):].removeprefix("s") in KIND_WORDS]
        else:
            words = [w for w in plain.split() if len(w) >= MIN_WORD_FOR_FUZZY]
            hits = [(phrase, key) for phrase, key in self._source_phrases for w in words
                    if difflib.SequenceMatcher(None, w, phrase).ratio() >= 0.84]
        if not hits:
            return None
        phrase, key = max(hits, key=lambda hit: len(hit[0]))
        from_source = [item for item in self.items if item.source == key]
        if len(from_source) == 1:
            return Match("catalogue", from_source[0], key, phrase, CATALOGUE_ONE)
        if not from_source:
            return Match("catalogue", None, key, phrase, CATALOGUE_NEW)
        return Match("catalogue", None, key, phrase, CATALOGUE_SEVERAL, "source_items",
                     tuple(item.id for item in from_source))


def _head_end(words: list[str]) -> int:
    """Where the head of the label ends: at its first preposition or relative word (not the first word)."""
    for position, word in enumerate(words[1:], start=1):
        if word in BOUNDARY_WORDS:
            return position
    return len(words)


def _content_words(words: list[str]) -> list[str]:
    return [w for w in words if w not in STOP_WORDS and w not in KIND_WORDS and not w.isdigit()]


def short_words(label: str) -> list[str]:
    """The words of a label that say what it is, for an id: no articles, no "kopie van"."""
    words = normalise(re.sub(r"['’]", "", label)).split()
    content = [w for w in words if w not in STOP_WORDS and w not in KIND_WORDS and w not in BOUNDARY_WORDS
               and not w.isdigit()]
    return content or [w for w in words if w not in STOP_WORDS and w not in BOUNDARY_WORDS] or words


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
    """(phrase, source key): the key, the name (without what is between brackets), and each
    comma-separated part of what the source holds."""
    phrases = []
    for key, source in sources.items():
        name = re.sub(r"\(.*?\)", " ", source.name)
        parts = [key.replace("_", " "), name] + re.split(r",| en ", source.what or "")
        for part in parts:
            phrase = normalise(part)
            if len(phrase) >= MIN_PHRASE_FOR_CONTAINS:
                phrases.append((phrase, key))
    return phrases
