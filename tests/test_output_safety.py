"""Files: inputs are never modified, outputs are atomic and stay in the chosen folder,
and an output that cannot be written is a clear error with exit code 3.

- every command leaves every input file byte-for-byte and time-for-time as it was,
  also when it writes into the folder it reads, and refuses an output that *is* an input;
- a failure mid-write (a full disk, a read-only file system, Ctrl-C) leaves the
  previous output intact and no temporary file behind;
- whatever a case says, outputs land inside the chosen folder: file names come from
  ids made safe, and a symlink in the output folder is never followed outside it;
- an unwritable output (under a file, in /proc, read-only, full) is one line and
  exit code ``ExitCode.OUTPUT_ERROR``, never a traceback. (The tests run as root,
  so chmod cannot make a folder read-only; the failures are injected instead.)
"""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from kafka import output
from kafka.cli import main
from kafka.errors import ExitCode, OutputError
from kafka.loader import load_text
from kafka.output import inside, move_into_place, note_input, safe_name, write_atomic

REPO = Path(__file__).resolve().parent.parent
HOSTILE = REPO / "tests" / "data" / "hostile.yaml"
SPREADSHEET = REPO / "tests" / "data" / "forms" / "velden.csv"
INVALID = "case: {id: kapot}\nsteps: [\n"
WARNINGS = (
    "case: {id: waarschuwing, title: W, organisation: OCMW}\n"
    "actors: {client: {name: C, level: client}}\n"
    "steps:\n  - {id: a, name: A, actor: client, next: []}\n  - {id: b, name: B, actor: client}\n"
)


@pytest.fixture
def inputs(tmp_path) -> Path:
    """A folder of inputs: two real cases, the hostile case, an invalid file, one with warnings, a spreadsheet."""
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("leefloon-lindenberg.yaml", "verwarmingstoelage-ravelingen.yaml"):
        shutil.copy(REPO / "cases" / name, folder / name)
    shutil.copy(HOSTILE, folder / "hostile.yaml")
    (folder / "kapot.yaml").write_text(INVALID, encoding="utf-8")
    (folder / "warnings.yml").write_text(WARNINGS, encoding="utf-8")
    shutil.copy(SPREADSHEET, folder / "velden.csv")
    return folder


def snapshot(folder: Path) -> dict[str, tuple]:
    """Every file under ``folder``: content hash, size, modification time, mode."""
    found = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not path.is_symlink():
            info = path.stat()
            found[str(path.relative_to(folder))] = (hashlib.sha256(path.read_bytes()).hexdigest(), info.st_size,
                                                   info.st_mtime_ns, info.st_mode)
    return found


def run(*args) -> object:
    return CliRunner().invoke(main, [str(a) for a in args])


def assert_clean_exit(result, codes=(0, 1)) -> None:
    """Ended on purpose (an exit code, not an exception) with one of ``codes``."""
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output
    assert result.exit_code in codes, result.output


def _need(command: str) -> None:
    if command not in main.commands:
        pytest.skip(f"kafka {command} not built yet")


# --- inputs are never modified ------------------------------------------------------------------

# (command, arguments); IN is the input folder, OUT the output folder, CASE one case file of IN.
COMMANDS = {
    "validate": ["validate", "IN"],
    "validate-json-strict": ["validate", "IN", "--format", "json", "--strict"],
    "analyze-text": ["analyze", "IN"],
    "analyze-json": ["analyze", "IN", "--format", "json"],
    "analyze-csv": ["analyze", "IN", "--format", "csv"],
    "report": ["report", "IN", "-o", "OUT"],
    "forms-review": ["forms", "review", "IN", "-o", "OUT"],
    "forms-import": ["forms", "import", "IN/velden.csv", "--form", "aanvraag", "--case", "CASE", "-o", "OUT/form.yaml"],
    "simulate": ["simulate", "CASE"],
    "simulate-write": ["simulate", "CASE", "--write", "OUT/to-be.yaml"],
    "export-bpmn": ["export", "IN", "--format", "bpmn", "-o", "OUT"],
    "export-json": ["export", "IN", "--format", "json", "-o", "OUT"],
    "export-svg": ["export", "IN", "--format", "svg", "-o", "OUT"],
    "export-png": ["export", "CASE", "-o", "OUT/map.png"],
    "aggregate": ["aggregate", "IN", "-o", "OUT", "-j", "1"],
    "new": ["new", "nieuw", "-o", "OUT/nieuw.yaml", "--force"],
}


def _args(template: list[str], folder: Path, out: Path) -> list[str]:
    case = folder / "leefloon-lindenberg.yaml"
    return [a.replace("IN", str(folder)).replace("OUT", str(out)).replace("CASE", str(case)) for a in template]


@pytest.mark.parametrize("into_inputs", [False, True], ids=["separate-output", "output-into-the-input-folder"])
@pytest.mark.parametrize("name", list(COMMANDS))
def test_no_command_modifies_its_inputs(inputs, tmp_path, name, into_inputs):
    template = COMMANDS[name]
    _need(template[0])
    out = inputs if into_inputs else tmp_path / "out"
    if not into_inputs:
        out.mkdir()
    before = snapshot(inputs)
    for _ in range(2):  # twice: the second run meets the first run's outputs (aggregate reuses them)
        assert_clean_exit(run(*_args(template, inputs, out)))
    after = snapshot(inputs)
    assert {k: v for k, v in after.items() if k in before} == before, "an input file changed"
    if not into_inputs:
        assert after == before, "a file appeared among the inputs"


@pytest.mark.parametrize("args", [
    ["export", "CASE", "--format", "json", "-o", "CASE"],
    ["export", "CASE", "--format", "bpmn", "-o", "IN/link.bpmn"],  # a symlink to the case
    ["forms", "import", "IN/velden.csv", "--form", "f", "--case", "CASE", "-o", "CASE"],
    ["forms", "import", "IN/velden.csv", "--form", "f", "-o", "IN/velden.csv"],
    ["simulate", "CASE", "--write", "CASE"],
], ids=["export-onto-its-case", "export-through-a-symlink", "forms-import-onto-its-case",
        "forms-import-onto-its-spreadsheet", "simulate-onto-its-case"])
def test_an_output_that_is_an_input_is_refused(inputs, args):
    _need(args[0])
    (inputs / "link.bpmn").symlink_to(inputs / "leefloon-lindenberg.yaml")
    before = snapshot(inputs)
    result = run(*_args(args, inputs, inputs))
    assert_clean_exit(result, codes=(ExitCode.OUTPUT_ERROR,))
    assert "refusing to overwrite" in result.output
    assert snapshot(inputs) == before


# A link in the output folder (or the output named) that leads to an input: (command, link, input),
# paths relative to the input folder, which is also the output folder.
LINKS_TO_INPUTS = {
    "report": (["report", "IN/leefloon-lindenberg.yaml", "-o", "IN"], "leefloon-lindenberg.html",
               "leefloon-lindenberg.yaml"),
    "forms-review-csv": (["forms", "review", "IN/leefloon-lindenberg.yaml", "-o", "IN"], "forms.csv",
                         "leefloon-lindenberg.yaml"),
    "forms-review-html": (["forms", "review", "IN", "-o", "IN"], "forms.html", "verwarmingstoelage-ravelingen.yaml"),
    "forms-import": (["forms", "import", "IN/velden.csv", "--form", "f", "-o", "IN/f.yaml"], "f.yaml", "velden.csv"),
    "aggregate-index": (["aggregate", "IN", "-o", "IN", "-j", "1"], "index.html", "leefloon-lindenberg.yaml"),
    "aggregate-case-report": (["aggregate", "IN", "-o", "IN", "-j", "1"], "cases/leefloon-lindenberg.html",
                              "cases/heidebeek.yaml"),  # a case file in the reports' folder
    "aggregate-manifest": (["aggregate", "IN", "-o", "IN", "-j", "1"], "manifest.json", "hostile.yaml"),
    "aggregate-xlsx": (["aggregate", "IN", "-o", "IN", "-j", "2"], "summary.xlsx", "warnings.yml"),
    "aggregate-history": (["aggregate", "IN", "-o", "IN", "-j", "1"], "history.sqlite", "empty.yaml"),
    "export-folder": (["export", "IN", "--format", "svg", "-o", "IN"], "leefloon-lindenberg.svg",
                      "leefloon-lindenberg.yaml"),
    "export-file": (["export", "IN/leefloon-lindenberg.yaml", "-o", "IN/map.svg"], "map.svg",
                    "leefloon-lindenberg.yaml"),
    "simulate": (["simulate", "CASE", "--write", "IN/to-be.yaml"], "to-be.yaml", "leefloon-lindenberg.yaml"),
}


@pytest.mark.parametrize("kind", ["symlink", "hard-link"])
@pytest.mark.parametrize("name", list(LINKS_TO_INPUTS))
def test_no_writer_writes_onto_an_input_through_a_link(inputs, name, kind):
    """Issue 18, item 1: `cases/<id>.html -> case.yaml` made `kafka report` write HTML into the case file."""
    args, link, target = LINKS_TO_INPUTS[name]
    _need(args[0])
    (inputs / link).parent.mkdir(parents=True, exist_ok=True)
    if target == "empty.yaml":  # an empty file is one SQLite would take for a new database
        (inputs / target).write_bytes(b"")
    elif not (inputs / target).exists():
        shutil.copy(REPO / "cases" / "leefloon-heidebeek.yaml", inputs / target)
    if kind == "symlink":
        (inputs / link).symlink_to(os.path.relpath(inputs / target, (inputs / link).parent))
    else:
        os.link(inputs / target, inputs / link)
    before = snapshot(inputs)
    result = run(*_args(args, inputs, inputs))
    assert_clean_exit(result, codes=(ExitCode.OUTPUT_ERROR,))
    if name == "simulate":  # simulate checks its target itself first, with its own words
        assert "refusing to overwrite" in result.output or "not written by kafka" in result.output
    else:
        assert "refusing to overwrite" in result.output and target in result.output
    after = snapshot(inputs)
    assert {k: v for k, v in after.items() if k in before} == before, "an input file changed"


def test_write_atomic_refuses_every_path_to_an_input(tmp_path):
    case = tmp_path / "case.yaml"
    case.write_text("x", encoding="utf-8")
    note_input(case)
    os.link(case, tmp_path / "hard.json")
    (tmp_path / "soft.json").symlink_to(case)
    (tmp_path / "sub").mkdir()
    for path in (case, tmp_path / "hard.json", tmp_path / "soft.json", tmp_path / "sub" / ".." / "case.yaml"):
        with pytest.raises(OutputError, match="refusing to overwrite"):
            write_atomic(path, "overwritten")
    staged = tmp_path / "staged.html"
    staged.write_text("a report", encoding="utf-8")
    with pytest.raises(OutputError, match="refusing to overwrite"):
        move_into_place(staged, tmp_path / "soft.json")
    assert case.read_text(encoding="utf-8") == "x"
    write_atomic(tmp_path / "new.json", "fine")  # not an input


def test_an_input_that_is_gone_protects_nothing(tmp_path):
    # Its inode number may be reused by a new output file: that file must not be refused.
    case = tmp_path / "case.yaml"
    case.write_text("x", encoding="utf-8")
    note_input(case)
    inode = case.stat().st_ino
    case.unlink()
    for n in range(50):
        candidate = tmp_path / f"out-{n}.html"
        write_atomic(candidate, "a report")
        if candidate.stat().st_ino == inode:
            break
    write_atomic(tmp_path / "case.yaml", "a new file where the input was")


# --- atomic writes ----------------------------------------------------------------------------------

def _fail(exc: BaseException):
    def failing(*args, **kwargs):
        raise exc

    return failing


@pytest.mark.parametrize("where, exc, message", [
    ("fsync", OSError(errno.ENOSPC, "No space left on device"), "the disk is full"),
    ("replace", OSError(errno.EROFS, "Read-only file system"), "the file system is read-only"),
    ("replace", OSError(errno.EDQUOT, "Disk quota exceeded"), "the disk quota is exceeded"),
    ("fsync", OSError(errno.EIO, "Input/output error"), "Input/output error"),
])
def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary_file(tmp_path, monkeypatch, where, exc, message):
    target = tmp_path / "report.html"
    target.write_text("the previous report", encoding="utf-8")
    monkeypatch.setattr(output.os, where, _fail(exc))
    with pytest.raises(OutputError, match=message):
        write_atomic(target, "the new report, half written")
    monkeypatch.undo()
    assert target.read_text(encoding="utf-8") == "the previous report"
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]


def test_an_interrupted_write_keeps_the_old_file_and_leaves_no_temporary_file(tmp_path, monkeypatch):
    target = tmp_path / "report.html"
    target.write_text("the previous report", encoding="utf-8")
    monkeypatch.setattr(output.os, "fsync", _fail(KeyboardInterrupt()))  # Ctrl-C mid-write
    with pytest.raises(KeyboardInterrupt):
        write_atomic(target, "the new report")
    monkeypatch.undo()
    assert target.read_text(encoding="utf-8") == "the previous report"
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]


def test_a_failure_while_producing_the_pieces_keeps_the_old_file(tmp_path):
    # write_atomic also takes the content in pieces (big CSV and XLSX files); a renderer
    # that fails halfway must not leave half a file.
    target = tmp_path / "findings.csv"
    target.write_text("the previous table", encoding="utf-8")

    def pieces():
        yield "a,b\n"
        raise ValueError("a renderer failed halfway")

    with pytest.raises(ValueError):
        write_atomic(target, pieces())
    assert target.read_text(encoding="utf-8") == "the previous table"
    assert [p.name for p in tmp_path.iterdir()] == ["findings.csv"]


@pytest.fixture
def umask():
    """``umask(0o077)`` sets the process's umask for the test; the old one comes back after it."""
    old = os.umask(0o022)
    os.umask(old)
    yield os.umask
    os.umask(old)


def _mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


@pytest.mark.parametrize("mask, expected", [(0o022, 0o644), (0o077, 0o600), (0o027, 0o640)])
def test_a_new_output_gets_the_permissions_of_the_umask(tmp_path, umask, mask, expected):
    """Issue 18, item 9: under umask 077 every output was 0644 (reports hold clients' stories)."""
    umask(mask)
    target = write_atomic(tmp_path / "x.csv", "a,b\n")
    assert target.read_text(encoding="utf-8") == "a,b\n"
    assert _mode(target) == expected
    assert [p.name for p in tmp_path.iterdir()] == ["x.csv"]


@pytest.mark.parametrize("mode", [0o600, 0o640, 0o664])
def test_a_replaced_output_keeps_its_permissions(tmp_path, umask, mode):
    umask(0o022)
    target = tmp_path / "report.html"
    target.write_text("old", encoding="utf-8")
    target.chmod(mode)
    write_atomic(target, "new")
    assert target.read_text(encoding="utf-8") == "new" and _mode(target) == mode
    staged = tmp_path / "staged.html"
    staged.write_text("newer", encoding="utf-8")
    staged.chmod(0o644)
    move_into_place(staged, target)
    assert target.read_text(encoding="utf-8") == "newer" and _mode(target) == mode


@pytest.mark.parametrize("name", ["report", "forms-review", "aggregate", "export-bpmn", "forms-import"])
def test_every_command_honours_the_umask_and_keeps_modes(inputs, tmp_path, umask, name):
    template = COMMANDS[name]
    _need(template[0])
    out = tmp_path / "out"
    out.mkdir()
    args = _args(template, inputs, out)
    umask(0o077)
    assert_clean_exit(run(*args))
    written = [p for p in out.rglob("*") if p.is_file()]
    assert written and {str(p.relative_to(out)): _mode(p) for p in written} == \
        {str(p.relative_to(out)): 0o600 for p in written}
    umask(0o022)
    for path in written:
        path.chmod(0o640)
    assert_clean_exit(run(*args, *(["--force"] if name == "aggregate" else [])))
    modes = {str(p.relative_to(out)): _mode(p) for p in written}
    assert modes == {str(p.relative_to(out)): 0o640 for p in written}


WRITERS = {k: v for k, v in COMMANDS.items() if "OUT" in " ".join(v)}


@pytest.mark.parametrize("failure, exc, message", [
    ("disk-full", OSError(errno.ENOSPC, "No space left on device"), "the disk is full"),
    ("read-only", OSError(errno.EROFS, "Read-only file system"), "the file system is read-only"),
])
@pytest.mark.parametrize("name", list(WRITERS))
def test_a_command_that_cannot_write_keeps_the_previous_outputs(inputs, tmp_path, monkeypatch, name, failure, exc,
                                                                message):
    template = WRITERS[name]
    _need(template[0])
    out = tmp_path / "out"
    out.mkdir()
    args = _args(template, inputs, out)
    assert_clean_exit(run(*args))
    before = snapshot(out)
    assert before, "the first run wrote nothing"
    monkeypatch.setattr(output.os, "fsync" if failure == "disk-full" else "replace", _fail(exc))
    # aggregate with nothing changed writes nothing at all (issue 19): --force makes it write again
    result = run(*args, *(["--force"] if name == "aggregate" else []))
    monkeypatch.undo()
    assert_clean_exit(result, codes=(ExitCode.OUTPUT_ERROR,))
    assert message in result.output
    assert snapshot(out) == before, "a previous output changed, or a temporary file was left"


# --- unwritable output locations -------------------------------------------------------------------------

@pytest.mark.parametrize("place", ["under-a-file", "in-proc"])
@pytest.mark.parametrize("name", list(WRITERS))
def test_an_unwritable_output_location_is_a_clear_error(inputs, tmp_path, name, place):
    template = WRITERS[name]
    _need(template[0])
    if place == "under-a-file":
        (tmp_path / "a-file").write_text("not a folder", encoding="utf-8")
        out = tmp_path / "a-file" / "sub"
    elif any("OUT/" in a for a in template):  # a file: straight into /proc, a folder nobody may write in
        out = Path("/proc")
    else:
        out = Path("/proc") / f"kafka-test-{os.getpid()}"
    result = run(*_args(template, inputs, out))
    # A file output under a file has no folder to go in: some commands call that a usage error (2).
    codes = (ExitCode.OUTPUT_ERROR, ExitCode.USAGE) if place == "under-a-file" else (ExitCode.OUTPUT_ERROR,)
    assert_clean_exit(result, codes=codes)
    assert "Error" in result.output and str(out) in result.output


# --- outputs stay in the chosen folder -------------------------------------------------------------------

@given(st.text(max_size=300))
def test_safe_names_never_leave_the_folder(text):
    name = safe_name(text)
    assert name and name not in (".", "..")
    assert all(c in "abcdefghijklmnopqrstuvwxyz0123456789-_" for c in name)
    folder = Path("/srv/reports")
    assert (folder / f"{name}.html").parent == folder


@pytest.mark.parametrize("name", ["../x.html", "../../etc/passwd", "/etc/passwd", "a/../../x", "..", "sub/../../x"])
def test_inside_refuses_names_that_leave_the_folder(tmp_path, name):
    with pytest.raises(OutputError, match="outside"):
        inside(tmp_path, name)


@pytest.mark.parametrize("case_id", ["../../etc", "/etc/passwd", "..", ".hidden", "a/b", "a\\b", "A", "x" * 101, "ａ"])
def test_ids_that_could_name_a_path_are_refused_by_the_loader(case_id):
    text = (HOSTILE.read_text(encoding="utf-8")).replace("id: hostile", f"id: {case_id!r}".replace("'", '"'), 1)
    loaded = load_text(text, "c.yaml")
    assert not loaded.ok and any(p.path == "case.id" for p in loaded.problems)


@pytest.fixture
def outside(tmp_path) -> Path:
    victim = tmp_path / "outside" / "victim.html"
    victim.parent.mkdir()
    victim.write_text("not kafka's", encoding="utf-8")
    return victim


@pytest.mark.parametrize("command, link", [
    (["report", "IN/hostile.yaml", "-o", "OUT"], "hostile.html"),
    (["export", "IN/hostile.yaml", "IN/leefloon-lindenberg.yaml", "--format", "json", "-o", "OUT"], "hostile.json"),
    (["forms", "review", "IN/hostile.yaml", "-o", "OUT"], "forms.html"),
    (["forms", "review", "IN/hostile.yaml", "-o", "OUT"], "forms.csv"),
    (["aggregate", "IN/hostile.yaml", "-o", "OUT", "-j", "1"], "index.html"),
    (["aggregate", "IN/hostile.yaml", "-o", "OUT", "-j", "1"], "summary.xlsx"),
    (["aggregate", "IN/hostile.yaml", "-o", "OUT", "-j", "1"], "cases/hostile.html"),
    (["aggregate", "IN/hostile.yaml", "-o", "OUT", "-j", "1"], "cases/.incoming"),
])
def test_a_symlink_in_the_output_folder_is_not_followed_outside(inputs, tmp_path, outside, command, link):
    _need(command[0])
    out = tmp_path / "out"
    (out / link).parent.mkdir(parents=True, exist_ok=True)
    (out / link).symlink_to(outside.parent if link.endswith(".incoming") else outside)
    result = run(*_args(command, inputs, out))
    assert_clean_exit(result, codes=(ExitCode.OUTPUT_ERROR,))
    assert "symbolic link" in result.output and "outside" in result.output
    assert outside.read_text(encoding="utf-8") == "not kafka's"
    assert [p.name for p in outside.parent.iterdir()] == ["victim.html"], "something was written outside"


@pytest.mark.parametrize("command", [
    ["export", "IN/hostile.yaml", "--format", "json", "-o", "OUT/hostile.json"],
    ["simulate", "IN/hostile.yaml", "--write", "OUT/hostile.json"],
    ["new", "nieuw", "-o", "OUT/hostile.json", "--force"],
])
def test_a_named_output_file_that_is_a_symlink_is_replaced_not_followed(inputs, tmp_path, outside, command):
    _need(command[0])
    out = tmp_path / "out"
    out.mkdir()
    (out / "hostile.json").symlink_to(outside)
    result = run(*_args(command, inputs, out))
    assert_clean_exit(result, codes=(0, ExitCode.OUTPUT_ERROR))
    assert outside.read_text(encoding="utf-8") == "not kafka's"
    assert [p.name for p in outside.parent.iterdir()] == ["victim.html"]


def test_every_writer_goes_through_write_atomic():
    # A module that opens files for writing by itself would bypass the temporary file,
    # the rename and the check that the target is no input (a rename of its own too);
    # the only exception is aggregate's lock file (a flock, and a process id as its only content).
    import re

    direct = re.compile(r"\.write_text\(|\.write_bytes\(|open\([^)]*[\"'][wax]b?\+?[\"']|os\.O_WRONLY|to_excel\(|"
                        r"\.save\((?!buffer)|os\.replace\(|os\.rename\(|shutil\.move\(")
    package = REPO / "kafka"
    offenders = []
    for source in package.rglob("*.py"):
        if source == package / "output.py":
            continue
        for number, line in enumerate(source.read_text(encoding="utf-8").splitlines(), 1):
            if direct.search(line) and "lock" not in line:
                offenders.append(f"{source.relative_to(REPO)}:{number}: {line.strip()}")
    assert offenders == [], "\n".join(offenders)


def test_a_staging_folder_planted_as_a_link_inside_the_site_is_neither_emptied_nor_used(inputs, tmp_path):
    _need("aggregate")
    out = tmp_path / "out"
    (out / "cases" / "keep").mkdir(parents=True)
    (out / "cases" / "keep" / "mine.txt").write_text("not kafka's", encoding="utf-8")
    (out / "cases" / ".incoming").symlink_to("keep")
    assert_clean_exit(run("aggregate", inputs / "leefloon-lindenberg.yaml", "-o", out, "-j", "1"), codes=(0,))
    assert [p.name for p in (out / "cases" / "keep").iterdir()] == ["mine.txt"]
    assert (out / "cases" / "leefloon-lindenberg.html").is_file()


def test_each_command_guards_what_it_read_itself(tmp_path):
    """One process may run several commands (a test, a notebook): a file that an earlier
    command read is not an input of the next one."""
    from kafka.output import inputs_of_one_run

    case = tmp_path / "case.yaml"
    case.write_text("x", encoding="utf-8")
    with inputs_of_one_run():
        note_input(case)
        with pytest.raises(OutputError):
            write_atomic(case, "y")
    write_atomic(case, "y")
    assert case.read_text(encoding="utf-8") == "y"
