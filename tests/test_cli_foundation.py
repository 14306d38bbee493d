"""CLI tests for validate, new, schema and sources, and the help of every command."""

from __future__ import annotations

import json

import click
import pytest
from click.testing import CliRunner

from kafka.cli import main
from kafka.loader import load_case, load_text

VALID = """\
case: {id: test, title: Test, organisation: OCMW Test}
actors:
  client: {name: Sara, level: client}
  mw: {name: MW, level: local}
steps:
  - {id: aanmelding, name: Aanmelding, actor: mw}
"""


def run(*args: str, input: str | None = None):
    return CliRunner().invoke(main, list(args), input=input)


# --- help ----------------------------------------------------------------------


def test_main_help_with_h():
    result = run("-h")
    assert result.exit_code == 0, result.output
    assert "Commands:" in result.output


@pytest.mark.parametrize("name", sorted(main.commands))
def test_every_command_has_h_and_an_example(name):
    result = run(name, "-h")
    assert result.exit_code == 0, result.output
    assert "Example:" in result.output
    example = result.output.split("Example:", 1)[1]
    assert f"kafka {name}" in example  # kept verbatim by click's \b marker


def test_the_command_list_shows_each_commands_own_help_without_importing_it():
    # `kafka --help` lists the commands from kafka.cli.COMMANDS, so that it imports none of
    # them; what it shows must be what each command's own help gives, at any width.
    from kafka.cli import COMMANDS

    for name, (module, attribute, first_paragraph) in COMMANDS.items():
        command = main.commands[name]
        assert command is getattr(__import__(module, fromlist=[attribute]), attribute), name
        assert command.name == name
        stand_in = click.Command(name, help=first_paragraph)
        for limit in range(20, 140, 7):
            assert stand_in.get_short_help_str(limit) == command.get_short_help_str(limit), (name, limit)
    assert list(main.commands) == list(COMMANDS)


HEAVY = ("networkx", "jinja2", "pygraphviz", "graphviz", "pandas", "http.server", "openpyxl")


@pytest.mark.parametrize("args, allowed", [
    (["--help"], ()),
    (["validate", "{case}"], ("pydantic",)),  # the case model is pydantic's
    (["new", "-h"], ("pydantic",)),
])
def test_light_commands_do_not_import_heavy_libraries(args, allowed, write_case):
    import subprocess
    import sys

    case = write_case(VALID)
    script = (
        "import sys\n"
        "from kafka.cli import main\n"
        "try:\n"
        f"    main({[a.format(case=case) for a in args]!r})\n"
        "except SystemExit:\n"
        "    pass\n"
        f"print('IMPORTED', [m for m in {(*HEAVY, 'pydantic')!r} if m in sys.modules])\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    imported = eval(done.stdout.rsplit("IMPORTED", 1)[1])
    assert set(imported) <= set(allowed), (args, imported)


# --- validate ------------------------------------------------------------------


def test_validate_valid_file(write_case):
    path = write_case(VALID)
    result = run("validate", str(path))
    assert result.exit_code == 0, result.output
    assert "1 of 1 case files valid" in result.output


def test_validate_invalid_file_text(write_case):
    path = write_case(VALID.replace("level: local", "level: lokal"))
    result = run("validate", str(path))
    assert result.exit_code == 1, result.output
    assert f"{path}:4:25: actors.mw.level: 'lokal' is not allowed here" in result.output
    assert "did you mean 'local'?" in result.output
    assert "0 of 1 case files valid (1 error, 0 warnings)" in result.output


def test_validate_json(write_case, tmp_path):
    good = write_case(VALID, name="good.yaml")
    bad = write_case("case: [\n", name="bad.yaml")
    result = run("validate", str(tmp_path), "--format", "json")
    assert result.exit_code == 1
    payload = json.loads(result.stdout)
    assert payload["valid"] is False
    files = {f["file"]: f for f in payload["files"]}
    assert files[str(good)]["valid"] is True
    assert files[str(good)]["case_id"] == "test"
    (problem,) = files[str(bad)]["problems"]
    assert problem["kind"] == "yaml-syntax"
    assert problem["line"] == 2
    assert set(problem) == {"file", "line", "col", "path", "message", "kind", "severity"}


def test_validate_strict_fails_on_warnings(write_case):
    text = VALID.replace("actor: mw}", "actor: mw, next: []}\n  - {id: later, name: Later, actor: mw}")
    path = write_case(text)
    assert run("validate", str(path)).exit_code == 0
    result = run("validate", "--strict", str(path))
    assert result.exit_code == 1
    assert "warning: steps[1].id" in result.output


def test_validate_duplicate_case_ids_across_files(write_case):
    write_case(VALID, name="a.yaml")
    second = write_case(VALID, name="b.yaml")
    result = run("validate", str(second.parent))
    assert result.exit_code == 1
    assert f"{second}:1:12: case.id: the case id 'test' is also used by" in result.output


def test_validate_usage_errors(tmp_path):
    result = run("validate")
    assert result.exit_code == 2
    result = run("validate", str(tmp_path))  # an empty folder
    assert result.exit_code == 2
    assert "no case files" in result.output
    assert run("validate", "--format", "xml", "x.yaml").exit_code == 2


def test_validate_missing_file_is_not_found(tmp_path):
    result = run("validate", str(tmp_path / "nope.yaml"))
    assert result.exit_code == 2
    assert f"{tmp_path / 'nope.yaml'}: not found" in result.output and "invalid" not in result.output


def test_bad_input_never_gives_a_traceback(write_case):
    for text in ["case: !!python/object/apply:os.system ['true']\n", "a: " + "[" * 100_000, b"\xff\xfe\x00"]:
        result = run("validate", str(write_case(text)))
        assert result.exit_code == 1
        assert "Traceback" not in result.output
        assert result.exception is None or isinstance(result.exception, SystemExit)


# --- new -------------------------------------------------------------------------


@pytest.mark.parametrize("procedure", [None, "leefloon", "verwarmingstoelage", "huurwaarborg"])
def test_new_writes_a_valid_commented_file(tmp_path, procedure, monkeypatch):
    monkeypatch.chdir(tmp_path)
    args = ["new", "my-case"] + (["--procedure", procedure] if procedure else [])
    result = run(*args)
    assert result.exit_code == 0, result.output
    path = tmp_path / "my-case.yaml"
    loaded = load_case(path)
    assert loaded.ok and not loaded.problems, [str(p) for p in loaded.problems]
    assert loaded.case.id == "my-case"
    assert loaded.case.case.procedure == procedure
    text = path.read_text(encoding="utf-8")
    assert "kafka validate my-case.yaml" in text
    assert text.count("#") > 30  # commented


def test_new_to_stdout():
    result = run("new", "x1", "-o", "-", "-p", "leefloon")
    assert result.exit_code == 0, result.output
    assert load_text(result.stdout).ok
    assert "procedure: leefloon" in result.stdout


def test_new_refuses_to_overwrite(tmp_path):
    target = tmp_path / "case.yaml"
    target.write_text("my own work\n")
    result = run("new", "x1", "-o", str(target))
    assert result.exit_code == 2
    assert "already exists; use --force" in result.output
    assert target.read_text() == "my own work\n"
    result = run("new", "x1", "-o", str(target), "--force")
    assert result.exit_code == 0, result.output
    assert load_case(target).ok


@pytest.mark.parametrize("args", [["Sara"], ["-x"], ["ok", "--procedure", "Leef loon"], ["a b"]])
def test_new_bad_id_is_a_usage_error(args, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("new", *args)
    assert result.exit_code == 2
    assert list(tmp_path.iterdir()) == []


def test_new_bad_id_message():
    result = run("new", "Leefloon Sara")
    assert "'Leefloon Sara' is not a valid id" in result.output


def test_new_into_missing_folder_is_an_error(tmp_path):
    result = run("new", "x1", "-o", str(tmp_path / "nope" / "x.yaml"))
    assert result.exit_code == 2
    assert "does not exist" in result.output


# --- schema ------------------------------------------------------------------------


def test_schema_prints_json():
    result = run("schema")
    assert result.exit_code == 0, result.output
    schema = json.loads(result.stdout)
    assert schema["$schema"].startswith("http://json-schema.org/draft-07")


def test_schema_to_file(tmp_path):
    target = tmp_path / "case.schema.json"
    result = run("schema", "-o", str(target))
    assert result.exit_code == 0, result.output
    assert json.loads(target.read_text(encoding="utf-8"))["title"] == "kafka case file"
    assert f"Wrote {target}" in result.output


# --- sources ------------------------------------------------------------------------


def test_sources_text():
    result = run("sources")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["key", "name", "level", "via", "local", "access", "what"]
    row = next(line for line in lines if line.startswith("vdab "))
    assert "flemish" in row and "MAGDA" in row and " no " in row


def test_sources_json():
    result = run("sources", "--format", "json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    keys = [r["key"] for r in rows]
    for key in ["rijksregister", "rva", "mutualiteit", "pensioen", "handicap", "groeipakket", "rsz",
                "fod_financien", "kadaster", "pod_mi", "vdab"]:
        assert key in keys
    first = rows[0]
    assert set(first) == {"key", "name", "what", "level", "via", "local_access"}
    assert first == {"key": "rijksregister", "name": "Rijksregister",
                     "what": "identiteit, adres, gezinssamenstelling, nationaliteit, verblijf",
                     "level": "federal", "via": "KSZ", "local_access": True}


# --- analyze: one case at a time -------------------------------------------------

def _cases_folder(tmp_path):
    from pathlib import Path

    folder = tmp_path / "cases"
    folder.mkdir()
    for path in sorted((Path(__file__).resolve().parent.parent / "cases").glob("*.yaml")):
        (folder / path.name).write_bytes(path.read_bytes())
    (folder / "zz-bad.yaml").write_text("case: {id: x}\n", encoding="utf-8")
    return folder


@pytest.mark.parametrize("fmt", ["json", "csv", "text"])
def test_analyze_streams_the_same_output_as_one_document(fmt, tmp_path):
    from kafka.analysis import analyze
    from kafka.csvfile import EXCEL_BE
    from kafka.tables import FINDING_COLUMNS, finding_rows

    folder = _cases_folder(tmp_path)
    result = run("analyze", str(folder), "--format", fmt)
    assert result.exit_code == 1, result.output  # the bad file is skipped and reported
    analyses = [analyze(load_case(p).case) for p in sorted(folder.glob("*.yaml")) if p.name != "zz-bad.yaml"]
    out = result.stdout
    if fmt == "json":
        assert out == json.dumps([a.to_dict() for a in analyses], indent=1, ensure_ascii=False) + "\n"
    elif fmt == "csv":
        assert out == EXCEL_BE.text((row for a in analyses for row in finding_rows(a)), FINDING_COLUMNS)  # --lang nl
    else:
        assert out.count("€") >= len(analyses) and all(a.case.case.title in out for a in analyses)
    one = run("analyze", str(folder / sorted(p.name for p in folder.glob("*.yaml"))[0]), "--format", "json")
    assert one.exit_code == 0 and json.loads(one.stdout)["case"]["id"] == analyses[0].case.id  # an object
    none = run("analyze", str(folder / "zz-bad.yaml"), "--format", "json")
    assert none.exit_code == 1 and none.stdout == "[]\n"


def test_analyze_holds_one_case_at_a_time(tmp_path, monkeypatch):
    # Counted, not timed: while kafka analyze reads a file, no earlier case is still held.
    import gc
    import weakref

    import kafka.run

    folder = _cases_folder(tmp_path)
    alive: list[weakref.ref] = []
    most = []
    real = kafka.run.read_case

    def reading(path):
        gc.collect()
        most.append(sum(ref() is not None for ref in alive))
        loaded, raw = real(path)
        alive.append(weakref.ref(loaded))
        return loaded, raw

    monkeypatch.setattr(kafka.run, "read_case", reading)
    result = run("analyze", str(folder), "--format", "json")
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert len(most) == len(list(folder.glob("*.yaml"))) and max(most) <= 1, most
