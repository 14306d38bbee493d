"""The wheel carries everything the package needs at run time.

Builds the wheel, installs it into a bare folder and runs kafka from there in
a subprocess, so that a file missing from the wheel cannot be found in the
source tree instead.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent

CHECK = textwrap.dedent(
    """
    import sys
    from importlib import resources
    from pathlib import Path

    import kafka
    target = Path(sys.argv[1]).resolve()
    assert target in Path(kafka.__file__).resolve().parents, f"kafka imported from {kafka.__file__}"

    root = resources.files("kafka")
    assert root.joinpath("data/sources.yaml").is_file()
    starters = sorted(e.name for e in root.joinpath("data/starters").iterdir())
    assert {"generic.yaml", "leefloon.yaml", "verwarmingstoelage.yaml"} <= set(starters), starters
    for lang in ("nl", "en"):
        names = sorted(e.name for e in root.joinpath("locale", lang).iterdir())
        assert "common.yaml" in names, (lang, names)
    templates = [e.name for e in root.joinpath("templates").iterdir()]
    assert templates, "no templates in the wheel"

    from kafka.catalogue import builtin_sources
    from kafka.i18n import Translator
    from kafka.loader import load_text
    from kafka.starters import starter_names, starter_text
    assert "rijksregister" in builtin_sources()
    Translator("nl"), Translator("en")
    for name in starter_names():
        assert load_text(starter_text("wheel-test", name)).ok, name
    print("ok", len(templates), "templates")
    """
)


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    wheels = tmp_path_factory.mktemp("wheels")
    target = tmp_path_factory.mktemp("site")
    build = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(wheels), str(REPO_ROOT)]
    if importlib.util.find_spec("hatchling"):  # offline and fast; otherwise pip fetches the backend
        build.insert(4, "--no-build-isolation")
    subprocess.run(build, check=True, capture_output=True, timeout=120)
    (wheel,) = wheels.glob("*.whl")
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--quiet", "--target", str(target), str(wheel)],
        check=True, capture_output=True, timeout=120,
    )
    return target


def _run(target: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(target), "PYTHONSAFEPATH": "1"}
    return subprocess.run([sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=60)


def test_wheel_has_the_package_data(installed, tmp_path):
    result = _run(installed, "-c", CHECK, str(installed), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("ok")


def test_wheel_runs_the_cli(installed, tmp_path):
    result = _run(installed, "-m", "kafka", "new", "wheel-test", "-p", "leefloon", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    result = _run(installed, "-m", "kafka", "validate", "wheel-test.yaml", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    result = _run(installed, "-m", "kafka", "sources", "--format", "json", cwd=tmp_path)
    assert result.returncode == 0 and "rijksregister" in result.stdout, result.stderr
