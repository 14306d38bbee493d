"""One number per idea (issue 14, item 3): the figures of a generated site agree on every page.

The example cases are aggregated into a site with the to-be drawn, as ``make
demo`` does; the figures are then read back as a reader sees them (the
rendered HTML of the case reports, the index and the agenda, and the CSV and
XLSX files) and compared:

* the same figure on two pages is the same number, as shown;
* a total is the sum of what is listed under it, to within the rounding of
  what is listed (half a euro per line), and says in words what it leaves out;
* the to-be saves what the list of proposals adds up to.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from pathlib import Path

import openpyxl
import pytest
from lxml import html as lxml_html

from kafka.aggregate import aggregate
from kafka.aggregate.options import SiteOptions
from kafka.aggregate.tables import CASE_COLUMNS, FINDINGS_COLUMNS, PROPOSAL_COLUMNS
from kafka.i18n import Translator
from kafka.run import RunOptions

REPO = Path(__file__).resolve().parent.parent
CASES = sorted((REPO / "cases").glob("*.yaml"))

COLUMNS = {"cases": CASE_COLUMNS, "proposals": PROPOSAL_COLUMNS, "findings": FINDINGS_COLUMNS}
_EURO = re.compile(r"€\s*(-?[\d.]+(?:,\d+)?)(\s*mln)?")


def euros(text: str) -> list[float]:
    """Every amount in a Dutch text: '€ 70.411' -> 70411.0, '€ 1,2 mln' -> 1200000.0."""
    found = []
    for number, millions in _EURO.findall(text.replace("\u00a0", " ")):
        value = float(number.replace(".", "").replace(",", "."))
        found.append(value * 1_000_000 if millions else value)
    return found


def euro(text: str) -> float:
    amounts = euros(text)
    assert amounts, f"no amount in {text!r}"
    return amounts[0]


def number(text: str) -> float:
    match = re.search(r"-?[\d.]+(?:,\d+)?", text.replace("\u00a0", " "))
    assert match, f"no number in {text!r}"
    return float(match.group(0).replace(".", "").replace(",", "."))


def shown(value: float) -> float:
    """An amount as the pages show it: in whole euros, as kafka.i18n.Translator.number rounds."""
    return float(f"{value:.0f}")


def shown_headline(value: float) -> float:
    """An amount on a headline card: in whole euros, or from a million on in millions with
    one decimal ('€ 1,1 mln'), as kafka.aggregate.site.money writes it."""
    if abs(value) >= 1_000_000:
        return float(f"{value / 1_000_000:.1f}") * 1_000_000
    return shown(value)


def text_of(node) -> str:
    return " ".join(node.text_content().split())


def adds_up(total: float, parts: list[float]) -> bool:
    """A shown total is the sum of shown parts, to within their rounding (and its own: a
    headline in millions is rounded to 0,1 mln)."""
    own = 50_000 if abs(total) >= 1_000_000 else 0.5
    return abs(total - sum(parts)) <= 0.5 * len(parts) + own


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("site")
    result = aggregate([str(p) for p in CASES], out, RunOptions.of("nl", to_be=True), jobs=1,
                       site=SiteOptions(run_date=dt.date(2026, 6, 15)))
    assert result.ok, result.collection.skipped
    return out


@pytest.fixture(scope="module")
def sheets(site):
    """summary.xlsx as {sheet: [row, ...]}, each row keyed by the stable column names (the workbook's
    headers are Dutch for this Dutch site)."""
    t = Translator("nl")
    book = openpyxl.load_workbook(site / "summary.xlsx", read_only=True)
    names = {t(f"aggregate.xlsx.sheet.{key}"): key for key in ("cases", "proposals", "findings")}
    tables = {}
    for sheet in book.worksheets:
        if sheet.title not in names:
            continue
        rows = list(sheet.iter_rows(values_only=True))
        headers = {t(f"aggregate.xlsx.sheet_column.{names[sheet.title]}.{c}") if t.has(
            f"aggregate.xlsx.sheet_column.{names[sheet.title]}.{c}") else t(f"aggregate.xlsx.column.{c}"): c
            for c in COLUMNS[names[sheet.title]]}
        tables[names[sheet.title]] = [{headers[h]: v for h, v in zip(rows[0], row)} for row in rows[1:]]
    assert set(tables) == {"cases", "proposals", "findings"}, book.sheetnames
    return tables


def read_csv(path: Path) -> list[dict]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        sample = handle.read(4096)
        handle.seek(0)
        return list(csv.DictReader(handle, dialect=csv.Sniffer().sniff(sample, delimiters=",;")))


def num(text: str) -> float:
    """A number of a CSV file of this Dutch site: Belgian Excel's decimal comma."""
    return float(text.replace(",", "."))


def page(path: Path):
    return lxml_html.fromstring(path.read_text(encoding="utf-8"))


def case_sheet(sheets, key: str) -> dict:
    return {row["case_id"]: row for row in sheets["cases"]}[key]


def column(row: dict, name: str):
    return row[name]


# --- a case report against itself, the index, the CSV and the XLSX -------------------------------

@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_a_case_report_agrees_with_itself_and_with_the_site(site, sheets, path):
    import yaml

    case_id = yaml.safe_load(path.read_text(encoding="utf-8"))["case"]["id"]
    report = page(site / "cases" / f"{case_id}.html")
    index = page(site / "index.html")
    row = case_sheet(sheets, case_id)
    saving_local = column(row, "saving_local_eur_year")
    saving_all = column(row, "saving_all_eur_year")
    burden = column(row, "burden_eur_year")
    lead_time = column(row, "lead_time_days")

    # the key figures: the report, the index's row, the spreadsheet
    [index_row] = index.xpath(f'//tr[@id="case-{case_id}"]')
    cells = [text_of(td) for td in index_row.xpath("./td")]
    burden_shown = euro(text_of(report.xpath('//*[@id="figure-burden"]//*[@class="value"]')[0]))
    assert burden_shown == euro(cells[8]) == shown(burden)
    lead_shown = number(text_of(report.xpath('//*[@id="figure-lead_time"]//*[@class="value"]')[0]))
    assert lead_shown == number(cells[3]) == shown(lead_time)

    # the proposal columns: each total is the sum of the proposals listed under it
    totals = {}
    for level in ("local", "supralocal"):
        [col] = report.xpath(f'//*[@id="proposals-{level}"]')
        listed = [euro(text_of(strong)) for strong in col.xpath('.//article[contains(@class, "proposal")]//dd/strong')]
        total = col.xpath('.//p[@class="column-total"]')
        totals[level] = euro(text_of(total[0])) if total and euros(text_of(total[0])) else 0.0
        assert adds_up(totals[level], listed), (level, totals[level], listed)
    assert totals["local"] == shown(saving_local)
    assert abs(totals["local"] + totals["supralocal"] - shown(saving_all)) <= 1

    # the to-be cards save what the lists add up to; the index shows the same
    local_card = euro(text_of(report.xpath('//*[@id="to-be-local"]//*[@class="euro"]')[0]))
    all_card = euro(text_of(report.xpath('//*[@id="to-be-all"]//*[@class="euro"]')[0]))
    assert local_card == totals["local"] == shown(saving_local)
    assert all_card == euro(cells[9]) == shown(saving_all)
    assert not report.xpath('//*[contains(@class, "listed-differs")]')

    # the lead time the to-be saves, in the spreadsheet and on the card
    lead_days = column(row, "saving_all_lead_days")
    card_lead = text_of(report.xpath('//*[@id="to-be-all"]//li')[0])
    before, after = (number(part) for part in card_lead.split("→"))
    assert before - after == pytest.approx(lead_days, abs=0.5)

    # findings.csv: the case's proposals, summed per level
    findings = [r for r in read_csv(site / "findings.csv") if r["case_id"] == case_id]
    local = sum(num(r["euro_year_saved"]) for r in findings if r["level"] == "local")
    every = sum(num(r["euro_year_saved"]) for r in findings)
    assert local == pytest.approx(saving_local, abs=0.01) and every == pytest.approx(saving_all, abs=0.01)


# --- the index ------------------------------------------------------------------------------

def test_the_index_totals_are_the_sums_of_its_cases_and_of_its_proposals(site, sheets):
    index = page(site / "index.html")
    cases = sheets["cases"]
    saving_all = [column(r, "saving_all_eur_year") for r in cases]
    saving_local = [column(r, "saving_local_eur_year") for r in cases]
    burden = [column(r, "burden_eur_year") for r in cases]

    card = text_of(index.xpath('//*[@id="card-saving"]//*[@class="value"]')[0])
    note = text_of(index.xpath('//*[@id="card-saving"]//*[@class="note"]')[0])
    rows = [euro(text_of(tr.xpath("./td")[9])) for tr in index.xpath('//table[@id="cases-table"]/tbody/tr')]
    assert euro(card) == shown_headline(sum(saving_all))
    assert adds_up(euro(card), rows)
    assert euro(note) == shown_headline(sum(saving_local))
    assert euro(text_of(index.xpath('//*[@id="card-burden"]//*[@class="value"]')[0])) == shown_headline(sum(burden))

    # every merged proposal: the page, proposals.csv and the spreadsheet
    proposals = {r["key"]: r for r in read_csv(site / "proposals.csv")}
    sheet = {r["key"]: r for r in sheets["proposals"]}
    on_page = {}
    for tr in index.xpath('//table[@id="proposals-table"]/tbody/tr'):
        key = text_of(tr.xpath('.//span[@class="key"]')[0])
        on_page[key] = euro(text_of(tr.xpath("./td")[-1]))
    assert set(on_page) == set(proposals) == set(sheet)
    for key, value in on_page.items():
        assert value == shown(num(proposals[key]["euro_year_saved"])), key
        assert float(column(sheet[key], "euro_year_saved")) == pytest.approx(
            num(proposals[key]["euro_year_saved"]))
    # the merged proposals add up to what the cases save
    assert adds_up(euro(card), list(on_page.values()))
    assert sum(num(p["euro_year_saved"]) for p in proposals.values()) == pytest.approx(sum(saving_all), abs=1)


# --- the agenda --------------------------------------------------------------------------------

def test_the_agenda_totals_are_the_sums_of_its_items_and_say_what_they_leave_out(site, sheets):
    agenda = page(site / "agenda.html")
    index = page(site / "index.html")
    proposals = {r["key"]: r for r in read_csv(site / "proposals.csv")}

    items = {}
    for article in agenda.xpath('//article[@class="item"]'):
        key = article.get("id").removeprefix("item-")
        amounts = euros(text_of(article.xpath('.//p[@class="facts"]')[0]))
        items[key] = amounts[0] if amounts else 0.0
        assert items[key] == shown(num(proposals[key]["euro_year_saved"])), key
    numbers = {int(number(text_of(a.xpath('.//span[@class="number"]')[0]))): a.get("id").removeprefix("item-")
               for a in agenda.xpath('//article[@class="item"]')}

    # the summary repeats the items' own figures
    for tr in agenda.xpath('//table[contains(@class, "summary-table")]/tbody/tr'):
        tds = tr.xpath("./td")
        assert euro(text_of(tds[4])) == items[numbers[int(number(text_of(tds[0])))]]

    # per administration: the sum of its items; together: the sum of all items
    lines = []
    for tr in agenda.xpath('//table[contains(@class, "admin-table")]/tbody/tr'):
        tds = tr.xpath("./td")
        mine = [items[numbers[int(a.text)]] for a in tds[0].xpath(".//a")]
        lines.append(euro(text_of(tds[2])))
        assert adds_up(lines[-1], mine), (text_of(tr), mine)
    [foot] = agenda.xpath('//table[contains(@class, "admin-table")]/tfoot/tr')
    kept = euro(text_of(foot))
    assert adds_up(kept, list(items.values())) and adds_up(kept, lines)

    # the note: the items, what the thresholds left out, and every supralocal proposal
    [note] = [p for p in agenda.xpath('//section[@id="summary"]/p') if "Elke minuut" in text_of(p)]
    amounts = euros(text_of(note))
    supralocal = [num(p["euro_year_saved"]) for p in proposals.values() if p["level"] == "supralocal"]
    left_out = [num(proposals[k]["euro_year_saved"]) for k in proposals
                if proposals[k]["level"] == "supralocal" and k not in items]
    assert left_out, "the default thresholds leave some proposals out"
    assert amounts == [kept, shown(sum(left_out)), shown(sum(supralocal))]
    # ... which is what the cases save beyond what the OCMW's can do themselves (the index)
    card = euro(text_of(index.xpath('//*[@id="card-saving"]//*[@class="value"]')[0]))
    local = euro(text_of(index.xpath('//*[@id="card-saving"]//*[@class="note"]')[0]))
    assert abs(amounts[-1] - (card - local)) <= 1
