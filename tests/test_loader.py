"""The loader and validator: one test per category of problem, each checking
the message, the line and column, and the key path a user is pointed at."""

from __future__ import annotations

import time

import pytest

from kafka import yamlsource
from kafka.diagnostics import Severity
from kafka.loader import iter_case_files, load_case, load_text

BASE = """\
case:
  id: test
  title: Test
  organisation: OCMW Test
actors:
  client: {name: Sara, level: client}
  mw: {name: Maatschappelijk werker, level: local}
data:
  identity: {name: Identiteit, source: rijksregister}
steps:
  - id: aanmelding
    name: Aanmelding
    actor: mw
  - id: beslissing
    name: Beslissing
    actor: mw
"""
# Line numbers in BASE: 11 is "- id: aanmelding", 13 its actor, 14 "- id: beslissing".


def with_step_keys(extra: str, text: str = BASE) -> str:
    """BASE with ``extra`` (lines indented for a step) added to the first step."""
    return text.replace("    actor: mw\n  - id: beslissing", f"    actor: mw\n{extra}  - id: beslissing", 1)


def problems(text: str | bytes, name: str = "case.yaml"):
    return load_text(text, name).problems


def only(text: str | bytes, name: str = "case.yaml"):
    """The single problem of ``text``."""
    found = problems(text, name)
    assert len(found) == 1, [str(p) for p in found]
    return found[0]


def test_base_case_is_valid():
    loaded = load_text(BASE, "case.yaml")
    assert loaded.ok, [str(p) for p in loaded.problems]
    assert loaded.case.id == "test"
    assert loaded.problems == []


# --- reading: file and YAML --------------------------------------------------


def test_broken_yaml():
    p = only("case:\n  id: [test\n  title: x\n")
    assert p.kind == "yaml-syntax"
    assert p.message.startswith("this is not valid YAML:")
    assert (p.line, p.col) == (3, 8)
    assert str(p).startswith("case.yaml:3:8: this is not valid YAML")


def test_tab_indentation_gets_a_hint():
    p = only("case:\n\tid: x\n")
    assert (p.line, p.col) == (2, 1)
    assert "indent with spaces" in p.message


def test_colon_in_text_gets_a_hint():
    p = only("case:\n  title: Aanvraag: leefloon\n")
    assert p.line == 2
    assert "must be put in quotes" in p.message


def test_empty_file():
    p = only("")
    assert (p.kind, p.line) == ("empty", 0)
    assert p.message == "the file is empty; a case file starts with a 'case:' section"
    assert str(p) == "case.yaml: the file is empty; a case file starts with a 'case:' section"
    assert only("# only a comment\n\n").kind == "empty"


def test_not_utf8():
    p = only("case:\n  title: Caf\xe9\n".encode("latin-1"))
    assert p.kind == "encoding"
    assert (p.line, p.col) == (2, 13)
    assert p.message == "the file is not UTF-8 text (byte 0xe9); save it as UTF-8 in your editor"


def test_utf16_is_named():
    p = only("case: x\n".encode("utf-16"))
    assert p.message == "the file is UTF-16 text; save it as UTF-8 in your editor"


@pytest.mark.parametrize("encoding", ["utf-32", "utf-32-le", "utf-32-be"])
def test_utf32_is_named(encoding):
    """Issue 18, item 14: UTF-32 was reported as UTF-16."""
    p = only("\ufeffcase: x\n".encode(encoding) if encoding != "utf-32" else "case: x\n".encode(encoding))
    assert p.message == "the file is UTF-32 text; save it as UTF-8 in your editor"


@pytest.mark.parametrize("char", ["\x85", "\u2028", "\u2029"])
@pytest.mark.parametrize("where", ["comment", "value", "quoted"])
def test_nel_and_unicode_line_separators_do_not_shift_lines(char, where):
    """Issue 18, item 14: a raw U+2028 or U+0085 (even in a comment) moved every later line
    number (YAML 1.1 counts them as line ends; editors and YAML 1.2 do not)."""
    text = with_step_keys("    client_minutes: veel\n")  # the problem: line 14
    if where == "comment":
        text = text.replace("case:\n", f"case:  # een{char}opmerking\n", 1)
    elif where == "value":
        text = text.replace("title: Test", f"title: Te{char}st", 1)
    else:
        text = text.replace("title: Test", f'title: "Te{char}st"', 1)
    p = only(text)
    assert (p.line, p.col, p.path) == (14, 21, "steps[0].client_minutes")
    loaded = load_text(text.replace("    client_minutes: veel\n", ""))
    assert loaded.ok
    assert loaded.case.case.title == ("Test" if where == "comment" else f"Te{char}st")


def test_a_private_use_character_in_the_text_is_kept_beside_a_line_separator():
    text = BASE.replace("title: Test", 'title: "A\u2028B\\uf8ff\uf8fe\\U0000F8FD"', 1)
    assert load_text(text).case.case.title == "A\u2028B\uf8ff\uf8fe\U0000F8FD"


def test_control_character():
    p = only("case:\n  title: a\x07b\n")
    assert (p.kind, p.line, p.col) == ("encoding", 2, 11)
    assert "control character U+0007" in p.message


def test_nul_character():
    p = only("case:\n  title: a\x00b\n")
    assert (p.line, p.col) == (2, 11)
    assert "NUL character" in p.message


@pytest.mark.parametrize(
    ("text", "found"),
    [("- a\n- b\n", "a list"), ("hello\n", "the text 'hello'"), ("42\n", "the number 42")],
)
def test_top_level_not_a_mapping(text, found):
    p = only(text)
    assert (p.kind, p.line, p.col) == ("not-a-mapping", 1, 1)
    assert p.message == f"the top level must be a mapping with 'case:', 'actors:' and 'steps:' (found {found})"


def test_python_object_tag_is_refused_and_never_run(tmp_path):
    marker = tmp_path / "ran"
    text = f"case: !!python/object/apply:os.system ['touch {marker}']\n"
    p = only(text)
    assert (p.kind, p.line, p.col) == ("yaml-tag", 1, 7)
    assert p.message == (
        "the YAML tag '!!python/object/apply:os.system' is not allowed: "
        "a case file holds plain text, numbers, lists and mappings only"
    )
    assert not marker.exists()


@pytest.mark.parametrize("tag", ["!!set {a}", "!!binary aGVsbG8=", "!local thing", "!!omap [a: 1]"])
def test_other_tags_are_refused(tag):
    assert only(f"case: {tag}\n").kind == "yaml-tag"


def test_billion_laughs_is_refused_fast():
    lines = ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for prev, name in zip("abcdefgh", "bcdefghi"):
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]")
    text = "\n".join(lines) + "\n"
    start = time.perf_counter()
    p = only(text)
    assert time.perf_counter() - start < 0.2
    assert p.kind == "too-large"
    assert p.message.startswith("the file expands to more than 250,000 values")
    assert p.line == 6  # f: the first value that alone repeats more than the budget


def test_recursive_alias():
    p = only("case: &c\n  again: *c\n")
    assert (p.kind, p.line, p.col) == ("yaml-alias", 2, 10)
    assert p.message == "an alias refers to itself (recursive anchor)"


def test_alias_without_anchor():
    p = only("case: *nothing\n")
    assert p.kind in ("yaml-alias", "yaml-syntax")
    assert p.line == 1


def test_aliases_are_allowed_within_the_budget():
    text = BASE.replace("  mw: {name: Maatschappelijk werker, level: local}", "  mw: &local {name: MW, level: local}\n  mw2: *local")
    assert load_text(text).ok


def _aliased_text(times: int, size: int, where: str = "mapped_by") -> str:
    text = "x" * size
    lines = ["case:", "  id: x", "  title: T", "  organisation: O", f"  story: &t {text}"]
    if where == "mapped_by":
        lines += ["  mapped_by:"] + ["    - *t"] * times
    lines += ["actors: {client: {name: C, level: client}}", "steps:"]
    if where == "steps":
        lines += [f"  - {{id: s{n}, name: *t, actor: client}}" for n in range(times)]
    else:
        lines += ["  - {id: a, name: A, actor: client}"]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("times, size, where", [(20_000, 20_000, "mapped_by"), (200_000, 1_000, "mapped_by"),
                                                (4_000, 5_000, "steps")])
def test_text_multiplied_through_aliases_is_bounded(times, size, where):
    """Issue 18, item 4: a 100 KB valid file (mapped_by aliased 20,000 times) gave a 400 MB report."""
    text = _aliased_text(times, size, where)
    assert len(text) < yamlsource.MAX_FILE_BYTES
    start = time.perf_counter()
    p = only(text)
    assert time.perf_counter() - start < 2
    assert p.kind == "too-large"
    assert p.message.startswith(f"the file expands to more than {yamlsource.MAX_TEXT_CHARS:,} characters of text")
    assert p.line > 5  # the alias that went over the budget, not the anchor


def test_text_repeated_through_aliases_within_the_budget_is_fine():
    assert load_text(_aliased_text(300, 1_000)).ok  # names: at most model.MAX_NAME_CHARS
    assert load_text(_aliased_text(3_000, 1_000, "steps")).ok


def test_merge_keys_are_refused():
    p = only("a: &a {x: 1}\nb:\n  <<: *a\n")
    assert (p.kind, p.line, p.col) == ("yaml-tag", 3, 3)
    assert "merge keys" in p.message


def test_file_over_the_size_limit(write_case):
    path = write_case("# padding\n" * (yamlsource.MAX_FILE_BYTES // 10 + 1))
    loaded = load_case(path)
    (p,) = loaded.problems
    assert (p.kind, p.line, p.file) == ("too-large", 0, str(path))
    assert "more than the 2,097,152 a case file may be" in p.message


@pytest.mark.parametrize(
    "text",
    [
        "a: " + "[" * 1_000_000,  # PyYAML's C composer would overflow the C stack on this
        "a: " + "{a: " * 100_000,
        "".join("  " * i + f"k{i}:\n" for i in range(100)),
    ],
    ids=["flow-lists", "flow-maps", "block"],
)
def test_deep_nesting(text):
    start = time.perf_counter()
    p = only(text)
    assert time.perf_counter() - start < 0.5
    assert p.kind == "too-deep"
    assert p.message == "the YAML is nested too deeply (more than 64 levels)"
    assert p.line >= 1


def test_duplicate_key():
    text = BASE.replace("  title: Test\n", "  title: Test\n  title: Opnieuw\n")
    loaded = load_text(text, "case.yaml")
    (p,) = loaded.problems
    assert (p.kind, p.line, p.col) == ("duplicate-key", 4, 3)
    assert p.message == "the key 'title' appears twice in the same mapping (first on line 3)"
    assert not loaded.ok
    assert loaded.case.case.title == "Test"  # the first value is kept


def test_duplicate_actor_id():
    text = BASE.replace("  mw: {name: Maatschappelijk", "  mw: {name: A, level: local}\n  mw: {name: Maatschappelijk")
    p = only(text)
    assert (p.kind, p.line) == ("duplicate-key", 8)


def test_tag_on_a_list():
    p = only("case: !!int [1, 2]\n")
    assert (p.kind, p.line, p.col) == ("yaml-tag", 1, 7)
    assert p.message == "the YAML tag '!!int' cannot be put on a list or mapping"


def test_explicit_tag_that_does_not_fit_the_value():
    p = only("case: !!int zes\n")
    assert (p.kind, p.line, p.col) == ("bad-value", 1, 7)
    assert p.message.startswith("cannot read the value 'zes' as !!int:")


def test_too_long_number():
    p = only("case: 1" + "0" * 5000 + "\n")
    assert (p.kind, p.line, p.col) == ("bad-value", 1, 7)
    assert p.message.endswith("the number is too long")


@pytest.mark.parametrize("number", [
    "0x" + "f" * 3600,  # 14,400 bits: more than 4,300 decimal digits
    "-0x" + "F" * 4000,
    "0b" + "1" * 15_000,
    "0" + "7" * 5000,  # octal, as YAML 1.1 writes it
    "1" + ":30" * 3000,  # base 60 (sexagesimal), as YAML 1.1 reads 1:30
    "1" + "_0" * 4400,
])
@pytest.mark.parametrize("where", ["case.cases_per_year", "a key", "a list"])
def test_numbers_beyond_pythons_digit_limit_are_a_problem_not_a_traceback(number, where):
    """Issue 18, item 8: hex, binary and base-60 integers passed the reader and crashed later (ValueError)."""
    text = {
        "case.cases_per_year": BASE.replace("  organisation: OCMW Test\n", f"  organisation: OCMW Test\n  cases_per_year: {number}\n"),
        "a key": BASE.replace("data:\n", f"data:\n  {number}: {{name: X}}\n"),
        "a list": with_step_keys(f"    asks: [{number}]\n"),
    }[where]
    found = problems(text)
    assert [p.kind for p in found] == ["bad-value"], [str(p) for p in found]
    assert found[0].message.endswith("the number is too long") and found[0].line in (5, 9, 14)
    assert len(str(found[0])) < 300


@pytest.mark.parametrize("value, tag, hint", [
    ("!!bool maybe", "!!bool", "true or false"),
    ("!!bool ''", "!!bool", "true or false"),
    ("!!timestamp hello", "!!timestamp", "a date like 2026-03-12"),
    ("!!timestamp 2026-13-45", "!!timestamp", "a date like 2026-03-12"),
    ("!!int 12abc", "!!int", "a whole number"),
    ("!!int ''", "!!int", "a whole number"),
    ("!!float x1", "!!float", "a number"),
    ("!!float ''", "!!float", "a number"),
    ("!!int 0x", "!!int", "a whole number"),
    ("!!int 1:x", "!!int", "a whole number"),
    ("!!float 1:x", "!!float", "a number"),
    ("!!int 0b12", "!!int", "a whole number"),
])
def test_an_explicit_tag_on_the_wrong_value_is_a_problem_with_its_place(value, tag, hint):
    """Issue 18, item 8: `tells_story: !!bool maybe` was a KeyError, `title: !!timestamp hello` an AttributeError."""
    p = only(with_step_keys(f"    tells_story: {value}\n"))
    assert (p.kind, p.line, p.col) == ("bad-value", 14, 18)
    assert f"as {tag}" in p.message and hint in p.message, p.message


def test_more_than_one_document():
    p = only(BASE + "---\ncase: {}\n")
    assert p.line == BASE.count("\n") + 1
    assert "more than one YAML document" in p.message


def test_bom_and_crlf_are_accepted():
    raw = b"\xef\xbb\xbf" + BASE.replace("\n", "\r\n").encode("utf-8")
    loaded = load_text(raw, "case.yaml")
    assert loaded.ok, [str(p) for p in loaded.problems]
    broken = b"\xef\xbb\xbf" + BASE.replace("level: local", "level: lokal").replace("\n", "\r\n").encode()
    assert only(broken).line == 7  # line numbers are not thrown off by CRLF


def test_bom_and_crlf_in_text_are_accepted():
    assert load_text("\ufeff" + BASE.replace("\n", "\r\n")).ok
    assert load_text(BASE.replace("\n", "\r")).ok  # old Mac line ends


def test_empty_data_section_is_accepted():
    text = BASE.replace("data:\n  identity: {name: Identiteit, source: rijksregister}\n", "data:\n")
    loaded = load_text(text)
    assert loaded.ok, [str(p) for p in loaded.problems]
    assert loaded.case.data == {}


def test_empty_list_key_is_accepted():
    assert load_text(with_step_keys("    asks:\n")).ok


# --- structure ------------------------------------------------------------------


def test_missing_required_key():
    p = only(BASE.replace("  title: Test\n", ""))
    assert (p.kind, p.line, p.col, p.path) == ("structure-missing", 1, 1, "case.title")
    assert p.message == "the required key 'title' is missing"
    assert str(p) == "case.yaml:1:1: case.title: the required key 'title' is missing"


def test_missing_key_in_a_step_points_at_the_step():
    p = only(BASE.replace("    name: Beslissing\n", ""))
    assert (p.line, p.col, p.path) == (14, 5, "steps[1].name")


def test_required_key_without_value():
    p = only(BASE.split("steps:")[0] + "steps:\n")
    assert (p.line, p.col, p.path) == (10, 1, "steps")
    assert p.message == "the required key 'steps' has no value"


def test_unknown_key_with_suggestion():
    p = only(with_step_keys("    client_minute: 30\n"))
    assert (p.kind, p.line, p.col, p.path) == ("structure-extra_forbidden", 14, 5, "steps[0].client_minute")
    assert p.message == "unknown key 'client_minute'; did you mean 'client_minutes'?"


def test_unknown_top_level_key_with_suggestion():
    p = only(BASE + "rule:\n  x: {name: X, level: local}\n")
    assert (p.line, p.col, p.path) == (17, 1, "rule")
    assert p.message == "unknown key 'rule'; did you mean 'rules'?"


def test_unknown_key_in_nested_sections():
    p = only(BASE.replace("  organisation: OCMW Test\n", "  organisation: OCMW Test\n  tariffs: {client_hour: 10, staf_hour: 40}\n"))
    assert p.path == "case.tariffs.staf_hour"
    assert p.message.endswith("did you mean 'staff_hour'?")
    p = only(with_step_keys("    next: [{too: beslissing}]\n", BASE).replace("[{too: beslissing}]", "[{to: beslissing, wen: x}]"))
    assert p.path == "steps[0].next[0].wen"
    assert p.message.endswith("did you mean 'when'?")


def test_unknown_key_without_a_close_match():
    p = only(with_step_keys("    zzz: 1\n"))
    assert p.message == "unknown key 'zzz'"


def test_bad_id_pattern():
    p = only(BASE.replace("id: aanmelding", "id: Aanmelding"))
    assert (p.kind, p.line, p.col, p.path) == ("structure-string_pattern_mismatch", 11, 9, "steps[0].id")
    assert p.message == (
        "'Aanmelding' is not a valid id: use lowercase letters, digits, '-' and '_', starting with a letter or digit"
    )


def test_bad_id_as_a_key_points_at_the_key():
    p = only(BASE.replace("  mw: {", "  MW werker: {").replace("actor: mw", "actor: client"))
    assert (p.line, p.col, p.path) == (7, 3, "actors.MW werker")
    assert "not a valid id" in p.message


def test_bad_enum_with_suggestion():
    p = only(BASE.replace("level: local", "level: lokal"))
    assert (p.kind, p.line, p.col, p.path) == ("structure-enum", 7, 45, "actors.mw.level")
    assert p.message == (
        "'lokal' is not allowed here; use one of: client, local, flemish, federal, european, private; "
        "did you mean 'local'?"
    )


def test_bad_channel_with_suggestion():
    p = only(with_step_keys("    channel: inperson\n"))
    assert (p.line, p.col, p.path) == (14, 14, "steps[0].channel")
    assert p.message.endswith("did you mean 'in_person'?")


def test_bad_literal():
    p = only(BASE.replace("  organisation: OCMW Test\n", "  organisation: OCMW Test\n  initiated_by: klant\n"))
    assert p.path == "case.initiated_by"
    assert p.message == "'klant' is not allowed here; use 'client' or 'organisation'"


def test_negative_number():
    p = only(with_step_keys("    client_minutes: -5\n"))
    assert (p.kind, p.line, p.col, p.path) == ("structure-greater_than_equal", 14, 21, "steps[0].client_minutes")
    assert p.message == "must be 0 or more, not -5"


def test_text_instead_of_number():
    p = only(with_step_keys("    wait_days: twee weken\n"))
    assert (p.kind, p.line, p.col, p.path) == ("structure-float_type", 14, 16, "steps[0].wait_days")
    assert p.message == "expected a number, found the text 'twee weken' (write it without quotes)"
    assert only(with_step_keys("    wait_days: '3'\n")).message.endswith("(write it without quotes)")


def test_number_instead_of_text():
    p = only(BASE.replace("title: Test", "title: 2026"))
    assert (p.line, p.path) == (3, "case.title")
    assert p.message == "expected text, found the number 2026 (put it in quotes)"


def test_yes_instead_of_text_explains_yaml_booleans():
    p = only(BASE.replace("title: Test", "title: yes"))
    assert "put the text in quotes" in p.message


def test_bad_date():
    p = only(BASE.replace("  organisation: OCMW Test\n", "  organisation: OCMW Test\n  date: 12 maart\n"))
    assert p.path == "case.date"
    assert p.message == "expected a date like 2026-03-12, found the text '12 maart'"


def test_chance_over_one():
    p = only(with_step_keys("    next: [{to: beslissing, chance: 1.5}]\n"))
    assert p.path == "steps[0].next[0].chance"
    assert p.message in ("must be at most 1, not 1.5", "must be at most 1.0, not 1.5")


def test_list_expected():
    p = only(with_step_keys("    asks: identity\n"))
    assert (p.line, p.path) == (14, "steps[0].asks")
    assert p.message == "expected a list of items, found the text 'identity'"


def test_no_steps():
    p = only(BASE.split("steps:")[0] + "steps: []\n")
    assert (p.path, p.message) == ("steps", "must not be empty")


# --- meaning --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("extra", "path", "message"),
    [
        ("    actor: mww\n", None, None),  # handled below (replaces the actor)
        ("    form: aanvraagg\n", "steps[0].form", "unknown form 'aanvraagg'; did you mean 'aanvraag'?"),
        ("    rule: reglementt\n", "steps[0].rule", "unknown rule 'reglementt'; did you mean 'reglement'?"),
        ("    asks: [identiteit]\n", "steps[0].asks[0]", "unknown data item 'identiteit'; did you mean 'identity'?"),
        ("    brings: [huur]\n", "steps[0].brings[0]", "unknown data item 'huur'"),
        ("    provides: [identityy]\n", "steps[0].provides[0]", "unknown data item 'identityy'; did you mean 'identity'?"),
        ("    uses: [x]\n", "steps[0].uses[0]", "unknown data item 'x'"),
        ("    next: [beslising]\n", "steps[0].next[0].to", "unknown step 'beslising'; did you mean 'beslissing'?"),
    ],
)
def test_unknown_reference_in_a_step(extra, path, message):
    if path is None:
        text = BASE.replace("    actor: mw\n  - id: beslissing", "    actor: mww\n  - id: beslissing")
        p = only(text)
        assert (p.kind, p.line, p.col, p.path) == ("unknown-reference", 13, 12, "steps[0].actor")
        assert p.message == "unknown actor 'mww'; did you mean 'mw'?"
        return
    text = BASE.replace("data:\n", "forms:\n  aanvraag: {name: Aanvraag, owner: mw}\nrules:\n  reglement: {name: R, level: local}\ndata:\n")
    found = [p for p in problems(with_step_keys(extra, text)) if p.severity is Severity.ERROR]
    assert len(found) == 1, [str(p) for p in found]
    p = found[0]
    assert (p.kind, p.line, p.path, p.message) == ("unknown-reference", 18, path, message)


def test_unknown_source():
    p = only(BASE.replace("source: rijksregister", "source: rijksregistr"))
    assert (p.kind, p.line, p.col, p.path) == ("unknown-reference", 9, 40, "data.identity.source")
    assert p.message == "unknown source 'rijksregistr'; did you mean 'rijksregister'?"


def test_case_sources_can_be_named():
    text = BASE.replace("source: rijksregister", "source: woonregister") + "sources:\n  woonregister: {name: Woonregister, level: local}\n"
    assert load_text(text).ok


def test_unknown_references_in_a_form():
    text = BASE + "forms:\n  f: {name: F, owner: mx, rule: rr, fields: [identity, idd], attachments: [zz]}\n"
    found = problems(text)
    assert [(p.path, p.message, p.line) for p in found] == [
        ("forms.f.owner", "unknown actor 'mx'", 18),
        ("forms.f.rule", "unknown rule 'rr'", 18),
        ("forms.f.fields[1]", "unknown data item 'idd'", 18),
        ("forms.f.attachments[0]", "unknown data item 'zz'", 18),
    ]
    assert [p.col for p in found] == [23, 33, 56, 76]


def test_unknown_steps_in_a_rule():
    text = BASE + "rules:\n  r:\n    name: R\n    level: federal\n    deadline_days: 30\n    from: aanmeldingg\n    to: besluit\n"
    found = problems(text)
    assert [(p.path, p.line, p.col, p.message) for p in found] == [
        ("rules.r.from", 22, 11, "unknown step 'aanmeldingg'; did you mean 'aanmelding'?"),
        ("rules.r.to", 23, 9, "unknown step 'besluit'"),
    ]


def test_duplicate_step_id():
    p = only(BASE.replace("id: beslissing", "id: aanmelding"))
    assert (p.kind, p.line, p.col, p.path) == ("duplicate-id", 14, 9, "steps[1].id")
    assert p.message == "the step id 'aanmelding' is used twice (first at steps[0])"


@pytest.mark.parametrize(
    ("old", "new", "found"),
    [("level: client", "level: local", "none"), ("level: local", "level: client", "'client', 'mw'")],
    ids=["zero", "two"],
)
def test_exactly_one_client_actor(old, new, found):
    p = only(BASE.replace(old, new))
    assert (p.kind, p.line, p.col, p.path) == ("client-actor", 6, 3, "actors")
    assert p.message == f"exactly one actor must have level 'client' (found {found})"


def test_rule_to_not_reachable_from_from():
    text = BASE + "rules:\n  r: {name: R, level: federal, deadline_days: 30, from: beslissing, to: aanmelding}\n"
    p = only(text)
    assert (p.kind, p.line, p.path) == ("unreachable-deadline", 18, "rules.r.to")
    assert p.message == (
        "step 'aanmelding' cannot be reached from step 'beslissing' (following 'next' forward, without loops back), "
        "so this deadline is never checked"
    )
    # The contract does not forbid it: a warning, and the case stays valid.
    assert p.severity is Severity.WARNING and load_text(text, "case.yaml").ok


def test_deadline_without_from_or_to():
    text = BASE + "rules:\n  r: {name: R, level: federal, deadline_days: 30, from: aanmelding}\n"
    p = only(text)
    assert (p.kind, p.line, p.col, p.path) == ("deadline-ends", 18, 6, "rules.r")
    assert p.message == "a rule with 'deadline_days' needs both 'from' and 'to' steps ('to' is missing)"


def test_from_and_to_without_deadline_is_a_warning():
    text = BASE + "rules:\n  r: {name: R, level: federal, from: aanmelding, to: beslissing}\n"
    loaded = load_text(text)
    assert loaded.ok
    (p,) = loaded.warnings
    assert p.path == "rules.r"


def test_unreachable_step_is_a_warning():
    loaded = load_text(with_step_keys("    next: []\n"), "case.yaml")
    assert loaded.ok  # a warning does not make the case invalid
    (p,) = loaded.problems
    assert (p.severity, p.kind, p.line, p.col, p.path) == (Severity.WARNING, "unreachable-step", 15, 9, "steps[1].id")
    assert p.message == "step 'beslissing' can never be reached from the first step 'aanmelding'"
    assert str(p) == f"case.yaml:15:9: warning: steps[1].id: {p.message}"


def test_chances_summing_over_one():
    p = only(with_step_keys("    next:\n      - {to: beslissing, chance: 0.7}\n      - {to: aanmelding, chance: 0.6}\n"))
    assert (p.kind, p.line, p.col, p.path) == ("chance-sum", 15, 7, "steps[0].next")
    assert p.message == "the chances of the branches add up to 1.3, more than 1"


def test_structure_errors_come_before_meaning_errors():
    # A bad enum and an unknown actor: only the structure error shows, no cascade.
    text = BASE.replace("level: local", "level: lokal").replace("actor: mw\n  - id: b", "actor: nobody\n  - id: b")
    assert [p.kind for p in problems(text)] == ["structure-enum"]


# --- files and folders ----------------------------------------------------------


def test_load_case_reports_missing_file_and_folder(tmp_path):
    (p,) = load_case(tmp_path / "nope.yaml").problems
    assert (p.kind, p.message) == ("not-found", "no such file")
    (p,) = load_case(tmp_path).problems
    assert p.kind == "not-a-file"


def test_load_case_names_the_file(write_case):
    path = write_case(BASE.replace("level: local", "level: lokal"))
    (p,) = load_case(path).problems
    assert str(p).startswith(f"{path}:7:45: actors.mw.level:")


def test_iter_case_files_finds_yaml_and_skips_hidden(tmp_path):
    (tmp_path / "b.yaml").write_text("x: 1\n")
    (tmp_path / "a.YML").write_text("x: 1\n")
    (tmp_path / "notes.txt").write_text("x\n")
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "c.yaml").write_text("x: 1\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "d.yaml").write_text("x: 1\n")
    found = [p.relative_to(tmp_path).as_posix() for p in iter_case_files([tmp_path])]
    assert found == ["a.YML", "b.yaml", "sub/d.yaml"]
    assert list(iter_case_files(["missing.yaml"])) == [__import__("pathlib").Path("missing.yaml")]


def test_an_unreadable_subfolder_is_reported_not_skipped(tmp_path, monkeypatch):
    """Issue 18, item 14: a subfolder that cannot be read was skipped without a word.
    (The tests run as root, which reads every folder: the refusal is injected.)"""
    import os

    (tmp_path / "a.yaml").write_text("x: 1\n")
    (tmp_path / "locked").mkdir()
    (tmp_path / "locked" / "b.yaml").write_text("x: 1\n")
    real_scandir = os.scandir

    def scandir(path="."):
        if os.fspath(path).endswith("locked"):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    found = list(iter_case_files([tmp_path]))
    assert [p.relative_to(tmp_path).as_posix() for p in found] == ["a.yaml", "locked"]
    (p,) = load_case(found[1]).problems
    assert p.kind == "unreadable"
    assert p.message == "cannot read this folder (Permission denied), so the case files in it are skipped"


def test_content_over_the_size_limit():
    for raw in ("#" * (yamlsource.MAX_FILE_BYTES + 1), b"#" * (yamlsource.MAX_FILE_BYTES + 1)):
        p = only(raw)
        assert (p.kind, p.line) == ("too-large", 0)
        assert p.message == "the content is larger than 2,097,152 bytes"


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("? [a]\n: 1\n", 1, "a key must be a plain word, not a list or mapping"),
        ("a: &x [1]\n*x : 2\n", 2, "a key must be a plain word, not a list or mapping"),
        ("2026-01-01: x\n", 1, "the key '2026-01-01' must be a plain word; put it in quotes"),
    ],
)
def test_keys_must_be_plain_words(text, line, message):
    p = only(text)
    assert (p.kind, p.line, p.message) == ("bad-key", line, message)


def test_an_impossible_date_does_not_hide_the_other_problems():
    text = (
        "case: {id: a, title: T, organisation: O, date: 2026-02-30}\n"
        "actors:\n  client: {name: C, level: client}\n"
        "steps:\n  - {id: s, name: S, actor: client, wait_days: -3, client_minutes: 1e3}\n"
    )
    found = {p.path: p.message for p in load_text(text, "case.yaml").errors}
    assert set(found) == {"case.date", "steps[0].wait_days", "steps[0].client_minutes"}
    assert "2026-02-30" in found["case.date"]
    assert "1000 for 1e3" in found["steps[0].client_minutes"]


# --- version 1.1 of the contract ---------------------------------------------------


def with_second_step_keys(extra: str) -> str:
    """BASE with ``extra`` (lines indented for a step) added to the second step (line 17 on)."""
    return BASE + extra


def test_every_key_of_version_1_1_is_read():
    text = (BASE.replace("  organisation: OCMW Test\n", "  organisation: OCMW Test\n  eligible_per_year: 400\n")
            .replace("mw: {name: Maatschappelijk werker, level: local}",
                     "mw: {name: Maatschappelijk werker, level: local, case_manager: true}")
            .replace("  identity: {name: Identiteit, source: rijksregister}\n",
                     "  identity: {name: Identiteit, source: rijksregister, stable: true}\n"
                     "  id_card: {name: Identiteitskaart, proves: identity}\n"))
    text = with_step_keys("    repeats_every_days: 365.0\n    depends_on: []\n", text)
    text += "    depends_on: [aanmelding]\nrules:\n  r: {name: R, level: local, deadline_days: 9, from: aanmelding, to: beslissing, binds: client}\n"
    loaded = load_text(text, "case.yaml")
    assert loaded.ok and not loaded.problems, [str(p) for p in loaded.problems]
    case = loaded.case
    assert case.case.eligible_per_year == 400 and case.actors["mw"].case_manager
    assert case.data["id_card"].proves == "identity" and case.data["identity"].stable
    assert case.steps[0].repeats_every_days == 365 and case.steps[0].depends_on == []
    assert case.steps[1].depends_on == ["aanmelding"] and case.rules["r"].binds == "client"
    # defaults: nothing said means the version 1 meaning
    plain = load_text(BASE).case
    assert plain.steps[0].depends_on is None and plain.rules == {} and plain.case.eligible_per_year is None


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("0", "must be a whole number of at least 1, not 0"),
        ("-3", "must be a whole number of at least 1, not -3"),
        ("2.5", "expected a whole number, found the number 2.5"),
        ("'400'", "expected a whole number, found the text '400'"),
    ],
)
def test_eligible_per_year_is_a_whole_number_of_at_least_one(value, message):
    p = only(BASE.replace("  organisation: OCMW Test\n", f"  organisation: OCMW Test\n  eligible_per_year: {value}\n"))
    assert (p.line, p.path, p.message) == (5, "case.eligible_per_year", message)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("0", "must be a whole number of at least 1, not 0"),
        ("30.5", "expected a whole number, found the number 30.5"),
        ("jaarlijks", "expected a whole number, found the text 'jaarlijks'"),
    ],
)
def test_repeats_every_days_is_a_whole_number_of_at_least_one(value, message):
    p = only(with_step_keys(f"    repeats_every_days: {value}\n"))
    assert (p.line, p.col, p.path, p.message) == (14, 25, "steps[0].repeats_every_days", message)


def test_binds_and_case_manager_have_their_allowed_values():
    text = BASE + "rules:\n  r: {name: R, level: local, deadline_days: 9, from: aanmelding, to: beslissing, binds: klant}\n"
    p = only(text)
    assert (p.line, p.path, p.message) == (18, "rules.r.binds", "'klant' is not allowed here; use 'organisation' or 'client'")
    p = only(BASE.replace("level: local}", "level: local, case_manager: ja}"))
    assert (p.line, p.path) == (7, "actors.mw.case_manager")
    assert p.message == "expected true or false, found the text 'ja'"


def test_binds_without_a_deadline_is_a_warning():
    text = BASE + "rules:\n  r: {name: R, level: local, binds: client}\n"
    [p] = problems(text)
    assert p.severity is Severity.WARNING and (p.line, p.path) == (18, "rules.r.binds")
    assert "only counts with 'deadline_days'" in p.message


def _data(*lines: str) -> str:
    return BASE.replace("  identity: {name: Identiteit, source: rijksregister}\n",
                        "  identity: {name: Identiteit, source: rijksregister}\n" + "".join(f"  {l}\n" for l in lines))


@pytest.mark.parametrize(
    ("lines", "path", "col", "kind", "message"),
    [
        (["kaart: {name: Kaart, proves: identiteit}"], "data.kaart.proves", 32, "unknown-reference",
         "unknown data item 'identiteit'; did you mean 'identity'?"),
        (["kaart: {name: Kaart, proves: kaart}"], "data.kaart.proves", 32, "proves-self",
         "the item 'kaart' cannot prove itself; 'proves' names another data item"),
        (["kaart: {name: Kaart, proves: identity}", "kopie: {name: Kopie, proves: kaart}"], "data.kopie.proves", 32,
         "proves-chain", "'kaart' is itself a document (it proves 'identity'); let 'kopie' prove 'identity' directly"),
        (["kaart: {name: Kaart, proves: identity, source: rijksregister}"], "data.kaart.source", 50, "proves-source",
         "a document that proves 'identity' has no source of its own; put the source on 'identity'"),
    ],
)
def test_proves_names_a_fact_and_a_document_has_no_source(lines, path, col, kind, message):
    found = [p for p in problems(_data(*lines)) if p.path == path]
    assert len(found) == 1, [str(p) for p in problems(_data(*lines))]
    p = found[0]
    assert (p.kind, p.line, p.col, p.message) == (kind, 9 + len(lines), col, message)
    assert p.severity is Severity.ERROR


def test_stable_on_a_document_is_a_warning():
    [p] = problems(_data("kaart: {name: Kaart, proves: identity, stable: true}"))
    assert p.severity is Severity.WARNING and p.path == "data.kaart.stable" and p.line == 10
    assert "put 'stable: true' on 'identity'" in p.message


@pytest.mark.parametrize(
    ("steps", "path", "kind", "message"),
    [
        ("[beslissing]", "steps[0].depends_on[0]", "depends-on-later",
         "step 'beslissing' comes later in the file; 'depends_on' names only steps listed before 'aanmelding' "
         "(move the step, or drop the dependency)"),
        ("[aanmelding]", "steps[0].depends_on[0]", "depends-on-self", "step 'aanmelding' cannot depend on itself"),
        ("[aanmeldng]", "steps[0].depends_on[0]", "unknown-reference",
         "unknown step 'aanmeldng'; did you mean 'aanmelding'?"),
    ],
)
def test_depends_on_names_earlier_steps(steps, path, kind, message):
    p = only(with_step_keys(f"    depends_on: {steps}\n"))
    assert (p.kind, p.line, p.col, p.path, p.message) == (kind, 14, 18, path, message)


def test_depends_on_an_earlier_step_is_fine():
    loaded = load_text(BASE + "    depends_on: [aanmelding]\n")
    assert loaded.ok and not loaded.problems


# --- the legal basis of a form (kafka extension) -------------------------------------------------

_FORM = """\
data:
  identity: {name: Identiteit, source: rijksregister}
  income: {name: Inkomsten}
  hobby: {name: Hobby}
rules:
  rmi: {name: RMI-wet, level: federal}
forms:
  aanvraag:
    name: Aanvraag
    owner: mw
    fields: [identity, income]
    attachments: [income]
    basis:
"""
# Line numbers: the basis entries start at line 22 (BASE without its data block has 9 lines before steps).


def _with_basis(*lines: str) -> str:
    text = BASE.replace("data:\n  identity: {name: Identiteit, source: rijksregister}\n", "")
    return text + _FORM + "".join(f"      {line}\n" for line in lines)


def test_basis_with_one_rule_or_a_list_is_valid():
    loaded = load_text(_with_basis("identity: rmi", "income: [rmi]"), "case.yaml")
    assert loaded.ok, [str(p) for p in loaded.problems]
    assert loaded.case.forms["aanvraag"].basis == {"identity": ["rmi"], "income": ["rmi"]}


@pytest.mark.parametrize(
    ("line", "path", "col", "kind", "message"),
    [
        ("hobby: rmi", "forms.aanvraag.basis.hobby", 7, "basis-not-on-form",
         "'hobby' is not a field or attachment of form 'aanvraag', so no rule can require it there "
         "(the form asks 'identity', 'income')"),
        ("inkomen: rmi", "forms.aanvraag.basis.inkomen", 7, "unknown-reference",
         "unknown data item 'inkomen'; did you mean 'income'?"),
        ("income: rmj", "forms.aanvraag.basis.income", 15, "unknown-reference",
         "unknown rule 'rmj'; did you mean 'rmi'?"),
        ("income: [rmi, rmj]", "forms.aanvraag.basis.income[1]", 21, "unknown-reference",
         "unknown rule 'rmj'; did you mean 'rmi'?"),
        ("income: []", "forms.aanvraag.basis.income", 15, "basis-without-rule",
         "name the rule that requires 'income' on this form (a rule id, or a list of rule ids)"),
    ],
)
def test_basis_names_an_item_of_the_form_and_a_rule(line, path, col, kind, message):
    text = _with_basis(line)
    p = only(text)
    assert (p.kind, p.path, p.message) == (kind, path, message)
    assert (p.line, p.col) == (text.count("\n"), col)
    assert p.severity is Severity.ERROR


def test_basis_with_a_bad_shape_points_at_the_key():
    p = only(_with_basis("income: {rule: rmi}"))
    assert p.path.startswith("forms.aanvraag.basis.income") and p.line == _with_basis("x").count("\n")


# --- positions read on demand (kafka.yamlsource.PositionsOnDemand) -------------------

_DEEP = """\
case: {id: deep, title: Diep, organisation: OCMW Test}
actors:
  client: {name: Client, level: client}
  desk: {name: Onthaal, level: local}
data:
  iban: {name: IBAN}
forms:
  f:
    name: Formulier
    owner: desk
    fields: [iban]
    basis:
      iban: nergens
steps:
  - id: a
    name: Aanvraag
    actor: desk
    form: f
    asks: [iban, onbekend]
    next: [b]
  - {id: b, name: Besluit, actor: desk}
"""


def test_positions_read_on_demand_answer_as_every_position_does():
    every = yamlsource.parse(_DEEP).positions
    shallow = yamlsource.parse(_DEEP, every_position=False).positions
    assert isinstance(shallow, yamlsource.PositionsOnDemand)
    paths = {p[:k] for p in [*every.values, *every.keys] for k in range(len(p) + 1)}
    for path in sorted(paths, key=len):
        for prefer_key in (False, True):
            if len(path) <= yamlsource.SHALLOW_DEPTH:  # answered from what the reading kept
                assert shallow.of(path, prefer_key) == every.of(path, prefer_key), path
    assert shallow._every is None  # nothing deeper was asked: the file was read once
    assert shallow.of(("steps", 0, "asks", 1)) == every.of(("steps", 0, "asks", 1)) == (19, 18)
    assert shallow.values == every.values and shallow.keys == every.keys  # read again, once, in full


def test_a_problem_deep_in_a_file_read_once_points_at_its_line():
    # The loader keeps only the shallow positions; a problem reads the rest again.
    loaded = load_text(_DEEP, "deep.yaml")
    where = {(p.kind, p.path): (p.line, p.col) for p in loaded.problems}
    assert where[("unknown-reference", "steps[0].asks[1]")] == (19, 18)
    assert where[("unknown-reference", "forms.f.basis.iban")] == (13, 13)  # one rule, not a list: the value
    changed = load_text(_DEEP.replace("[iban, onbekend]", "[onbekend, iban]"), "deep.yaml")
    assert {(p.path, p.line, p.col) for p in changed.problems if p.kind == "unknown-reference"} >= {
        ("steps[0].asks[0]", 19, 12)}


def test_a_valid_file_is_read_once():
    loaded = load_text(_DEEP.replace(", onbekend", "").replace("    basis:\n      iban: nergens\n", ""), "ok.yaml")
    assert loaded.ok, [str(p) for p in loaded.problems]
    assert loaded.positions._every is None


def test_a_plain_value_read_again_is_what_it_was_and_quoted_stays_text():
    # run() remembers by its text whether a plain value is a text (yamlsource._PLAIN_IS_TEXT):
    # the second reading must give the same values, and a quoted "15" stays a text.
    text = "a: 15\nb: '15'\nc: true\nd: \"true\"\ne: vijftien\nf: null\ng: 1.5\nh: [15, '15', vijftien]\n"
    expected = {"a": 15, "b": "15", "c": True, "d": "true", "e": "vijftien", "f": None, "g": 1.5,
                "h": [15, "15", "vijftien"]}
    for every_position in (True, False, True):
        data = yamlsource.parse(text, every_position=every_position).data
        assert data == expected and [type(v) for v in data.values()] == [type(v) for v in expected.values()]
