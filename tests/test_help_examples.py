"""Examples that work (issue 14, item 7): every example in every ``-h`` text runs as written.

The examples are read from the help texts themselves (the ``Example:`` block
of every command and subcommand, and the "Start here" lines of ``kafka -h``),
and the README's walkthrough from README.md. Each block runs, line by line in
a shell as a user pastes it, in a fresh folder holding a copy of the
repository's ``cases/`` and ``examples/`` (the small inputs the examples name:
a spreadsheet of form fields, an event log and its mapping, a status
register), with the ``kafka`` of this environment first on the PATH.

``kafka serve`` runs until it is stopped: its examples are started with
``--port 0`` added (the port they name may be taken on this machine), the
test waits until the page answers, then stops the server.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import click
import pytest

from kafka.cli import main

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def _commands():
    """(path, click command) of every command and subcommand, in the order of the help."""
    ctx = click.Context(main, info_name="kafka")
    found = []

    def walk(group, ctx, prefix):
        for name in group.list_commands(ctx):
            command = group.get_command(ctx, name)
            path = f"{prefix} {name}"
            found.append((path, command))
            if isinstance(command, click.Group):
                walk(command, click.Context(command, info_name=name, parent=ctx), path)

    walk(main, ctx, "kafka")
    return found


def example_lines(help_text: str, heading: str = "Example:") -> list[str]:
    """The command lines of the block under ``heading``: indented lines up to a blank one
    (comment lines left out, as a shell would)."""
    lines = help_text.splitlines()
    out: list[str] = []
    for i, line in enumerate(lines):
        if line.strip() == heading:
            for following in lines[i + 1:]:
                if not following.strip():
                    break
                text = following.strip()
                if not text.startswith("#"):
                    out.append(text)
            break
    return out


def help_blocks() -> list[tuple[str, list[str]]]:
    blocks = [("kafka", example_lines(main.help or "", "Start here:"))]
    for path, command in _commands():
        blocks.append((path, example_lines(command.help or "")))
    return blocks


def readme_walkthrough() -> list[str]:
    """The sh block of README.md under "Using kafka", comments stripped."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text.split("## Using kafka", 1)[1]
    block = section.split("```sh", 1)[1].split("```", 1)[0]
    return [line.split("  #", 1)[0].strip() for line in block.strip().splitlines() if line.strip()]


BLOCKS = help_blocks()


def test_every_command_has_examples():
    missing = [path for path, lines in BLOCKS if not lines]
    assert not missing, f"commands without an Example: block: {missing}"


def sandbox(tmp_path: Path) -> Path:
    work = tmp_path / "work"
    work.mkdir()
    for folder in ("cases", "examples"):
        shutil.copytree(REPO / folder, work / folder)
    return work


def environment(work: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KAFKA_")}
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    env["HOME"] = str(work)  # a key written to ~/... stays in the sandbox
    return env


def run_line(line: str, work: Path) -> subprocess.CompletedProcess | None:
    if line.startswith("kafka serve"):
        serve(line, work)
        return None
    result = subprocess.run(["bash", "-c", f"set -o pipefail; {line}"], cwd=work, env=environment(work),
                            capture_output=True, text=True, timeout=300)
    output = result.stdout[-3000:] + result.stderr[-3000:]
    assert result.returncode == 0, f"{line!r} exited with {result.returncode}:\n{output}"
    assert "Traceback" not in output, f"{line!r}:\n{output}"
    return result


def serve(line: str, work: Path) -> None:
    process = subprocess.Popen(["bash", "-c", f"exec {line} --port 0"], cwd=work, env=environment(work),
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               start_new_session=True)
    try:
        address, seen = None, []
        deadline = time.monotonic() + 60
        while address is None and time.monotonic() < deadline:
            text = process.stdout.readline()
            if not text:
                break
            seen.append(text)
            match = re.search(r"http://127\.0\.0\.1:\d+/\S*", text)
            address = match.group(0) if match else None
        assert address, f"{line!r} did not start:\n{''.join(seen)}"
        with urllib.request.urlopen(address, timeout=30) as response:
            assert response.status == 200
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


@pytest.mark.parametrize("path,lines", BLOCKS, ids=[path for path, _ in BLOCKS])
def test_the_examples_of_a_help_text_run_as_written(tmp_path, path, lines):
    work = sandbox(tmp_path)
    for line in lines:
        run_line(line, work)


def test_the_readme_walkthrough_runs_as_pasted(tmp_path):
    lines = readme_walkthrough()
    assert lines[0].startswith("kafka new "), lines
    work = sandbox(tmp_path)
    for line in lines:
        run_line(line, work)


def test_a_missing_file_is_not_found_not_invalid(tmp_path):
    work = sandbox(tmp_path)
    for command in ("validate", "analyze", "report", "forms", "simulate", "export", "aggregate", "anonymise",
                    "serve"):
        extra = {"report": " -o out", "forms": " -o out", "aggregate": " -o out", "anonymise": " -o out.yaml"}
        result = subprocess.run(["bash", "-c", f"kafka {command} cases/leefloon-sara.yaml{extra.get(command, '')}"],
                                cwd=work, env=environment(work), capture_output=True, text=True, timeout=120)
        output = result.stdout + result.stderr
        assert result.returncode == 2, (command, output)
        assert "cases/leefloon-sara.yaml: not found" in output, (command, output)
        assert "invalid" not in output.lower(), (command, output)
