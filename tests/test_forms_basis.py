"""The legal basis of a form (``basis``): a field a rule requires is never dropped, by the
review nor by the analysis and its to-be; "drop" says on what it rests."""

from __future__ import annotations

from pathlib import Path

import pytest

from kafka.analysis import analyze
from kafka.detectors import d03_unused_data
from kafka.forms import Verdict, build_review, review_rows
from kafka.loader import load_case, load_text
from kafka.simulate import scenarios

REPO_ROOT = Path(__file__).resolve().parent.parent
CASES = sorted((REPO_ROOT / "cases").glob("*.yaml"))

# hobby and pet: no step uses them; hobby is asked by the service's own reglement,
# pet by a federal law; identity is kept in the rijksregister (prefill) and a law
# asks it; the rent contract is an attachment the reglement asks and nobody uses.
CASE = """\
case: {id: basis, title: Aanvraag, organisation: OCMW Test}
actors:
  client: {name: Cliënt, level: client}
  mw: {name: Maatschappelijk werker, level: local, organisation: OCMW Test}
  bcsd: {name: BCSD, level: local, organisation: OCMW Test}
data:
  identity: {name: Identiteit, source: rijksregister}
  income: {name: Inkomsten}
  hobby: {name: Hobby}
  pet: {name: Huisdier}
  rent: {name: Huurcontract}
  old: {name: Oud attest}
rules:
  reglement: {name: Eigen reglement, level: local}
  wet: {name: Een wet, level: federal, ref: "Wet 1 januari 2020, art. 3"}
forms:
  aanvraag:
    name: Aanvraagformulier
    owner: mw
    rule: reglement
    fields: [identity, income, hobby, pet]
    attachments: [rent, old]
    basis:
      hobby: reglement
      pet: wet
      identity: wet
      rent: reglement
steps:
  - {id: intake, name: Intake, actor: mw, client_minutes: 30, form: aanvraag}
  - {id: beslissing, name: Beslissing BCSD, actor: bcsd, kind: decision, uses: [identity, income]}
"""


def analysed(text: str):
    loaded = load_text(text, "case.yaml")
    assert loaded.ok, "\n".join(str(p) for p in loaded.problems)
    return analyze(loaded.case)


def rows(text: str, lang: str = "nl"):
    (form,) = build_review([analysed(text)], lang=lang).forms
    return form, {(r.item, r.attachment): r for r in form.rows}


def test_a_required_field_is_never_dropped():
    form, got = rows(CASE)
    assert got[("hobby", False)].verdict is Verdict.KEEP
    assert got[("pet", False)].verdict is Verdict.KEEP
    assert got[("rent", True)].verdict is Verdict.KEEP
    assert got[("old", True)].verdict is Verdict.DROP  # no rule asks it
    assert [r.item for r in form.removed] == ["old"]
    assert {r.item for r in form.required_rows} == {"hobby", "pet", "identity", "rent"}


def test_an_unused_field_of_a_local_rule_says_the_service_can_change_its_own_rule():
    _, got = rows(CASE)
    hobby = got[("hobby", False)].reason
    assert "'Eigen reglement' (lokaal)" in hobby and "eigen regel" in hobby
    pet = got[("pet", False)].reason
    assert "'Een wet' (federaal; Wet 1 januari 2020, art. 3)" in pet and "de federale overheid" in pet
    assert "eigen regel" not in pet
    _, english = rows(CASE, lang="en")
    assert "own rule" in english[("hobby", False)].reason
    assert "the federal government" in english[("pet", False)].reason


def test_a_required_field_in_a_source_is_prefilled_and_stays_on_the_form():
    form, got = rows(CASE)
    identity = got[("identity", False)]
    assert identity.verdict is Verdict.PREFILL and identity.stays_on_form
    assert "blijft op het formulier staan" in identity.reason and "'Een wet'" in identity.reason
    assert identity in form.filled_in


def test_a_required_attachment_that_is_prefilled_is_added_by_the_service():
    text = CASE.replace("  old: {name: Oud attest}\n", "  old: {name: Oud attest, source: rijksregister}\n").replace(
        "      rent: reglement\n", "      rent: reglement\n      old: wet\n")
    form, got = rows(text)
    old = got[("old", True)]
    assert old.verdict is Verdict.PREFILL and old.stays_on_form
    assert form.attached_by_service == [old]
    assert old not in form.removed and old not in form.to_attach
    assert "voegt het zelf bij het formulier" in old.reason


def test_drop_says_on_which_decisions_it_rests():
    _, got = rows(CASE)
    reason = got[("old", True)].reason
    assert "beslissingen na dit formulier" in reason and "Beslissing BCSD" in reason


def test_drop_without_decisions_rests_on_the_steps_that_say_what_they_use():
    text = CASE.replace("kind: decision, ", "")
    _, got = rows(text)
    assert got[("old", True)].verdict is Verdict.DROP
    assert "deze stappen" in got[("old", True)].reason and "Beslissing BCSD" in got[("old", True)].reason


def test_a_decision_that_does_not_say_what_it_uses_keeps_the_field():
    # A second decision of the service, after the form, without 'uses': nobody can tell what it needs.
    text = CASE + "  - {id: herziening, name: Herziening, actor: bcsd, kind: decision}\n"
    _, got = rows(text)
    old = got[("old", True)]
    assert old.verdict is Verdict.KEEP and old.codes == ("D03",)
    assert "Herziening" in old.reason and "'uses'" in old.reason


def test_the_decisions_of_another_organisation_do_not_count_when_the_service_decides_itself():
    text = CASE.replace("  bcsd: {name: BCSD", "  rva: {name: RVA, level: federal}\n  bcsd: {name: BCSD") + \
        "  - {id: rva, name: Beslissing RVA, actor: rva, kind: decision}\n"
    _, got = rows(text)
    assert got[("old", True)].verdict is Verdict.DROP


def test_the_csv_names_the_rules():
    review = build_review([analysed(CASE)])
    by_field = {(r["field"], r["attachment"]): r for r in review_rows(review)}
    assert by_field[("pet", "no")]["basis"] == "wet"
    assert by_field[("hobby", "no")]["basis_rules"] == "Eigen reglement (local)"
    assert by_field[("old", "yes")]["basis"] == ""


def test_d03_holds_back_where_a_rule_requires_the_item():
    analysis = analysed(CASE)
    d03 = {f.data[0]: f for f in analysis.findings if isinstance(f.facts, d03_unused_data.Facts)}
    assert d03["hobby"].facts.required_by == ("reglement",) and d03["hobby"].facts.required_at == ("intake",)
    assert "eigen regel" in d03["hobby"].proposal.text and "Niet meer vragen" not in d03["hobby"].proposal.title
    assert "de federale overheid" in d03["pet"].proposal.text
    assert d03["old"].facts.required_by == () and d03["old"].proposal.title.startswith("Niet meer vragen")
    assert d03["hobby"].proposal.saving.client_minutes == 0  # nothing is dropped
    to_be = scenarios(analysis)["all"].to_be_case.forms["aanvraag"]
    assert {"hobby", "pet"} <= set(to_be.fields) and "rent" in to_be.attachments
    assert "old" not in to_be.attachments


def test_d03_still_drops_the_item_at_steps_no_rule_binds():
    text = CASE.replace("client_minutes: 30, form: aanvraag}",
                        "client_minutes: 30, form: aanvraag}\n  - {id: extra, name: Extra, actor: mw, asks: [hobby]}")
    analysis = analysed(text)
    (hobby,) = [f for f in analysis.findings if isinstance(f.facts, d03_unused_data.Facts) and f.data == ("hobby",)]
    assert hobby.facts.required_at == ("intake",) and "Extra" in hobby.proposal.text
    to_be = scenarios(analysis)["all"].to_be_case
    assert "hobby" in to_be.forms["aanvraag"].fields
    assert all("hobby" not in s.asks for s in to_be.steps)


# --- the example cases ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def example_analyses():
    if not CASES:
        pytest.skip("no example cases in cases/")
    return [analyze(load_case(path).case) for path in CASES]


def test_no_field_a_rule_requires_is_proposed_for_dropping_in_any_example_case(example_analyses):
    review = build_review(example_analyses)
    required = [(form.name, row) for form in review.forms for row in form.rows if row.required]
    assert len(required) >= 20, "the example forms should say which rule requires which field"
    for name, row in required:
        assert row.verdict is not Verdict.DROP and row.stays_on_form, (name, row.item)
        assert all(u.verdict is not Verdict.DROP for u in row.uses), (name, row.item)
    for analysis in example_analyses:
        g = analysis.graph
        for f in analysis.findings:
            if not isinstance(f.facts, d03_unused_data.Facts):
                continue
            bound = [s for s in f.steps if g.rules_requiring(s, f.data[0])]
            assert list(f.facts.required_at) == bound, (analysis.case.id, f.data)
        # ... and the to-be with every proposal keeps every unused item a rule requires on its form
        to_be = scenarios(analysis)["all"].to_be_case
        for form_id, form in analysis.case.forms.items():
            for item in form.basis:
                if g.fact(item) not in g.fact_users and form_id in to_be.forms:
                    kept = to_be.forms[form_id]
                    assert item in kept.fields + kept.attachments, (analysis.case.id, form_id, item)


def test_the_petition_for_a_collective_debt_settlement_keeps_what_the_law_fixes(example_analyses):
    analysis = next((a for a in example_analyses if a.case.id == "schuldbemiddeling-brugzande"), None)
    if analysis is None:
        pytest.skip("cases/schuldbemiddeling-brugzande.yaml is absent")
    petition = next(f for f in build_review([analysis]).forms if f.form_id == "verzoekschrift_csr")
    fields = {r.item: r for r in petition.fields}
    assert all(r.required and r.stays_on_form for r in fields.values() if r.item != "fixed_costs")
    assert "1675/4" in fields["creditors"].reason
