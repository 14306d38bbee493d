"""The forms page of the VVSG site: the same form in several OCMW's side by side, with the leanest."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest

from kafka.aggregate import RunOptions, aggregate
from kafka.aggregate.forms_page import FORMS_PAGE, form_summaries, forms_page
from kafka.analysis import analyze
from kafka.forms import build_review
from kafka.i18n import Translator
from kafka.loader import load_text

REPO = Path(__file__).resolve().parent.parent
CASES = REPO / "cases"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("site")
    result = aggregate([str(CASES)], out, RunOptions.of("nl"), jobs=1)
    assert result.ok, [s.messages for s in result.collection.skipped]
    return out, result


# --- small cases to group ------------------------------------------------------------------------


def case_text(case_id: str, organisation: str, form_name: str, *, procedure: str = "leefloon",
              rule_level: str = "federal", rule_ref: str = "Wet 26 mei 2002, art. 19", fields: str = "[identity, income]",
              attachments: str = "[bank_statements]") -> str:
    return f"""\
case: {{id: {case_id}, title: Casus {case_id}, organisation: {organisation}, procedure: {procedure}}}
actors:
  client: {{name: Cliënt, level: client}}
  mw: {{name: Maatschappelijk werker, level: local, organisation: {organisation}}}
data:
  identity: {{name: Identiteit, source: rijksregister}}
  income: {{name: Inkomsten}}
  bank_statements: {{name: Rekeninguittreksels}}
  hobby: {{name: Hobby}}
rules:
  wet: {{name: De wet, level: {rule_level}, ref: "{rule_ref}"}}
forms:
  aanvraag:
    name: {form_name}
    owner: mw
    fields: {fields}
    attachments: {attachments}
    basis: {{income: wet}}
steps:
  - {{id: intake, name: Intake, actor: mw, client_minutes: 30, form: aanvraag}}
  - {{id: beslissing, name: Beslissing, actor: mw, kind: decision, uses: [identity, income, bank_statements]}}
"""


@dataclass
class Summary:
    """What the page reads of a kafka.aggregate.collect.CaseSummary."""

    id: str
    procedure: str
    forms: list[dict]
    report: str = field(default="")


def summary(text: str) -> Summary:
    loaded = load_text(text, "case.yaml")
    assert loaded.ok, [str(p) for p in loaded.problems]
    analysis = analyze(loaded.case)
    case = loaded.case.case
    return Summary(case.id, case.procedure or "", form_summaries(build_review([analysis])), f"cases/{case.id}.html")


def page_of(*texts: str):
    return forms_page([summary(t) for t in texts], Translator("nl"), [])


def test_forms_with_the_same_rule_in_one_procedure_are_one_form_whatever_their_names():
    page = page_of(case_text("a", "OCMW A", "Aanvraag leefloon"),
                   case_text("b", "OCMW B", "Aanvraagformulier leefloon en documentenlijst", fields="[identity, income, hobby]"))
    (group,) = page.groups
    assert [c.organisation for c in group.columns] == ["OCMW A", "OCMW B"]  # the leanest first
    assert group.leanest.organisation == "OCMW A" and group.columns[0].leanest
    assert group.leanest_without == ["Hobby"]
    assert "Wet 26 mei 2002, art. 19" in group.why
    income = next(r for r in group.rows if r.item == "income")
    assert income.forms == 2 and income.required
    hobby = next(r for r in group.rows if r.item == "hobby")
    assert hobby.cells[0] == [] and hobby.cells[1][0].verdict == "drop"


def test_a_local_rule_or_another_procedure_does_not_join_forms():
    local = page_of(case_text("a", "OCMW A", "Aanvraag A", rule_level="local"),
                    case_text("b", "OCMW B", "Aanvraag B", rule_level="local"))
    assert local.groups == [] and len(local.alone) == 2
    other = page_of(case_text("a", "OCMW A", "Aanvraag A"),
                    case_text("b", "OCMW B", "Aanvraag B", procedure="huurwaarborg"))
    assert other.groups == []


def test_the_same_name_joins_forms_of_any_procedure_and_one_organisation_is_one_column():
    page = page_of(case_text("a", "OCMW A", "Aanvraagformulier", rule_level="local"),
                   case_text("a2", "OCMW A", "Aanvraagformulier", rule_level="local"),
                   case_text("b", "OCMW B", "AANVRAAGFORMULIER", procedure="huurwaarborg", rule_level="local"))
    (group,) = page.groups
    assert [c.organisation for c in group.columns] == ["OCMW A", "OCMW B"]
    assert [c.text for c in group.columns[0].cases] == ["a", "a2"]
    assert group.why == "zelfde naam"


def test_the_leanest_is_the_fewest_client_minutes():
    page = page_of(case_text("a", "OCMW A", "F", attachments="[bank_statements, hobby]"),
                   case_text("b", "OCMW B", "F", attachments="[]"))
    assert page.groups[0].leanest.organisation == "OCMW B"
    assert page.groups[0].columns[0].minutes < page.groups[0].columns[1].minutes


# --- the site ------------------------------------------------------------------------------------


class _Text(HTMLParser):
    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self.hrefs: list[str] = []

    def handle_data(self, data):
        self.parts.append(data)

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.hrefs += [v for k, v in attrs if k == "href"]


def parsed(path: Path) -> _Text:
    parser = _Text()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def test_the_site_has_a_forms_page_linked_from_every_page(site):
    out, _ = site
    assert (out / FORMS_PAGE).is_file()
    for page in ("index.html", "agenda.html", FORMS_PAGE):
        assert FORMS_PAGE in parsed(out / page).hrefs, page


def test_the_example_cases_show_the_leefloon_and_heating_allowance_forms_side_by_side(site):
    out, _ = site
    page = parsed(out / FORMS_PAGE)
    text = " ".join(" ".join(page.parts).split())
    assert "OCMW Heidebeek" in text and "OCMW Lindenberg" in text
    assert "OCMW Oostervelde" in text and "OCMW Ravelingen" in text
    assert re.search(r"slankste versie Het formulier met de minste tijd voor de cliënt: 'Aanvraag leefloon "
                     r"\(vooraf ingevuld met KSZ-gegevens\)' van OCMW Heidebeek", text)
    assert "zelfde procedure en zelfde regel: Programmawet 22 december 2008" in text
    assert "Formulieren van één organisatie" in text and "Verzoekschrift collectieve schuldenregeling" in text
    for href in page.hrefs:  # the case links resolve
        if href.startswith("cases/"):
            assert (out / href).is_file(), href


def test_an_aggregate_that_selects_codes_still_reviews_forms_with_every_detector(tmp_path):
    result = aggregate([str(CASES / "leefloon-lindenberg.yaml"), str(CASES / "leefloon-heidebeek.yaml")], tmp_path,
                       RunOptions.of("nl", select=["S"]), jobs=1)
    lindenberg = next(c for c in result.collection.cases if c.id == "leefloon-lindenberg")
    verdicts = {row["verdict"] for form in lindenberg.forms for row in form["rows"]}
    assert {"prefill", "drop"} <= verdicts


@pytest.mark.browser
def test_the_forms_page_in_a_browser_is_clean(site):
    import browser

    out, _ = site
    with browser.open_page(out / FORMS_PAGE) as (page, log):
        assert page.locator("section.form-group").count() == 2
        assert page.locator("th.form-col.leanest").count() == 2
        page.set_viewport_size({"width": 1280, "height": 720})
        overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
        assert not overflow
        assert log.clean, log
