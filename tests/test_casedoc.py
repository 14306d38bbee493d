"""Editing a case file from the workshop editor (kafka.casedoc): the file stays the user's."""

from __future__ import annotations

import difflib
import os
import stat
from pathlib import Path

import pytest

from kafka.casedoc import (
    AddActor, AddData, AddStep, Branch, EditSession, History, MoveStep, RemoveStep, SetNext, SetStep, apply,
    version_of,
)
from kafka.casedoc.values import InvalidRequest, command_from_json, new_id, read_number
from kafka.loader import iter_case_files, load_text
from kafka.report import render_case_report
from kafka.run import RunOptions, run_case
from kafka.starters import starter_text

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = list(iter_case_files([REPO / "cases"]))


def changed_lines(old: str, new: str) -> list[str]:
    return [line for line in difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=0)
            if line[:1] in "+-" and not line.startswith(("+++", "---"))]


def comments(text: str) -> list[str]:
    return [line.split("#", 1)[1].strip() for line in text.splitlines() if "#" in line]


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_renaming_a_step_changes_that_line_only(path):
    text = path.read_text(encoding="utf-8")
    step = load_text(text).case.steps[2]
    new = apply(text, SetStep(step.id, {"name": "Een nieuwe naam"}))
    assert changed_lines(text, new) == [f"-{line}" for line in text.splitlines() if line.strip() == f"name: {step.name}"][:1] + \
        [f"+{line}" for line in new.splitlines() if line.strip() == "name: Een nieuwe naam"]
    assert load_text(new).ok


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_every_command_keeps_the_comments_and_gives_a_valid_file(path):
    text = path.read_text(encoding="utf-8")
    case = load_text(text).case
    first, second = case.steps[0].id, case.steps[1].id
    commands = [
        AddStep({"id": "nieuw", "name": "Nieuwe stap", "actor": case.steps[0].actor, "asks": [next(iter(case.data))]}),
        AddStep({"id": "tussen", "name": "Tussenstap", "actor": case.steps[0].actor}, after=first),
        SetStep(second, {"client_minutes": 12.5, "quote": "Ik begreep er niets van", "feeling": -2, "tells_story": True}),
        MoveStep("nieuw", 1),
        SetNext(second, (Branch(first, "nog eens", 0.25), Branch(case.steps[2].id, None, 0.75))),
        AddActor("nieuwe-actor", "Nieuwe dienst", "local", "OCMW Elders"),
        AddData("nieuw-gegeven", "Nieuw gegeven", "rijksregister"),
        RemoveStep("tussen"),
    ]
    for command in commands:
        new = apply(text, command)
        loaded = load_text(new)
        assert loaded.ok, (command, [str(p) for p in loaded.errors])
        for comment in comments(text):
            assert comment in new, (command, comment)
        text = new
    assert [s.id for s in load_text(text).case.steps][:2] == [first, "nieuw"]


def test_the_starter_keeps_its_layout_and_a_new_step_looks_like_the_others():
    text = starter_text("sara")
    new = apply(text, AddStep({"id": "laatste", "name": "Laatste stap", "actor": "mw", "wait_days": 3}))
    added = changed_lines(text, new)
    assert added == ["+", "+  - id: laatste", "+    name: Laatste stap", "+    actor: mw", "+    wait_days: 3"], added
    new = apply(text, AddActor("caw", "CAW", "private"))
    assert changed_lines(text, new) == ["+  caw: {name: CAW, level: private}"]
    assert "  client:  {name: Sara, level: client}" in new  # the aligned neighbours stay aligned


def test_a_key_added_at_the_end_of_a_step_goes_before_the_blank_line():
    text = starter_text("sara")
    new = apply(text, SetStep("aanmelding", {"feeling": -1}))
    lines = changed_lines(text, new)
    assert lines == ["+    feeling: -1"]
    at = new.splitlines().index("    feeling: -1")
    assert new.splitlines()[at + 1] == "" and new.splitlines()[at + 2].startswith("  - id: intake")


@pytest.mark.parametrize("value", ["no", "yes", "on", "12:30", "1e3", "1_000", "2026-03-12", "~", "null", "- a", "a: b", "#x"])
def test_texts_that_yaml_would_read_otherwise_are_quoted(value):
    new = apply(starter_text("sara"), SetStep("aanmelding", {"name": value, "quote": value}))
    step = load_text(new).case.steps[0]
    assert step.name == value and step.quote == value


def test_renaming_a_step_renames_it_everywhere_and_removing_one_drops_the_branches_to_it():
    text = starter_text("sara")
    new = apply(text, SetStep("beslissing", {"id": "besluit"}))
    case = load_text(new).case
    assert "id: besluit" in new and "to: beslissing" not in new and "to: besluit" in new
    assert case.rules["beslistermijn"].to_step == "besluit"
    assert [b.to for b in case.steps[2].next] == ["nabezorgen", "besluit"]
    new = apply(text, RemoveStep("nabezorgen"))
    assert load_text(new).ok and "nabezorgen" not in new.split("steps:")[1]


def test_reading_the_form_fields():
    assert read_number("2,5") == 2.5 and read_number("30 %") == 30 and read_number(" 7 ") == 7
    assert read_number("twee") is None and read_number("1,000.5") is None and read_number(True) is None
    assert new_id("Intake bij de MW (2e keer)", ["intake-bij-de-mw-2e-keer"], "stap") == "intake-bij-de-mw-2e-keer-2"
    assert new_id("«»", [], "stap") == "stap"
    command = command_from_json({"op": "set_step", "step": "intake", "values": {"client_minutes": "2,5", "feeling": "+1"}})
    assert command == SetStep("intake", {"client_minutes": 2.5, "feeling": 1})
    with pytest.raises(InvalidRequest) as caught:
        command_from_json({"op": "set_step", "step": "intake",
                           "values": {"client_minutes": "-3", "wait_days": "veel", "feeling": "3", "actor": "Mw X", "name": ""}})
    assert {(p.field, p.key) for p in caught.value.problems} == {
        ("client_minutes", "invalid.negative"), ("wait_days", "invalid.number"), ("feeling", "invalid.feeling"),
        ("actor", "invalid.id"), ("name", "invalid.required")}
    for bad in (None, [], {"op": "format_disk"}, {"op": "set_step", "step": "../../etc/passwd", "values": {}},
                {"op": "set_step", "step": "x", "values": {"next": []}}, {"op": "move_step", "step": "x", "to": -1},
                {"op": "set_next", "step": "x", "mode": "branches", "branches": [{"to": "y", "chance": "1,5"}]}):
        with pytest.raises(InvalidRequest):
            command_from_json(bad)


# --- the session: validation, conflicts, undo, history ------------------------------------------------

@pytest.fixture
def case_file(tmp_path):
    path = tmp_path / "sara.yaml"
    path.write_text(starter_text("sara"), encoding="utf-8")
    return path


def version(path: Path) -> str:
    return version_of(path.read_bytes())


def test_an_invalid_change_is_never_written_and_says_why_in_dutch(case_file):
    session = EditSession(case_file)
    before = case_file.read_bytes()
    outcome = session.apply({"op": "set_step", "step": "intake", "values": {"client_minutes": "veel"}}, version(case_file))
    assert outcome.status == "invalid" and outcome.problems[0]["field"] == "client_minutes"
    assert "Vul een getal in" in outcome.problems[0]["message"]
    # The loader's check on the whole would-be file: an unknown actor, shown by its field.
    outcome = session.apply({"op": "set_step", "step": "intake", "values": {"actor": "mww"}}, version(case_file))
    assert outcome.status == "invalid"
    assert outcome.problems[0]["field"] == "actor"
    assert outcome.problems[0]["message"].startswith("onbekende actor «mww»")  # the loader in the editor's language
    assert outcome.problems[0]["line"] > 0
    assert EditSession(case_file, lang="en").apply(
        {"op": "set_step", "step": "intake", "values": {"wait_days": "x"}}, version(case_file)).problems[0]["message"].startswith("Fill in a number")
    assert case_file.read_bytes() == before
    assert not (case_file.parent / ".kafka-history").exists()


def test_a_change_made_in_the_file_meanwhile_is_never_lost(case_file):
    session = EditSession(case_file)
    seen = session.read()[1]
    # Someone saves the file from a text editor...
    case_file.write_text(case_file.read_text(encoding="utf-8").replace("Aanmelding aan het onthaal", "Aanmelding aan de balie"),
                         encoding="utf-8")
    # ... while the browser changes the old version: nothing is written, both changes are shown.
    change = {"op": "set_step", "step": "intake", "values": {"name": "Intake in de browser"}}
    outcome = session.apply(change, seen)
    assert outcome.status == "conflict"
    assert "Aanmelding aan de balie" in outcome.conflict["theirs"]
    assert "Intake in de browser" in outcome.conflict["mine"]
    assert "Intake in de browser" not in case_file.read_text(encoding="utf-8")
    # The browser asked, the user chose to apply theirs to the new version: both changes are in the file.
    outcome = session.apply(change, outcome.version)
    assert outcome.status == "ok"
    text = case_file.read_text(encoding="utf-8")
    assert "Aanmelding aan de balie" in text and "Intake in de browser" in text
    # Undo over a change made in a text editor is refused the same way.
    case_file.write_text(text.replace("Intake in de browser", "Intake in de editor"), encoding="utf-8")
    assert session.undo(outcome.version).status == "conflict"
    assert "Intake in de editor" in case_file.read_text(encoding="utf-8")


def test_fifty_steps_back_and_forth(case_file):
    original = case_file.read_text(encoding="utf-8")
    session = EditSession(case_file)
    for i in range(60):
        outcome = session.apply({"op": "set_step", "step": "intake", "values": {"staff_minutes": str(i + 1)}},
                                version(case_file))
        assert outcome.status == "ok", outcome
    assert session.undo_count == 60
    for _ in range(60):
        assert session.undo(version(case_file)).status == "ok"
    assert case_file.read_text(encoding="utf-8") == original
    assert session.undo(version(case_file)).status == "invalid"  # nothing left to undo
    for _ in range(60):
        assert session.redo(version(case_file)).status == "ok"
    assert "staff_minutes: 60" in case_file.read_text(encoding="utf-8")


def test_the_history_beside_the_file_is_bounded_and_private(case_file):
    case_file.chmod(0o600)
    session = EditSession(case_file, history=History(case_file, keep=5))
    for i in range(8):
        session.apply({"op": "set_step", "step": "intake", "values": {"staff_minutes": str(i + 1)}}, version(case_file))
    kept = session.history.versions()
    assert len(kept) == 5
    assert kept[0].parent == case_file.parent / ".kafka-history" / "sara.yaml"
    assert stat.S_IMODE(kept[0].parent.stat().st_mode) == 0o700
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in kept)
    assert stat.S_IMODE(case_file.stat().st_mode) == 0o600  # the user's permissions stay
    assert "staff_minutes: 7" in kept[-1].read_text(encoding="utf-8")  # the version before the last change
    # kafka's own commands do not take the history for cases.
    assert list(iter_case_files([case_file.parent])) == [case_file]


def test_a_link_to_the_case_stays_a_link(tmp_path, case_file):
    link = tmp_path / "link.yaml"
    link.symlink_to(case_file)
    session = EditSession(link)
    assert session.apply({"op": "set_step", "step": "intake", "values": {"staff_minutes": "9"}}, version(link)).status == "ok"
    assert link.is_symlink() and "staff_minutes: 9" in case_file.read_text(encoding="utf-8")


# --- the client's voice --------------------------------------------------------------------------------

def test_quote_and_feeling_are_checked_and_shown_in_the_report():
    text = starter_text("sara")
    for value, message in (("3", "must be at most 2"), ("-3", "must be -2 or more"), ("1.5", "whole number"),
                           ("'goed'", "whole number")):
        loaded = load_text(text.replace("    asks: [identity]        #", f"    feeling: {value}\n    asks: [identity]        #"))
        assert not loaded.ok and message in loaded.errors[0].message, (value, [str(p) for p in loaded.errors])
    assert 'id="voice"' not in render_case_report(run_case(load_text(text), RunOptions.of()))
    new = apply(text, SetStep("intake", {"feeling": -2, "quote": "Weer <alles> opnieuw & vertellen"}))
    html = render_case_report(run_case(load_text(new), RunOptions.of()))
    assert 'id="voice"' in html and "Weer &lt;alles&gt; opnieuw &amp; vertellen" in html
    assert "heel slecht" in html


def test_the_schema_knows_the_new_keys():
    from kafka.schema import case_schema

    step = case_schema()["definitions"]["Step"]["properties"]
    assert "quote" in step and "feeling" in step
    assert os.path.exists(REPO / "docs" / "case-format.md")
    assert "`feeling`" in (REPO / "docs" / "case-format.md").read_text(encoding="utf-8")


def test_line_ends_and_byte_order_mark_stay_and_a_file_that_is_not_utf8_is_never_written(case_file):
    text = case_file.read_text(encoding="utf-8")
    case_file.write_bytes(("\ufeff" + text.replace("\n", "\r\n")).encode("utf-8"))
    session = EditSession(case_file)
    outcome = session.apply({"op": "set_step", "step": "intake", "values": {"name": "Nieuw"}}, version(case_file))
    assert outcome.status == "ok"
    data = case_file.read_bytes()
    assert data.startswith("\ufeff".encode("utf-8")) and b"name: Nieuw\r\n" in data
    assert data.count(b"\n") == data.count(b"\r\n")  # every line still ends in CR LF
    outcome = session.apply({"op": "add_step", "values": {"name": "Nog een stap", "actor": "mw"}}, version(case_file))
    assert outcome.status == "ok" and case_file.read_bytes().count(b"\n") == case_file.read_bytes().count(b"\r\n")
    latin = text.replace("Aanmelding", "Aanmelding caf\u00e9").encode("latin-1")
    case_file.write_bytes(latin)
    outcome = session.apply({"op": "set_step", "step": "intake", "values": {"name": "Nieuw"}}, version(case_file))
    assert outcome.status == "invalid" and "UTF-8" in outcome.problems[0]["message"]
    assert case_file.read_bytes() == latin
