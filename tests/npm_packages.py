"""npm packages for tests that check our output with the JavaScript tools users open it in.

They are installed once into tests/artifacts/npm (ignored by git), with the
npm cache beside them; a test skips with a clear message when node or npm is
missing or the registry cannot be reached.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

NPM_DIR = Path(__file__).resolve().parent / "artifacts" / "npm"
PACKAGES = {"bpmn-moddle": "10", "bpmn-js": "18"}  # major versions tested against


def npm_package(name: str) -> Path:
    """The installed package folder of ``name`` (one of PACKAGES), installing it if needed."""
    folder = NPM_DIR / "node_modules" / name
    if (folder / "package.json").is_file():
        return folder
    npm = shutil.which("npm")
    if npm is None or shutil.which("node") is None:
        pytest.skip("node and npm are needed to check the output with the npm package " + name)
    NPM_DIR.mkdir(parents=True, exist_ok=True)
    if not (NPM_DIR / "package.json").exists():
        (NPM_DIR / "package.json").write_text('{"private": true}\n', encoding="utf-8")
    spec = f"{name}@{PACKAGES[name]}"
    try:
        result = subprocess.run(
            [npm, "install", "--no-audit", "--no-fund", "--cache", str(NPM_DIR.parent / "npm-cache"), spec],
            cwd=NPM_DIR, capture_output=True, text=True, timeout=600,
        )
    except subprocess.TimeoutExpired:
        pytest.skip(f"npm install {spec} took more than 10 minutes (no registry access?)")
    if result.returncode != 0 or not (folder / "package.json").is_file():
        pytest.skip(f"npm install {spec} failed (no registry access?): {result.stderr.strip()[-300:]}")
    return folder
