"""The forms review: every form of a set of analysed cases, field by field.

This stage turns analyses (:mod:`kafka.analysis`) into review data (plain
dataclasses) that the CSV and HTML renderers read. It never looks for red
tape itself: every verdict is read from the findings of the analysis.

**The same form across cases.** A form is recognised by the organisation of
its owner, its id *and* its name (compared without case, accents,
punctuation or extra spaces). Only then are its uses in several cases
reviewed together. The id alone is not enough: the starter files give every
application form the id ``aanvraag``, so one service's leefloon form and its
rent-deposit form would be merged. The name alone is not enough either: two
services both have an "Aanvraagformulier". A form whose id or name matches
another form of the same organisation but not both is reviewed apart, and the
review says so (:attr:`FormsReview.hints`), so that the service can give both
the same id and name in its case files.

**Verdicts**, per field or attachment and per case that uses the form, in
this order (the first that applies):

========  ===================================================================
drop      D03: no step of the case uses the item, no rule requires it on the
          form (``basis``), and every decision the form feeds says what it
          uses (the decisions of the form's organisation after the form; when
          it has none, every decision after the form).
prefill   D02, and the item's authentic source has ``local_access``: the
          service fills it in from the source; the client only checks it.
reuse     D01, and a step of the form's own organisation asked it *before*
          the form: the answer is already in the file.
keep      everything else; the reason says why (used by a step, a source
          without local access, asked again later, no ``uses`` in the case,
          a decision that does not say what it uses, a rule that requires it).
========  ===================================================================

**The legal basis.** A form may say which rule requires which of its fields
and attachments (``basis``, a kafka extension). Such a row is never dropped:
it is at most prefilled or reused (it stays on the form, filled in by the
service, and a required attachment is added by the service), or kept "asked
by rule X"; when nothing uses it and the rule is local, the reason says the
service can change its own rule. D03 itself holds back the same way
(:class:`kafka.detectors.d03_unused_data.Facts` ``required_at``).

A form used in several cases gets the *most careful* verdict of its uses
(keep < reuse < prefill < drop): a field is only dropped when no case uses
it, only prefilled when every case can prefill it.

**Figures.** Minutes to fill in a form are its fields times
``question_client_minutes``; minutes to gather its attachments are its
attachments times ``document_client_minutes`` (:class:`kafka.settings.Settings`,
the assumptions behind the finding savings). After the proposed changes only
the kept fields and attachments cost the client time: prefilled or reused
fields are printed on the form, filled in, for the client to check. Pages
shrink in proportion to the lines that stay on the form (every field not
dropped, every attachment kept), rounded up.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Iterable, Sequence

from kafka.analysis import Analysis
from kafka.detectors.base import Action
from kafka.detectors import d01_repeated_question, d02_authentic_source, d03_unused_data, p03_heavy_form
from kafka.findings import Finding, Level
from kafka.i18n import Translator
from kafka.model import GovernmentLevel, StepKind
from kafka.output import safe_name
from kafka.settings import Settings

# The findings a verdict is read from.


class Verdict(StrEnum):
    KEEP = "keep"
    REUSE = "reuse"
    PREFILL = "prefill"
    DROP = "drop"

    @property
    def strength(self) -> int:
        """How much the verdict takes away; the weakest one wins across cases."""
        return _STRENGTH[self]


_STRENGTH = {Verdict.KEEP: 0, Verdict.REUSE: 1, Verdict.PREFILL: 2, Verdict.DROP: 3}


# --- the review data ------------------------------------------------------------


@dataclass(frozen=True)
class StepRef:
    """A step of a case, as a review row points to it."""

    case_id: str
    step_id: str
    name: str
    organisation: str
    form_id: str | None = None  # the form through which this step asks the item, if any

    def ref(self, qualified: bool) -> str:
        """The step id, prefixed with the case id when a form spans several cases."""
        return f"{self.case_id}:{self.step_id}" if qualified else self.step_id


@dataclass(frozen=True)
class UseVerdict:
    """The verdict on one row in one case that uses the form."""

    case_id: str
    verdict: Verdict
    reason: str
    codes: tuple[str, ...]  # the findings the verdict rests on


@dataclass(frozen=True)
class BasisRule:
    """A rule that requires a field or attachment on its form (the form's ``basis``)."""

    id: str
    name: str
    ref: str | None
    level: str  # local | flemish | federal | european

    @property
    def local(self) -> bool:
        return self.level == GovernmentLevel.LOCAL.value


@dataclass(frozen=True)
class FieldRow:
    """One field or attachment of a form, with its verdict."""

    item: str  # the data item id, as in the case file
    name: str
    attachment: bool
    source: str | None  # the key of its authentic source
    source_name: str | None
    local_access: bool | None  # None when the item has no source
    asked_in: tuple[StepRef, ...]  # the other steps that ask it from the client
    used_by: tuple[StepRef, ...]
    verdict: Verdict
    reason: str
    uses: tuple[UseVerdict, ...]  # per case; the verdict above is the weakest of these
    uses_known: bool  # at least one case declares 'uses' (else nothing can be called unused)
    basis: tuple[BasisRule, ...] = ()  # the rules that require it on this form

    @property
    def required(self) -> bool:
        """A rule requires it on this form: it is never dropped."""
        return bool(self.basis)

    @property
    def cases(self) -> tuple[str, ...]:
        return tuple(u.case_id for u in self.uses)

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(code for u in self.uses for code in u.codes))

    @property
    def other_forms(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(s.form_id for s in self.asked_in if s.form_id))

    @property
    def verdicts_differ(self) -> bool:
        return len({u.verdict for u in self.uses}) > 1

    @property
    def stays_on_form(self) -> bool:
        """Still on the proposed form: any field not dropped; a kept attachment, or one a rule
        requires (the service adds it from the source or the file)."""
        if self.attachment:
            return self.verdict is Verdict.KEEP or (self.required and self.verdict is not Verdict.DROP)
        return self.verdict is not Verdict.DROP


@dataclass(frozen=True)
class Figures:
    """What a form asks of the client, before or after the proposed changes."""

    fields: int
    attachments: int
    pages: int | None
    fill_minutes: float
    gather_minutes: float

    @property
    def minutes(self) -> float:
        return self.fill_minutes + self.gather_minutes

    def __add__(self, other: "Figures") -> "Figures":
        pages = None if self.pages is None and other.pages is None else (self.pages or 0) + (other.pages or 0)
        return Figures(
            self.fields + other.fields, self.attachments + other.attachments, pages,
            self.fill_minutes + other.fill_minutes, self.gather_minutes + other.gather_minutes,
        )


ZERO = Figures(0, 0, None, 0.0, 0.0)


@dataclass(frozen=True)
class FormUse:
    """One case that uses the form, and the steps in which it is filled in."""

    case_id: str
    case_title: str
    form_id: str
    steps: tuple[StepRef, ...]


@dataclass(frozen=True)
class FormReview:
    anchor: str  # a stable HTML id
    form_id: str
    name: str
    organisation: str
    owner: str  # the name of the owning actor
    rule: str | None  # the name of the rule that mandates the form
    rule_ref: str | None
    rule_level: str | None  # local | flemish | federal | european
    level: Level  # LOCAL when the service can change the form itself
    government: str  # who else must change it when it cannot (local | flemish | federal | european)
    uses: tuple[FormUse, ...]
    rows: tuple[FieldRow, ...]
    before: Figures
    after: Figures
    findings: tuple[Finding, ...]  # findings about the form as a whole (P03)
    uses_known: bool

    @property
    def qualified(self) -> bool:
        """Step ids need their case id: the form is used in more than one case."""
        return len(self.uses) > 1

    @property
    def fields(self) -> list[FieldRow]:
        return [r for r in self.rows if not r.attachment]

    @property
    def attachments(self) -> list[FieldRow]:
        return [r for r in self.rows if r.attachment]

    def with_verdict(self, *verdicts: Verdict) -> list[FieldRow]:
        return [r for r in self.rows if r.verdict in verdicts]

    @property
    def counts(self) -> dict[str, int]:
        return {v.value: len(self.with_verdict(v)) for v in Verdict}

    # The proposed form, in the order a client meets it.
    @property
    def to_fill_in(self) -> list[FieldRow]:
        return [r for r in self.fields if r.verdict is Verdict.KEEP]

    @property
    def filled_in(self) -> list[FieldRow]:
        return [r for r in self.fields if r.verdict in (Verdict.PREFILL, Verdict.REUSE)]

    @property
    def to_attach(self) -> list[FieldRow]:
        return [r for r in self.attachments if r.verdict is Verdict.KEEP]

    @property
    def attached_by_service(self) -> list[FieldRow]:
        """Attachments a rule requires that the service adds itself, from the source or the file."""
        return [r for r in self.attachments if r.stays_on_form and r.verdict is not Verdict.KEEP]

    @property
    def required_rows(self) -> list[FieldRow]:
        return [r for r in self.rows if r.required]

    @property
    def removed(self) -> list[FieldRow]:
        return [r for r in self.rows if not r.stays_on_form]


@dataclass(frozen=True)
class CaseRef:
    id: str
    title: str
    organisation: str
    forms: int


@dataclass(frozen=True)
class FormsReview:
    """Every form of a set of cases, reviewed once each."""

    forms: tuple[FormReview, ...]
    cases: tuple[CaseRef, ...]
    hints: tuple[str, ...]  # forms that look alike but are reviewed apart
    question_minutes: float
    document_minutes: float
    lang: str

    @property
    def before(self) -> Figures:
        return sum((f.before for f in self.forms), ZERO)

    @property
    def after(self) -> Figures:
        return sum((f.after for f in self.forms), ZERO)

    @property
    def organisations(self) -> list[str]:
        return list(dict.fromkeys(f.organisation for f in self.forms))


# --- recognising the same form ----------------------------------------------------


def normalise(text: str) -> str:
    """Text compared without case, accents, punctuation or extra spaces."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^0-9a-z]+", " ", plain).split())


@dataclass(frozen=True)
class FormKey:
    organisation: str  # normalised
    form_id: str
    name: str  # normalised


def form_key(analysis: Analysis, form_id: str) -> FormKey:
    form = analysis.case.forms[form_id]
    organisation = analysis.case.actors[form.owner].org
    return FormKey(normalise(organisation), form_id, normalise(form.name))


# --- building the review ------------------------------------------------------------


def build_review(analyses: Sequence[Analysis], lang: str | None = None) -> FormsReview:
    """Review every form of ``analyses``; a form used in several cases once."""
    lang = lang or (analyses[0].lang if analyses else "nl")
    t = Translator(lang)
    groups: dict[FormKey, list[tuple[Analysis, str]]] = {}
    for analysis in analyses:
        for form_id in analysis.case.forms:
            groups.setdefault(form_key(analysis, form_id), []).append((analysis, form_id))
    settings = analyses[0].settings if analyses else Settings()
    forms = sorted(
        (_review_form(t, uses) for uses in groups.values()),
        key=lambda f: (f.organisation.casefold(), f.name.casefold(), f.form_id),
    )
    forms = _unique_anchors(forms)
    cases = tuple(
        CaseRef(a.case.id, a.case.case.title, a.case.case.organisation, len(a.case.forms)) for a in analyses
    )
    return FormsReview(
        forms=tuple(forms), cases=cases, hints=tuple(_hints(t, groups)),
        question_minutes=settings.question_client_minutes, document_minutes=settings.document_client_minutes,
        lang=lang,
    )


def _review_form(t: Translator, uses: list[tuple[Analysis, str]]) -> FormReview:
    first, first_id = uses[0]
    form = first.case.forms[first_id]
    owner = first.case.actors[form.owner]
    rule = first.case.rules.get(form.rule) if form.rule else None
    local = first.graph.form_local(first_id)
    rows = _merge_rows(t, [_use_rows(t, analysis, form_id) for analysis, form_id in uses])
    settings = first.settings
    pages = next((a.case.forms[f].pages for a, f in uses if a.case.forms[f].pages is not None), None)
    before = _figures(rows, pages, settings, lambda r: True)
    after = _figures(rows, None, settings, lambda r: r.verdict is Verdict.KEEP)
    after = Figures(after.fields, after.attachments, _pages_after(rows, pages), after.fill_minutes, after.gather_minutes)
    return FormReview(
        anchor=safe_name(f"{owner.org}-{first_id}", fallback="form"),
        form_id=first_id,
        name=form.name,
        organisation=owner.org,
        owner=owner.name,
        rule=rule.name if rule else None,
        rule_ref=rule.ref if rule else None,
        rule_level=rule.level.value if rule else None,
        level=Level.LOCAL if local else Level.SUPRALOCAL,
        government=_government(first, form.owner, rule),
        uses=tuple(_form_use(analysis, form_id) for analysis, form_id in uses),
        rows=tuple(rows),
        before=before,
        after=after,
        findings=tuple(
            f for analysis, form_id in uses for f in analysis.findings
            if isinstance(f.facts, p03_heavy_form.Facts) and f.proposal.target.id == form_id
        ),
        uses_known=any(analysis.graph.users for analysis, _ in uses),
    )


def _government(analysis: Analysis, owner_key: str, rule) -> str:
    if rule is not None and rule.level is not GovernmentLevel.LOCAL:
        return rule.level.value
    level = analysis.case.actors[owner_key].level.value
    return level if level in ("flemish", "federal", "european") else "local"


def _form_use(analysis: Analysis, form_id: str) -> FormUse:
    g = analysis.graph
    return FormUse(
        case_id=analysis.case.id,
        case_title=analysis.case.case.title,
        form_id=form_id,
        steps=tuple(_step_ref(analysis, s) for s in g.form_steps(form_id)),
    )


def _step_ref(analysis: Analysis, step_id: str, item: str | None = None) -> StepRef:
    g = analysis.graph
    form_id = None
    if item is not None and {"field", "attachment"} & set(g.asked_by_step[step_id].get(item, ())):
        form_id = g.steps[step_id].form
    return StepRef(analysis.case.id, step_id, g.steps[step_id].name, g.organisation(step_id), form_id)


@dataclass
class _UseRow:
    """A row as one case sees it, before the cases are merged."""

    item: str
    attachment: bool
    name: str
    source: str | None
    source_name: str | None
    local_access: bool | None
    asked_in: list[StepRef]
    used_by: list[StepRef]
    verdict: UseVerdict
    uses_known: bool
    basis: tuple[BasisRule, ...]


def _basis(analysis: Analysis, form_id: str, item: str) -> tuple[BasisRule, ...]:
    rules = analysis.case.rules
    return tuple(
        BasisRule(key, rules[key].name, rules[key].ref, rules[key].level.value)
        for key in analysis.case.forms[form_id].basis.get(item, ()) if key in rules
    )


def _use_rows(t: Translator, analysis: Analysis, form_id: str) -> list[_UseRow]:
    g = analysis.graph
    form = analysis.case.forms[form_id]
    form_steps = g.form_steps(form_id)
    by_item = _verdict_findings(analysis.findings)
    rows = []
    for attachment, items in ((False, form.fields), (True, form.attachments)):
        for item in dict.fromkeys(items):
            source = g.source_of(item)
            basis = _basis(analysis, form_id, item)
            rows.append(_UseRow(
                item=item,
                attachment=attachment,
                name=g.item(item).name,
                source=analysis.case.data[item].source,
                source_name=source.name if source else None,
                local_access=source.local_access if source else None,
                asked_in=[_step_ref(analysis, s, item) for s in g.askers.get(item, []) if s not in form_steps],
                used_by=[_step_ref(analysis, s) for s in g.fact_users.get(g.fact(item), [])],
                verdict=_verdict(t, analysis, form_id, form_steps, item, by_item.get(g.fact(item), {}), basis,
                                 attachment),
                uses_known=bool(g.users),
                basis=basis,
            ))
    return rows


# The findings a field's verdict rests on, by the type of their facts: each is about one item.
_VERDICT_FACTS = (d01_repeated_question.Facts, d02_authentic_source.Facts, d03_unused_data.Facts)


def _verdict_findings(findings: Iterable[Finding]) -> dict[str, dict[type, Finding]]:
    """item -> facts type -> the finding about that item (repeated, sourced, unused)."""
    index: dict[str, dict[type, Finding]] = {}
    for f in findings:
        if isinstance(f.facts, _VERDICT_FACTS):
            for item in f.data:
                index.setdefault(item, {})[type(f.facts)] = f
    return index


def _verdict(
    t: Translator, analysis: Analysis, form_id: str, form_steps: list[str], item: str, found: dict[type, Finding],
    basis: tuple[BasisRule, ...] = (), attachment: bool = False,
) -> UseVerdict:
    g = analysis.graph
    case_id = analysis.case.id
    if not form_steps:
        return UseVerdict(case_id, Verdict.KEEP, t("forms.reason.not_filled_in"), ())
    first = min(g.order[s] for s in form_steps)
    d03 = found.get(d03_unused_data.Facts)
    unsure: list[str] = []
    # Only an item nobody uses that may go: never one that identifies the client, nor a
    # sensitive one (asked only when needed). One a source also holds goes from the form
    # all the same: the analysis takes it from the source only when it is needed.
    if d03 is not None and not basis and d03.facts.action is Action.DROP:
        decisions = _decisions_fed(analysis, form_id, first)
        unsure = [s for s in decisions if not g.steps[s].uses]
        if not unsure:
            # The verdict rests on the decisions' uses, or, without decisions, on every step that declares them.
            key, rests_on = ("forms.reason.drop", decisions) if decisions else (
                "forms.reason.drop_steps", [s.id for s in analysis.case.steps if s.uses])
            return UseVerdict(case_id, Verdict.DROP, t(key, steps=_names(t, g, rests_on)), (d03.code,))
    required = _required_note(t, basis, attachment)
    d02 = found.get(d02_authentic_source.Facts)
    source = g.source_of(item)
    if d02 is not None and d02.facts.local_access and source is not None:
        # The catalogue's channel as a sentence says it ("de KSZ of MAGDA"), as in the D02 texts.
        via_key = f"findings.D02.via_phrase.{source.via}"
        via = t(via_key) if source.via and t.has(via_key) else (source.via or t("forms.reason.default_via"))
        reason = _joined(t("forms.reason.prefill", source=source.name, via=via), required)
        return UseVerdict(case_id, Verdict.PREFILL, reason, (d02.code,))
    d01 = found.get(d01_repeated_question.Facts)
    form_org = analysis.case.actors[analysis.case.forms[form_id].owner].org
    earlier = [s for s in d01.steps if g.order[s] < first] if d01 else []
    own_earlier = [s for s in earlier if g.organisation(s) == form_org]
    if own_earlier:
        reason = _joined(t("forms.reason.reuse", steps=_names(t, g, own_earlier)), required)
        return UseVerdict(case_id, Verdict.REUSE, reason, (d01.code,))
    codes = tuple(f.code for f in found.values())
    if d03 is not None:  # unused, but a rule requires it, or a decision does not say what it uses
        reason = (_required_unused(t, analysis, basis) if basis
                  else t("forms.reason.drop_unsure", steps=_names(t, g, unsure)))
        return UseVerdict(case_id, Verdict.KEEP, reason, codes)
    keep = _keep_reason(t, analysis, item, first, earlier, d01, d02)
    return UseVerdict(case_id, Verdict.KEEP, _joined(_rules_asking(t, basis), keep), codes)


def _decisions_fed(analysis: Analysis, form_id: str, first: int) -> list[str]:
    """The decisions a form feeds: those of the form's organisation after it, or, when it has
    none, every decision after it (a petition the OCMW writes for a court)."""
    g = analysis.graph
    later = [s.id for s in analysis.case.steps if s.kind is StepKind.DECISION and g.order[s.id] > first]
    organisation = analysis.case.actors[analysis.case.forms[form_id].owner].org
    return [s for s in later if g.organisation(s) == organisation] or later


def _rules_text(t: Translator, basis: tuple[BasisRule, ...]) -> str:
    """'Name' (federaal; Ger.W. art. 1675/4) en 'Other' (lokaal)."""
    return t.join([
        t("forms.reason.rule_ref" if r.ref else "forms.reason.rule", rule=r.name,
          level=t(f"common.rule_level.{r.level}"), ref=r.ref or "")
        for r in basis
    ])


def _rules_asking(t: Translator, basis: tuple[BasisRule, ...]) -> str:
    return t("forms.reason.asked_by_rule", rules=_rules_text(t, basis)) if basis else ""


def _required_note(t: Translator, basis: tuple[BasisRule, ...], attachment: bool) -> str:
    """A prefilled or reused row a rule requires: it stays on the form, filled in or added by the service."""
    if not basis:
        return ""
    key = "forms.reason.required_attachment" if attachment else "forms.reason.required_field"
    return t(key, rules=_rules_text(t, basis))


def _required_unused(t: Translator, analysis: Analysis, basis: tuple[BasisRule, ...]) -> str:
    """Nothing uses it, but a rule requires it: who can change that rule."""
    text = t("forms.reason.required_unused", rules=_rules_text(t, basis))
    if all(r.local for r in basis):
        return _joined(text, t("forms.reason.own_rule"))
    governments = [t(f"common.government.{r.level}") for r in basis if not r.local]
    return _joined(text, t("forms.reason.other_rule", government=t.join(list(dict.fromkeys(governments)))))


def _joined(*parts: str) -> str:
    return " ".join(p for p in parts if p)


def _keep_reason(t, analysis: Analysis, item: str, first: int, earlier, d01, d02) -> str:
    g = analysis.graph
    parts = []
    if not g.users:
        parts.append(t("forms.reason.no_uses"))
    else:
        parts.append(t.n("forms.reason.used_by", len(g.fact_users.get(g.fact(item), []))))
    if d02 is not None:
        parts.append(t("forms.reason.no_access", source=g.source_of(item).name, proposal=d02.proposal.title))
    if earlier:
        organisations = t.join(list(dict.fromkeys(g.organisation(s) for s in earlier)))
        parts.append(t("forms.reason.asked_before_elsewhere", steps=_names(t, g, earlier), organisations=organisations))
    later = [s for s in d01.steps if g.order[s] > first] if d01 else []
    if later:
        parts.append(t.n("forms.reason.asked_later", len(later)))
    return " ".join(parts)


def _names(t: Translator, g, step_ids: Iterable[str]) -> str:
    return t.join([g.steps[s].name for s in step_ids])


def _merge_rows(t: Translator, per_use: list[list[_UseRow]]) -> list[FieldRow]:
    """One row per (item, attachment) over all uses, in the order of the first use that has it."""
    grouped: dict[tuple[bool, str], list[_UseRow]] = {}
    for rows in per_use:
        for row in rows:
            grouped.setdefault((row.attachment, row.item), []).append(row)
    ordered = sorted(grouped.items(), key=lambda kv: kv[0][0])  # fields first; stable otherwise
    return [_merged(t, rows) for _, rows in ordered]


def _merged(t: Translator, rows: list[_UseRow]) -> FieldRow:
    first = rows[0]
    verdicts = [r.verdict for r in rows]
    binding = min(verdicts, key=lambda v: v.verdict.strength)
    reason = binding.reason
    if len(rows) > 1 and len({v.verdict for v in verdicts}) > 1:
        others = [v for v in verdicts if v.verdict is not binding.verdict]
        reason += " " + t(
            "forms.reason.differs",
            cases=t.join([f"{v.case_id} ({t('forms.verdict.' + v.verdict.value)})" for v in others]),
        )
    return FieldRow(
        item=first.item,
        name=first.name,
        attachment=first.attachment,
        source=first.source,
        source_name=first.source_name,
        local_access=first.local_access,
        asked_in=tuple(dict.fromkeys(s for r in rows for s in r.asked_in)),
        used_by=tuple(dict.fromkeys(s for r in rows for s in r.used_by)),
        verdict=binding.verdict,
        reason=reason,
        uses=tuple(verdicts),
        uses_known=any(r.uses_known for r in rows),
        basis=tuple(dict.fromkeys(b for r in rows for b in r.basis)),
    )


def _figures(rows: list[FieldRow], pages: int | None, settings: Settings, counts) -> Figures:
    fields = len([r for r in rows if not r.attachment and counts(r)])
    attachments = len([r for r in rows if r.attachment and counts(r)])
    return Figures(
        fields, attachments, pages,
        fields * settings.question_client_minutes, attachments * settings.document_client_minutes,
    )


def _pages_after(rows: list[FieldRow], pages: int | None) -> int | None:
    if pages is None or not rows:
        return pages
    staying = len([r for r in rows if r.stays_on_form])
    return 0 if staying == 0 else max(1, math.ceil(pages * staying / len(rows)))


def _unique_anchors(forms: list[FormReview]) -> list[FormReview]:
    seen: dict[str, int] = {}
    out = []
    for f in forms:
        n = seen.get(f.anchor, 0)
        seen[f.anchor] = n + 1
        out.append(f if n == 0 else replace(f, anchor=f"{f.anchor}-{n + 1}"))
    return out


def _hints(t: Translator, groups: dict[FormKey, list[tuple[Analysis, str]]]) -> list[str]:
    """Forms of one organisation that share an id or a name, but not both: reviewed apart."""
    hints = []
    by_organisation: dict[str, list[FormKey]] = {}
    for key in groups:  # compare within an organisation only: thousands of cases stay cheap
        by_organisation.setdefault(key.organisation, []).append(key)
    pairs = [(a, b) for keys in by_organisation.values() for i, a in enumerate(keys) for b in keys[i + 1:]]
    for a, b in pairs:
        if a.form_id != b.form_id and a.name != b.name:
            continue
        (case_a, id_a), (case_b, id_b) = groups[a][0], groups[b][0]
        form_a, form_b = case_a.case.forms[id_a], case_b.case.forms[id_b]
        hints.append(t(
            "forms.hint.similar",
            organisation=case_a.case.actors[form_a.owner].org,
            a=f"{form_a.name} ({id_a}, {case_a.case.id})",
            b=f"{form_b.name} ({id_b}, {case_b.case.id})",
        ))
    return hints


__all__ = [
    "BasisRule", "CaseRef", "FieldRow", "Figures", "FormReview", "FormUse", "FormsReview", "StepRef", "UseVerdict",
    "Verdict", "build_review", "form_key", "normalise",
]
