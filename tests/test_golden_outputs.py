"""Speed work must not change what kafka writes: digests of the outputs for the cases in cases/.

For every case in ``cases/`` the test renders the report (as ``kafka report``
writes it, with the to-be maps), the ``kafka simulate`` text and JSON, and
the map as a standalone SVG and DOT, and compares each one's SHA-256 with the
one recorded in ``tests/data/golden_outputs.json``. The aggregate site of
``cases/`` is compared file by file (its manifest and history database aside,
which record cache keys and run times; summary.xlsx by its sheets).

Every report is also digested without its inline maps, so a change meant
to alter only the drawing (edge routing) shows that nothing else moved.

When an output changes ON PURPOSE, record the new digests and say so in the
commit message:

    KAFKA_UPDATE_GOLDEN=1 .venv/bin/python -m pytest -q tests/test_golden_outputs.py

Graphviz measures text with the fonts installed, so maps can differ from
machine to machine: the file records the width Graphviz gives a reference
label, and the comparison is skipped (with the reason) where fonts differ.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import re
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from kafka.cli import main

REPO_ROOT = Path(__file__).resolve().parent.parent
CASES = sorted((REPO_ROOT / "cases").glob("*.yaml"))
GOLDEN = Path(__file__).resolve().parent / "data" / "golden_outputs.json"
UPDATE = os.environ.get("KAFKA_UPDATE_GOLDEN") == "1"
_INLINE_SVG = re.compile(r"<svg\b.*?</svg>", re.DOTALL)


def font_fingerprint() -> str:
    """How Graphviz measures text here, in every face and size the outputs use: they depend on
    the fonts installed (installing a font package can change a map)."""
    import pygraphviz

    from kafka.processmap import FONT

    text = "Aanvraag leefloon 12 · cliënt € 45 min ½ — Ŵ"
    faces = [f"{text}", f"<B>{text}</B>", f"<I>{text}</I>", f"<B><I>{text}</I></B>"]
    graph = pygraphviz.AGraph(directed=True)
    for size in (10, 11, 12, 13, 14):
        for i, face in enumerate(faces):
            graph.add_node(f"n{size}_{i}", label=f"<{face}>", fontname=FONT, fontsize=str(size), shape="plain",
                           pos="0,0")
    plain = graph.draw(format="plain", prog="nop").decode("utf-8")
    sizes = sorted(line.split()[1] + ":" + line.split()[4] + "x" + line.split()[5]
                   for line in plain.splitlines() if line.startswith("node "))
    return hashlib.sha256(" ".join(sizes).encode()).hexdigest()[:16]


def _digest(data: str | bytes) -> str:
    if isinstance(data, str):
        # The site names each case file by its path: where the repository is checked out must not count.
        data = data.replace(dt.date.today().isoformat(), "<today>").replace(str(REPO_ROOT), "<repo>").encode("utf-8")
    return hashlib.sha256(data).hexdigest()


def _xlsx_digest(data: bytes) -> str:
    """The workbook's content, without the creation time openpyxl stamps in docProps."""
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        parts = [(name, book.read(name).replace(str(REPO_ROOT).encode(), b"<repo>"))
                 for name in sorted(book.namelist()) if not name.startswith("docProps/")]
    return _digest(b"".join(name.encode() + b"\0" + body for name, body in parts))


def _run(args: list[str]) -> str:
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def current_digests(tmp: Path) -> dict[str, str]:
    digests: dict[str, str] = {}
    _run(["report", *map(str, CASES), "-o", str(tmp / "nl")])
    _run(["report", str(CASES[0]), "-o", str(tmp / "en"), "--lang", "en"])
    for page in sorted((tmp / "nl").glob("*.html")) + sorted((tmp / "en").glob("*.html")):
        text = page.read_text(encoding="utf-8")
        key = f"report/{page.parent.name}/{page.name}"
        digests[key] = _digest(text)
        digests[key + " (without maps)"] = _digest(_INLINE_SVG.sub("<svg/>", text))
    for case in CASES:
        digests[f"simulate/{case.name}"] = _digest(_run(["simulate", str(case)]))
        digests[f"simulate/{case.name} (json)"] = _digest(_run(["simulate", str(case), "--format", "json"]))
    svg = tmp / "map.svg"
    _run(["export", str(CASES[0]), "--format", "svg", "-o", str(svg)])
    digests["export/map.svg"] = _digest(svg.read_bytes().decode("utf-8"))
    for case in CASES:
        dot = tmp / f"{case.stem}.dot"
        _run(["export", str(case), "--format", "dot", "-o", str(dot)])
        digests[f"export/{dot.name}"] = _digest(dot.read_bytes().decode("utf-8"))
    site = tmp / "site"
    _run(["aggregate", str(REPO_ROOT / "cases"), "-o", str(site), "--jobs", "1", "--to-be"])
    for path in sorted(p for p in site.rglob("*") if p.is_file()):
        name = path.relative_to(site).as_posix()
        if name in ("manifest.json", "history.sqlite") or name.startswith("."):
            continue  # their cache keys and run times change from run to run
        data = path.read_bytes()
        digests[f"aggregate/{name}"] = _xlsx_digest(data) if name.endswith(".xlsx") else _digest(
            data.decode("utf-8") if name.endswith((".html", ".csv", ".json", ".svg")) else data)
    return digests


def test_outputs_of_the_example_cases_are_unchanged(tmp_path):
    fingerprint = font_fingerprint()
    current = current_digests(tmp_path)
    if UPDATE:
        GOLDEN.write_text(json.dumps({"fonts": fingerprint, "digests": current}, indent=1, sort_keys=True) + "\n",
                          encoding="utf-8")
        pytest.skip(f"recorded {len(current)} digests in {GOLDEN}")
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))
    if golden["fonts"] != fingerprint:
        pytest.skip(f"Graphviz measures text differently here ({fingerprint}, recorded {golden['fonts']}): "
                    "the fonts differ from the machine the digests were made on")
    changed = sorted(k for k in golden["digests"].keys() | current.keys()
                     if golden["digests"].get(k) != current.get(k))
    assert not changed, (
        f"{len(changed)} outputs differ from tests/data/golden_outputs.json: {changed[:12]}. If that is on purpose, "
        "run KAFKA_UPDATE_GOLDEN=1 .venv/bin/python -m pytest -q tests/test_golden_outputs.py and say so in the commit."
    )
