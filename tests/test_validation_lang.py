"""Issue 14, item 6: the problems of a case file in the reader's language.

Every problem the reader, the structure check, the meaning check and the privacy
scan can give is a catalogue text (kafka/locale/<lang>/validation.yaml): Dutch in
the live page and with --lang nl, English by default on the command line. A
decimal comma (0,3) gets one message in every YAML style.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from kafka.cli import main
from kafka.diagnostics import Severity
from kafka.i18n import LANGUAGES, catalogue
from kafka.loader import load_text
from kafka.privacy import scan_loaded

REPO = Path(__file__).resolve().parent.parent

BASE = """\
case:
  id: test
  title: Test
  organisation: OCMW Test
actors:
  client: {name: Cliënt, level: client}
  mw: {name: Maatschappelijk werker, level: local}
  bcsd: {name: Bijzonder comité voor de sociale dienst, level: local}
data:
  identity: {name: Identiteit, source: rijksregister}
rules:
  termijn: {name: Beslissingstermijn, level: federal, deadline_days: 30, from: aanmelding, to: beslissing}
steps:
  - id: aanmelding
    name: Aanmelding
    actor: mw
    next:
      - {to: beslissing, chance: 0.5}
      - {to: aanmelding, chance: 0.5}
  - id: beslissing
    name: Beslissing
    actor: bcsd
"""


def _with(old: str, new: str) -> str:
    assert old in BASE
    return BASE.replace(old, new, 1)


# One broken file per kind of problem (reading, structure, meaning): the typical
# mistakes of a workshop, and the odd ones.
BROKEN = {
    "unknown actor": _with("actor: bcsd\n", "actor: bcsdd\n"),
    "unknown step": _with("{to: beslissing, chance", "{to: beslisin, chance"),
    "unknown source": _with("source: rijksregister", "source: rijksregistr"),
    "unknown rule": _with("    actor: mw\n", "    actor: mw\n    rule: termjn\n"),
    "unknown form": _with("    actor: mw\n", "    actor: mw\n    form: aanvraag\n"),
    "unknown data item": _with("    actor: mw\n", "    actor: mw\n    asks: [identiteit]\n"),
    "unknown key": _with("    actor: mw\n", "    actor: mw\n    wait_dayz: 3\n"),
    "missing key": _with("    name: Aanmelding\n", ""),
    "key without value": _with("    name: Aanmelding\n", "    name:\n"),
    "bad id": _with("- id: aanmelding", "- id: Aanmelding!"),
    "bad choice": _with("    actor: mw\n", "    actor: mw\n    channel: fax\n"),
    "negative": _with("    actor: mw\n", "    actor: mw\n    wait_days: -3\n"),
    "quoted number": _with("    actor: mw\n", "    actor: mw\n    wait_days: \"3\"\n"),
    "number as text": _with("  title: Test", "  title: 2026"),
    "yes as text": _with("  title: Test", "  title: yes"),
    "no client": _with("level: client}", "level: local}"),
    "duplicate step": _with("- id: beslissing", "- id: aanmelding"),
    "chance sum": _with("{to: aanmelding, chance: 0.5}", "{to: aanmelding, chance: 0.9}"),
    "duplicate key": _with("    name: Aanmelding\n", "    name: Aanmelding\n    name: Intake\n"),
    "tab": _with("    actor: mw\n", "\tactor: mw\n"),
    "colon in text": _with("  title: Test", "  title: Test: leefloon"),
    "empty": "",
    "not a mapping": "- a\n- b\n",
    "tag": _with("  title: Test", "  title: !!python/object x"),
    "bad bool": _with("    actor: mw\n", "    actor: mw\n    tells_story: !!bool misschien\n"),
    "alias": _with("  title: Test", "  title: *nergens"),
    "unreachable step": _with("      - {to: beslissing, chance: 0.5}\n      - {to: aanmelding, chance: 0.5}\n",
                              "      - {to: aanmelding, chance: 0.5}\n"),
    "personal data": _with("  title: Test", "  title: Test BE68539007547034"),
}

# Words that give an English message away (the file's own keys, such as 'next' or
# 'deadline_days', may stay: they are what the user types).
ENGLISH = re.compile(r"\b(the|unknown|did you mean|must|is not|cannot|found|expected|write|put it|"
                     r"missing|file|value|step|warning)\b")


def _problems(text: str):
    loaded = load_text(text, "zaak.yaml")
    return loaded.problems + scan_loaded(loaded)


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_every_typical_problem_reads_as_dutch_in_dutch(name):
    problems = _problems(BROKEN[name])
    assert problems, name
    for problem in problems:
        dutch, english = problem.text("nl"), problem.text("en")
        assert english == problem.message  # the command line's default is the message as it was
        assert dutch != english, (name, dutch)
        assert not ENGLISH.search(re.sub(r"\(melding van de YAML-lezer: .*\)|«[^»]*»|'[^']*'", "", dutch)), (name, dutch)


def test_an_unknown_actor_in_dutch():
    (problem,) = _problems(BROKEN["unknown actor"])
    assert problem.message == "unknown actor 'bcsdd'; did you mean 'bcsd'?"
    assert problem.text("nl") == "onbekende actor «bcsdd»; bedoelt u «bcsd»?"
    assert problem.line_text("nl") == "zaak.yaml:22:12: steps[1].actor: onbekende actor «bcsdd»; bedoelt u «bcsd»?"
    # a neuter noun takes "onbekend": each kind of thing has its own sentence
    (form,) = _problems(BROKEN["unknown form"])
    assert form.text("nl") == "onbekend formulier «aanvraag»"


def test_a_warning_says_so_in_its_language():
    problem = _problems(BROKEN["unreachable step"])[-1]
    assert problem.severity is Severity.WARNING
    assert ": warning: steps[1].id: step 'beslissing' can never be reached" in problem.line_text("en")
    assert ": waarschuwing: steps[1].id: stap «beslissing» is nooit te bereiken" in problem.line_text("nl")


def test_counts_are_written_as_the_language_writes_them():
    from kafka.diagnostics import Phrase

    phrase = Phrase.of("too_many_steps", n=12_500, max=5_000)
    assert phrase.text("en") == "12,500 steps is more than the 5,000 a case may have"
    assert phrase.text("nl") == "12.500 stappen: meer dan de 5.000 die een casus mag hebben"


# --- the decimal comma ---------------------------------------------------------------

DECIMAL_COMMA = {
    "flow": _with("{to: aanmelding, chance: 0.5}", "{to: aanmelding, chance: 0,5}"),
    "block": _with("      - {to: aanmelding, chance: 0.5}\n", "      - to: aanmelding\n        chance: 0,5\n"),
    "quoted": _with("{to: aanmelding, chance: 0.5}", '{to: aanmelding, chance: "0,5"}'),
    "quoted block": _with("      - {to: aanmelding, chance: 0.5}\n", "      - to: aanmelding\n        chance: '0,5'\n"),
}


@pytest.mark.parametrize("style", sorted(DECIMAL_COMMA))
def test_a_decimal_comma_gets_one_clear_message_in_every_style(style):
    problems = _problems(DECIMAL_COMMA[style])
    assert len(problems) == 1, [str(p) for p in problems]
    (problem,) = problems
    assert problem.severity is Severity.ERROR and problem.path == "steps[0].next[1].chance"
    assert problem.message.startswith("write 0.5 with a point")
    assert problem.text("nl").startswith("schrijf 0.5 met een punt")
    assert problem.line == next(i for i, line in enumerate(DECIMAL_COMMA[style].split("\n"), 1) if "0,5" in line)


@pytest.mark.parametrize("number", ["0x1A,3", "1:30,5", "1_000,5", "0o7,1"])
def test_only_plain_digits_around_a_comma_are_a_decimal_comma(number):
    problems = _problems(_with("{to: aanmelding, chance: 0.5}", "{to: aanmelding, chance: %s}" % number))
    assert problems and not any(p.kind == "decimal-comma" for p in problems)


def test_a_flow_mapping_with_a_comma_and_a_space_is_still_two_keys():
    # {chance: 0, 5: x} is what it says: only digits right after the comma are a decimal comma
    problems = _problems(_with("{to: aanmelding, chance: 0.5}", "{to: aanmelding, chance: 0, 5: x}"))
    assert any("unknown key '5'" in p.message for p in problems)


# --- where the messages are shown ----------------------------------------------------

@pytest.fixture()
def broken_file(tmp_path):
    path = tmp_path / "zaak.yaml"
    path.write_text(BROKEN["unknown actor"], encoding="utf-8")
    return path


def test_validate_speaks_english_by_default_and_dutch_with_lang_nl(broken_file):
    runner = CliRunner()
    result = runner.invoke(main, ["validate", str(broken_file)])
    assert result.exit_code == 1, result.output
    assert "unknown actor 'bcsdd'; did you mean 'bcsd'?" in result.output
    assert "0 of 1 case files valid (1 error, 0 warnings)" in result.output
    result = runner.invoke(main, ["validate", str(broken_file), "--lang", "nl"])
    assert result.exit_code == 1, result.output
    assert "onbekende actor «bcsdd»; bedoelt u «bcsd»?" in result.output
    assert "0 van 1 casusbestanden in orde (1 fout, 0 waarschuwingen)" in result.output
    result = runner.invoke(main, ["validate", str(broken_file), "--lang", "nl", "--format", "json"])
    (problem,) = json.loads(result.output)["files"][0]["problems"]
    assert problem["message"] == "onbekende actor «bcsdd»; bedoelt u «bcsd»?" and problem["path"] == "steps[1].actor"


def test_analyze_prints_problems_in_english_unless_lang_is_given(broken_file):
    runner = CliRunner()
    result = runner.invoke(main, ["analyze", str(broken_file)])  # the report language is Dutch by default ...
    assert "unknown actor 'bcsdd'" in result.output  # ... the terminal's English
    result = runner.invoke(main, ["analyze", str(broken_file), "--lang", "nl"])
    assert "onbekende actor «bcsdd»" in result.output and "unknown actor" not in result.output


def test_the_live_page_shows_the_problems_in_dutch():
    from kafka.serve.pages import problems_html

    problems = _problems(BROKEN["unknown actor"]) + _problems(DECIMAL_COMMA["flow"])
    page = problems_html("zaak.yaml", problems, BROKEN["unknown actor"], "nl")
    assert "onbekende actor «bcsdd»; bedoelt u «bcsd»?" in page and "schrijf 0.5 met een punt" in page
    assert "unknown" not in page and "did you mean" not in page and "with a point" not in page
    english = problems_html("zaak.yaml", problems, BROKEN["unknown actor"], "en")
    assert "unknown actor &#39;bcsdd&#39;; did you mean &#39;bcsd&#39;?" in english


# --- the catalogue against the code -----------------------------------------------------

PRODUCERS = ["kafka/loader.py", "kafka/validate.py", "kafka/yamlsource.py", "kafka/privacy.py", "kafka/diagnostics.py",
             "kafka/casedoc/roundtrip.py"]


def test_every_phrase_in_the_code_has_a_text_in_both_languages_and_every_text_is_used():
    source = "\n".join((REPO / p).read_text(encoding="utf-8") for p in PRODUCERS)
    literal = set(re.findall(r'Phrase\.of\(\s*"([\w.]+)"', source))
    built = set(re.findall(r'Phrase\.of\(\s*f"([\w.]+)\{', source))  # f"unknown.{what}": a prefix
    built |= set(re.findall(r'f"\{CATALOGUE\}\.([\w.]*)\{', source))  # Names' own keys
    assert literal and built, "the pattern no longer matches the code"
    for lang in LANGUAGES:
        keys = {k.removeprefix("validation.") for k in catalogue(lang) if k.startswith("validation.")}
        assert sorted(literal - keys) == [], lang
        assert [prefix for prefix in built if not any(k.startswith(prefix) for k in keys)] == [], lang
        unused = {k for k in keys - literal if not any(k.startswith(prefix) for prefix in built)}
        assert sorted(unused - {"quote", "none", "nothing"}) == [], lang  # Names: quote, and its empty words
