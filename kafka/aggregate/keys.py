"""What counts as "the same proposal" in two cases.

Two findings carry the same proposal when they have the same code, the same
level and the same *target* (``kafka.findings.Target``). Within one case the
target's ``kind:id`` identifies it, but ids are chosen freely per case file:
one OCMW calls the household composition ``household``, another ``gezin``.
So across cases a target is recognised by what it *is*, in this order:

=============  ==================================================================
target kind    recognised across cases by
=============  ==================================================================
source         a key of the built-in catalogue (``rijksregister``) is global;
               a source the case defines itself: its normalised name
data           an item with a ``source``: that source (the data flow: "data
               from the Rijksregister"); an item without one: its normalised name
rule           its normalised ``ref`` (else its normalised name), plus its
               ``deadline_days``: art. 21 holds both the 30-day decision and
               the 8-day notification, which are different proposals
form           its normalised name
step           the rule that mandates it (as for ``rule``); a step without one:
               its kind and the normalised name of its actor
actor          the normalised name of the actor's organisation ("RVA")
organisation   the OCMW's own way of working: S01/S02 at the local level ask
               every OCMW the same thing (one intake, one counter), so they
               merge across organisations
=============  ==================================================================

"Normalised" means: accents removed, lower case, every run of punctuation and
spaces made one space. So "Comité" and "comite", "art. 21" and "art 21" meet;
"RMI-wet art. 21" and "Wet 26 mei 2002, art. 21" do not: a case file that
cites rules by their legal reference merges best.

The worker computes the key while it still has the case (the rule's ``ref``,
the item's source); the tables only compare strings.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from kafka.catalogue import builtin_sources, sources_for
from kafka.findings import Finding
from kafka.model import Case, Rule

_NOT_WORD = re.compile(r"[^0-9a-z]+")


def normalise(text: str | None) -> str:
    """'Bijzonder Comité, art. 21' -> 'bijzonder comite art 21'."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", str(text))
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _NOT_WORD.sub(" ", plain.casefold()).strip()


@dataclass(frozen=True, slots=True)
class MergeKey:
    """How a finding's target is known across cases.

    ``group`` is the kind of thing it is for the reader (``data_source`` is a
    data flow from one source; the others are the target kinds); ``key`` is
    compared across cases; ``label`` is the thing's name in this case's words,
    and ``detail`` an extra word for the reader (a rule's reference, a data
    item's own name in a data-flow group).
    """

    group: str
    key: str
    label: str
    detail: str = ""


def merge_key(finding: Finding, case: Case) -> MergeKey:
    target = finding.proposal.target
    kind, ident = target.kind, target.id
    if kind == "source":
        return _source_key(ident, case, target.name)
    if kind == "data" and ident in case.data:
        item = case.data[ident]
        if item.source:
            source = _source_key(item.source, case, item.source)
            return MergeKey("data_source", f"data:{source.key}", source.label, item.name)
        return MergeKey("data", f"data:name:{normalise(item.name)}", item.name)
    if kind == "rule" and ident in case.rules:
        rule = case.rules[ident]
        return MergeKey("rule", _rule_key(rule), rule.name, rule.ref or "")
    if kind == "form" and ident in case.forms:
        form = case.forms[ident]
        return MergeKey("form", f"form:{normalise(form.name)}", form.name)
    if kind == "step":
        step = next((s for s in case.steps if s.id == ident), None)
        if step is not None:
            return _step_key(step, case, target.name)
    if kind == "actor" and ident in case.actors:
        organisation = case.actors[ident].org
        return MergeKey("actor", f"actor:{normalise(organisation)}", organisation)
    if kind == "organisation":
        # Each OCMW's own organisation: the same target for all, with no name of its own.
        return MergeKey("organisation", "organisation:own", "")
    # A kind this module does not know yet: the case's own words are the best guess.
    return MergeKey(kind, f"{kind}:{normalise(target.name) or ident}", target.name)


def _source_key(key: str, case: Case, fallback_name: str) -> MergeKey:
    """A catalogue key is global, unless the case redefines it as something else."""
    builtin = builtin_sources().get(key)
    own = sources_for(case).get(key)
    name = own.name if own is not None else fallback_name
    if builtin is not None and (key not in case.sources or normalise(name) == normalise(builtin.name)):
        return MergeKey("source", f"source:{key}", builtin.name)
    return MergeKey("source", f"source:name:{normalise(name)}", name)


def _rule_key(rule: Rule) -> str:
    text = normalise(rule.ref) or normalise(rule.name)
    deadline = f":{rule.deadline_days:g}d" if rule.deadline_days is not None else ""
    return f"rule:{text}{deadline}"


def _step_key(step, case: Case, name: str) -> MergeKey:
    rule_id = step.rule
    if rule_id is None and step.form is not None and step.form in case.forms:
        rule_id = case.forms[step.form].rule
    if rule_id is not None and rule_id in case.rules:
        rule = case.rules[rule_id]
        return MergeKey("step", f"step:{_rule_key(rule)}", name, rule.name)
    actor = case.actors.get(step.actor)
    actor_name = actor.name if actor is not None else step.actor
    kind = step.kind.value if step.kind is not None else "step"
    return MergeKey("step", f"step:{kind}:{normalise(actor_name)}", name, actor_name)
