"""Every example case and every conformance case loads without errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from kafka.loader import load_case
from kafka.validate import check_case_set

REPO_ROOT = Path(__file__).resolve().parent.parent
CASES = sorted((REPO_ROOT / "cases").glob("*.yaml")) + sorted((REPO_ROOT / "cases").glob("*.yml"))
SHARED = REPO_ROOT.parent / "shared"
CONFORMANCE = sorted((SHARED / "conformance").glob("*.yaml"))


@pytest.mark.parametrize("path", CASES, ids=[p.name for p in CASES])
def test_example_case_is_valid(path):
    loaded = load_case(path)
    assert loaded.ok, "\n".join(str(p) for p in loaded.problems)
    assert not loaded.warnings, "\n".join(str(p) for p in loaded.warnings)


def test_example_case_ids_are_unique():
    loaded = [load_case(path) for path in CASES]
    assert check_case_set(loaded) == []


@pytest.mark.skipif(not SHARED.is_dir(), reason=f"{SHARED} is absent: the shared contract folder sits beside the repository")
@pytest.mark.parametrize("path", CONFORMANCE, ids=[p.name for p in CONFORMANCE])
def test_conformance_case_loads(path):
    loaded = load_case(path)
    assert loaded.ok, "\n".join(str(p) for p in loaded.problems)


@pytest.mark.skipif(not SHARED.is_dir(), reason=f"{SHARED} is absent: the shared contract folder sits beside the repository")
def test_conformance_folder_is_not_empty():
    assert CONFORMANCE, f"no *.yaml in {SHARED / 'conformance'}"
