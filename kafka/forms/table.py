"""The forms review as flat rows: one per field and per attachment (``forms.csv``).

Lists are separated by ``;`` and hold ids as in the case files. A form used
in several cases names its steps ``case-id:step-id`` (step ids are only
unique within one case). ``verdict`` and ``level`` are stable codes for
filtering; ``verdict_label`` and ``reason`` are in the report's language.
"""

from __future__ import annotations

from kafka.forms.review import FieldRow, FormReview, FormsReview, Verdict
from kafka.i18n import Translator
from kafka.tables import to_csv

FORM_COLUMNS = (
    "form", "form_name", "organisation", "cases", "field", "field_name", "attachment", "source", "source_name",
    "local_access", "asked_in", "asked_in_forms", "used_by", "basis", "basis_rules", "verdict", "verdict_label",
    "level", "reason", "findings",
)


def review_rows(review: FormsReview) -> list[dict]:
    t = Translator(review.lang)
    return [_row(t, form, row) for form in review.forms for row in form.rows]


def review_csv(review: FormsReview) -> str:
    return to_csv(review_rows(review), FORM_COLUMNS)


def _row(t: Translator, form: FormReview, row: FieldRow) -> dict:
    qualified = form.qualified
    return {
        "form": form.form_id,
        "form_name": form.name,
        "organisation": form.organisation,
        "cases": ";".join(row.cases),
        "field": row.item,
        "field_name": row.name,
        "attachment": _yes_no(row.attachment),
        "source": row.source or "",
        "source_name": row.source_name or "",
        "local_access": "" if row.local_access is None else _yes_no(row.local_access),
        "asked_in": ";".join(s.ref(qualified) for s in row.asked_in),
        "asked_in_forms": ";".join(row.other_forms),
        "used_by": ";".join(s.ref(qualified) for s in row.used_by),
        "basis": ";".join(r.id for r in row.basis),
        "basis_rules": ";".join(f"{r.name} ({r.level})" for r in row.basis),
        "verdict": row.verdict.value,
        "verdict_label": t(f"forms.verdict.{row.verdict.value}"),
        # who can make the change: only meaningful when there is a change to make
        "level": "" if row.verdict is Verdict.KEEP else form.level.value,
        "reason": row.reason,
        "findings": ";".join(row.codes),
    }


def _yes_no(value: bool) -> str:
    return "yes" if value else "no"
