"""The site's ``summary.xlsx``: tables of text and numbers as sheets, written by openpyxl.

openpyxl (write-only mode) writes the workbook: its parts, styles, each
sheet's bold, frozen header row with filter buttons and column widths that
follow the header and the first rows. The data rows, hundreds of thousands
of plain text and number cells for a thousand cases, are written here as the
very XML openpyxl writes for them (``<c r="B7" t="inlineStr"><is><t>..``),
into a temporary file, and joined into the sheet's part when the workbook is
saved: openpyxl builds a cell object and an lxml element per cell, ten times
the work (13 s of the 1,000-case site). Rows can also come already
compressed (:class:`DeflatedRows`, made by :func:`deflate_rows`): the rows
of one case, kept from an earlier run, are then copied into the file as
they are rather than compressed again (the part's stream is the pieces one
after the other; see :func:`_joined`). A value of any other kind (a date,
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
import struct
import tempfile
import zipfile
import zlib
from dataclasses import dataclass
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
        self._deflated: dict[int, list[DeflatedRows]] = {}  # sheet number -> its data rows, compressed

    def add_sheet(self, name: str, columns: Sequence[str], rows: Iterable[Sequence[object]],
                  deflated: Sequence["DeflatedRows"] | None = None) -> None:
        """A sheet of ``columns`` and ``rows``. ``deflated``, when given, are the data rows' XML already
        compressed (:func:`deflate_rows`, numbered from row 2 on, one piece after the other); ``rows``
        then need only be the first :attr:`WIDTH_SAMPLE` rows, which set the column widths."""
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Font

        last_deflated = _check_numbering(deflated) if deflated is not None else 0  # before the sheet is made
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
        if deflated is not None:
            count = last_deflated
            self._deflated[len(self._names) + 1] = list(deflated)
        elif self._fast:
            spool = tempfile.TemporaryFile()
            count, rest = _write_rows(spool, rows)
            if rest is None:
                self._rows[len(self._names) + 1] = spool
            else:  # a value only openpyxl can write: this sheet goes through it from the start
                spool.close()
                rows, count = rest, 1
        if deflated is None and (not self._fast or len(self._names) + 1 not in self._rows):
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
        if not self._rows and not self._deflated:
            return buffer.getvalue()
        return _join_rows(buffer, self._rows, self._deflated)


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


@dataclass(frozen=True)
class DeflatedRows:
    """Data rows' XML (``rows`` rows numbered from ``first_row``: ``size`` bytes of UTF-8 with CRC-32
    ``crc``), compressed as a zip member is (raw deflate, level 1) and ended with a sync flush, so
    that pieces made apart follow each other in one member (each starts with an empty history:
    a decompressor needs nothing of the piece before)."""

    first_row: int
    rows: int
    size: int
    crc: int
    data: bytes | memoryview


def number_rows(templates: bytes, first_row: int, separator: bytes) -> tuple[bytes, int]:
    """The rows of :func:`row_template` (UTF-8, joined by ``separator``) numbered from ``first_row``:
    their XML and how many rows it holds."""
    if not templates:
        return b"", 0
    rows = templates.split(separator)
    return b"".join([row.replace(b"\x00", b"%d" % number) for number, row in enumerate(rows, first_row)]), len(rows)


def deflate_rows(xml: bytes, first_row: int, rows: int) -> DeflatedRows:
    """``rows`` rows' XML (numbered from ``first_row``) compressed to be joined into a sheet (:class:`DeflatedRows`)."""
    compressor = zlib.compressobj(_LEVEL, zlib.DEFLATED, -15)
    data = compressor.compress(xml) + compressor.flush(zlib.Z_SYNC_FLUSH)
    return DeflatedRows(first_row, rows, len(xml), zlib.crc32(xml), data)


def _check_numbering(pieces: Sequence[DeflatedRows]) -> int:
    """The last row's number of pieces that must follow each other from row 2 (ValueError if they do not)."""
    number = 2
    for piece in pieces:
        if piece.first_row != number:
            raise ValueError(f"rows numbered from {piece.first_row} where row {number} comes")
        number += piece.rows
    return number - 1


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


_LEVEL = 1  # zlib's fastest: the sheets are tens of MB of very regular XML


def _join_rows(saved: io.BytesIO, rows: dict[int, IO[bytes]], deflated: dict[int, list[DeflatedRows]]) -> bytes:
    """The workbook openpyxl saved, with each sheet's data rows put after its header row: rows
    written here (``rows``, compressed now) or compressed already (``deflated``, copied as they are)."""
    saved.seek(0)
    members: list[tuple[zipfile.ZipInfo, list[bytes | memoryview], int, int]] = []
    with zipfile.ZipFile(saved) as source:
        names = set(source.namelist())
        for number in (*rows, *deflated):
            if f"xl/worksheets/sheet{number}.xml" not in names:
                raise RuntimeError(f"openpyxl did not write sheet {number} where kafka expects it")
        for info in source.infolist():
            data = source.read(info.filename)
            number = _sheet_number(info.filename)
            if number in rows or number in deflated:
                end = data.rfind(b"</sheetData>")
                head, tail = (data[:end], data[end:]) if end >= 0 else _open_empty(data)
                if number in rows:
                    spool = rows[number]
                    spool.seek(0)
                    members.append((info, *_deflate_all([head, spool.read(), tail])))
                    spool.close()
                else:
                    members.append((info, *_joined(head, deflated[number], tail)))
            else:
                members.append((info, *_deflate_all([data])))
    out = io.BytesIO()
    _write_zip(out, members)
    return out.getvalue()


def _deflate_all(parts: list[bytes]) -> tuple[list[bytes], int, int]:
    """``parts`` one after the other as one zip member's compressed data: (its pieces, CRC-32, size)."""
    compressor = zlib.compressobj(_LEVEL, zlib.DEFLATED, -15)
    crc, size, out = 0, 0, []
    for part in parts:
        crc, size = zlib.crc32(part, crc), size + len(part)
        out.append(compressor.compress(part))
    out.append(compressor.flush())
    return out, crc, size


def _joined(head: bytes, pieces: list[DeflatedRows], tail: bytes) -> tuple[list[bytes | memoryview], int, int]:
    """A sheet's compressed data from its head, its rows compressed already, and its tail."""
    start = zlib.compressobj(_LEVEL, zlib.DEFLATED, -15)
    out: list[bytes | memoryview] = [start.compress(head) + start.flush(zlib.Z_SYNC_FLUSH)]
    crc, size = zlib.crc32(head), len(head)
    zeros = bytes(max((piece.size for piece in pieces), default=0))
    for piece in pieces:
        out.append(piece.data)
        crc, size = _crc_after(crc, piece, zeros), size + piece.size
    end = zlib.compressobj(_LEVEL, zlib.DEFLATED, -15)
    out.append(end.compress(tail) + end.flush())
    return out, zlib.crc32(tail, crc), size + len(tail)


def _crc_after(crc: int, piece: DeflatedRows, zeros: bytes) -> int:
    """The CRC-32 of the bytes that gave ``crc`` followed by the piece's, from the piece's own CRC.

    A CRC is linear apart from a term that depends on the length only, so
    crc(A + B) = crc(A + n zero bytes) ^ crc(n zero bytes) ^ crc(B), with n = len(B):
    two passes over zeros, at memory speed, instead of the rows' XML made again."""
    blank = memoryview(zeros)[:piece.size]
    return zlib.crc32(blank, crc) ^ zlib.crc32(blank) ^ piece.crc


# The zip format (APPNOTE.TXT 4.3): each member's local header and data, then the central directory.
_LOCAL = struct.Struct("<4s2B4HL2L2H")
_CENTRAL = struct.Struct("<4s4B4HL2L5H2L")
_END = struct.Struct("<4s4H2LH")
_ZIP32_LIMIT = 0xFFFFFFFF


def _write_zip(out: IO[bytes], members: list[tuple[zipfile.ZipInfo, list[bytes | memoryview], int, int]]) -> None:
    """The members (as openpyxl named and dated them; data deflated already, its CRC-32 and size)
    as a zip file; through :mod:`zipfile` where one needs its ZIP64 extensions (4 GB)."""
    total = sum(len(piece) for _, pieces, _, _ in members for piece in pieces)
    if total >= _ZIP32_LIMIT or len(members) >= 0xFFFF or any(size >= _ZIP32_LIMIT for *_, size in members):
        _write_zip64(out, members)
        return
    central = []
    for info, pieces, crc, size in members:
        name, flags = _name_and_flags(info)
        dt = info.date_time
        dos_date, dos_time = (dt[0] - 1980) << 9 | dt[1] << 5 | dt[2], dt[3] << 11 | dt[4] << 5 | (dt[5] // 2)
        length = sum(len(piece) for piece in pieces)
        offset = out.tell()
        out.write(_LOCAL.pack(b"PK\x03\x04", 20, 0, flags, zipfile.ZIP_DEFLATED, dos_time, dos_date, crc, length, size,
                              len(name), 0))
        out.write(name)
        for piece in pieces:
            out.write(piece)
        central.append(_CENTRAL.pack(b"PK\x01\x02", 20, 3, 20, 0, flags, zipfile.ZIP_DEFLATED, dos_time, dos_date, crc,
                                     length, size, len(name), 0, 0, 0, 0, info.external_attr or 0o600 << 16, offset)
                       + name)
    start = out.tell()
    out.write(b"".join(central))
    out.write(_END.pack(b"PK\x05\x06", 0, 0, len(central), len(central), out.tell() - start, start, 0))


def _name_and_flags(info: zipfile.ZipInfo) -> tuple[bytes, int]:
    try:
        return info.filename.encode("ascii"), 0
    except UnicodeEncodeError:
        return info.filename.encode("utf-8"), 0x800  # the name is UTF-8


def _write_zip64(out: IO[bytes], members: list[tuple[zipfile.ZipInfo, list[bytes | memoryview], int, int]]) -> None:
    """A workbook beyond the plain zip format's 4 GB: zipfile writes it, the data decompressed first."""
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, allowZip64=True, compresslevel=_LEVEL) as target:
        for info, pieces, _, _ in members:
            inflate = zlib.decompressobj(-15)
            data = b"".join([*(inflate.decompress(piece) for piece in pieces), inflate.flush()])
            target.writestr(zipfile.ZipInfo(info.filename, info.date_time), data, compress_type=zipfile.ZIP_DEFLATED,
                            compresslevel=_LEVEL)


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


__all__ = ["EXCEL_CELL_MAX", "DeflatedRows", "Workbook", "column_letter", "deflate_rows", "number_rows",
           "row_template", "text"]
