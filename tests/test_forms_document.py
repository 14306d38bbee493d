"""kafka forms --docx: the proposed form as a Word document that python-docx opens, with its parts,
the legal basis of every field, the prefilled fields marked with their source, and the annex."""

from __future__ import annotations

import io
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner

from kafka.analysis import analyze
from kafka.cli import main
from kafka.forms import build_review
from kafka.forms.document import document_name, form_document
from kafka.loader import load_case, load_text

REPO_ROOT = Path(__file__).resolve().parent.parent
BRUGZANDE = REPO_ROOT / "cases" / "schuldbemiddeling-brugzande.yaml"
LINDENBERG = REPO_ROOT / "cases" / "leefloon-lindenberg.yaml"


def review_of(*paths: Path, lang: str = "nl"):
    return build_review([analyze(load_case(p).case, lang=lang) for p in paths], lang=lang)


def opened(data: bytes):
    return docx.Document(io.BytesIO(data))


def texts(document) -> list[str]:
    """Every paragraph of the body and of every table cell, in order."""
    out = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            out += [cell.text for cell in row.cells]
    return out


def tables_by_header(document) -> dict[str, list[list[str]]]:
    """The rows of the tables, by their header row (tables with the same header together)."""
    out: dict[str, list[list[str]]] = {}
    for table in document.tables:
        header = " | ".join(c.text for c in table.rows[0].cells)
        out.setdefault(header, []).extend([c.text for c in r.cells] for r in table.rows[1:])
    return out


@pytest.fixture(scope="module")
def lindenberg():
    if not LINDENBERG.exists():
        pytest.skip("cases/leefloon-lindenberg.yaml is absent")
    review = review_of(LINDENBERG)
    (form,) = review.forms
    return form, opened(form_document(form, review))


def test_the_document_opens_and_has_the_parts_of_the_form(lindenberg):
    form, document = lindenberg
    headings = [p.text for p in document.paragraphs if p.style.name.startswith(("Heading", "Title"))]
    assert headings[0] == form.name
    assert headings[1:5] == ["1. Al ingevuld door de dienst", "2. In te vullen door de aanvrager",
                             "3. Bij te voegen bewijsstukken", "4. Door de dienst toegevoegd"]
    assert "Bijlage: wat verdween en waarom" in headings
    assert document.core_properties.title == form.name and document.core_properties.language == "nl-BE"
    section = document.sections[0]
    assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21.0, 29.7)


def test_every_field_that_stays_is_in_the_document_with_its_legal_basis(lindenberg):
    form, document = lindenberg
    tables = tables_by_header(document)
    prefilled = tables["Gegeven | Ingevuld door de dienst | Verplicht door"]
    to_fill = tables["Gegeven | Antwoord | Verplicht door"]
    to_attach = tables[" | Bewijsstuk | Verplicht door"]
    assert [r[0] for r in to_fill] == [r.name for r in form.to_fill_in]
    assert [r[1] for r in to_attach] == [r.name for r in form.to_attach]
    assert all(r[0] == "\u2610" for r in to_attach)  # a box to tick
    by_name = {r[0]: r for r in prefilled}
    assert by_name["Identiteit en rijksregisternummer"][1] == "vooraf ingevuld uit Rijksregister"
    assert "Wet 26 mei 2002, art. 19" in by_name["Identiteit en rijksregisternummer"][2]
    assert "(federaal)" in by_name["Identiteit en rijksregisternummer"][2]
    assert {r[0] for r in prefilled} == {r.name for r in form.filled_in} | {r.name for r in form.attached_by_service}
    energy = next(r for r in to_attach if r[1] == "Facturen gas, elektriciteit en water")
    assert "Beslissing BCSD Lindenberg 2019 (lokaal)" in energy[2]


def test_the_annex_lists_what_was_dropped_and_why_and_the_rules(lindenberg):
    form, document = lindenberg
    tables = tables_by_header(document)
    dropped = tables["Gegeven | Soort | Voorstel | Waarom"]
    assert [(r[0], r[2]) for r in dropped] == [(r.name, "schrappen") for r in form.removed]
    assert all("(D03)" in r[3] and "Beslissing van het bijzonder comité" in r[3] for r in dropped)
    rules = tables["Regel | Verwijzing | Velden en bijlagen die de regel vraagt"]
    assert any(r[0].startswith("Intern reglement bewijsstukken") and "(lokaal)" in r[0] for r in rules)
    figures = tables[" | Nu | Voorstel"]
    assert figures[0] == ["Velden om in te vullen", str(form.before.fields), str(form.after.fields)]


def test_the_petition_keeps_what_the_law_fixes_filled_in_by_the_service():
    if not BRUGZANDE.exists():
        pytest.skip("cases/schuldbemiddeling-brugzande.yaml is absent")
    review = review_of(BRUGZANDE)
    petition = next(f for f in review.forms if f.form_id == "verzoekschrift_csr")
    prefilled = tables_by_header(opened(form_document(petition, review)))["Gegeven | Ingevuld door de dienst | Verplicht door"]
    basis = {r[0]: r[2] for r in prefilled}
    assert basis["Gegevens van de schuldeisers"] == "Gerechtelijk Wetboek, art. 1675/4 (federaal)"
    assert basis["Vaste kosten (huur, energie, school, verzekeringen)"] == "—"


def test_english_document():
    if not LINDENBERG.exists():
        pytest.skip("cases/leefloon-lindenberg.yaml is absent")
    review = review_of(LINDENBERG, lang="en")
    document = opened(form_document(review.forms[0], review))
    body = "\n".join(texts(document))
    assert "1. Already filled in by the service" in body and "Annex: what was taken off and why" in body
    assert "(federal)" in body and "federaal" not in body
    assert document.core_properties.language == "en-GB"


def test_names_with_xml_characters_cannot_break_the_document():
    text = """\
case: {id: odd, title: Odd, organisation: "OCMW <Test> & Co"}
actors:
  client: {name: Cliënt, level: client}
  mw: {name: "Werker \\"x\\" <b>", level: local, organisation: "OCMW <Test> & Co"}
data:
  a: {name: "Veld <script>alert(1)</script> & bel"}
forms:
  f: {name: "Formulier ]]> & <x>", owner: mw, fields: [a]}
steps:
  - {id: s, name: Stap, actor: mw, client_minutes: 5, form: f}
"""
    loaded = load_text(text, "odd.yaml")
    assert loaded.ok, [str(p) for p in loaded.problems]
    review = build_review([analyze(loaded.case)])
    document = opened(form_document(review.forms[0], review))
    body = "\n".join(texts(document))
    assert "Veld <script>alert(1)</script> & " in body and "Formulier ]]> & <x>" in body


def test_kafka_forms_docx_writes_one_document_per_form_and_links_it(tmp_path):
    result = CliRunner().invoke(main, ["forms", str(LINDENBERG), str(BRUGZANDE), "-o", str(tmp_path), "--docx"])
    assert result.exit_code == 0, result.output
    review = review_of(LINDENBERG, BRUGZANDE)
    names = sorted(document_name(f) for f in review.forms)
    assert sorted(p.name for p in tmp_path.glob("*.docx")) == names
    assert "Wrote 3 Word documents" in result.output
    html = (tmp_path / "forms.html").read_text(encoding="utf-8")
    assert all(f'href="{name}" download' in html for name in names)
    for name in names:
        docx.Document(str(tmp_path / name))  # every one opens
    without = CliRunner().invoke(main, ["forms", str(LINDENBERG), "-o", str(tmp_path / "plain")])
    assert without.exit_code == 0 and not list((tmp_path / "plain").glob("*.docx"))
    assert ".docx" not in (tmp_path / "plain" / "forms.html").read_text(encoding="utf-8")
