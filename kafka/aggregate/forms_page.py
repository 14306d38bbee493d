"""The same form in several OCMW's, side by side: forms.html of the VVSG site (kafka aggregate).

Each worker hands on, per case, a small summary of the case's forms
(:func:`form_summaries`: the rows of the forms review, :mod:`kafka.forms`).
This page puts the forms that are the same form in different organisations
next to each other: which OCMW asks what, as a field or as an attachment,
what the review proposes for it, and which rule requires it; and it points
out the leanest version of each form (the fewest client minutes today) as an
example for the others, with what the others ask and it does without.

**The same form.** Two forms of different cases are one form on this page
when they have the same name (compared without case, accents or
punctuation), or when their cases are of the same procedure and the forms
rest on the same Flemish, federal or European rule (the form's ``rule`` or a
rule of its ``basis``, compared by its legal reference, else its name): the
leefloon application of two OCMW's rests on the RMI law, whatever each calls
its form. A local rule (an OCMW's own reglement) never joins forms of two
OCMW's. Within one organisation a form is one column, with all its cases.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

from kafka.forms.review import FieldRow, FormReview, FormsReview, normalise
from kafka.i18n import Translator

FORMS_PAGE = "forms.html"

# A form asked by hundreds of OCMW's would make a page nobody can read: this many
# columns per form, the leanest first (the rest are counted below the table).
MAX_COLUMNS = 12


# --- what a worker hands on (picklable, JSON-able: the manifest keeps it) ---------------


def form_summaries(review: FormsReview) -> list[dict]:
    """The forms of one case's review (:func:`kafka.forms.build_review`) as plain data for the site."""
    assumptions = [review.question_minutes, review.document_minutes]
    return [{**_summary(form), "assumptions": assumptions} for form in review.forms]


def _summary(form: FormReview) -> dict:
    rules = []
    if form.rule:
        rules.append({"name": form.rule, "ref": form.rule_ref or "", "level": form.rule_level or "local"})
    for rule in dict.fromkeys(r for row in form.rows for r in row.basis):
        rules.append({"name": rule.name, "ref": rule.ref or "", "level": rule.level})
    return {
        "id": form.form_id,
        "name": form.name,
        "organisation": form.organisation,
        "pages": form.before.pages,
        "pages_after": form.after.pages,
        "minutes": form.before.minutes,
        "minutes_after": form.after.minutes,
        "fields": form.before.fields,
        "attachments": form.before.attachments,
        "fields_after": form.after.fields,
        "attachments_after": form.after.attachments,
        "rules": rules,
        "rows": [_row(row) for row in form.rows],
    }


def _row(row: FieldRow) -> dict:
    return {
        "item": row.item,
        "name": row.name,
        "attachment": row.attachment,
        "verdict": row.verdict.value,
        "basis": [f"{r.name} ({r.level})" for r in row.basis],
    }


# --- the page data ------------------------------------------------------------------------


@dataclass
class CaseLink:
    text: str
    href: str


@dataclass
class FormColumn:
    """One organisation's version of the form."""

    organisation: str
    name: str
    form_id: str
    cases: list[CaseLink]
    fields: int
    attachments: int
    pages: int | None
    minutes: float
    fields_after: int
    attachments_after: int
    pages_after: int | None
    minutes_after: float
    leanest: bool = False

    @property
    def lines(self) -> int:
        return self.fields + self.attachments


@dataclass
class Asked:
    """How one form asks one item: as a field or an attachment, the review's verdict, the rules."""

    attachment: bool
    verdict: str
    basis: list[str]


@dataclass
class ItemRow:
    item: str
    name: str
    cells: list[list[Asked]]  # per column; empty when that form does not ask it
    forms: int  # how many of the columns ask it

    @property
    def required(self) -> bool:
        return any(a.basis for cell in self.cells for a in cell)


@dataclass
class FormGroup:
    anchor: str
    title: str
    procedures: str
    why: str  # why these forms are one form here
    columns: list[FormColumn]
    rows: list[ItemRow]
    more_columns: int  # organisations left out of the table (MAX_COLUMNS)
    leanest: FormColumn
    leanest_without: list[str]  # what the others ask and the leanest does without (names)

    @property
    def organisations(self) -> int:
        return len(self.columns) + self.more_columns


@dataclass
class FormsPage:
    lead: str
    groups: list[FormGroup]
    alone: list[FormColumn]  # forms found in one organisation only
    downloads: list  # kafka.aggregate.site.Link, for the site navigation
    question_minutes: float | None  # the assumptions behind the minutes (None without forms)
    document_minutes: float | None


@dataclass
class _Form:
    """One organisation's form, over the cases that use it."""

    key: tuple[str, str, str]  # normalised organisation, id, normalised name
    summary: dict
    procedure: str
    cases: list[CaseLink] = field(default_factory=list)


def forms_page(cases: Sequence, t: Translator, downloads: list) -> FormsPage:
    """The page for ``cases`` (kafka.aggregate.collect.CaseSummary, with their ``forms``)."""
    forms: dict[tuple[str, str, str], _Form] = {}
    for case in cases:
        for summary in getattr(case, "forms", None) or ():
            key = (normalise(summary["organisation"]), summary["id"], normalise(summary["name"]))
            entry = forms.setdefault(key, _Form(key, summary, case.procedure))
            entry.cases.append(CaseLink(case.id, case.report))
    groups, alone = [], []
    for members in _same_forms(list(forms.values())):
        if len({m.key[0] for m in members}) < 2:
            alone += [_column(m) for m in members]
            continue
        groups.append(_group(members, t, len(groups) + 1))
    groups.sort(key=lambda g: (-g.organisations, g.title.casefold()))
    alone.sort(key=lambda c: (c.organisation.casefold(), c.name.casefold()))
    lead = t("aggregate.forms.lead", forms=t.number(len(groups)),
             organisations=t.number(len({m.key[0] for m in forms.values()})))
    question, document = next((f.summary["assumptions"] for f in forms.values()), (None, None))
    return FormsPage(lead, groups, alone, downloads, question, document)


def _rule_keys(form: _Form) -> set[str]:
    """The non-local rules a form rests on, as keys that compare across cases."""
    keys = set()
    for rule in form.summary["rules"]:
        if rule["level"] != "local":
            keys.add(normalise(rule["ref"] or rule["name"]))
    return keys


def _same_forms(forms: list[_Form]) -> list[list[_Form]]:
    """Groups of forms that are one form: the same name, or the same procedure and a shared rule."""
    parent = list(range(len(forms)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def join(i: int, j: int) -> None:
        parent[find(i)] = find(j)

    first_of: dict[tuple, int] = {}
    for i, form in enumerate(forms):
        keys = [("name", form.key[2])]
        if form.procedure:
            keys += [("rule", form.procedure, rule) for rule in _rule_keys(form)]
        for key in keys:
            if key in first_of:
                join(i, first_of[key])
            else:
                first_of[key] = i
    groups: dict[int, list[_Form]] = {}
    for i, form in enumerate(forms):
        groups.setdefault(find(i), []).append(form)
    return list(groups.values())


def _column(form: _Form) -> FormColumn:
    s = form.summary
    return FormColumn(
        organisation=s["organisation"], name=s["name"], form_id=s["id"], cases=form.cases,
        fields=s["fields"], attachments=s["attachments"], pages=s["pages"], minutes=s["minutes"],
        fields_after=s["fields_after"], attachments_after=s["attachments_after"], pages_after=s["pages_after"],
        minutes_after=s["minutes_after"],
    )


def _leanness(column: FormColumn) -> tuple:
    """The fewest client minutes today, then the fewest pages, then the fewest lines."""
    return (column.minutes, column.pages if column.pages is not None else float("inf"), column.lines,
            column.organisation.casefold())


def _group(members: list[_Form], t: Translator, number: int) -> FormGroup:
    ranked = sorted(members, key=lambda m: _leanness(_column(m)))
    shown, hidden = ranked[:MAX_COLUMNS], ranked[MAX_COLUMNS:]
    columns = [_column(m) for m in shown]
    columns[0].leanest = True
    rows = _rows(shown)
    leanest_items = {r.item for r in rows if r.cells[0]}
    without = [r.name for r in rows if r.item not in leanest_items]
    names = [m.summary["name"] for m in members]
    title = min(dict.fromkeys(names), key=lambda n: (-names.count(n), len(n)))  # the most common, then the shortest
    procedures = t.join(sorted({_procedure(m.procedure, t) for m in members}))
    return FormGroup(
        anchor=f"form-{number}", title=title, procedures=procedures, why=_why(members, t), columns=columns,
        rows=rows, more_columns=len(hidden), leanest=columns[0], leanest_without=without,
    )


def _rows(members: list[_Form]) -> list[ItemRow]:
    """One row per item any of the forms asks, the most asked first."""
    names: dict[str, str] = {}
    cells: dict[str, list[list[Asked]]] = {}
    for index, member in enumerate(members):
        for row in member.summary["rows"]:
            names.setdefault(row["item"], row["name"])
            per_column = cells.setdefault(row["item"], [[] for _ in members])
            per_column[index].append(Asked(row["attachment"], row["verdict"], row["basis"]))
    rows = [ItemRow(item, names[item], cells[item], sum(1 for c in cells[item] if c)) for item in cells]
    return sorted(rows, key=lambda r: (-r.forms, r.name.casefold()))


def _why(members: list[_Form], t: Translator) -> str:
    names = {m.key[2] for m in members}
    shared = set.intersection(*(_rule_keys(m) for m in members)) if members else set()
    if shared:
        rule = next(r for m in members for r in m.summary["rules"]
                    if r["level"] != "local" and normalise(r["ref"] or r["name"]) in shared)
        return t("aggregate.forms.why_rule", rule=rule["ref"] or rule["name"])
    if len(names) == 1:
        return t("aggregate.forms.why_name")
    return t("aggregate.forms.why_mixed")


def _procedure(key: str, t: Translator) -> str:
    from kafka.aggregate.site import procedure_label

    return procedure_label(key, t)


__all__ = ["FORMS_PAGE", "FormsPage", "form_summaries", "forms_page"]
