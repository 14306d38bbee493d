"""Reading kafka's CSV files in the tests, in either dialect (kafka.csvfile).

``excel-be`` (the default with --lang nl) starts with a byte order mark, has
``;`` between cells and a decimal comma; ``plain`` has ``,`` and a decimal
point. ``rows`` tells them apart by the header line; ``number`` reads a
number cell of either.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

BOM = "\ufeff"


def text_of(source: str | Path) -> str:
    return source.read_text(encoding="utf-8") if isinstance(source, Path) else source


def dialect(source: str | Path) -> str:
    text = text_of(source)
    header = text.split("\n", 1)[0]
    return "excel-be" if text.startswith(BOM) and ";" in header else "plain"


def rows(source: str | Path) -> list[dict]:
    text = text_of(source)
    delimiter = ";" if dialect(text) == "excel-be" else ","
    return list(csv.DictReader(io.StringIO(text.removeprefix(BOM)), delimiter=delimiter))


def number(cell: str) -> float | None:
    return float(cell.replace(",", ".")) if cell not in ("", None) else None
