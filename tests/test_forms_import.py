"""kafka forms import: reading CSV/XLSX field lists, matching labels, the YAML it writes, clear errors."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
import yaml

from kafka.errors import InputError
from kafka.forms.importer import import_form, read_fields, to_yaml
from kafka.forms.matching import KnownItem, Matcher, case_items, synonym_items
from kafka.forms.review import normalise
from kafka.loader import load_text

DATA = Path(__file__).resolve().parent / "data" / "forms"
FIELDS_CSV = DATA / "velden.csv"

# label -> (item id, attachment) as velden.csv should come out
EXPECTED = {
    "Naam en voornaam": ("identity", False),
    "Rijksregisternummer": ("identity", False),
    "Attest gezinssamenstelling": ("household", True),
    "Adres": ("address", False),
    "Inkomsten van het gezin": ("income", False),
    "Kopie van uw identiteitskaart (voor- en achterzijde)": ("identity", True),
    "Rekeninguittreksels van de laatste 3 maanden": ("bank_statements", True),
    "Bewijs van werkloosheidsuitkeringen": ("unemployment", True),
    "gezinsamenstelling": ("household", False),
    "Hobby's en vrije tijd": ("hobbys_vrije_tijd", False),
    "Welke school lopen de kinderen?": ("school", False),
    "Handtekening": ("consent", True),
}


def write_xlsx(path: Path, rows: list[list], sheet: str = "Velden", extra_sheets: tuple[str, ...] = ()) -> Path:
    workbook = openpyxl.Workbook()
    worksheet = workbook.active
    worksheet.title = sheet
    for row in rows:
        worksheet.append(row)
    for name in extra_sheets:
        workbook.create_sheet(name)
    workbook.save(path)
    return path


def csv_rows() -> list[list[str]]:
    return [line.split(";") for line in FIELDS_CSV.read_text(encoding="utf-8").splitlines()]


# --- matching ------------------------------------------------------------------------


@pytest.mark.parametrize("label, item", [
    ("Rijksregisternummer", "identity"),
    ("attest gezinssamenstelling", "household"),
    ("Kopie van uw identiteitskaart (voor- en achterzijde)", "identity"),  # a phrase inside
    ("rijksregisternumer", "identity"),  # a typing error
    ("Naam en adres van de verhuurder", "landlord_details"),  # the longest phrase wins
    ("Attest van de pensioendienst", "pension"),
    ("Kinderbijslag", "child_benefit"),
])
def test_labels_match_known_items(label, item):
    match = Matcher().match(label)
    assert match.item is not None and match.item.id == item, match


def test_unknown_labels_are_not_matched():
    assert not Matcher().match("Welke school lopen de kinderen?").found
    assert not Matcher().match("").found


def test_catalogue_phrases_give_a_source_without_an_item():
    matcher = Matcher(sources={"eigen": _source("Eigen bron", "huisvestingspremies")})
    match = matcher.match("Uw huisvestingspremies van dit jaar")
    assert (match.how, match.item, match.source, match.sure) == ("catalogue", None, "eigen", True)


def _source(name: str, what: str):
    from kafka.model import Source

    return Source(name=name, level="local", what=what)


def test_a_case_vocabulary_comes_before_the_synonyms():
    case_item = KnownItem("gezin", "Gezin", "rijksregister", (normalise("Samenstelling van het gezin"),), "case.yaml")
    match = Matcher([case_item]).match("samenstelling van het gezin")
    assert match.item.id == "gezin"


def test_synonym_table_is_well_formed():
    from kafka.catalogue import builtin_sources

    sources = builtin_sources()
    ids = [item.id for item in synonym_items()]
    assert len(ids) == len(set(ids))
    for item in synonym_items():
        assert item.source is None or item.source in sources, item.id
        assert len(item.labels) >= 2, item.id
    # one label, one item: otherwise the table contradicts itself
    owners: dict[str, str] = {}
    for item in synonym_items():
        for label in item.labels:
            assert owners.setdefault(label, item.id) == item.id, f"'{label}' is a label of {owners[label]} and {item.id}"


def test_case_items_are_known_by_id_and_name():
    loaded = load_text(MINIMAL_CASE, "case.yaml")
    items = {i.id: i for i in case_items(loaded.case, "case.yaml")}
    assert items["woning"].labels == ("huurwoning", "woning")


# --- reading and importing -----------------------------------------------------------------------


def test_csv_import_matches_every_row_as_expected():
    form = import_form(FIELDS_CSV, "aanvraag", name="Aanvraagformulier leefloon", pages=4)
    got = {f.line.label: (f.item_id, f.line.attachment) for f in form.fields}
    assert got == EXPECTED
    assert [f.line.label for f in form.unmatched] == ["Hobby's en vrije tijd"]
    assert form.items(attachment=False)[:2] == ["identity", "address"]  # two labels, one field


def test_xlsx_import_gives_the_same_as_csv(tmp_path):
    # Excel cells are not all text: a number and an empty cell must read like the CSV.
    rows = [[cell if cell != "" else None for cell in row] for row in csv_rows()]
    path = write_xlsx(tmp_path / "velden.xlsx", rows)
    from_xlsx = import_form(path, "aanvraag")
    from_csv = import_form(FIELDS_CSV, "aanvraag")
    assert [(f.item_id, f.line.row, f.line.attachment) for f in from_xlsx.fields] == \
        [(f.item_id, f.line.row, f.line.attachment) for f in from_csv.fields]
    assert from_xlsx.sheet.name == "Velden"


def test_the_yaml_makes_a_valid_case(tmp_path):
    form = import_form(FIELDS_CSV, "aanvraag", name="Aanvraagformulier: leefloon", owner="mw", pages=4)
    text = to_yaml(form, "nl")
    block = yaml.safe_load(text)
    assert block["forms"]["aanvraag"]["name"] == "Aanvraagformulier: leefloon"
    assert block["data"]["household"] == {"name": "Gezinssamenstelling", "source": "rijksregister"}
    assert "# Niet herkend (1)" in text and "Hobby's en vrije tijd" in text
    case = yaml.safe_load(MINIMAL_CASE)
    case["data"].update(block["data"])
    case["forms"] = block["forms"]
    case["steps"][0]["form"] = "aanvraag"
    loaded = load_text(yaml.safe_dump(case, allow_unicode=True), "merged.yaml")
    assert loaded.ok, "\n".join(str(p) for p in loaded.problems)


def test_yaml_comments_follow_the_language():
    form = import_form(FIELDS_CSV, "aanvraag")
    assert "rij 2" in to_yaml(form, "nl")
    assert "row 2" in to_yaml(form, "en")


def test_a_known_id_in_the_item_column_wins(tmp_path):
    path = tmp_path / "f.csv"
    path.write_text("label,item,attachment\nGezin,household,no\nIets anders,eigen_id,yes\n", encoding="utf-8")
    form = import_form(path, "f")
    assert [(f.item_id, f.match.how) for f in form.fields] == [("household", "id"), ("eigen_id", "id")]
    assert form.unmatched == []


def test_tab_separated_and_windows_encoded_csv(tmp_path):
    path = tmp_path / "f.csv"
    # Excel on Windows saves CSV in cp1252: the dash and the accents are not UTF-8.
    path.write_bytes("Vraag\tBewijsstuk\nRekeningnummer\tnee\nAttest Groeipakket (één kind)\tja\n"
                     "Verhoogde tegemoetkoming – OMNIO\t\n".encode("cp1252"))
    form = import_form(path, "f")
    assert [(f.item_id, f.line.attachment) for f in form.fields] == [
        ("bank_account", False), ("child_benefit", True), ("vt", False)]


def test_trailing_empty_rows_and_a_title_above_the_header_are_fine(tmp_path):
    path = write_xlsx(tmp_path / "f.xlsx", [[None], ["Label", "Attachment"], ["Huurprijs", "no"], [None, None], [None]])
    assert [line.label for line in read_fields(path)[1]] == ["Huurprijs"]


# --- clear errors ------------------------------------------------------------------------------


def test_missing_column_names_file_row_and_column(tmp_path):
    path = tmp_path / "f.csv"
    path.write_text("Veld;Gegeven\nNaam;\n", encoding="utf-8")
    with pytest.raises(InputError) as error:
        read_fields(path)
    message = str(error.value)
    assert str(path) in message and "row 1" in message and "missing column 'attachment'" in message
    assert "'Veld', 'Gegeven'" in message


def test_unknown_sheet_lists_the_sheets(tmp_path):
    path = write_xlsx(tmp_path / "f.xlsx", [["label", "bijlage"], ["Naam", "nee"]], extra_sheets=("Blad2",))
    with pytest.raises(InputError, match=r"no sheet 'Leefloon'; the workbook has 'Velden', 'Blad2'"):
        read_fields(path, sheet="Leefloon")
    assert read_fields(path, sheet="Velden")[0].name == "Velden"


def test_every_row_problem_is_reported_at_once_with_its_place(tmp_path):
    rows = [["Label", "Bijlage"], ["Naam", "nee"], [None, None], ["Adres", "misschien"], [None, "ja"], ["Huur", "ja"]]
    path = write_xlsx(tmp_path / "f.xlsx", rows)
    with pytest.raises(InputError) as error:
        read_fields(path)
    message = str(error.value)
    assert message.startswith(f"3 problem(s) in {path}, sheet 'Velden'")
    assert f"{path}, sheet 'Velden', row 3: empty row between fields" in message
    assert "row 4, column 'Bijlage': 'misschien' is not yes or no" in message
    assert "row 5, column 'Label': empty label" in message


@pytest.mark.parametrize("name, content, expected", [
    ("f.xls", b"", "save the spreadsheet as .xlsx or .csv"),
    ("f.xlsx", b"not a zip file", "not a readable .xlsx workbook"),
    ("f.csv", b"", "the sheet is empty"),
    ("f.csv", b"label;attachment\n", "no fields below the header row"),
])
def test_unusable_files(tmp_path, name, content, expected):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InputError, match=expected):
        read_fields(path)


def test_a_csv_has_no_sheets():
    with pytest.raises(InputError, match="a CSV file has no sheets"):
        read_fields(FIELDS_CSV, sheet="Velden")


MINIMAL_CASE = """\
case: {id: import-test, title: Import, organisation: OCMW Test}
actors:
  client: {name: Cliënt, level: client}
  mw: {name: Maatschappelijk werker, level: local, organisation: OCMW Test}
data:
  woning: {name: Huurwoning}
steps:
  - {id: intake, name: Intake, actor: mw, client_minutes: 30}
"""


def test_control_characters_in_cells_cannot_break_the_yaml(tmp_path):
    path = tmp_path / "f.csv"
    path.write_bytes("label;attachment\nA\x00b\u2028c;nee\n- lijst: [a] #1;nee\n!!python/object x;ja\n".encode("utf-8"))
    form = import_form(path, "f")
    block = yaml.safe_load(to_yaml(form))
    assert [f.line.label for f in form.fields] == ["A b c", "- lijst: [a] #1", "!!python/object x"]
    assert {"name": "- lijst: [a] #1"} in block["data"].values()
    assert all(isinstance(key, str) and key[0].isalpha() for key in block["data"])  # never a number in YAML
    assert block["forms"]["f"]["attachments"] == ["python_object_x"]


# --- an honest import: how sure each match is ----------------------------------------------------------

STEUN_XLSX = DATA / "aanvraag_steun.xlsx"  # made by tests/data/forms/make_aanvraag_steun.py

# The five rows a person could not map to one item for sure either, with the guess and why.
AMBIGUOUS = {
    "Geboorteakte van de kinderen": ("identity", "fuzzy"),  # only resembles "geboortedatum"
    "Attest van de mutualiteit": ("mutualiteit", "source_items"),  # kleefbriefje, VT or a benefit?
    "Tegemoetkoming in de huur (huurpremie of huursubsidie)": ("rent", "modifier"),  # an income, not the rent
    "Inkomsten en uitgaven van het gezin": ("income", "several"),  # two items in one
    "Rekeningnummer verhuurder": ("bank_account", "several"),  # the client's account or the landlord's?
}
NOT_RECOGNISED = {"Reden van de aanvraag": "reden_aanvraag", "Hoe kende u het OCMW?": "kende_ocmw"}
RECOGNISED = {
    "Naam en voornaam": "identity", "Rijksregisternummer": "identity",
    "Adres (straat, nummer, postcode en gemeente)": "address", "Telefoon of gsm": "contact",
    "Rekeningnummer (IBAN) voor de uitbetaling": "bank_account", "Kopie identiteitskaart": "identity",
    "Samenstelling van het gezin": "household", "Netto maandinkomen van alle gezinsleden": "income",
    "Loonfiches van de laatste 3 maanden": "wages", "Werkloosheidsuitkering (bedrag per maand)": "unemployment",
    "Attest uitkering": "unemployment", "Groeipakket (bedrag per maand)": "child_benefit",
    "Beslissing studietoelage Vlaamse overheid": "study_grant", "Onderhoudsgeld dat u ontvangt": "alimony",
    "Bedrag van de huur per maand": "rent", "Huurcontract": "rent_contract",
    "Laatste afrekening gas en elektriciteit": "energy_bills",
    "Schoolfactuur of kostenraming van de school": "school_costs", "Kosten kinderopvang": "child_care",
    "Lopende kredieten en leningen": "loans", "Medische kosten en apotheekkosten": "pharmacy_costs",
    "Rekeninguittreksels van alle rekeningen, laatste 3 maanden": "bank_statements",
    "Handtekening en datum": "consent",
}


def test_a_flemish_form_lists_exactly_its_ambiguous_rows_for_confirmation():
    form = import_form(STEUN_XLSX, "aanvraag_steun")
    assert len(form.fields) == 30 and form.sheet.name == "Aanvraag steun"  # a title row above the header
    assert {f.line.label: (f.item_id, f.match.why) for f in form.to_confirm} == AMBIGUOUS
    assert {f.line.label: f.item_id for f in form.unmatched} == NOT_RECOGNISED
    assert {f.line.label: f.item_id for f in form.recognised} == RECOGNISED
    assert all(f.match.confidence >= 0.8 for f in form.recognised)
    assert all(0 < f.match.confidence < 0.8 for f in form.to_confirm)
    alternatives = {f.line.label: f.match.alternatives for f in form.to_confirm}
    assert alternatives["Rekeningnummer verhuurder"] == ("landlord_details",)
    assert set(alternatives["Attest van de mutualiteit"]) == {"health", "vt", "sickness_benefit", "chronic_status"}


def test_the_yaml_says_how_each_row_was_matched_and_how_sure():
    text = to_yaml(import_form(STEUN_XLSX, "aanvraag_steun"))
    assert "rij 12: 'Netto maandinkomen van alle gezinsleden' (bevat 'netto maandinkomen', 90% zeker)" in text
    assert "rij 15: 'Attest uitkering' (id uit het bestand, 100% zeker)" in text
    assert "(lijkt op 'geboortedatum', 70% zeker) - TE BEVESTIGEN" in text
    assert "# Te bevestigen (5):" in text and "# Niet herkend (2)" in text
    assert "'Rekeningnummer verhuurder' -> bank_account? (ook mogelijk: landlord_details)" in text
    english = to_yaml(import_form(STEUN_XLSX, "aanvraag_steun"), "en")
    assert "90% sure" in english and "- TO CONFIRM" in english and "# To confirm (5):" in english


@pytest.mark.parametrize("label, item", [
    ("Netto maandinkomen van alle gezinsleden", "income"),  # the head, not "gezinsleden"
    ("Bedrag van de huur per maand", "rent"),  # the rent, not the rent contract
    ("Beslissing studietoelage Vlaamse overheid", "study_grant"),
    ("Schoolfactuur", "school_costs"),
    ("Kinderopvang (factuur)", "child_care"),
    ("Attest Groeipakket", "child_benefit"),
    ("Jaarafrekening energie", "energy_bills"),
    ("Bewijs van werkloosheidsuitkeringen", "unemployment"),  # a plural
    ("Kopie van uw identiteitskaart (voor- en achterzijde)", "identity"),  # after "kopie van"
])
def test_flemish_labels_are_recognised_for_sure(label, item):
    match = Matcher().match(label)
    assert match.sure and match.item.id == item, match


@pytest.mark.parametrize("label, why", [
    ("Pensioensparen", "modifier"),  # a compound with another word: pension savings are no pension
    ("Uittreksel rijksregister", "source_items"),  # identity, address, household or residence?
    ("Motivatie van de aanvraag", None),  # no CV ("motivatiebrief" is not near enough): not recognised
])
def test_near_words_are_guesses_or_nothing(label, why):
    match = Matcher().match(label)
    if why is None:
        assert not match.found, match
    else:
        assert match.found and not match.sure and match.why == why, match


def test_an_id_in_the_item_column_wins_over_a_sure_label(tmp_path):
    path = tmp_path / "f.csv"
    path.write_text("label;item;attachment\nRijksregisternummer;household;nee\nRekeningnummer verhuurder;landlord_bank;nee\n",
                    encoding="utf-8")
    form = import_form(path, "f")
    assert [(f.item_id, f.match.how, f.recognised) for f in form.fields] == [
        ("household", "id", True), ("landlord_bank", "id", True)]


def test_generated_ids_are_short_and_readable(tmp_path):
    path = tmp_path / "f.csv"
    path.write_text("label;attachment\nKostenraming of offerte van de aannemer voor het dak;ja\n"
                    "Welke taal spreekt u thuis?;nee\nVoorkeur voor een afspraak in de voormiddag;nee\n",
                    encoding="utf-8")
    ids = [f.item_id for f in import_form(path, "f").fields]
    assert ids == ["kostenraming_offerte", "taal_spreekt_thuis", "voorkeur_afspraak_voormiddag"]
    assert all(len(i) <= 28 for i in ids)
