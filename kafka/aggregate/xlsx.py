"""The site's ``summary.xlsx``: tables of text and numbers as sheets, written by openpyxl.

openpyxl's write-only mode streams rows to the file instead of keeping a cell
object per cell, which matters for a 5,000-case run (millions of cells). Each
sheet gets a bold, frozen header row with filter buttons and column widths
that follow the header and the first rows.

Cells are written as given: making text formula-safe is the caller's job
(``kafka.tables.spreadsheet_safe``). Characters a workbook cannot hold
(control characters) are dropped and text is cut at Excel's 32,767
characters per cell, so any case text can be written.
"""

from __future__ import annotations

import io
import math
import re
from typing import Iterable, Sequence

from openpyxl import Workbook as _OpenpyxlWorkbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from kafka.output import writable_text

EXCEL_CELL_MAX = 32_767
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_SHEET_NAME_BAD = re.compile(r"[\[\]:*?/\\]")
_BOLD = Font(bold=True)


def column_letter(number: int) -> str:
    """1 -> A, 27 -> AA."""
    return get_column_letter(number)


def text(value: str) -> str:
    """Text a cell can hold: no control characters, no lone surrogates (a file name that
    is not UTF-8, see kafka.output.writable_text), at most 32,767 characters."""
    return writable_text(_ILLEGAL.sub("", value))[:EXCEL_CELL_MAX]


class Workbook:
    """``book.add_sheet(name, columns, rows)`` for each table, then ``book.to_bytes()``."""

    WIDTH_SAMPLE = 200  # column widths follow the header and the first rows

    def __init__(self) -> None:
        self._book = _OpenpyxlWorkbook(write_only=True)
        self._names: list[str] = []

    def add_sheet(self, name: str, columns: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
        sheet = self._book.create_sheet(self._sheet_name(name))
        rows = iter(rows)
        # Widths and filter go before the data in the file: measure on the first rows.
        sample = [row for _, row in zip(range(self.WIDTH_SAMPLE), rows)]
        widths = [min(60, max(8, len(str(c)) + 2)) for c in columns]
        for row in sample:
            for i, value in enumerate(row[: len(widths)]):
                if isinstance(value, str):
                    widths[i] = min(60, max(widths[i], len(value) + 2))
        for i, width in enumerate(widths, start=1):
            sheet.column_dimensions[column_letter(i)].width = width
        sheet.freeze_panes = "A2"
        header = []
        for column in columns:
            cell = WriteOnlyCell(sheet, value=text(str(column)))
            cell.font = _BOLD
            header.append(cell)
        sheet.append(header)
        count = 1
        for count, row in enumerate(_chain(sample, rows), start=2):
            sheet.append([_value(v) for v in row])
        if columns:
            sheet.auto_filter.ref = f"A1:{column_letter(len(columns))}{count}"
        self._names.append(sheet.title)

    def _sheet_name(self, name: str) -> str:
        """Excel's rules: at most 31 characters, none of []:*?/\\, unique."""
        base = _SHEET_NAME_BAD.sub("_", name)[:31] or "sheet"
        taken = {n.lower() for n in self._names}
        candidate, n = base, 1
        while candidate.lower() in taken:
            n += 1
            candidate = f"{base[:28]}_{n}"
        return candidate

    def to_bytes(self) -> bytes:
        """Finish the workbook (no sheet can be added after) and return the file's bytes."""
        if not self._names:  # a workbook needs at least one sheet
            self.add_sheet("sheet", [], [])
        buffer = io.BytesIO()
        self._book.save(buffer)
        return buffer.getvalue()


def _chain(first: list, rest: Iterable) -> Iterable:
    yield from first
    yield from rest


def _value(value: object) -> object:
    if isinstance(value, str):
        return text(value)
    if isinstance(value, float) and not math.isfinite(value):
        return None  # Excel has no NaN or infinity: an empty cell
    return value


__all__ = ["EXCEL_CELL_MAX", "Workbook", "column_letter", "text"]
