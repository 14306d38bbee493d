"""kafka.aggregate.xlsx: the workbook it writes is read back by openpyxl and pandas as written."""

from __future__ import annotations

import io

import pytest

from kafka.aggregate.xlsx import EXCEL_CELL_MAX, Workbook, column_letter

import openpyxl


def _load(book: Workbook):
    return openpyxl.load_workbook(io.BytesIO(book.to_bytes()))


def test_column_letters():
    assert [column_letter(n) for n in (1, 2, 26, 27, 28, 52, 53, 702, 703)] == [
        "A", "B", "Z", "AA", "AB", "AZ", "BA", "ZZ", "AAA"]


def test_values_come_back_as_written():
    book = Workbook()
    rows = [
        ["tekst", 3, 2.5, True, None],
        ['<b>&"\'</b>', -1, 1e-9, False, "é ü € 😀"],
        ["  spaties  ", 0, float("nan"), None, "regel 1\nregel 2"],
    ]
    book.add_sheet("data", ["a", "b", "c", "d", "e"], rows)
    sheet = _load(book)["data"]
    got = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert got[0] == ["a", "b", "c", "d", "e"]
    assert got[1] == ["tekst", 3, 2.5, True, None]
    assert got[2] == ['<b>&"\'</b>', -1, 1e-9, False, "é ü € 😀"]
    assert got[3] == ["  spaties  ", 0, None, None, "regel 1\nregel 2"]  # NaN: an empty cell
    assert sheet["A1"].font.b and not sheet["A2"].font.b
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:E4"


def test_text_that_xml_or_excel_cannot_hold():
    book = Workbook()
    book.add_sheet("x", ["a"], [["be\x00l\x0b\x1f!"], ["x" * (EXCEL_CELL_MAX + 10)]])
    sheet = _load(book)["x"]
    assert sheet["A2"].value == "bel!"
    assert len(sheet["A3"].value) == EXCEL_CELL_MAX


def test_sheet_names_follow_excels_rules():
    book = Workbook()
    for name in ("a/b:c", "a/b:c", "x" * 40, ""):
        book.add_sheet(name, ["k"], [[1]])
    names = _load(book).sheetnames
    assert names[0] == "a_b_c" and names[1] != names[0]
    assert all(len(n) <= 31 for n in names) and len(set(n.lower() for n in names)) == 4


def test_empty_sheets_and_an_empty_workbook_are_valid():
    book = Workbook()
    book.add_sheet("leeg", [], [])
    book.add_sheet("kop", ["a", "b"], [])
    loaded = _load(book)
    assert loaded.sheetnames == ["leeg", "kop"]
    assert [list(r) for r in loaded["kop"].iter_rows(values_only=True)] == [["a", "b"]]
    assert _load(Workbook()).sheetnames == ["sheet"]


def test_pandas_reads_it():
    import pandas as pd
    book = Workbook()
    book.add_sheet("cases", ["case_id", "lead_time_days"], [["a", 12.5], ["b", 30]])
    frame = pd.read_excel(io.BytesIO(book.to_bytes()), sheet_name="cases")
    assert frame.to_dict("list") == {"case_id": ["a", "b"], "lead_time_days": [12.5, 30]}


def _parts(data: bytes) -> dict[str, bytes]:
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as book:
        return {name: book.read(name) for name in book.namelist() if not name.startswith("docProps/")}


def test_the_fast_rows_are_exactly_what_openpyxl_writes():
    """The data rows kafka writes itself (issue 19: openpyxl's cell objects took 13 s of a
    1,000-case site) must give the very parts openpyxl gives, for every kind of value."""
    import random

    generator = random.Random(19)
    alphabet = ["a", "Z", " ", "\n", "\r", "\t", "&", "<", ">", '"', "'", "é", "€", "😀", "=", "#", "-", "1", "."]
    texts = ["", " ", "x", "  padded  ", "\r\n", "=", "'=1", "a]]>b", "tab\t", "Eén «cliënt» €5 😀"]
    texts += ["".join(generator.choice(alphabet) for _ in range(generator.randint(1, 12))) for _ in range(300)]
    texts = [t for t in texts if not (len(t) > 1 and t[0] == "=")]  # openpyxl takes those for formulas
    others = ["#N/A", "#DIV/0!", "=SUM(A1)"]  # a formula, error codes: the sheet goes through openpyxl
    numbers = [0, 1, -1, 3, 2.5, 1e-9, 1e21, 123456789012345678, 0.1 + 0.2, -0.0, float("inf"), float("nan"),
               True, False, None]
    values = texts + numbers

    def sheets(book: Workbook) -> Workbook:
        for n in range(3):
            rows = [[generator.choice(values) for _ in range(6)] for _ in range(200)]
            book.add_sheet(f"s{n}", ["a", "b", "c", "d", "e", "f"], rows)
        book.add_sheet("leeg", [], [])
        book.add_sheet("no columns", [], [[], []])
        book.add_sheet("dates", ["d"], [["x"], [__import__("datetime").date(2026, 1, 2)]])  # openpyxl writes this one
        book.add_sheet("formulas", ["f"], [["x"], *([v] for v in others)])  # and this one
        return book

    state = generator.getstate()
    fast_book = sheets(Workbook())
    assert sorted(fast_book._rows) == [1, 2, 3, 4, 5]  # the fast way wrote the plain sheets, openpyxl the others
    fast = _parts(fast_book.to_bytes())
    generator.setstate(state)
    slow = _parts(sheets(Workbook(fast=False)).to_bytes())
    assert fast.keys() == slow.keys()
    for name in sorted(slow):
        assert fast[name] == slow[name], name


def test_rows_compressed_apart_give_the_parts_of_rows_written_at_once(monkeypatch):
    """Rows compressed in pieces (one per case, kept between runs: kafka.aggregate.pieces) and joined
    into the sheet's part read back as the very part the plain rows give; a piece numbered for
    another place is refused."""
    from kafka.aggregate.xlsx import deflate_rows, number_rows, row_template

    rows = [[f"case {n} é <&>", n, n / 3, None, " x "] for n in range(60)]
    plain = Workbook()
    plain.add_sheet("s", ["a", "b", "c", "d", "e"], rows)
    plain.add_sheet("t", ["a"], [["y"]])
    pieces, first = [], 2
    for start, end in ((0, 7), (7, 7), (7, 40), (40, 60)):  # an empty piece too
        templates = "\x01".join(row_template(row, "ABCDE") for row in rows[start:end]).encode()
        xml, count = number_rows(templates, first, b"\x01")
        pieces.append(deflate_rows(xml, first, count))
        first += count
    joined = Workbook()
    joined.add_sheet("s", ["a", "b", "c", "d", "e"], rows[:Workbook.WIDTH_SAMPLE], deflated=pieces)
    joined.add_sheet("t", ["a"], [["y"]])
    data = joined.to_bytes()
    plain_parts = _parts(plain.to_bytes())  # (a workbook is saved once)
    assert _parts(data) == plain_parts
    assert _load_bytes(data)["s"]["A61"].value == "case 59 é <&>"
    with pytest.raises(ValueError):
        Workbook().add_sheet("s", ["a"], [], deflated=pieces[1:])  # the first piece starts at row 9
    # A workbook past the plain zip format's 4 GB goes through zipfile's ZIP64 (here: past 1 KB)
    from kafka.aggregate import xlsx

    monkeypatch.setattr(xlsx, "_ZIP32_LIMIT", 1024)
    big = Workbook()
    big.add_sheet("s", ["a", "b", "c", "d", "e"], rows[:Workbook.WIDTH_SAMPLE], deflated=pieces)
    big.add_sheet("t", ["a"], [["y"]])
    assert _parts(big.to_bytes()) == plain_parts


def _load_bytes(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data))
