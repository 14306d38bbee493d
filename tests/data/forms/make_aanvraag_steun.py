"""Writes aanvraag_steun.xlsx: a realistic Flemish OCMW application form for financial help, 30 fields.

Run it again only to change the test form: `python tests/data/forms/make_aanvraag_steun.py`.
The rows marked AMBIGUOUS are ones a person reading the form could not map to one data item
for sure either; tests/test_forms_import.py expects exactly those to be listed for confirmation.
"""

from pathlib import Path

import openpyxl

ROWS = [
    # (rubriek, veld, gegeven, bijlage)
    ("Persoonsgegevens", "Naam en voornaam", "", "nee"),
    ("Persoonsgegevens", "Rijksregisternummer", "", "nee"),
    ("Persoonsgegevens", "Adres (straat, nummer, postcode en gemeente)", "", "nee"),
    ("Persoonsgegevens", "Telefoon of gsm", "", "nee"),
    ("Persoonsgegevens", "Rekeningnummer (IBAN) voor de uitbetaling", "", "nee"),
    ("Persoonsgegevens", "Kopie identiteitskaart", "", "ja"),
    ("Gezin", "Samenstelling van het gezin", "", "nee"),
    ("Gezin", "Geboorteakte van de kinderen", "", "ja"),  # AMBIGUOUS: only resembles a birth date
    ("Inkomsten", "Netto maandinkomen van alle gezinsleden", "", "nee"),
    ("Inkomsten", "Loonfiches van de laatste 3 maanden", "", "ja"),
    ("Inkomsten", "Werkloosheidsuitkering (bedrag per maand)", "", "nee"),
    ("Inkomsten", "Attest uitkering", "unemployment", "ja"),  # the item column says which: no guess
    ("Inkomsten", "Groeipakket (bedrag per maand)", "", "nee"),
    ("Inkomsten", "Beslissing studietoelage Vlaamse overheid", "", "ja"),
    ("Inkomsten", "Onderhoudsgeld dat u ontvangt", "", "nee"),
    ("Inkomsten", "Attest van de mutualiteit", "", "ja"),  # AMBIGUOUS: kleefbriefje, VT or a benefit?
    ("Inkomsten", "Tegemoetkoming in de huur (huurpremie of huursubsidie)", "", "nee"),  # AMBIGUOUS: income, not rent
    ("Uitgaven", "Inkomsten en uitgaven van het gezin", "", "nee"),  # AMBIGUOUS: two items in one
    ("Uitgaven", "Bedrag van de huur per maand", "", "nee"),
    ("Uitgaven", "Huurcontract", "", "ja"),
    ("Uitgaven", "Rekeningnummer verhuurder", "", "nee"),  # AMBIGUOUS: the client's account or the landlord?
    ("Uitgaven", "Laatste afrekening gas en elektriciteit", "", "ja"),
    ("Uitgaven", "Schoolfactuur of kostenraming van de school", "", "ja"),
    ("Uitgaven", "Kosten kinderopvang", "", "ja"),
    ("Uitgaven", "Lopende kredieten en leningen", "", "nee"),
    ("Uitgaven", "Medische kosten en apotheekkosten", "", "ja"),
    ("Uitgaven", "Rekeninguittreksels van alle rekeningen, laatste 3 maanden", "", "ja"),
    ("Aanvraag", "Reden van de aanvraag", "", "nee"),
    ("Aanvraag", "Hoe kende u het OCMW?", "", "nee"),
    ("Aanvraag", "Handtekening en datum", "", "nee"),
]


def main() -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Aanvraag steun"
    sheet.append(["OCMW Voorbeeld - Aanvraag financiële steun (velden van het formulier)"])
    sheet.append([])
    sheet.append(["Rubriek", "Veld", "Gegeven", "Bijlage"])
    for row in ROWS:
        sheet.append(list(row))
    for column, width in zip("ABCD", (18, 60, 16, 10)):
        sheet.column_dimensions[column].width = width
    workbook.save(Path(__file__).with_name("aanvraag_steun.xlsx"))


if __name__ == "__main__":
    main()
