"""Forms review for social services (``kafka forms``).

- :mod:`kafka.forms.review`: every form of a set of analysed cases, field by
  field, with a verdict read from the analysis findings (dataclasses);
- :mod:`kafka.forms.table` and :mod:`kafka.forms.render`: the review as
  ``forms.csv`` and ``forms.html``;
- :mod:`kafka.forms.importer` and :mod:`kafka.forms.matching`: a spreadsheet
  of a service's own form fields turned into a ``forms:`` block.
"""

from kafka.forms.render import render_html, write_review
from kafka.forms.review import FormsReview, Verdict, build_review
from kafka.forms.table import FORM_COLUMNS, review_csv, review_rows

__all__ = [
    "FORM_COLUMNS", "FormsReview", "Verdict", "build_review", "render_html", "review_csv", "review_rows",
    "write_review",
]
