"""The forms review as files: ``forms.html`` (jinja2, ``templates/forms.html``) and ``forms.csv``."""

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


def render_html(review: FormsReview, csv_name: str | None = CSV_NAME, templates: tuple[str, ...] = ()) -> str:
    """The review as one offline HTML page; ``csv_name`` is linked as its table twin;
    ``templates`` are folders that come before kafka's own."""
    template = jinja_env(review.lang, templates).get_template("forms.html")
    return template.render(review=review, csv_name=csv_name, minutes=_minutes_formatter(Translator(review.lang)))


def _minutes_formatter(t: Translator):
    def minutes(value: float) -> str:
        """Whole minutes without decimals, others with one: 20, 1,5."""
        return t.number(value, 0 if float(value).is_integer() else 1)

    return minutes


@dataclass(frozen=True)
class Written:
    html: Path
    csv: Path


def write_review(review: FormsReview, folder: str | Path, templates: tuple[str, ...] = ()) -> Written:
    """Write ``forms.html`` and ``forms.csv`` into ``folder`` (created when missing)."""
    folder = ensure_dir(folder)
    csv_path = write_atomic(inside(folder, CSV_NAME), review_csv(review))
    html_path = write_atomic(inside(folder, HTML_NAME), render_html(review, templates=templates))
    return Written(html_path, csv_path)
