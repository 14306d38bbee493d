"""Write the VVSG site: index.html, agenda.html, findings.csv, proposals.csv, summary.xlsx.

The pandas tables (:mod:`kafka.aggregate.tables`) become page data here:
plain dataclasses, one per page (:class:`IndexPage`, :class:`AgendaPage`),
rendered by the jinja2 templates ``index.html`` and ``agenda.html`` that
extend the case report's ``_base.html``, so the whole site is one product.
Every file goes through :func:`kafka.output.write_atomic` inside the chosen
folder; every text cell of the CSV and XLSX files is made formula-safe.
"""

from __future__ import annotations

import os
from itertools import islice
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from kafka.aggregate.agenda import Addressee, StatusView, addressee, agenda_page, format_date, status_view
from kafka.aggregate.collect import Collection, SkippedFile
from kafka.aggregate.manifest import code_fingerprint, site_key
from kafka.aggregate.followup import FollowUp
from kafka.aggregate.history import record_run
from kafka.aggregate.options import SiteOptions
from kafka.aggregate.trends import trends_page
from kafka.aggregate.xlsx import DeflatedRows, Workbook
from kafka.aggregate.tables import (
    CASE_COLUMNS, COMPARED, FINDINGS_COLUMNS, PROPOSAL_COLUMNS, Tables, build_tables,
)
from kafka.aggregate.forms_page import FORMS_PAGE, forms_page
from kafka.aggregate.pieces import (
    PieceStore, Pieces, case_pieces, cell_value, coded, finding_records, piece_key, sheet_values, write_store,
)
from kafka.i18n import Translator
from kafka.run import RunOptions
from kafka.output import ensure_dir, inside, write_atomic
from kafka.csvfile import CsvDialect, dialect_for
from kafka.tables import spreadsheet_safe

INDEX = "index.html"
AGENDA = "agenda.html"
TRENDS = "trends.html"
FINDINGS_CSV = "findings.csv"
PROPOSALS_CSV = "proposals.csv"
SUMMARY_XLSX = "summary.xlsx"

# The pages of the site, in the navigation's order: (file, text key of its link).
# A new page adds itself here and renders its header with
# {% with current = FILE %}{% include "_site_nav.html" %}{% endwith %}.
SITE_PAGES = [
    (INDEX, "aggregate.site.nav_index"),
    (AGENDA, "aggregate.site.nav_agenda"),
    (TRENDS, "aggregate.site.nav_trends"),
    (FORMS_PAGE, "aggregate.site.nav_forms"),
]

# A proposal found in hundreds of cases would make a page nobody can read or
# print: the pages show this many cases per proposal, then "and N more" (the
# CSV and XLSX files always have them all).
LINKS_PER_PROPOSAL = 8
EVIDENCE_PER_PROPOSAL = 30

# --- page data ----------------------------------------------------------------------------


@dataclass
class Card:
    label: str
    value: str
    note: str = ""
    alert: bool = False
    key: str = ""  # its anchor on the page: card-<key>


@dataclass
class Link:
    text: str
    href: str


@dataclass
class CaseRow:
    id: str
    title: str
    report: str
    organisation: str
    municipality: str
    procedure: str  # as shown
    lead_time_days: float
    client_minutes: float
    story_count: float
    findings_local: int
    findings_supralocal: int
    burden_eur_year: float
    saving_eur_year: float  # all proposals taken together (the to-be simulation)


@dataclass
class ProposalRow:
    rank: int
    code: str
    title: str
    level: str
    government: str
    target_kind: str  # as shown: "Gegevens uit Rijksregister", "Formulier" ...
    target: str
    target_names: list[str]  # the other names the target has in other cases
    proposal: str
    proposal_text: str
    example: Link  # the case whose proposal text is shown
    owners: str  # who must change it; empty for local proposals (each OCMW itself)
    cases: int
    organisations: int
    euro_year_saved: float
    case_links: list[Link]
    more_cases: int
    organisation_names: list[str]
    key: str = ""  # stable across runs: the status register's key
    to: Addressee | None = None  # the administration a supralocal proposal is addressed to
    status: StatusView | None = None
    history: list[StatusView] = field(default_factory=list)  # earlier statuses, oldest first
    not_seen_since: str = ""


@dataclass
class MatrixCell:
    findings: int
    cases: int
    total: int  # cases of that procedure
    share: float  # cases / total, 0-1

    @property
    def heat(self) -> int:
        """0-4: how common, for the cell colour."""
        return 0 if not self.findings else min(4, 1 + int(self.share * 4))


@dataclass
class MatrixRow:
    code: str
    title: str
    cells: list[MatrixCell]
    total: MatrixCell


@dataclass
class CodeMatrix:
    procedures: list[tuple[str, int]]  # (as shown, number of cases)
    rows: list[MatrixRow]
    total_cases: int


@dataclass
class OrganisationRow:
    organisation: str
    cases: int
    findings_local: int
    findings_supralocal: int
    findings_per_case: float
    burden_eur_year: float
    per_code: list[int]


@dataclass
class CompareCell:
    value: float
    text: str
    delta: str  # against the median, signed; below it (negative) is better
    verdict: str  # better | worse | same


@dataclass
class CompareRow:
    rank: int
    organisation: str
    cases: int
    cells: list[CompareCell]


@dataclass
class Comparison:
    anchor: str
    procedure: str
    cases: int
    median: list[str]
    rows: list[CompareRow]

    @property
    def single(self) -> bool:
        return len(self.rows) < 2


@dataclass
class IndexPage:
    title: str
    cards: list[Card]
    cases: list[CaseRow]
    organisations: list[str]
    procedures: list[str]
    proposals: list[ProposalRow]
    codes: list[tuple[str, str]]  # (code, title) in registry order
    matrix: CodeMatrix
    organisation_rows: list[OrganisationRow]
    comparisons: list[Comparison]
    skipped: list[SkippedFile]
    downloads: list[Link]


# --- the site -----------------------------------------------------------------------------


def write_site(collection: Collection, out_dir: str | os.PathLike[str], lang: str = "nl",
               options: SiteOptions = SiteOptions(),
               templates: tuple[str, ...] = (), keep: frozenset[str] = frozenset()) -> tuple[list[Path], FollowUp]:
    """Write the pages and exports of ``collection`` into ``out_dir``; the paths written, and the follow-up shown.

    The run is also recorded in the site's database (:mod:`kafka.aggregate.history`),
    whose follow-up (statuses, trends, proposals no longer seen) the pages show.
    ``templates`` are folders that come before kafka's own. The pages named in ``keep`` are
    left as they are: the previous run wrote them from the same inputs (:func:`page_keys`).
    """
    out = ensure_dir(out_dir)
    t = Translator(lang)
    tables = build_tables(collection.cases)
    follow = record_run(out, collection, tables, options)
    dialect = dialect_for(lang, options.csv_dialect)
    # Each case's rows of findings.csv and of the findings sheet, as the workers made them or
    # the previous run kept them (kafka.aggregate.pieces): joined here, not written anew.
    blocks = case_blocks(collection, out, dialect, t)
    written = [
        write_atomic(inside(out, FINDINGS_CSV), [dialect.text([], FINDINGS_COLUMNS), *(b.csv for b in blocks)]),
        write_atomic(inside(out, PROPOSALS_CSV), dialect.text(_records(tables.proposals), PROPOSAL_COLUMNS)),
        write_atomic(inside(out, SUMMARY_XLSX),
                     summary_workbook(tables, collection.skipped, t, findings_sheet(collection, blocks, t))),
    ]
    from kafka.render import jinja_env

    env = jinja_env(lang, templates)
    pages = {
        INDEX: lambda: index_page(tables, collection.skipped, t, follow),
        AGENDA: lambda: agenda_page(tables, t, options.agenda, follow, downloads(t)),
        TRENDS: lambda: trends_page(follow, t, downloads(t), Path(options.status.path).name if options.status else ""),
        FORMS_PAGE: lambda: forms_page(collection.cases, t, downloads(t)),  # the same form across OCMW's
    }
    templates_of = {INDEX: INDEX, AGENDA: AGENDA, TRENDS: TRENDS, FORMS_PAGE: "forms_compare.html"}
    for name, page in pages.items():
        if name in keep:
            written.append(inside(out, name))
            continue
        html = env.get_template(templates_of[name]).render(page=page(), site_pages=SITE_PAGES)
        written.append(write_atomic(inside(out, name), html))
    return written, follow


def page_keys(collection: Collection, options: RunOptions) -> dict[str, str]:
    """For the pages that draw on a part of the cases only, the SHA-256 of everything they are made
    from: a page whose key is the previous run's (and whose file is the one it wrote) is kept.

    The forms page is made from each case's forms (by their key, made with them), id, report and
    procedure, kafka's code and texts, and the options (language, --templates). "" when a case's
    forms have no key (a manifest of an earlier kafka): the page is then made again.
    """
    cases = collection.cases
    if any(not case.forms_key for case in cases):
        return {FORMS_PAGE: ""}
    parts = [code_fingerprint(), options.fingerprint(), options.lang,
             [[case.id, case.report, case.procedure, case.forms_key] for case in cases]]
    return {FORMS_PAGE: site_key(parts)}


def case_blocks(collection: Collection, out: Path, dialect: CsvDialect, t: Translator) -> list[Pieces]:
    """Every case's block of findings.csv and of the findings sheet, in file order, the sheet's
    rows numbered and compressed where they land; kept in DIR/.kafka-pieces.bin for the next run.

    A block the worker made, or the previous run kept, is used when its key says it was made
    from exactly this case, report, file and dialect; any other is made here. Rows the previous
    run compressed are compressed again only when the case's rows now start on another row.
    """
    store: PieceStore | None = None
    blocks: list[tuple[str, Pieces]] = []
    resolved_of = {id(case): path for path, case in collection.manifest.entries.items()}
    for case in collection.cases:
        resolved = resolved_of.get(id(case)) or str(Path(case.path).resolve())
        key = piece_key(case, dialect)
        block = case.pieces if case.pieces is not None and case.pieces.key == key else None
        if block is None:
            store = store if store is not None else PieceStore.read(out)
            block = store.get(resolved, key) or case_pieces(case, dialect, t)
        blocks.append((resolved, block))
    if all(block.sheet is not None for _, block in blocks):  # else openpyxl writes the whole sheet
        first_row = 2  # under the header
        for n, (resolved, block) in enumerate(blocks):
            block = block.placed_at(first_row)
            first_row += block.deflated.rows
            blocks[n] = (resolved, block)
    write_store(out, blocks)
    return [block for _, block in blocks]


@dataclass(frozen=True)
class FindingsSheet:
    """The findings sheet of summary.xlsx, made per case (kafka.aggregate.pieces)."""

    sample: list[list[object]]  # the first rows' values: they set the column widths
    rows: list[DeflatedRows]  # every case's rows, numbered and compressed where they land


def findings_sheet(collection: Collection, blocks: list[Pieces], t: Translator) -> FindingsSheet | None:
    """The findings sheet from the cases' blocks: the first rows' values (they set the column
    widths) and every case's rows; None when a block needs openpyxl (the sheet is then made from the table)."""
    if any(block.deflated is None for block in blocks):
        return None
    words = [coded(column, t) for column in FINDINGS_COLUMNS]
    sample = [sheet_values(record, words)
              for record in islice((r for case in collection.cases for r in finding_records(case)), Workbook.WIDTH_SAMPLE)]
    return FindingsSheet(sample, [block.deflated for block in blocks])


def downloads(t: Translator) -> list[Link]:
    return [
        Link(t("aggregate.site.findings_csv"), FINDINGS_CSV),
        Link(t("aggregate.site.proposals_csv"), PROPOSALS_CSV),
        Link(t("aggregate.site.summary_xlsx"), SUMMARY_XLSX),
    ]


def _records(frame: pd.DataFrame) -> list[dict]:
    return frame.to_dict("records")


def procedure_label(key: str, t: Translator) -> str:
    """'medische_kaart' -> 'Medische kaart'; no procedure -> '(geen procedure)'."""
    if not key:
        return t("aggregate.cases.no_procedure")
    text = key.replace("_", " ").replace("-", " ")
    return text[:1].upper() + text[1:]


def target_texts(kind: str, target: str, names: list[str], details: list[str], t: Translator) -> tuple[str, str, list[str]]:
    """What a merged proposal is about, for the reader: (kind, name, other names).

    A data flow reads "Gegevens uit Rijksregister" with the items as names;
    the OCMW's own way of working (S01/S02 locally) has no name of its own.
    """
    key = f"aggregate.target.{kind}"
    label = t(key, name=target) if kind == "data_source" else t(key) if t.has(key) else kind
    if kind == "data_source":
        return label, t.join(details[:6]) + (" …" if len(details) > 6 else ""), []
    if kind == "organisation":
        return "", label, []
    return label, target, [n for n in names if n != target][:6]


# --- index.html ------------------------------------------------------------------------------


def index_page(tables: Tables, skipped: list[SkippedFile], t: Translator, follow: FollowUp | None = None) -> IndexPage:
    follow = follow or FollowUp()
    cases = tables.cases
    reports = dict(zip(cases["case_id"], cases["report"]))
    return IndexPage(
        title=t("aggregate.index.title", n=len(cases)),
        cards=_cards(tables, skipped, t),
        cases=[_case_row(r, t) for r in _records(cases)],
        organisations=sorted(cases["organisation"].unique()),
        procedures=sorted({procedure_label(p, t) for p in cases["procedure"]}),
        proposals=[_proposal_row(r, reports, t, follow) for r in _records(tables.proposals)],
        codes=[(code, t(f"findings.{code}.title")) for code in tables.by_code_procedure.index],
        matrix=_matrix(tables, t),
        organisation_rows=_organisation_rows(tables),
        comparisons=[_comparison(p, table, t) for p, table in tables.comparison.items()],
        skipped=skipped,
        downloads=downloads(t),
    )


def _cards(tables: Tables, skipped: list[SkippedFile], t: Translator) -> list[Card]:
    cases, findings = tables.cases, tables.findings
    local = int((findings["level"] == "local").sum())
    hours = float(cases["client_hours_year"].sum() + cases["staff_hours_year"].sum())
    procedures = sorted({procedure_label(p, t) for p in cases["procedure"]})
    cards = [
        Card(t("aggregate.cards.cases"), t.number(len(cases)),
             t.n("aggregate.cards.cases_note", cases["organisation"].nunique()), key="cases"),
        Card(t("aggregate.cards.procedures"), t.number(len(procedures)),
             t("aggregate.cards.procedures_note", names=t.join(procedures)), key="procedures"),
        Card(t("aggregate.cards.findings"), t.number(len(findings)),
             t("aggregate.cards.findings_note", local=t.number(local), supralocal=t.number(len(findings) - local)),
             key="findings"),
        Card(t("aggregate.cards.burden"), money(cases["burden_eur_year"].sum(), t),
             t("aggregate.cards.burden_note", hours=t.number(hours)), key="burden"),
        Card(t("aggregate.cards.saving"), money(cases["saving_all_eur_year"].sum(), t),
             t("aggregate.cards.saving_note", local=money(cases["saving_local_eur_year"].sum(), t)), key="saving"),
    ]
    if skipped:
        cards.append(Card(t("aggregate.cards.skipped"), t.number(len(skipped)), t("aggregate.cards.skipped_note"),
                          alert=True, key="skipped"))
    return cards


def money(euro: float, t: Translator) -> str:
    """An amount for a headline: '€ 918.054', '€ 72,5 mln' (millions fit on a card)."""
    if abs(euro) >= 1_000_000:
        return t("aggregate.cards.millions", n=t.number(euro / 1_000_000, 1))
    return f"€\u00a0{t.number(euro)}"  # a no-break space: the sign never ends a line


def _case_row(r: dict, t: Translator) -> CaseRow:
    return CaseRow(
        id=r["case_id"], title=r["title"], report=r["report"], organisation=r["organisation"],
        municipality=r["municipality"], procedure=procedure_label(r["procedure"], t),
        lead_time_days=r["lead_time_days"], client_minutes=r["client_minutes"], story_count=r["story_count"],
        findings_local=int(r["findings_local"]), findings_supralocal=int(r["findings_supralocal"]),
        burden_eur_year=r["burden_eur_year"], saving_eur_year=r["saving_all_eur_year"],
    )


def _split(text: str) -> list[str]:
    return [part for part in str(text).split("; ") if part]


def _proposal_row(r: dict, reports: dict[str, str], t: Translator, follow: FollowUp) -> ProposalRow:
    case_ids = _split(r["case_ids"])
    shown = case_ids[:LINKS_PER_PROPOSAL]
    kind, target, names = target_texts(r["target_kind"], r["target"], _split(r["target_names"]),
                                       _split(r["details"]), t)
    history = [status_view(entry, t) for entry in follow.history(r["key"])]
    return ProposalRow(
        rank=int(r["rank"]), code=r["code"], title=r["title"], level=r["level"], government=r["government"],
        target_kind=kind, target=target, target_names=names, proposal=r["proposal"],
        proposal_text=r["proposal_text"], example=Link(r["example_case"], reports[r["example_case"]]),
        owners=r["owners"] if r["level"] == "supralocal" else "",
        cases=int(r["cases"]), organisations=int(r["organisations"]),
        euro_year_saved=float(r["euro_year_saved"]),
        case_links=[Link(case_id, reports[case_id]) for case_id in shown],
        more_cases=len(case_ids) - len(shown),
        organisation_names=_split(r["organisation_names"]),
        key=r["key"],
        to=addressee(r["administration"], _split(r["administrations"]), r["government"], t)
        if r["level"] == "supralocal" else None,
        status=history[-1] if history else StatusView("nieuw", t("aggregate.status.nieuw"), "", "", ""),
        history=history[:-1],
        not_seen_since=format_date(follow.not_seen_since[r["key"]], t) if r["key"] in follow.not_seen_since else "",
    )


def _matrix(tables: Tables, t: Translator) -> CodeMatrix:
    counts, with_case = tables.by_code_procedure, tables.cases_by_code_procedure
    per_procedure = tables.cases.groupby("procedure").size()
    procedures = [p for p in counts.columns if p != "total"]
    totals = {p: int(per_procedure.get(p, 0)) for p in procedures}
    all_cases = len(tables.cases)

    def cell(findings: int, cases: int, total: int) -> MatrixCell:
        return MatrixCell(int(findings), int(cases), total, cases / total if total else 0.0)

    rows = [
        MatrixRow(
            code=code, title=t(f"findings.{code}.title"),
            cells=[cell(counts.at[code, p], with_case.at[code, p], totals[p]) for p in procedures],
            total=cell(counts.at[code, "total"], with_case.at[code, "total"], all_cases),
        )
        for code in counts.index
    ]
    return CodeMatrix([(procedure_label(p, t), totals[p]) for p in procedures], rows, all_cases)


def _organisation_rows(tables: Tables) -> list[OrganisationRow]:
    table = tables.by_organisation
    codes = list(tables.by_code_procedure.index)
    return [
        OrganisationRow(
            organisation=str(name), cases=int(row["cases"]), findings_local=int(row["findings_local"]),
            findings_supralocal=int(row["findings_supralocal"]), findings_per_case=float(row["findings_per_case"]),
            burden_eur_year=float(row["burden_eur_year"]), per_code=[int(row[c]) for c in codes],
        )
        for name, row in table.iterrows()
    ]


def _verdict(delta: float) -> str:
    return "better" if delta < 0 else "worse" if delta > 0 else "same"


def _comparison(procedure: str, table: pd.DataFrame, t: Translator) -> Comparison:
    medians = table.attrs["median"]
    rows = [
        CompareRow(
            rank=int(r["rank"]), organisation=r["organisation"], cases=int(r["cases"]),
            cells=[CompareCell(float(r[n]), figure(r[n], t), signed(r[f"{n}_vs_median"], t),
                               _verdict(r[f"{n}_vs_median"])) for n in COMPARED],
        )
        for r in _records(table)
    ]
    anchor = f"compare-{procedure or 'none'}"
    return Comparison(anchor, procedure_label(procedure, t), int(table.attrs["cases"]),
                      [figure(medians[n], t) for n in COMPARED], rows)


def figure(value: float, t: Translator) -> str:
    """A mean or median as a reader wants it: 12 rather than 12,0; 12,5 when it is not whole."""
    value = round(float(value), 1)
    return t.number(value, 0 if value.is_integer() else 1)


def signed(value: float, t: Translator) -> str:
    text = figure(abs(value), t)
    return f"+{text}" if value > 0 else f"\u2212{text}" if value < 0 else text


# --- summary.xlsx ----------------------------------------------------------------------------


def summary_workbook(tables: Tables, skipped: list[SkippedFile], t: Translator | None = None,
                     findings: FindingsSheet | None = None) -> bytes:
    """The tables as sheets of one workbook; text cells formula-safe, numbers kept as numbers.

    Sheet names, column headers and coded values (level, severity, government ...) in the
    reader's language (``t``): Dutch for a Flemish office; English keeps the column names
    scripts use, as the CSV files do. Written with :mod:`kafka.aggregate.xlsx` (openpyxl, streaming).
    """
    t = t or Translator("en")
    comparison = pd.concat(
        [table.assign(procedure=p) for p, table in tables.comparison.items()], ignore_index=True
    ) if tables.comparison else pd.DataFrame()
    if not comparison.empty:
        comparison = comparison[["procedure", *[c for c in comparison.columns if c != "procedure"]]]
    by_code = tables.by_code_procedure.reset_index()
    sheets = {
        "cases": tables.cases[list(CASE_COLUMNS)],
        "proposals": tables.proposals[list(PROPOSAL_COLUMNS)],
        "findings": tables.findings[list(FINDINGS_COLUMNS)],
        "by_code_procedure": by_code,
        "by_organisation": tables.by_organisation.reset_index(),
        "procedure_comparison": comparison,
        "skipped": pd.DataFrame(
            [{"file": s.path, "reason": s.reason, "messages": "\n".join(s.lines(t.lang))} for s in skipped],
            columns=["file", "reason", "messages"]),
    }
    procedures = set(tables.by_code_procedure.columns) - {"total"}
    book = Workbook()
    for name, frame in sheets.items():
        columns = [str(spreadsheet_safe(_header(name, str(c), procedures, t))) for c in frame.columns]
        if name == "findings" and findings is not None:  # the same rows, made per case (case_blocks)
            book.add_sheet(t(f"aggregate.xlsx.sheet.{name}"), columns, findings.sample, deflated=findings.rows)
            continue
        words = [coded(str(c), t) for c in frame.columns]
        rows = ([cell_value(value if mapping is None else mapping.get(value, value))
                 for value, mapping in zip(row, words)]
                for row in frame.itertuples(index=False, name=None))
        book.add_sheet(t(f"aggregate.xlsx.sheet.{name}"), columns, rows)
    return book.to_bytes()


def _header(sheet: str, column: str, procedures: set[str], t: Translator) -> str:
    """A column's header in the reader's language: the sheet's own word, the general one, a finding
    code as it is, a procedure by its name (the columns per procedure), or '<figure> t.o.v. de mediaan'."""
    for key in (f"aggregate.xlsx.sheet_column.{sheet}.{column}", f"aggregate.xlsx.column.{column}"):
        if t.has(key):
            return t(key)
    if sheet == "by_code_procedure" and column in procedures:
        if not column:
            return t("aggregate.xlsx.no_procedure")
        return procedure_label(column, t) if t.lang == "nl" else column
    if column.endswith("_vs_median"):
        return t("aggregate.xlsx.vs_median", name=_header(sheet, column.removesuffix("_vs_median"), procedures, t))
    return column
