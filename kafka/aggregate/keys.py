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

from dataclasses import dataclass

from kafka.administrations import find_administration, normalise  # normalise: one definition for both
from kafka.catalogue import builtin_sources, sources_for
from kafka.findings import Finding
from kafka.model import Case, Rule

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


def proposal_key(code: str, government: str, merge_key: str) -> str:
    """The key of a merged proposal, stable across runs: what VVSG staff write in the status register.

    Code D02, government federal, merge key source:rijksregister: D02.federal.source.rijksregister. A merge key
    holds only lower-case letters, digits, spaces and colons (normalised
    texts joined by colons), so writing ':' as '.' and ' ' as '-' keeps two
    proposals apart and reads well in a YAML file or a spreadsheet.
    """
    return f"{code}.{government}.{merge_key.replace(':', '.').replace(' ', '-')}"


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


def merge_fields(finding: Finding, case: Case) -> dict:
    """The fields a finding row gets for the site, computed while the worker still has the case.

    ``target_group``, ``merge_key``, ``target_label``, ``target_detail``: the
    :class:`MergeKey`; ``administration``: the key of the administration the
    proposal is addressed to (:mod:`kafka.administrations`, the government
    level alone when unsure); ``deadline_binds``: for a proposal about a
    deadline, whose deadline it is (``organisation``: it protects the
    client, so it is never proposed to start later; ``client``), else "".
    """
    key = merge_key(finding, case)
    return {
        "target_group": key.group, "merge_key": key.key, "target_label": key.label, "target_detail": key.detail,
        "administration": administration_for(finding, case),
        "deadline_binds": _deadline_binds(finding, case),
    }


def administration_for(finding: Finding, case: Case) -> str:
    """The key of the administration that can carry out ``finding``'s proposal (see merge_fields)."""
    target = finding.proposal.target
    if target.government == "local":
        return ""
    if target.administration:  # the analysis named it already (kafka.detectors.base.Context.decider)
        return target.administration
    names, source = _identifying_texts(target, case)
    return find_administration(target.government, *names, source=source).key


def _identifying_texts(target, case: Case) -> tuple[list[str | None], str | None]:
    """What names the target's administration, the most telling first; and a source key to try after them.

    For a rule (and a step or form a rule mandates) the rule's reference and
    name come first: an OCMW-wet deadline belongs to whoever owns the
    OCMW-wet, whichever actor made it late. For a data item or a source the
    proposal's "who" comes first (the rule that makes the item asked), then
    the source. Only what lies outside the OCMW counts: its own rules and
    actors (level local, client, private) name no administration.
    """
    kind, ident = target.kind, target.id
    who = _who_texts(target.owner, case)
    if kind == "rule" and ident in case.rules:
        return [*_rule_texts(case.rules[ident]), *who], None
    if kind == "step":
        step = next((s for s in case.steps if s.id == ident), None)
        if step is not None:
            rule_id = step.rule
            if rule_id is None and step.form is not None and step.form in case.forms:
                rule_id = case.forms[step.form].rule
            return [*_rule_texts(case.rules.get(rule_id)), *_actor_texts(case.actors.get(step.actor)), *who], None
    if kind == "form" and ident in case.forms:
        form = case.forms[ident]
        return [*_rule_texts(case.rules.get(form.rule)), *_actor_texts(case.actors.get(form.owner)), *who], None
    if kind == "actor" and ident in case.actors:
        return [*_actor_texts(case.actors[ident]), *who], None
    if kind == "data" and ident in case.data:
        source = case.data[ident].source
        return [*who, _source_name(source, case)], _builtin_key(source, case)
    if kind == "source":
        return [*who, _source_name(ident, case)], _builtin_key(ident, case)
    return who, None


def _who_texts(owner: str, case: Case) -> list[str]:
    """The proposal's "who" ('de federale overheid (RMI-wet ...)'), with the legal reference of the rule it names."""
    named = [rule for rule in case.rules.values() if rule.level != "local" and f"({rule.name})" in owner]
    return [text for rule in named for text in _rule_texts(rule)] + [owner]


def _rule_texts(rule: Rule | None) -> list[str]:
    if rule is None or rule.level == "local":
        return []
    return [text for text in (rule.ref, rule.name) if text]


def _actor_texts(actor) -> list[str]:
    if actor is None or str(actor.level) in ("local", "client", "private"):
        return []
    return [actor.org, actor.name]


def _source_name(key: str | None, case: Case) -> str | None:
    source = sources_for(case).get(key) if key else None
    return source.name if source is not None else None


def _builtin_key(key: str | None, case: Case) -> str | None:
    """``key`` when it names the built-in catalogue's source (not a case's own source of that key)."""
    if not key or key not in builtin_sources():
        return None
    own = case.sources.get(key)
    return key if own is None or normalise(own.name) == normalise(builtin_sources()[key].name) else None


def _deadline_binds(finding: Finding, case: Case) -> str:
    target = finding.proposal.target
    rule = case.rules.get(target.id) if target.kind == "rule" else None
    if rule is None or rule.deadline_days is None:
        return ""
    # Contract 1.1: `binds: client` is a deadline the client must meet; the default is the organisation's.
    return str(getattr(rule, "binds", None) or "organisation")
