"""The documentation keeps up with the commands."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kafka.cli import main

REPO_ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("name", sorted(main.commands))
def test_every_command_is_in_the_readme(name):
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    assert f"kafka {name}" in readme, f"README.md does not mention 'kafka {name}'"


def test_makefile_only_uses_existing_commands():
    makefile = (REPO_ROOT / "Makefile").read_text(encoding="utf-8")
    used = set(re.findall(r"\$\(BIN\)/kafka ([a-z][a-z-]*)", makefile))
    assert used, "the Makefile runs no kafka command"
    missing = sorted(used - set(main.commands))
    assert not missing, f"the Makefile uses commands kafka does not have: {', '.join(missing)}"


def test_docs_links_exist():
    for doc in ["README.md", "docs/case-format.md", "docs/editor-setup.md"]:
        text = (REPO_ROOT / doc).read_text(encoding="utf-8")
        for target in re.findall(r"`(docs/[a-z-]+\.md)`", text):
            assert (REPO_ROOT / target).is_file(), f"{doc} names {target}, which does not exist"


def test_case_format_example_is_valid():
    from kafka.loader import load_text

    text = (REPO_ROOT / "docs" / "case-format.md").read_text(encoding="utf-8")
    examples = [block for block in re.findall(r"```yaml\n(.*?)```", text, re.S) if block.startswith("case:")]
    assert examples
    for block in examples:
        loaded = load_text(block, "docs/case-format.md")
        assert loaded.ok and not loaded.problems, [str(p) for p in loaded.problems]
