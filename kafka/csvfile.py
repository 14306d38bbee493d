"""CSV files as an office opens them: the dialect of every CSV file kafka writes.

A Flemish office double-clicks a CSV file and Excel, set up for Belgium,
splits it at ``;``, reads ``1234,5`` as a number and needs a byte order mark
to take the file for UTF-8 (else "cliënt" shows as "cliÃ«nt"). Scripts and
the rest of the world expect ``,`` and ``1234.5`` without a mark. So every
CSV writer takes a :class:`CsvDialect`:

* ``excel-be``: ``;`` between cells, a decimal comma, UTF-8 with a byte
  order mark; the default with ``--lang nl``;
* ``plain``: ``,`` and a decimal point, UTF-8 without a mark (RFC 4180 as
  Python's csv module writes it); the default with ``--lang en``.

``--csv-dialect`` chooses one whatever the language. The column names stay
the same stable English names in both (scripts read them); the cells are
made formula-safe by :func:`kafka.tables.to_csv` whatever the separator.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterable, Iterator, Mapping, Sequence

from kafka.tables import to_csv

BOM = "\ufeff"


class _CommaNumber(float):
    """A number written with a decimal comma (``1234,5``); still a number, so it is never
    taken for text that needs guarding against formulas."""

    def __repr__(self) -> str:
        return float.__repr__(self).replace(".", ",")

    __str__ = __repr__


@dataclass(frozen=True)
class CsvDialect:
    key: str
    delimiter: str
    decimal_comma: bool
    bom: bool
    description: str

    @property
    def start(self) -> str:
        """What the file starts with: the byte order mark, or nothing."""
        return BOM if self.bom else ""

    def value(self, value: object) -> object:
        """A cell's value as this dialect writes it: numbers with its decimal sign, NaN empty."""
        if isinstance(value, float):
            if math.isnan(value):
                return ""
            if self.decimal_comma:
                return _CommaNumber(value)
        return value

    def rows(self, rows: Iterable[Mapping]) -> Iterator[dict]:
        for row in rows:
            yield {k: self.value(v) for k, v in row.items()}

    def text(self, rows: Iterable[Mapping], columns: Sequence[str], *, first: bool = True) -> str:
        """The rows as CSV text: with ``first``, the file's start (the byte order mark and the
        header row); without, a piece to append to one written with it."""
        body = to_csv(self.rows(rows), columns, delimiter=self.delimiter, header=first)
        return (self.start if first else "") + body


EXCEL_BE = CsvDialect("excel-be", ";", True, True,
                      "';' and a decimal comma, UTF-8 with a byte order mark: Excel set up for Belgium opens it")
PLAIN = CsvDialect("plain", ",", False, False, "',' and a decimal point, UTF-8: for scripts and other programs")
DIALECTS = {d.key: d for d in (EXCEL_BE, PLAIN)}


def dialect_for(lang: str, key: str | None = None) -> CsvDialect:
    """The dialect named ``key``; without one, the language's (``nl``: excel-be, else plain)."""
    if key is not None:
        return DIALECTS[key]
    return EXCEL_BE if lang == "nl" else PLAIN
