"""What a log file is: its format, and for CSV its encoding, delimiter and header.

Case-management systems export CSV in whatever their platform writes: UTF-8
with or without a byte-order mark, UTF-16 from Excel's "Unicode text",
Windows-1252 from older Belgian systems; ``;`` (a Belgian spreadsheet's
comma), ``,``, tab or ``|``. We detect each from the first megabyte, and the
mapping may say it outright.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import os
from dataclasses import dataclass
from pathlib import Path

from kafka.errors import InputError
from kafka.log.mapping import Mapping
from kafka.output import note_input

SNIFF_BYTES = 1 << 20
DELIMITERS = ";,\t|"


@dataclass(frozen=True)
class LogSource:
    """A log file as kafka will read it."""

    path: Path
    format: str  # csv | xes | parquet | ocel
    encoding: str | None = None  # csv: utf-8 | utf-16 | latin-1 | cp1252
    delimiter: str | None = None  # csv
    header: tuple[str, ...] = ()  # csv: the column names, in order

    @property
    def name(self) -> str:
        """The file's name without its folder: what outputs may show."""
        return self.path.name

    def line_of_row(self, row: int) -> int:
        """The line a CSV data row (0-based) starts on, counting quoted fields that span lines.

        Only called to word an error, so it may read the file up to that row.
        """
        with self.text_stream() as handle:
            reader = csv.reader(handle, delimiter=self.delimiter or ",")
            next(reader, None)  # the header
            line = reader.line_num + 1
            for index, _ in enumerate(reader):
                if index == row:
                    return line
                line = reader.line_num + 1
        return line

    def text_stream(self) -> io.TextIOBase:
        return open(self.path, encoding=_python_codec(self.encoding or "utf-8"), newline="", errors="replace")


def log_format(path: Path, mapping: Mapping | None = None) -> str:
    if mapping is not None and mapping.format:
        return mapping.format
    name = path.name.lower()
    if name.endswith((".xes", ".xes.gz")):
        return "xes"
    if name.endswith((".parquet", ".pq")):
        return "parquet"
    if name.endswith(".xmlocel"):
        raise InputError(f"{path}: OCEL 2.0 XML is not read; export the log as OCEL 2.0 JSON or SQLite "
                         "(or flatten it to CSV, XES or Parquet)")
    if name.endswith((".jsonocel", ".sqlite", ".sqlite3", ".db")):
        return "ocel"
    return "csv"


def open_source(path: str | os.PathLike[str], mapping: Mapping | None = None) -> LogSource:
    """Check that the log can be read and detect its format (and for CSV its dialect and header)."""
    path = Path(path)
    note_input(path)  # no output of this run may be written onto it
    if not path.exists():
        raise InputError(f"{path}: no such log file")
    if path.is_dir():
        raise InputError(f"{path}: this is a folder; give the log file itself")
    try:
        with open(path, "rb") as handle:
            head = handle.read(SNIFF_BYTES)
    except OSError as exc:
        raise InputError(f"{path}: cannot read the log: {exc.strerror or exc}") from None
    if not head:
        raise InputError(f"{path}: the log is empty")
    fmt = log_format(path, mapping)
    if fmt == "xes":
        if path.name.lower().endswith(".gz") and not head.startswith(b"\x1f\x8b"):
            raise InputError(f"{path}: the name ends in .gz but the file is not gzip-compressed")
        return LogSource(path, "xes")
    if fmt == "ocel":
        return LogSource(path, "ocel")
    if fmt == "parquet":
        if not head.startswith(b"PAR1"):
            raise InputError(f"{path}: this is not a Parquet file (it does not start with PAR1)")
        return LogSource(path, "parquet")
    if head.startswith(b"PAR1") or head.startswith(b"\x1f\x8b") or head.lstrip().startswith(b"<?xml"):
        raise InputError(f"{path}: this looks like a Parquet, gzip or XML file, not CSV; name it .parquet, "
                         ".xes or .xes.gz, or set 'format:' in the mapping")
    if head.startswith(b"SQLite format 3\x00") or head.lstrip().startswith(b"{"):
        raise InputError(f"{path}: this looks like an SQLite or JSON file, not CSV; an OCEL 2.0 log is read when "
                         "it is named .jsonocel or .sqlite, or with 'format: ocel' in the mapping")
    encoding = (mapping.encoding if mapping else None) or detect_encoding(head)
    text = _decode_head(head, encoding, path)
    delimiter = (mapping.delimiter if mapping else None) or detect_delimiter(text)
    header = _header(text, delimiter, path)
    return LogSource(path, "csv", encoding, delimiter, header)


def detect_encoding(head: bytes) -> str:
    """utf-16 with a byte-order mark, utf-8 when the first megabyte decodes, else cp1252."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        decoder.decode(head, final=False)  # a character cut at the end of the sample is fine
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8"


def detect_delimiter(text: str) -> str:
    """The delimiter that splits the first lines into the same, largest number of fields."""
    lines = [line for line in text.splitlines()[:50] if line.strip()]
    if len(lines) > 1:
        lines = lines[:-1]  # the last line of the sample may be cut
    try:
        return csv.Sniffer().sniff("\n".join(lines), delimiters=DELIMITERS).delimiter
    except csv.Error:
        pass
    counts = {d: lines[0].count(d) if lines else 0 for d in DELIMITERS}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def _decode_head(head: bytes, encoding: str, path: Path) -> str:
    decoder = codecs.getincrementaldecoder(_python_codec(encoding))()
    try:
        return decoder.decode(head, final=False)
    except UnicodeDecodeError as exc:
        line = head[: exc.start].count(b"\n") + 1
        raise InputError(f"{path}:{line}: the log is not {encoding} text (byte 0x{head[exc.start]:02x}); "
                         "set 'encoding:' in the mapping (utf-8, utf-16, latin-1 or cp1252)") from None


def _header(text: str, delimiter: str, path: Path) -> tuple[str, ...]:
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    row = next(reader, None)
    if not row or not any(cell.strip() for cell in row):
        raise InputError(f"{path}:1: the first line is empty; a CSV log starts with a header row of column names")
    names = [cell.strip() for cell in row]
    if len(names) == 1:
        raise InputError(f"{path}:1: the header has one column ('{_short(names[0])}'); is the delimiter right? "
                         "Set 'delimiter:' in the mapping")
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise InputError(f"{path}:1: the header names a column twice: {', '.join(repeated)}")
    return tuple(names)


def _python_codec(encoding: str) -> str:
    return {"utf-8": "utf-8-sig", "utf-16": "utf-16"}.get(encoding, encoding)


def _short(text: str, width: int = 40) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def open_xes(path: Path):
    """The XES file as a binary stream (.xes.gz decompressed on the fly)."""
    return gzip.open(path, "rb") if path.name.lower().endswith(".gz") else open(path, "rb")
