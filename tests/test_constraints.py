"""What make demo and make test install is pinned: every dependency is in constraints.txt."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~\[; ]", requirement, maxsplit=1)[0].lower().replace("_", "-").replace(".", "-")


def test_every_dependency_is_pinned_in_the_constraints_file():
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = {_name(r) for r in project["dependencies"] + project["optional-dependencies"]["test"]}
    pinned = {}
    for line in (REPO / "constraints.txt").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            name, _, version = line.partition("==")
            pinned[_name(name)] = version
    missing = sorted(wanted - set(pinned))
    assert not missing, f"not pinned in constraints.txt (run 'make constraints'): {', '.join(missing)}"
    assert all(pinned.values()), "every line of constraints.txt pins one version (NAME==VERSION)"
