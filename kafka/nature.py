"""What a step or a data item is by nature, where a case file may not say it.

Three questions decide whether a proposal is one a brigade would sign:

* **Must the client be there in person?** A shelter intake, a medical
  examination, a foster placement, a home visit, a hospital discharge,
  showing an identity card: such a step is never proposed by phone or
  online, and a decision that needs to see the client is never proposed for
  granting without an application (docs/case-format.md, ``presence_required``).
* **Is an item sensitive?** Health, addiction, psychological problems, debts,
  a criminal record: asked only when needed and with the client's consent,
  never simply dropped (``sensitive``).
* **Does an item identify the client?** An identity card, a national number,
  a residence permit: never proposed for dropping (``identifies``).

The case file's own key always wins (``true`` or ``false``). Without it,
kafka uses a few defaults, documented in docs/case-format.md, and looks at the
words of the name only as a last resort. Every default here can only make
kafka say *less*: keep a visit in person, ask with consent instead of
dropping, keep an item instead of dropping it. A wrong guess therefore costs
a weaker proposal, never a wrong one.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Callable

from kafka.model import Case, Channel, Step, StepKind

# Words and phrases, compared on names without accents in lower case, as whole
# words; one ending in "*" is a word beginning ("opvang*" finds "Opvangcentrum",
# while "kinderopvang" does not match: a word must start with it).
PRESENCE_WORDS = (
    # Dutch
    "opvang*", "crisisopvang*", "nachtopvang*", "onthaaltehuis", "medisch onderzoek", "medische keuring", "keuring",
    "onderzoek door een arts", "onderzoek door de arts", "arts", "huisarts", "dokter", "geneesheer",
    "arbeidsgeneesheer", "plaatsing", "pleeggezin", "pleegzorg", "pleegouder*", "opname", "ziekenhuis",
    "ontslag uit", "ontslaggesprek", "huisbezoek", "plaatsbeschrijving", "identiteitscontrole",
    # a meeting at the workplace (an art. 60 job, a work placement) happens there, not on the phone
    "werkplek", "werkvloer",
    # English
    "shelter", "medical examination", "examination", "doctor", "physician", "placement", "foster*", "admission",
    "hospital", "discharge", "home visit", "workplace",
)
SENSITIVE_WORDS = (
    # Dutch
    "gezondheid*", "medisch*", "ziekte*", "diagnose*", "dementie", "handicap*", "beperking*", "psychi*",
    "psycholog*", "verslaving*", "drugs", "alcohol*", "middelengebruik", "schuld*", "afbetaling*", "strafblad",
    "strafregister", "veroordeling*", "detentie", "gevangenis", "zwangerschap*", "hiv", "beroerte", "verlamming",
    "zorgnood", "zelfredzaamheid", "geneesmiddel*", "apotheek", "doktersattest*", "attest huisarts",
    "ontslagverslag*", "neuroloog", "psychiater*",
    # English
    "health*", "medical*", "illness*", "diagnos*", "disabilit*", "mental*", "psychiatr*", "psycholog*", "addiction*",
    "debt*", "criminal*", "pregnan*", "medicine*",
)
IDENTITY_WORDS = (
    "identiteit*", "eid", "rijksregisternummer", "insz", "paspoort", "verblijfskaart", "verblijfsvergunning",
    "verblijfsdocument", "verblijfstitel", "identity", "identity card", "id card", "passport", "residence permit",
    "national number",
)
# Authentic sources whose data are sensitive by nature (a recognised disability).
SENSITIVE_SOURCES = frozenset({"handicap"})

_NOT_WORD = re.compile(r"[^0-9a-z]+")


@lru_cache(maxsize=8192)  # step and actor names, asked about by many findings
def words(text: str | None) -> str:
    """'Onthaal - Opvangcentrum' -> ' onthaal opvangcentrum ': no accents, lower case, words padded."""
    if not text:
        return " "
    plain = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    return f" {_NOT_WORD.sub(' ', plain.casefold()).strip()} "


def mentions(text: str | None, phrases) -> bool:
    """Whether ``text`` has one of ``phrases`` as whole words ("arts" is not in "Doktersattest"),
    or, for a phrase ending in "*", words beginning with it."""
    return _mentions(text, phrases if isinstance(phrases, tuple) else tuple(phrases))


@lru_cache(maxsize=16384)  # the same step and item names are asked about, list after list, case after case
def _mentions(text: str | None, phrases: tuple[str, ...]) -> bool:
    padded = words(text)
    return any(needle in padded for needle in _needles(phrases))


@lru_cache(maxsize=64)
def _needles(phrases: tuple[str, ...]) -> tuple[str, ...]:
    """What to look for in :func:`words`' padded text: " arts " for a whole word, " identiteit"
    for a beginning. Plain substring tests: a regular expression of the alternatives found the
    same, but compiling it was a tenth of a first report."""
    return tuple(f" {p[:-1]}" if p.endswith("*") else f" {p} " for p in phrases)


def presence_required(step: Step, case: Case, identifies_item: Callable[[str], bool] | None = None) -> bool:
    """Whether the client must be there in person for ``step``.

    ``presence_required`` when the case says it; else yes for a ``visit``, a
    ``home_visit``, an in-person step that asks nothing but what identifies the
    client (showing an identity card), and a step whose name speaks of one
    (an intake at a shelter, a medical examination, a placement, a hospital).
    ``identifies_item``: :func:`identifies` for this case, when the caller has it
    indexed (kafka.graph: without the index each item scans every data item for
    the documents proving its fact, quadratic in a big case).
    """
    if step.presence_required is not None:
        return step.presence_required
    if step.kind is StepKind.VISIT or step.channel is Channel.HOME_VISIT:
        return True
    asked = [*step.asks, *step.brings]
    form = case.forms.get(step.form) if step.form else None
    if form is not None:
        asked += [*form.fields, *form.attachments]
    identifies_item = identifies_item or (lambda item: identifies(item, case))
    if step.channel is Channel.IN_PERSON and asked and all(identifies_item(item) for item in asked):
        return True
    return mentions(step.name, PRESENCE_WORDS)


def _fact_and_documents(item: str, case: Case) -> list[str]:
    fact = case.data[item].proves or item
    return [fact, *(key for key, d in case.data.items() if d.proves == fact)]


def sensitive(item: str, case: Case, keys: list[str] | None = None) -> bool:
    """Whether the fact of ``item`` is sensitive: ``sensitive`` on the fact decides; else
    ``sensitive: true`` on a document proving it, a source such as a recognised
    disability, or the words of the fact's or a document's name. ``keys``: the fact
    and its documents when the caller knows them already (kafka.graph)."""
    keys = keys or _fact_and_documents(item, case)
    fact = case.data[keys[0]]
    if fact.sensitive is not None:
        return fact.sensitive
    if any(case.data[k].sensitive for k in keys[1:]):
        return True
    if fact.source in SENSITIVE_SOURCES:
        return True
    return any(mentions(case.data[k].name, SENSITIVE_WORDS) for k in keys)


def identifies(item: str, case: Case, keys: list[str] | None = None) -> bool:
    """Whether the fact of ``item`` identifies the client: ``identifies`` on the fact decides;
    else ``identifies: true`` on a document proving it, or the words of the names."""
    keys = keys or _fact_and_documents(item, case)
    fact = case.data[keys[0]]
    if fact.identifies is not None:
        return fact.identifies
    if any(case.data[k].identifies for k in keys[1:]):
        return True
    return any(mentions(case.data[k].name, IDENTITY_WORDS) for k in keys)
