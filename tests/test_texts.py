"""The golden files of every text (docs/texts/nl.md, en.md) are up to date, and the
texts keep the house style: names in quotes, no sentence that agrees with a name."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kafka.i18n import LANGUAGES
from kafka.report.texts import render_texts, report_text

REPO = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_golden_text_files_are_up_to_date(lang):
    golden = REPO / "docs" / "texts" / f"{lang}.md"
    assert golden.is_file(), "run `make texts`"
    assert golden.read_text(encoding="utf-8") == render_texts([REPO / "cases"], lang), (
        f"{golden.relative_to(REPO)} is stale: run `make texts` and review the diff"
    )


def test_the_golden_text_is_prose_without_drawings_or_dates():
    lines = report_text(
        "<html><head><title>x</title></head><body><h2>Kop</h2><p>Een <span>157</span><span>dagen</span>.</p>"
        "<svg><text>label</text></svg><script>var a;</script><p>Gemaakt op 2026-06-15.</p></body></html>"
    )
    assert "## Kop" in lines and "Een 157 dagen." in lines
    assert not any("label" in line or "var a" in line for line in lines)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_date_or_version_in_the_golden_text(lang):
    text = (REPO / "docs" / "texts" / f"{lang}.md").read_text(encoding="utf-8")
    assert not re.search(r"\b20\d\d-\d\d-\d\d\b", text)


@pytest.mark.parametrize("text", [
    "", " ", "de federale overheid vraagt het", "Een  dubbele spatie", " vooraan", "achteraan ",
    "tab\there", "regel\nnieuw", "vaste\xa0spatie", "smalle\u202fspatie", "regel\u2028scheiding", "«Naam» eerst",
    "\u3000ideographic", "één  «X»\t\n en", "x" * 300 + "  y", "ßtraat", "ǆamija", "Al een hoofdletter",
])
def test_a_finding_sentence_folds_white_space_as_split_and_join_do(text):
    # kafka.detectors.base._sentence skips the fold when it would change nothing: the
    # same text as folding every time.
    from kafka.detectors.base import _sentence

    folded = " ".join(text.split())
    assert _sentence(text) == folded[:1].upper() + folded[1:]
