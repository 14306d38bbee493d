"""CSV for Flemish offices (issue 14, item 8): every CSV writer in both dialects.

With ``--lang nl`` a CSV file is what Excel set up for Belgium opens by a
double click: a UTF-8 byte order mark, ``;`` between cells, a decimal comma.
With ``--lang en``, or ``--csv-dialect plain``, it is plain CSV: ``,`` and a
decimal point, no mark. The writers: ``kafka analyze --format csv``, the
site's findings.csv and proposals.csv, forms.csv, and the CSV files of
``kafka log analyze`` (cases.csv is written by the log engine itself).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from click.testing import CliRunner

import csvread
from kafka.cli import main
from kafka.csvfile import EXCEL_BE, PLAIN, dialect_for

REPO = Path(__file__).resolve().parent.parent
CASES = REPO / "cases"
LOG = REPO / "examples" / "log"


def run(*args) -> str:
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return result.stdout


def check(text: str, dialect: str, number_columns=("euro_year_saved",)) -> list[dict]:
    """The text is in ``dialect``, as a program of that kind reads it; returns its rows."""
    header = text.removeprefix(csvread.BOM).split("\n", 1)[0]
    if dialect == "excel-be":
        assert text.startswith(csvread.BOM) and ";" in header and "," not in header
    else:
        assert not text.startswith(csvread.BOM) and "," in header and ";" not in header
    rows = list(csv.DictReader(io.StringIO(text.removeprefix(csvread.BOM)),
                               delimiter=";" if dialect == "excel-be" else ","))
    assert rows and all(len(row) == len(rows[0]) and None not in row for row in rows)  # every row splits right
    decimals = [row[c] for row in rows for c in number_columns if row.get(c) and not row[c].isdigit()]
    assert decimals, "some numbers have decimals"
    for cell in decimals:
        if dialect == "excel-be":
            assert "," in cell and "." not in cell, cell
        else:
            assert "." in cell and "," not in cell, cell
        float(cell.replace(",", "."))
    return rows


def test_the_dialects():
    assert dialect_for("nl") is EXCEL_BE and dialect_for("en") is PLAIN
    assert dialect_for("nl", "plain") is PLAIN and dialect_for("en", "excel-be") is EXCEL_BE
    text = EXCEL_BE.text([{"a": "cliënt; =1+1", "b": 1234.5, "c": 3, "d": float("nan")}], ["a", "b", "c", "d"])
    # a cell holding a separator of any locale is quoted (kafka.tables.csv_cell): Excel still reads "1234,5" as a number
    assert text == '\ufeffa;b;c;d\n"cliënt; =1+1";"1234,5";3;\n'
    assert PLAIN.text([{"a": "x", "b": -0.25}], ["a", "b"]) == "a,b\nx,-0.25\n"


@pytest.mark.parametrize("args, dialect", [
    ((), "excel-be"), (("--lang", "en"), "plain"), (("--csv-dialect", "plain"), "plain"),
    (("--lang", "en", "--csv-dialect", "excel-be"), "excel-be"),
])
def test_analyze(args, dialect):
    rows = check(run("analyze", CASES, "--format", "csv", *args), dialect)
    assert {r["level"] for r in rows} == {"local", "supralocal"}  # codes stay codes: scripts filter on them


@pytest.mark.parametrize("lang, dialect", [("nl", "excel-be"), ("en", "plain")])
def test_the_site_and_the_analysis_write_the_same_findings(tmp_path, lang, dialect):
    run("aggregate", CASES / "leefloon-lindenberg.yaml", CASES / "medische-kaart-essenrode.yaml",
        "-o", tmp_path, "--lang", lang, "--jobs", "1")
    findings = check((tmp_path / "findings.csv").read_text(encoding="utf-8"), dialect)
    check((tmp_path / "proposals.csv").read_text(encoding="utf-8"), dialect)
    analysed = check(run("analyze", CASES / "leefloon-lindenberg.yaml", CASES / "medische-kaart-essenrode.yaml",
                         "--format", "csv", "--lang", lang), dialect)
    assert [{k: r[k] for k in analysed[0]} for r in findings] == analysed  # value for value


def test_forms(tmp_path):
    run("forms", CASES, "-o", tmp_path / "nl")
    run("forms", CASES, "-o", tmp_path / "plain", "--csv-dialect", "plain")
    for folder, dialect in (("nl", "excel-be"), ("plain", "plain")):
        text = (tmp_path / folder / "forms.csv").read_text(encoding="utf-8")
        assert csvread.dialect(text) == dialect
        rows = csvread.rows(text)
        assert rows and {r["verdict"] for r in rows} <= {"keep", "prefill", "reuse", "drop"}


@pytest.mark.parametrize("args, dialect", [(("--lang", "nl"), "excel-be"), (("--lang", "en"), "plain")])
def test_the_log_csv_files(tmp_path, args, dialect):
    run("log", "analyze", LOG / "export.csv", "--map", LOG / "export.map.yaml", "-o", tmp_path,
        "--key", tmp_path / "k.key", "-q", *args)
    numbers = {"activities.csv": ("wait_median_days",), "cases.csv": ("lead_days",),
               "variants.csv": ("share",), "transitions.csv": ("wait_median_days",)}
    for name, columns in numbers.items():
        check((tmp_path / name).read_text(encoding="utf-8"), dialect, columns)
    for name in ("rework.csv", "handovers.csv", "deadlines.csv", "attributes.csv"):
        assert csvread.dialect(tmp_path / name) == dialect, name
