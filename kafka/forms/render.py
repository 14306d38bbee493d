"""The forms review as files: ``forms.html`` (jinja2, ``templates/forms.html``), ``forms.csv`` and,
with ``docx``, the proposed form of each as a Word document (:mod:`kafka.forms.document`)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kafka.forms.review import FormsReview
from kafka.forms.table import review_csv
from kafka.i18n import Translator
from kafka.output import ensure_dir, inside, write_atomic
from kafka.render import jinja_env

HTML_NAME = "forms.html"
CSV_NAME = "forms.csv"


def render_html(review: FormsReview, csv_name: str | None = CSV_NAME, templates: tuple[str, ...] = (),
                documents: dict[str, str] | None = None) -> str:
    """The review as one offline HTML page; ``csv_name`` is linked as its table twin;
    ``templates`` are folders that come before kafka's own; ``documents`` maps a form's
    anchor to the file name of its Word document, linked from its section."""
    template = jinja_env(review.lang, templates).get_template("forms.html")
    return template.render(review=review, csv_name=csv_name, minutes=_minutes_formatter(Translator(review.lang)),
                           documents=documents or {})


def _minutes_formatter(t: Translator):
    def minutes(value: float) -> str:
        """Whole minutes without decimals, others with one: 20, 1,5."""
        return t.number(value, 0 if float(value).is_integer() else 1)

    return minutes


@dataclass(frozen=True)
class Written:
    html: Path
    csv: Path
    documents: tuple[Path, ...] = ()


def write_review(review: FormsReview, folder: str | Path, templates: tuple[str, ...] = (),
                 docx: bool = False) -> Written:
    """Write ``forms.html`` and ``forms.csv`` into ``folder`` (created when missing) and, with
    ``docx``, one Word document per form (named after the form's anchor)."""
    from kafka.forms.document import document_name, write_documents

    folder = ensure_dir(folder)
    csv_path = write_atomic(inside(folder, CSV_NAME), review_csv(review))
    documents = tuple(write_documents(review, folder)) if docx else ()
    names = {form.anchor: document_name(form) for form in review.forms} if docx else {}
    html_path = write_atomic(inside(folder, HTML_NAME), render_html(review, templates=templates, documents=names))
    return Written(html_path, csv_path, documents)
