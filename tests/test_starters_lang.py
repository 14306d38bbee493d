"""Issue 14, item 6: `kafka new --lang nl` writes the starter with Dutch comments.

The starters hold English comments; kafka/locale/nl/starters.yaml has the Dutch
text of each (same keys as en/starters.yaml). The data is the same in both
languages, only the comments differ.
"""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from kafka.cli import main
from kafka.loader import load_text
from kafka.starters import starter_names, starter_text
from kafka.yamlsource import load_data

ENGLISH = re.compile(r"\b(the|optional|steps?|who|which|calendar|data|here|must|runs?)\b", re.I)


def _comments(text: str) -> list[str]:
    return [line.split("#", 1)[1] for line in text.split("\n") if re.search(r"(^|\s)#", line)]


@pytest.mark.parametrize("name", starter_names())
def test_the_dutch_starter_holds_the_same_case_with_dutch_comments(name):
    procedure = None if name == "generic" else name
    english = starter_text("sara", procedure, lang="en")
    dutch = starter_text("sara", procedure, lang="nl")
    assert load_data(dutch) == load_data(english)  # only the comments differ
    loaded = load_text(dutch, "sara.yaml")
    assert loaded.ok, [str(p) for p in loaded.problems]
    assert len(_comments(dutch)) >= len(_comments(english)) > 10
    # the keys and values a comment names (level: client, 'next: []') stay as typed
    prose = [re.sub(r"'[^']*'|\{[^}]*\}|\b[a-z]+_[a-z_]+\b", "", c) for c in _comments(dutch)]
    assert [c for c in prose if ENGLISH.search(c) and "kafka" not in c and "sources:" not in c] == []
    assert "comite" not in dutch and "comite" not in english


def test_the_generic_starter_without_a_procedure_keeps_its_hint_in_dutch():
    dutch = starter_text("sara", None, lang="nl")
    assert "# procedure: " in dutch and "niet verplicht: de soort procedure" in dutch


def test_kafka_new_writes_dutch_comments_with_lang_nl_and_english_by_default():
    runner = CliRunner()
    result = runner.invoke(main, ["new", "leefloon-sara", "--procedure", "leefloon", "--lang", "nl", "-o", "-"])
    assert result.exit_code == 0, result.output
    assert "# Een kafka-casusbestand" in result.output and "kafka validate leefloon-sara.yaml --lang nl" in result.output
    assert "Bijzonder comité voor de sociale dienst" in result.output
    result = runner.invoke(main, ["new", "leefloon-sara", "--procedure", "leefloon", "-o", "-"])
    assert result.exit_code == 0, result.output
    assert "# A kafka case file" in result.output
