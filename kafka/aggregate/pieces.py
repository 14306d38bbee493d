"""Each case's rows of findings.csv and of summary.xlsx, made once and kept for the next run.

findings.csv and the ``findings`` sheet of summary.xlsx are most of what
the site writes (for a thousand cases: 18 MB of CSV, 44 MB of sheet XML, a
second or two of CPU each), and both are one block of rows per case, in file
order. A case's block depends only on the case (its finding rows, report
and file) and on the run's language and CSV dialect, so:

* the worker that analyses a case also makes its blocks (in parallel, off
  the main process): :func:`case_pieces`;
* the main process joins the blocks of every case; a block is written with
  the XML row number left open (``\\x00``, a character no cell can hold), so
  it fits wherever the case's rows start;
* where it lands, a sheet block is numbered and compressed the way the zip
  file holds it (:class:`kafka.aggregate.xlsx.DeflatedRows`: on its own, so
  that the pieces follow each other in the sheet's part), and kept so: the
  next run copies it into summary.xlsx as it is when the case's rows start
  on the same row, and numbers and compresses it anew only when they moved
  (the block with its numbers open is kept compressed by zlib: a tenth of
  the 44 MB to read and write at every run);
* the blocks are kept in ``DIR/.kafka-pieces.bin`` (:class:`PieceStore`), each
  under a key that covers everything it depends on (:func:`piece_key`: the
  case's cache key, which covers its bytes, kafka's code and the options, its
  evidence files, report, file and the CSV dialect), with a CRC-32 of its
  bytes. A run after a few case files changed makes only their blocks and
  takes the others as they are.

A block whose key does not match, or a store that is missing or damaged, is
simply made again in the main process: the outputs are byte for byte those
of a run from scratch (tests/test_aggregate_incremental.py compares them).
"""

from __future__ import annotations

import hashlib
import json
import math
import zlib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

from kafka.aggregate import xlsx
from kafka.csvfile import CsvDialect
from kafka.output import inside, write_atomic
from kafka.tables import FINDING_COLUMNS, spreadsheet_safe

if TYPE_CHECKING:
    from kafka.aggregate.collect import CaseSummary
    from kafka.i18n import Translator

PIECES_NAME = ".kafka-pieces.bin"
_MAGIC = b"kafka-pieces 2\n"  # 2: sheet blocks compressed, and their rows as they last landed in the sheet
PIECES_FORMAT = "1"  # part of every key: a new way of making the blocks never meets an old block

# findings.csv: the analysis's own finding rows, then where the case report is.
FINDINGS_COLUMNS = (*FINDING_COLUMNS, "report", "file")

ROW_SEPARATOR = "\x01"  # between the rows of an XLSX block; like \x00, no cell can hold it
_ROW_SEPARATOR = ROW_SEPARATOR.encode("ascii")


# --- the coded values of the spreadsheet (local -> lokaal) -------------------------------------

CODES = {
    "level": ("local", "supralocal"),
    "severity": ("high", "medium", "low"),
    "government": ("local", "flemish", "federal", "european"),
    "target_kind": ("data", "data_source", "source", "form", "rule", "step", "actor", "organisation"),
    "deadline_binds": ("organisation", "client"),
    "reason": ("invalid", "duplicate", "error"),
}
_FIRST_CODE = {column: codes[0] for column, codes in CODES.items()}


def coded(column: str, t: "Translator") -> dict | None:
    """The words for a column's coded values (local -> lokaal), or None for a column of free values."""
    key = f"aggregate.xlsx.value.{column}"
    if not t.has(f"{key}.{_FIRST_CODE.get(column, '')}"):
        return None
    return {code: t(f"{key}.{code}") for code in CODES[column]}


def cell_value(value: object) -> object:
    """A value as a spreadsheet cell takes it: numpy scalars as Python's, NaN empty, text formula-safe."""
    if hasattr(value, "item") and not isinstance(value, str):  # numpy scalars
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return spreadsheet_safe(value)


# --- one case's blocks ------------------------------------------------------------------------


@dataclass(frozen=True)
class Pieces:
    """One case's block of findings.csv (UTF-8) and of the findings sheet (row XML with the numbers
    open, rows joined by ``\\x01``, compressed by zlib: it is read back only where the case's rows
    moved; None when a value needs openpyxl itself: the whole sheet then goes through it), and the
    sheet block as it last landed in summary.xlsx (``deflated``)."""

    key: str
    csv: bytes | memoryview
    sheet: bytes | memoryview | None
    deflated: xlsx.DeflatedRows | None = None
    plain: bytes | None = field(default=None, compare=False)  # ``sheet`` uncompressed, when just made

    def placed_at(self, first_row: int) -> "Pieces":
        """These blocks with the sheet's rows numbered from ``first_row`` and compressed: the ones
        kept when they landed there before, else made now."""
        if self.deflated is not None and self.deflated.first_row == first_row:
            return self
        templates = self.plain if self.plain is not None else zlib.decompress(self.sheet or b"")
        xml, rows = xlsx.number_rows(templates, first_row, _ROW_SEPARATOR)
        return replace(self, deflated=xlsx.deflate_rows(xml, first_row, rows), plain=None)


def piece_key(summary: "CaseSummary", dialect: CsvDialect) -> str:
    """Everything a case's blocks depend on: the cache key (the file's bytes, kafka's code, the
    options and so the language), the evidence files, the report, the file as named, the dialect."""
    parts = [PIECES_FORMAT, summary.cache_key, summary.evidence, summary.report, summary.path, dialect.key]
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False).encode("utf-8", "backslashreplace")).hexdigest()


def finding_records(summary: "CaseSummary") -> list[dict]:
    """The case's finding rows as the analysis gave them (kafka.tables.finding_rows), with where the report is."""
    return [{**row, "report": summary.report, "file": summary.path} for row in summary.findings]


def case_pieces(summary: "CaseSummary", dialect: CsvDialect, t: "Translator") -> Pieces:
    """The case's blocks of findings.csv and of the findings sheet (``summary.report`` must be set)."""
    from kafka.output import utf8

    records = finding_records(summary)
    csv = utf8(dialect.text(records, FINDINGS_COLUMNS, first=False)) if records else b""
    words = [coded(column, t) for column in FINDINGS_COLUMNS]
    letters = [xlsx.column_letter(n) for n in range(1, len(FINDINGS_COLUMNS) + 1)]
    rows = []
    for record in records:
        row = xlsx.row_template(sheet_values(record, words), letters)
        if row is None:
            return Pieces(piece_key(summary, dialect), csv, None)
        rows.append(row)
    # UTF-8 (pure ASCII in fact: the row XML writes every other character as a reference), kept
    # compressed: a tenth of the size to read and write at every run
    plain = ROW_SEPARATOR.join(rows).encode("utf-8")
    return Pieces(piece_key(summary, dialect), csv, zlib.compress(plain, 1), plain=plain)


def sheet_values(record: dict, words: list[dict | None]) -> list[object]:
    """A finding's cells in the findings sheet: coded values in the reader's words, formula-safe."""
    values = []
    for column, mapping in zip(FINDINGS_COLUMNS, words):
        value = record.get(column)
        values.append(cell_value(value if mapping is None else mapping.get(value, value)))
    return values


# --- the store: DIR/.kafka-pieces.bin ---------------------------------------------------------


class PieceStore:
    """The blocks the previous run wrote, per case file (absolute path).

    The file is a line saying what it is, a JSON line with, per case file, its
    key, where its blocks are and their CRC-32, then the blocks as bytes (read
    without parsing them). Anything odd about it and it holds nothing; a block
    whose bytes do not have their CRC is not used: it is then made again.
    """

    def __init__(self, entries: dict[str, list] | None = None, blob: memoryview | None = None) -> None:
        self.entries = entries or {}
        self._blob = blob if blob is not None else memoryview(b"")

    @classmethod
    def read(cls, out: Path) -> "PieceStore":
        try:
            data = inside(out, PIECES_NAME).read_bytes()
        except (OSError, ValueError):
            return cls()
        try:
            if not data.startswith(_MAGIC):
                return cls()
            end = data.index(b"\n", len(_MAGIC))
            index = json.loads(data[len(_MAGIC):end])
            if not isinstance(index, dict):
                return cls()
            return cls(index, memoryview(data)[end + 1:])
        except (ValueError, UnicodeDecodeError):
            return cls()

    def get(self, resolved: str, key: str) -> Pieces | None:
        """The blocks kept for this case file, when they were made from exactly this (``key``) and
        their bytes are the ones written."""
        entry = self.entries.get(resolved)
        if not isinstance(entry, list) or len(entry) != 12 or entry[0] != key:
            return None
        try:
            _, csv_at, csv_len, sheet_at, sheet_len, first_row, rows, size, crc, packed_at, packed_len, check = entry
            blob = self._blob
            csv = _slice(blob, csv_at, csv_len)
            sheet = _slice(blob, sheet_at, sheet_len) if sheet_len != -1 else None
            packed = _slice(blob, packed_at, packed_len) if packed_len != -1 else None
            if zlib.crc32(packed or b"", zlib.crc32(sheet or b"", zlib.crc32(csv))) != check:
                return None
            deflated = None
            if packed is not None:
                if not all(isinstance(n, int) and n >= 0 for n in (first_row, rows, size, crc)):
                    return None
                deflated = xlsx.DeflatedRows(first_row, rows, size, crc, packed)
            return Pieces(key, csv, sheet, deflated)
        except (ValueError, TypeError):
            return None


def _slice(blob: memoryview, at: object, length: object) -> memoryview:
    if not (isinstance(at, int) and isinstance(length, int) and 0 <= at and 0 <= length and at + length <= len(blob)):
        raise ValueError("a block outside the file")
    return blob[at:at + length]


def write_store(out: Path, pieces: Iterable[tuple[str, Pieces]]) -> Path:
    """Keep every case's blocks (absolute path of its file, its blocks) for the next run."""
    index: dict[str, list] = {}
    blocks: list[bytes | memoryview] = []
    at = 0
    for path, piece in pieces:
        sheet, deflated = piece.sheet, piece.deflated
        packed = deflated.data if deflated is not None else None
        entry: list = [piece.key]
        for block in (piece.csv, sheet):
            entry += [at, len(block) if block is not None else -1]
            if block is not None:
                blocks.append(block)
                at += len(block)
        entry += [deflated.first_row, deflated.rows, deflated.size, deflated.crc] if deflated else [0, 0, 0, 0]
        entry += [at, len(packed) if packed is not None else -1]
        if packed is not None:
            blocks.append(packed)
            at += len(packed)
        entry.append(zlib.crc32(packed or b"", zlib.crc32(sheet or b"", zlib.crc32(piece.csv))))
        index[path] = entry
    head = json.dumps(index, ensure_ascii=False, separators=(",", ":")).encode("utf-8", "backslashreplace")
    return write_atomic(inside(out, PIECES_NAME), [_MAGIC, head, b"\n", *blocks])


__all__ = ["FINDINGS_COLUMNS", "PIECES_NAME", "PieceStore", "Pieces", "case_pieces", "piece_key", "write_store"]
