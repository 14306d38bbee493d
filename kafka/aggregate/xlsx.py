"""The site's ``summary.xlsx``: tables of text and numbers as sheets, written by openpyxl.

openpyxl (write-only mode) writes the workbook: its parts, styles, each
sheet's bold, frozen header row with filter buttons and column widths that
follow the header and the first rows. The data rows, hundreds of thousands
of plain text and number cells for a thousand cases, are written here as the
very XML openpyxl writes for them (``<c r="B7" t="inlineStr"><is><t>..``),
into a temporary file, and joined into the sheet's part when the workbook is
saved: openpyxl builds a cell object and an lxml element per cell, ten times
the work (13 s of the 1,000-case site). A value of any other kind (a date,
text openpyxl would take for a formula or an error code) sends its sheet
through openpyxl itself; tests/test_aggregate_xlsx.py checks that both ways
give the same parts.

Cells are written as given: making text formula-safe is the caller's job
(``kafka.tables.spreadsheet_safe``). Characters a workbook cannot hold
(control characters) are dropped and text is cut at Excel's 32,767
characters per cell, so any case text can be written.
"""

from __future__ import annotations

import io
import math
import re
import tempfile
import zipfile
from itertools import chain
from typing import IO, Iterable, Iterator, Sequence

from kafka.output import writable_text

# openpyxl is imported by Workbook only: the worker processes make rows' XML (row_template,
# kafka.aggregate.pieces) and never a workbook, and importing it costs each of them half a second.

EXCEL_CELL_MAX = 32_767
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_SHEET_NAME_BAD = re.compile(r"[\[\]:*?/\\]")


def column_letter(number: int) -> str:
    """1 -> A, 27 -> AA (openpyxl's get_column_letter, without importing openpyxl)."""
    if not 1 <= number <= 18278:
        raise ValueError(f"invalid column index {number}")
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def text(value: str) -> str:
    """Text a cell can hold: no control characters, no lone surrogates (a file name that
    is not UTF-8, see kafka.output.writable_text), at most 32,767 characters."""
    if _ODD.search(value) is None:  # nearly always: one scan instead of two substitutions
        return value[:EXCEL_CELL_MAX]
    return writable_text(_ILLEGAL.sub("", value))[:EXCEL_CELL_MAX]


_ODD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")


class Workbook:
    """``book.add_sheet(name, columns, rows)`` for each table, then ``book.to_bytes()``."""

    WIDTH_SAMPLE = 200  # column widths follow the header and the first rows

    def __init__(self, fast: bool = True) -> None:
        from openpyxl import Workbook as OpenpyxlWorkbook

        self._book = OpenpyxlWorkbook(write_only=True)
        self._names: list[str] = []
        self._fast = fast  # False: every cell through openpyxl (the tests compare both)
        self._rows: dict[int, IO[bytes]] = {}  # sheet number (from 1) -> its data rows' XML

    def add_sheet(self, name: str, columns: Sequence[str], rows: Iterable[Sequence[object]],
                  templates: Iterable[str] | None = None) -> None:
        """A sheet of ``columns`` and ``rows``. ``templates``, when given, are the data rows' XML as
        :func:`row_template` made it (made earlier, in a worker or a previous run); ``rows`` then
        need only be the first :attr:`WIDTH_SAMPLE` rows, which set the column widths."""
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Font

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
            cell.font = Font(bold=True)
            header.append(cell)
        sheet.append(header)
        count = 1
        rows = _chain(sample, rows)
        if self._fast and templates is not None:
            spool = tempfile.TemporaryFile()
            count = _write_templates(spool, templates)
            self._rows[len(self._names) + 1] = spool
        elif self._fast:
            spool = tempfile.TemporaryFile()
            count, rest = _write_rows(spool, rows)
            if rest is None:
                self._rows[len(self._names) + 1] = spool
            else:  # a value only openpyxl can write: this sheet goes through it from the start
                spool.close()
                rows, count = rest, 1
        if not self._fast or len(self._names) + 1 not in self._rows:
            for count, row in enumerate(rows, start=2):
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
        if not self._rows:
            return buffer.getvalue()
        return _join_rows(buffer, self._rows)


def _chain(first: list, rest: Iterable) -> Iterable:
    yield from first
    yield from rest


# --- the data rows' XML, as openpyxl writes it ------------------------------------------------

def _escape(value: str) -> str:
    """Text as openpyxl's lxml writer puts it in a sheet: markup escaped, a carriage return and
    every character beyond ASCII as a character reference (four str.replace beat one str.translate)."""
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")
    return value if value.isascii() else value.encode("ascii", "xmlcharrefreplace").decode("ascii")

_FORMULA_OR_ERROR = ("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A")


class _NotPlain(Exception):
    """A value the fast writer leaves to openpyxl."""


def _write_rows(spool: IO[bytes], rows: Iterable[Sequence[object]]) -> tuple[int, Iterable | None]:
    """Write the rows' XML (from row 2) into ``spool``: (the last row's number, None); or, at the first
    value it cannot write as openpyxl would, (1, all the rows again) and nothing more is written."""
    kept: list[Sequence[object]] = []  # the rows so far, to hand to openpyxl after all
    letters: list[str] = []
    pieces: list[str] = []
    number = 1
    try:
        for number, row in enumerate(rows, start=2):
            kept.append(row)
            while len(letters) < len(row):
                letters.append(column_letter(len(letters) + 1))
            pieces.append(_row_xml(row, number, letters))
            if len(pieces) >= 2000:
                spool.write("".join(pieces).encode("utf-8"))
                pieces.clear()
    except _NotPlain:
        return 1, chain(kept, rows)
    spool.write("".join(pieces).encode("utf-8"))
    return number, None


def row_template(row: Sequence[object], letters: Sequence[str]) -> str | None:
    """A data row's XML with its row number left open (``\x00``, which no cell can hold: see
    :func:`text`), to be numbered where it lands; None when a value needs openpyxl itself."""
    try:
        return _row_xml(row, "\x00", letters)
    except _NotPlain:
        return None


def _write_templates(spool: IO[bytes], templates: Iterable[str]) -> int:
    """Number the rows of :func:`row_template` from 2 and write them into ``spool``; the last row's number."""
    pieces: list[str] = []
    number = 1
    for number, template in enumerate(templates, start=2):
        pieces.append(template.replace("\x00", str(number)))
        if len(pieces) >= 2000:
            spool.write("".join(pieces).encode("utf-8"))
            pieces.clear()
    spool.write("".join(pieces).encode("utf-8"))
    return number


def _row_xml(row: Sequence[object], number: int | str, letters: Sequence[str]) -> str:
    cells = []
    for letter, value in zip(letters, row):
        value = _value(value)
        if value is None:
            continue
        kind = type(value)
        if kind is str:
            if len(value) > 1 and value[0] == "=" or value in _FORMULA_OR_ERROR:
                raise _NotPlain
            if not value:
                cells.append(f'<c r="{letter}{number}" t="inlineStr"></c>')
                continue
            space = ' xml:space="preserve"' if value != value.strip() else ""
            cells.append(f'<c r="{letter}{number}" t="inlineStr"><is><t{space}>{_escape(value)}</t></is></c>')
        elif kind is bool:
            cells.append(f'<c r="{letter}{number}" t="b"><v>{"%.16g" % value}</v></c>')
        elif kind is int or kind is float:
            cells.append(f'<c r="{letter}{number}" t="n"><v>{"%.16g" % value}</v></c>')
        else:
            raise _NotPlain
    return f'<row r="{number}">{"".join(cells)}</row>'


def _join_rows(saved: io.BytesIO, rows: dict[int, IO[bytes]]) -> bytes:
    """The workbook openpyxl saved, with each sheet's data rows put after its header row."""
    out = io.BytesIO()
    saved.seek(0)
    with zipfile.ZipFile(saved) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, allowZip64=True, compresslevel=1) as target:
        names = set(source.namelist())
        for number in rows:
            if f"xl/worksheets/sheet{number}.xml" not in names:
                raise RuntimeError(f"openpyxl did not write sheet {number} where kafka expects it")
        for info in source.infolist():
            data = source.read(info.filename)
            number = _sheet_number(info.filename)
            spool = rows.get(number) if number is not None else None
            if spool is None:
                target.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=1)
                continue
            end = data.rfind(b"</sheetData>")
            head, tail = (data[:end], data[end:]) if end >= 0 else _open_empty(data)
            spool.seek(0)
            target.writestr(info, b"".join((head, spool.read(), tail)), compress_type=zipfile.ZIP_DEFLATED,
                            compresslevel=1)
            spool.close()
    return out.getvalue()


def _open_empty(data: bytes) -> tuple[bytes, bytes]:
    start = data.index(b"<sheetData/>")
    return data[:start] + b"<sheetData>", b"</sheetData>" + data[start + len(b"<sheetData/>"):]


def _sheet_number(name: str) -> int | None:
    match = re.fullmatch(r"xl/worksheets/sheet(\d+)\.xml", name)
    return int(match.group(1)) if match else None


def _value(value: object) -> object:
    if isinstance(value, str):
        return text(value)
    if isinstance(value, float) and not math.isfinite(value):
        return None  # Excel has no NaN or infinity: an empty cell
    return value


__all__ = ["EXCEL_CELL_MAX", "Workbook", "column_letter", "row_template", "text"]
