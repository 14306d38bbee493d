"""The forms review: verdicts read from the findings, forms merged across cases, figures, CSV, HTML."""

from __future__ import annotations

import csv
import io
import math
import re
from pathlib import Path

import pytest

from kafka.analysis import analyze
from kafka.forms import FORM_COLUMNS, Verdict, build_review, render_html, review_csv, review_rows
from kafka.loader import load_case, load_text
from kafka.settings import Settings

REPO_ROOT = Path(__file__).resolve().parent.parent
CASES = sorted((REPO_ROOT / "cases").glob("*.yaml"))

# One form that gets every verdict:
#   identity    D02, rijksregister has local access       -> prefill
#   job         D02, but VDAB has no local access          -> keep
#   income      D01, asked before at the OCMW's own desk   -> reuse
#   union_card  D01, asked before, but at the union        -> keep
#   hobby       D03, no step uses it                       -> drop
#   rent        used, asked only here                      -> keep
CASE_A = """\
case: {id: forms-a, title: Aanvraag A, organisation: OCMW Test}
actors:
  client: {name: Cliënt, level: client}
  onthaal: {name: Onthaal, level: local, organisation: OCMW Test}
  mw: {name: Maatschappelijk werker, level: local, organisation: OCMW Test}
  vakbond: {name: Vakbond, level: private}
  bcsd: {name: BCSD, level: local, organisation: OCMW Test}
data:
  identity: {name: Identiteit, source: rijksregister}
  job: {name: Inschrijving VDAB, source: vdab}
  income: {name: Inkomsten}
  union_card: {name: Vakbondskaart}
  hobby: {name: Hobby}
  rent: {name: Huurcontract}
forms:
  aanvraag:
    name: Aanvraagformulier
    owner: mw
    fields: [identity, job, income, union_card, hobby]
    attachments: [rent]
    pages: 4
steps:
  - {id: onthaal, name: Onthaal, actor: onthaal, client_minutes: 10, asks: [income]}
  - {id: vakbond, name: Bij de vakbond, actor: vakbond, client_minutes: 10, asks: [union_card]}
  - {id: intake, name: Intake, actor: mw, client_minutes: 30, form: aanvraag}
  - {id: beslissing, name: Beslissing, actor: bcsd, kind: decision, uses: [identity, job, income, union_card, rent]}
"""

EXPECTED_A = {
    ("identity", False): Verdict.PREFILL,
    ("job", False): Verdict.KEEP,
    ("income", False): Verdict.REUSE,
    ("union_card", False): Verdict.KEEP,
    ("hobby", False): Verdict.DROP,
    ("rent", True): Verdict.KEEP,
}


def case_text(case_id: str = "forms-b", *, form_name: str = "Aanvraagformulier", organisation: str = "OCMW Test",
              hobby_used: bool = True, income_at_desk: bool = False) -> str:
    """A second case with the same form, in which some verdicts differ."""
    asks = "[income]" if income_at_desk else "[]"
    uses = "[identity, job, income, union_card, rent" + (", hobby]" if hobby_used else "]")
    return f"""\
case: {{id: {case_id}, title: Aanvraag B, organisation: {organisation}}}
actors:
  client: {{name: Cliënt, level: client}}
  onthaal: {{name: Onthaal, level: local, organisation: {organisation}}}
  mw: {{name: Maatschappelijk werker, level: local, organisation: {organisation}}}
data:
  identity: {{name: Identiteit, source: rijksregister}}
  job: {{name: Inschrijving VDAB, source: vdab}}
  income: {{name: Inkomsten}}
  union_card: {{name: Vakbondskaart}}
  hobby: {{name: Hobby}}
  rent: {{name: Huurcontract}}
forms:
  aanvraag:
    name: {form_name}
    owner: mw
    fields: [identity, job, income, union_card, hobby]
    attachments: [rent]
    pages: 4
steps:
  - {{id: onthaal, name: Onthaal, actor: onthaal, client_minutes: 10, asks: {asks}}}
  - {{id: intake, name: Intake, actor: mw, client_minutes: 30, form: aanvraag}}
  - {{id: beslissing, name: Beslissing, actor: mw, kind: decision, uses: {uses}}}
"""


def analysed(text: str, name: str = "case.yaml", **options):
    loaded = load_text(text, name)
    assert loaded.ok, "\n".join(str(p) for p in loaded.problems)
    return analyze(loaded.case, **options)


def verdicts(form) -> dict[tuple[str, bool], Verdict]:
    return {(r.item, r.attachment): r.verdict for r in form.rows}


# --- verdicts ----------------------------------------------------------------------


def test_every_verdict_follows_its_finding():
    review = build_review([analysed(CASE_A)])
    (form,) = review.forms
    assert verdicts(form) == EXPECTED_A
    rows = {r.item: r for r in form.rows}
    assert rows["identity"].codes == ("D02",)
    assert rows["hobby"].codes == ("D03",)
    assert rows["income"].codes == ("D01",)
    assert "Onthaal" in rows["income"].reason  # reuse names the earlier step
    assert "Vakbond" in rows["union_card"].reason  # keep says where it was asked before
    assert "VDAB" in rows["job"].reason  # the source the service cannot consult


def test_verdicts_come_from_the_findings_not_from_a_second_detector():
    # Without D03 nothing can be called unused; without D02 nothing is prefilled.
    no_d03 = build_review([analysed(CASE_A, ignore=("D03",))]).forms[0]
    assert verdicts(no_d03)[("hobby", False)] is Verdict.KEEP
    no_d02 = build_review([analysed(CASE_A, ignore=("D02",))]).forms[0]
    assert verdicts(no_d02)[("identity", False)] is Verdict.KEEP
    assert Verdict.PREFILL not in verdicts(no_d02).values()


def test_a_case_without_uses_drops_nothing_and_says_why():
    text = CASE_A.replace(", uses: [identity, job, income, union_card, rent]", "")
    form = build_review([analysed(text)]).forms[0]
    assert Verdict.DROP not in verdicts(form).values()
    assert not form.uses_known
    assert "uses" in {r.item: r for r in form.rows}["rent"].reason


def test_figures_before_and_after_use_the_settings_assumptions():
    settings = Settings(question_client_minutes=3, document_client_minutes=25)
    form = build_review([analysed(CASE_A, settings=settings)]).forms[0]
    assert (form.before.fields, form.before.attachments, form.before.pages) == (5, 1, 4)
    assert form.before.minutes == 5 * 3 + 1 * 25
    # kept: job and union_card (fields), rent (attachment)
    assert (form.after.fields, form.after.attachments) == (2, 1)
    assert form.after.minutes == 2 * 3 + 25
    # lines left on the form: 4 fields not dropped + 1 attachment kept, of 6
    assert form.after.pages == math.ceil(4 * 5 / 6)
    assert [r.item for r in form.to_fill_in] == ["job", "union_card"]
    assert [r.item for r in form.filled_in] == ["identity", "income"]
    assert [r.item for r in form.to_attach] == ["rent"]
    assert [r.item for r in form.removed] == ["hobby"]


def test_level_says_whether_the_service_can_change_the_form():
    local = build_review([analysed(CASE_A)]).forms[0]
    assert local.level.value == "local"
    federal = CASE_A.replace("    pages: 4\n", "    pages: 4\n    rule: wet\n").replace(
        "forms:\n", "rules:\n  wet: {name: Een wet, level: federal}\nforms:\n")
    form = build_review([analysed(federal)]).forms[0]
    assert (form.level.value, form.government) == ("supralocal", "federal")
    levels = {row["field"]: row["level"] for row in review_rows(build_review([analysed(federal)]))}
    assert levels["hobby"] == "supralocal" and levels["rent"] == ""


# --- the same form across cases --------------------------------------------------------


def test_same_organisation_id_and_name_is_one_form_with_the_weakest_verdict():
    review = build_review([analysed(CASE_A, "a.yaml"), analysed(case_text(), "b.yaml")])
    (form,) = review.forms
    assert [u.case_id for u in form.uses] == ["forms-a", "forms-b"]
    got = verdicts(form)
    assert got[("hobby", False)] is Verdict.KEEP  # used in forms-b
    assert got[("income", False)] is Verdict.KEEP  # not asked before in forms-b
    assert got[("identity", False)] is Verdict.PREFILL  # both can prefill
    income = {r.item: r for r in form.rows}["income"]
    assert income.verdicts_differ and "forms-a" in income.reason
    assert review.hints == ()


def test_reuse_survives_the_merge_when_every_case_can_reuse():
    review = build_review([analysed(CASE_A, "a.yaml"), analysed(case_text(income_at_desk=True), "b.yaml")])
    assert verdicts(review.forms[0])[("income", False)] is Verdict.REUSE


def test_a_form_in_several_cases_names_its_steps_with_the_case_id():
    review = build_review([analysed(CASE_A, "a.yaml"), analysed(case_text(), "b.yaml")])
    rows = {r["field"]: r for r in review_rows(review)}
    assert rows["rent"]["used_by"] == "forms-a:beslissing;forms-b:beslissing"
    assert rows["rent"]["cases"] == "forms-a;forms-b"
    single = {r["field"]: r for r in review_rows(build_review([analysed(CASE_A)]))}
    assert single["rent"]["used_by"] == "beslissing"
    assert single["income"]["asked_in"] == "onthaal"


def test_a_different_name_or_organisation_is_another_form():
    renamed = analysed(case_text(form_name="Aanvraag huurwaarborg"), "b.yaml")
    review = build_review([analysed(CASE_A, "a.yaml"), renamed])
    assert len(review.forms) == 2
    assert len(review.hints) == 1 and "Aanvraag huurwaarborg" in review.hints[0]
    elsewhere = analysed(case_text(organisation="OCMW Elders"), "c.yaml")
    review = build_review([analysed(CASE_A, "a.yaml"), elsewhere])
    assert len(review.forms) == 2 and review.hints == ()
    assert len({f.anchor for f in review.forms}) == 2


# --- the example cases ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def example_analyses():
    if not CASES:
        pytest.skip("no example cases in cases/")
    return [analyze(load_case(path).case) for path in CASES]


def test_example_verdicts_agree_with_each_case_findings(example_analyses):
    review = build_review(example_analyses)
    assert review.forms, "the example cases should contain forms"
    by_case = {a.case.id: a for a in example_analyses}
    for form in review.forms:
        for row in form.rows:
            for use in row.uses:
                found = {f.code: f for f in by_case[use.case_id].findings if row.item in f.data}
                if "D03" in found and not row.required:
                    assert use.verdict is Verdict.DROP, (form.name, row.item)
                elif "D02" in found and found["D02"].facts.local_access:
                    assert use.verdict is Verdict.PREFILL, (form.name, row.item)
                elif use.verdict is Verdict.REUSE:
                    assert "D01" in found, (form.name, row.item)
                else:
                    assert use.verdict is Verdict.KEEP, (form.name, row.item)


def test_lindenberg_application_form(example_analyses):
    # The case header lists D03 health (unused) and D02 identity (rijksregister).
    analysis = next((a for a in example_analyses if a.case.id == "leefloon-lindenberg"), None)
    if analysis is None:
        pytest.skip("cases/leefloon-lindenberg.yaml is absent")
    (form,) = build_review([analysis]).forms
    got = verdicts(form)
    assert got[("health", False)] is Verdict.DROP and got[("health", True)] is Verdict.DROP
    assert got[("identity", False)] is Verdict.PREFILL
    assert form.after.minutes < form.before.minutes
    assert any(f.code == "P03" for f in form.findings)


def test_csv_has_one_row_per_field_and_attachment(example_analyses):
    review = build_review(example_analyses)
    rows = list(csv.DictReader(io.StringIO(review_csv(review))))
    assert set(FORM_COLUMNS) >= {"form", "field", "attachment", "source", "local_access", "asked_in", "used_by",
                                 "verdict"}
    expected = sum(len(set(f.fields)) + len(set(f.attachments)) for a in example_analyses for f in a.case.forms.values())
    assert len(rows) == expected
    assert {r["verdict"] for r in rows} <= {v.value for v in Verdict}
    assert {r["attachment"] for r in rows} <= {"yes", "no"}
    assert {r["local_access"] for r in rows} <= {"yes", "no", ""}


def test_csv_is_safe_for_spreadsheets():
    text = CASE_A.replace("hobby: {name: Hobby}", 'hobby: {name: "=HYPERLINK(\\"http://x\\")"}')
    out = review_csv(build_review([analysed(text)]))
    assert "\n=" not in out and ",=" not in out
    assert "'=HYPERLINK" in out


# --- HTML ----------------------------------------------------------------------------------


def test_html_escapes_case_text_and_requests_nothing():
    text = CASE_A.replace("name: Aanvraagformulier", 'name: "<script>alert(1)</script> formulier"')
    page = render_html(build_review([analysed(text)]))
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)" in page
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_html_shows_every_row_and_the_proposed_form(lang):
    review = build_review([analysed(CASE_A, lang=lang)], lang=lang)
    page = render_html(review)
    form = review.forms[0]
    for row in form.rows:
        assert f'id="{form.anchor}--{"a" if row.attachment else "f"}-{row.item}"' in page
    heading = {"nl": "Het voorgestelde formulier", "en": "The proposed form"}[lang]
    assert heading in page
    assert {"nl": "vooraf invullen", "en": "prefill"}[lang] in page
