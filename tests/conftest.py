"""Shared fixtures. Keep this file small: add fixtures, do not change existing ones."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture
def shared_dir() -> Path:
    """The project's shared folder (contract, conformance cases), beside the repository."""
    folder = REPO_ROOT.parent / "shared"
    if not folder.is_dir():
        pytest.skip(f"{folder} is absent (the shared contract folder sits beside the repository)")
    return folder


def write_case_file(folder: Path, text: str | bytes, name: str = "case.yaml") -> Path:
    path = folder / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def write_case(tmp_path):
    """``write_case(text)`` or ``write_case(folder, text)``, optional ``name=``: the path of the file written."""

    def write(*args: Path | str | bytes, name: str = "case.yaml") -> Path:
        folder, text = (tmp_path, args[0]) if len(args) == 1 else args
        return write_case_file(Path(folder), text, name)

    return write


# --- slow tests (fuzzing campaigns, big benchmarks): only with --run-slow -------------

def pytest_addoption(parser):
    parser.addoption("--run-slow", action="store_true", default=False,
                     help="also run the tests marked @pytest.mark.slow (long fuzzing runs)")


def pytest_configure(config):
    # Hypothesis profiles: "ci" keeps the default suite fast; "long" is the fuzzing campaign.
    try:
        from hypothesis import HealthCheck, settings
    except ImportError:  # the test extra is not installed
        return
    quiet = [HealthCheck.too_slow, HealthCheck.data_too_large]
    settings.register_profile("ci", max_examples=40, deadline=None, suppress_health_check=quiet)
    settings.register_profile("long", max_examples=3_000, deadline=None, suppress_health_check=quiet)
    if config.getoption("--hypothesis-profile", default=None) is None:
        settings.load_profile("long" if config.getoption("--run-slow") else "ci")


def pytest_collection_modifyitems(config, items):
    if config.getoption("--run-slow"):
        return
    skip_slow = pytest.mark.skip(reason="slow: run with --run-slow (make fuzz)")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip_slow)
