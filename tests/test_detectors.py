"""Each detector: a small case that fires, and a near miss beside it that must not.

Cases are built as YAML text and go through the real loader, so they are
exactly what a user could write.
"""

from __future__ import annotations

import copy

import pytest
import yaml

from kafka.analysis import analyze
from kafka.detectors import CODES, REGISTRY, selected
from kafka.findings import Level
from kafka.loader import load_text
from kafka.settings import Settings

BASE = {
    "case": {"id": "t", "title": "Test", "organisation": "OCMW Test", "cases_per_year": 100},
    "actors": {
        "client": {"name": "Client", "level": "client"},
        "desk": {"name": "Onthaal", "level": "local", "organisation": "OCMW Test"},
        "mw": {"name": "Maatschappelijk werker", "level": "local", "organisation": "OCMW Test"},
        "board": {"name": "Comité", "level": "local", "organisation": "OCMW Test"},
        "caw": {"name": "CAW", "level": "local"},
        "rva": {"name": "RVA", "level": "federal"},
        "bank": {"name": "Bank", "level": "private"},
    },
    "data": {
        "id_card": {"name": "Identiteit", "source": "rijksregister"},
        "income": {"name": "Inkomen"},
        "rent": {"name": "Huurcontract"},
        "job": {"name": "Inschrijving VDAB", "source": "vdab"},
        "benefit": {"name": "Uitkering", "source": "rva"},
    },
    "steps": [],
}


def step(id, actor="mw", **extra):
    return {"id": id, "name": f"Stap {id}", "actor": actor, **extra}


def run(steps, settings: Settings | None = None, **sections):
    doc = copy.deepcopy(BASE)
    doc["steps"] = steps
    for key, value in sections.items():
        if key == "case":
            doc["case"].update(value)
        else:
            doc[key] = value
    loaded = load_text(yaml.safe_dump(doc, allow_unicode=True), "test.yaml")
    assert loaded.ok, [str(p) for p in loaded.problems]
    return analyze(loaded.case, settings or Settings())


def codes(analysis, code):
    return [f for f in analysis.findings if f.code == code]


# --- D01 repeated question ----------------------------------------------------

def test_d01_fires_for_an_item_asked_in_two_steps():
    a = run([step("a", asks=["income"]), step("b", brings=["income"])])
    [f] = codes(a, "D01")
    assert f.steps == ("a", "b") and f.data == ("income",) and f.level is Level.LOCAL
    assert "2 keer" in f.message and "Stap a" in f.message and "Stap b" in f.message


def test_d01_near_miss_same_step_asking_twice():
    forms = {"f": {"name": "Formulier", "owner": "mw", "fields": ["income"], "attachments": ["income"]}}
    a = run([step("a", asks=["income"], form="f")], forms=forms)
    assert codes(a, "D01") == []


def test_d01_supralocal_when_a_federal_actor_asks():
    a = run([step("a", asks=["income"]), step("b", actor="rva", asks=["income"])])
    [f] = codes(a, "D01")
    assert f.level is Level.SUPRALOCAL
    assert f.proposal.target.government == "federal"


def test_d01_supralocal_when_a_step_rule_is_federal():
    rules = {"kb": {"name": "KB sociaal onderzoek", "level": "federal", "ref": "KB 1 december 2013"}}
    a = run([step("a", asks=["income"]), step("b", asks=["income"], rule="kb")], rules=rules)
    [f] = codes(a, "D01")
    assert f.level is Level.SUPRALOCAL
    # addressed to the administration that owns the rule, with its level, not to the rule's name
    assert f.proposal.target.administration == "pod_mi"
    assert f.proposal.target.owner == "POD Maatschappelijke Integratie (POD MI, federaal)"
    assert f.proposal.target.owner in f.proposal.text


def test_d01_a_rule_no_administration_is_known_for_says_only_the_government_level():
    rules = {"kb": {"name": "KB sociaal onderzoek", "level": "federal"}}
    a = run([step("a", asks=["income"]), step("b", asks=["income"], rule="kb")], rules=rules)
    [f] = codes(a, "D01")
    assert f.proposal.target.owner == "de federale overheid" and f.proposal.target.administration == "federal"
    assert "KB sociaal onderzoek" not in f.proposal.text


# --- D02 authentic source ignored -----------------------------------------------

def test_d02_fires_for_an_item_with_a_source():
    a = run([step("a", asks=["id_card"])])
    [f] = codes(a, "D02")
    assert f.level is Level.LOCAL and f.proposal.target.key == "source:rijksregister"


def test_d02_near_misses_no_source_or_not_asked():
    a = run([step("a", asks=["income"]), step("b", provides=["id_card"], uses=["id_card"])])
    assert codes(a, "D02") == []


def test_d02_supralocal_without_local_access():
    a = run([step("a", asks=["job"])])
    [f] = codes(a, "D02")
    assert f.level is Level.SUPRALOCAL
    assert f.proposal.target.government == "flemish"


def test_d02_an_outside_asker_should_consult_the_source_itself():
    a = run([step("a", actor="rva", asks=["id_card"])])
    [f] = codes(a, "D02")
    assert f.level is Level.SUPRALOCAL and f.proposal.target.government == "federal"
    assert "only once" in f.proposal.text and "«Rijksregister»" in f.proposal.text
    assert "toegang" not in f.proposal.text  # not "give the OCMW access"


def test_d02_counts_the_trip_to_fetch_the_paper():
    a = run([step("a", actor="rva", client_minutes=90, provides=["benefit"]), step("b", brings=["benefit"])])
    [f] = codes(a, "D02")
    assert f.proposal.saving.client_minutes >= 90
    assert "Stap a" in f.message


# --- D03 unused data ---------------------------------------------------------------

def test_d03_fires_for_asked_but_never_used():
    a = run([step("a", asks=["income", "rent"]), step("b", kind="decision", uses=["income"])])
    [f] = codes(a, "D03")
    assert f.data == ("rent",) and f.steps == ("a",)


def test_d03_near_miss_when_no_step_declares_uses():
    a = run([step("a", asks=["income", "rent"]), step("b", kind="decision")])
    assert codes(a, "D03") == []


# --- S01 repeated story ------------------------------------------------------------

def test_s01_fires_for_two_stories_and_not_for_one():
    a = run([step("a", tells_story=True), step("b", tells_story=True)])
    [f] = codes(a, "S01")
    assert f.steps == ("a", "b") and f.level is Level.LOCAL
    assert codes(run([step("a", tells_story=True), step("b")]), "S01") == []


def test_s01_supralocal_names_the_outside_actor():
    a = run([step("a", tells_story=True), step("b", actor="rva", tells_story=True)])
    [f] = codes(a, "S01")
    assert f.level is Level.SUPRALOCAL and f.proposal.target.key == "actor:rva"


# --- S02 counter hopping -------------------------------------------------------------

def visit(id, actor, **extra):
    return step(id, actor, channel="in_person", client_minutes=20, **extra)


def test_s02_fires_for_three_organisations_in_person():
    a = run([visit("a", "desk"), visit("b", "caw"), visit("c", "bank")])
    [f] = codes(a, "S02")
    assert f.steps == ("a", "b", "c") and f.level is Level.LOCAL


def test_s02_near_misses_two_organisations_phone_or_no_client_time():
    a = run([
        visit("a", "desk"), visit("b", "caw"),
        step("c", "bank", channel="phone", client_minutes=10),
        step("d", "rva", channel="in_person", client_minutes=0),
    ])
    assert codes(a, "S02") == []


# --- T01 deadline exceeded --------------------------------------------------------------

def deadline_case(days_of_last_step):
    rules = {"r": {"name": "Beslissing binnen 10 dagen", "level": "federal", "deadline_days": 10, "from": "a", "to": "c"}}
    steps = [step("a", wait_days=5, duration_days=2), step("b", wait_days=3), step("c", wait_days=days_of_last_step)]
    return run(steps, rules=rules)


def test_t01_fires_when_the_path_exceeds_the_deadline():
    # The from step's duration (2), then wait + duration of the later steps: 2 + 3 + 6 = 11.
    [f] = codes(deadline_case(6), "T01")
    assert f.steps == ("a", "c") and f.level is Level.LOCAL  # the actors decide the level
    assert f.proposal.saving.lead_days == 1


def test_t01_near_miss_exactly_on_the_deadline():
    assert codes(deadline_case(5), "T01") == []


# --- T02 long wait ---------------------------------------------------------------------

def test_t02_fires_at_fourteen_days_and_not_at_thirteen():
    a = run([step("a"), step("b", wait_days=14), step("c", actor="rva", wait_days=13)])
    [f] = codes(a, "T02")
    assert f.steps == ("b",) and f.level is Level.LOCAL


def test_t02_threshold_is_configurable():
    a = run([step("a", wait_days=10)], settings=Settings(long_wait_days=10))
    assert len(codes(a, "T02")) == 1


# --- L01 rework loop ---------------------------------------------------------------------

def test_l01_one_finding_per_strongly_connected_group():
    steps = [
        step("a"),
        step("b", next=[{"to": "a", "when": "onvolledig", "chance": 0.5}, "c"]),
        step("c"),
        step("d", next=[{"to": "d", "when": "opnieuw"}, "e"]),
        step("e"),
    ]
    loops = codes(run(steps), "L01")
    assert [f.steps for f in loops] == [("a", "b"), ("d",)]
    assert "onvolledig" in loops[0].message


def test_l01_near_miss_branches_without_a_loop():
    steps = [step("a", next=[{"to": "b", "when": "ja"}, {"to": "c", "when": "nee"}]), step("b", next=["c"]), step("c")]
    assert codes(run(steps), "L01") == []


# --- P01 double assessment -------------------------------------------------------------------

def test_p01_fires_for_two_decisions_with_the_same_uses():
    a = run([step("a", kind="decision", uses=["income", "rent"]), step("b", actor="board", kind="decision", uses=["rent", "income"])])
    [f] = codes(a, "P01")
    assert f.steps == ("a", "b") and set(f.data) == {"income", "rent"}


def test_p01_near_misses_different_uses_or_not_a_decision():
    a = run([
        step("a", kind="decision", uses=["income", "rent"]),
        step("b", kind="decision", uses=["income"]),
        step("c", kind="internal", uses=["income", "rent"]),
    ])
    assert codes(a, "P01") == []


# --- P02 automatic granting ----------------------------------------------------------------------

def test_p02_fires_when_a_decision_uses_only_sourced_items():
    a = run([step("a", client_minutes=30, asks=["id_card"]), step("b", kind="decision", uses=["id_card", "benefit"])])
    [f] = codes(a, "P02")
    assert f.steps == ("b",) and set(f.data) == {"id_card", "benefit"}
    # The application goes as a whole; the question D02 takes away at it is counted there, once.
    [d02] = [d for d in codes(a, "D02") if d.data == ("id_card",)]
    assert f.proposal.saving.client_minutes + d02.proposal.saving.client_minutes == 30


def test_p02_near_misses_one_item_without_source_or_initiated_by_the_organisation():
    assert codes(run([step("b", kind="decision", uses=["id_card", "income"])]), "P02") == []
    proactive = run([step("b", kind="decision", uses=["id_card"])], case={"initiated_by": "organisation"})
    assert codes(proactive, "P02") == []


# --- P03 heavy form ------------------------------------------------------------------------------------

def form_case(n_fields, n_attachments, owner="mw"):
    data = {f"f{i}": {"name": f"Veld {i}"} for i in range(n_fields)}
    data.update({f"b{i}": {"name": f"Bijlage {i}"} for i in range(n_attachments)})
    forms = {"form": {"name": "Aanvraag", "owner": owner,
                      "fields": [f"f{i}" for i in range(n_fields)],
                      "attachments": [f"b{i}" for i in range(n_attachments)]}}
    return run([step("a", form="form")], data=data, forms=forms)


def test_p03_fires_at_fifteen_fields_or_three_attachments():
    assert len(codes(form_case(15, 0), "P03")) == 1
    assert len(codes(form_case(0, 3), "P03")) == 1
    [f] = codes(form_case(15, 3, owner="rva"), "P03")
    assert f.level is Level.SUPRALOCAL


def test_p03_near_miss_fourteen_fields_and_two_attachments():
    assert codes(form_case(14, 2), "P03") == []


# --- the registry ----------------------------------------------------------------------------------------

def test_registry_has_the_seventeen_codes_once_in_contract_order():
    assert CODES == ("D01", "D02", "D03", "S01", "S02", "T01", "T02", "L01", "P01", "P02", "P03",
                     "D04", "R01", "T03", "P04", "N01", "C01")
    assert len({d.name for d in REGISTRY}) == 17


@pytest.mark.parametrize(
    "select, ignore, expected",
    [
        ((), (), 17),
        (("D",), (), 4),
        (("d01", "T"), (), 4),
        ((), ("P",), 13),
        (("D",), ("D03",), 3),
    ],
)
def test_select_and_ignore_by_prefix(select, ignore, expected):
    assert len(selected(select, ignore)) == expected


def test_english_texts():
    a = run([step("a", asks=["income"]), step("b", asks=["income"])])
    english = analyze(a.case, lang="en")
    [f] = codes(english, "D01")
    assert f.title == "Repeated question" and "Asked of the client 2 times: “Inkomen”" in f.message


def test_settings_from_the_command_line_and_the_case_file():
    from click.testing import CliRunner

    from kafka.cli import main

    a = run([step("a", client_minutes=60)], case={"tariffs": {"client_hour": 30}})
    assert a.settings.client_hour_eur == 30
    assert a.metrics.annual.client_cost_eur == 100 * 30  # one hour, 100 cases a year
    explicit = analyze(a.case, Settings(client_hour_eur=10), explicit_settings=frozenset({"client_hour_eur"}))
    assert explicit.settings.client_hour_eur == 10

    runner = CliRunner()
    bad = runner.invoke(main, ["analyze", "x.yaml", "--set", "long_wait=3"])
    assert bad.exit_code == 2 and "did you mean 'long_wait_days'" in bad.output
    listing = runner.invoke(main, ["settings"])
    assert listing.exit_code == 0 and "long_wait_days" in listing.output


def test_an_unquoted_comma_is_reported_not_dropped():
    text = (
        "case: {id: a, title: T, organisation: O}\n"
        "actors:\n  client: {name: C, level: client}\n"
        "data:\n  bank: {name: Rekeninguittreksels, alle rekeningen}\n"
        "steps:\n  - {id: s, name: S, actor: client, asks: }\n"
    )
    loaded = load_text(text, "comma.yaml")
    [problem] = loaded.errors
    assert problem.line == 5 and problem.path == "data.bank.alle rekeningen"
    assert "put the text in quotes" in problem.message


@pytest.mark.parametrize(
    "args, message",
    [
        (["--select", "X"], "matches no finding code"),
        (["--select", "D", "--ignore", "D"], "leave no finding code"),
        (["--set", "repeated_story_steps=0"], "must be at least 2"),
        (["--set", "repeated_question_steps=1.7"], "needs a whole number"),
        (["--set", "default_loop_chance=2"], "between 0 and 1"),
    ],
)
def test_options_that_would_give_an_empty_or_wrong_analysis_are_usage_errors(repo_root, args, message):
    from click.testing import CliRunner

    from kafka.cli import main

    case = repo_root / "cases" / "verwarmingstoelage-oostervelde.yaml"
    result = CliRunner().invoke(main, ["analyze", str(case), *args])
    assert result.exit_code == 2, result.output
    assert message in result.output and "Traceback" not in result.output


# === version 1.1 of the contract ==========================================================

FACTS = {
    "id_card": {"name": "Identiteit", "source": "rijksregister"},
    "income": {"name": "Inkomen"},
    "rent": {"name": "Huurcontract"},
    "job": {"name": "Inschrijving VDAB", "source": "vdab"},
    "benefit": {"name": "Uitkering", "source": "rva"},
    "tax": {"name": "Belastbaar inkomen", "source": "fod_financien"},
    "tax_letter": {"name": "Aanslagbiljet", "proves": "tax"},
    "handicap": {"name": "Erkende handicap", "stable": True},
    "handicap_cert": {"name": "Doktersattest", "proves": "handicap"},
    "report": {"name": "Medisch verslag"},
    "report_copy": {"name": "Kopie medisch verslag", "proves": "report"},
    "care": {"name": "Zorgnood"},
}


def run11(steps, settings: Settings | None = None, **sections):
    """``run`` with the data items of version 1.1: documents that prove facts, stable facts."""
    sections.setdefault("data", FACTS)
    return run(steps, settings, **sections)


# --- facts: a document asks, uses and provides its fact -----------------------------------

def test_a_document_and_its_fact_are_one_fact_for_d01_d02_d03():
    a = run11([
        step("a", asks=["tax"]), step("b", brings=["tax_letter"]),
        step("c", kind="decision", uses=["tax_letter"]),
    ])
    [d01] = codes(a, "D01")
    assert d01.steps == ("a", "b") and d01.data == ("tax",)
    [d02] = codes(a, "D02")  # the document has no source of its own: its fact's counts
    assert d02.steps == ("a", "b") and d02.data == ("tax",)
    assert codes(a, "D03") == []  # the decision uses the fact through its document
    assert a.metrics.data_asked == 2 and a.metrics.data_unique == 2  # items as written


def test_p01_and_p02_compare_facts():
    a = run11([
        step("a", client_minutes=10, brings=["tax_letter"]),
        step("b", kind="decision", uses=["tax_letter", "id_card"]),
        step("c", actor="board", kind="decision", uses=["id_card", "tax"]),
    ])
    [p01] = codes(a, "P01")
    assert p01.steps == ("b", "c") and set(p01.data) == {"tax", "id_card"}
    [p02, _] = codes(a, "P02")
    assert set(p02.data) == {"tax", "id_card"} and p02.facts.application_steps == ("a",)


def test_a_version_1_file_has_no_new_findings_without_the_new_keys():
    # C01 and D04 need no new key, so they can fire on a version 1 file; the others cannot.
    a = run([step("a", client_minutes=10, asks=["income"]), step("b", kind="decision", uses=["income"])])
    assert {f.code for f in a.findings} & {"R01", "T03", "P04", "N01"} == set()


# --- D04 client as courier ------------------------------------------------------------------

def test_d04_fires_when_the_client_carries_a_paper_between_organisations():
    a = run11([
        step("ontslag", actor="caw", client_minutes=20, provides=["report"]),
        step("aanvraag", actor="desk", client_minutes=30, brings=["report_copy"]),
    ])
    [f] = codes(a, "D04")
    assert f.steps == ("ontslag", "aanvraag") and f.data == ("report",) and f.level is Level.LOCAL
    assert f.proposal.saving.client_minutes == 20  # one paper the client no longer brings
    assert "Medisch verslag" in f.message and "CAW" in f.message


@pytest.mark.parametrize(
    "steps",
    [
        # the client makes it themselves
        [step("a", actor="client", provides=["report"]), step("b", actor="desk", brings=["report"])],
        # the same organisation makes it and asks it
        [step("a", actor="desk", provides=["report"]), step("b", actor="mw", brings=["report"])],
        # asked before it is made
        [step("b", actor="desk", brings=["report"]), step("a", actor="caw", provides=["report"])],
        # a fact with a source: D02 (consult the source), not D04
        [step("a", actor="rva", provides=["benefit"]), step("b", actor="desk", brings=["benefit"])],
    ],
    ids=["client-made", "same-organisation", "asked-before", "has-a-source"],
)
def test_d04_near_misses(steps):
    assert codes(run11(steps), "D04") == []


def test_d04_supralocal_when_the_asking_step_has_a_federal_rule():
    rules = {"kb": {"name": "KB bewijsstukken", "level": "federal", "ref": "KB 1 december 2013"}}
    a = run11([step("a", actor="caw", provides=["report"]), step("b", actor="desk", brings=["report"], rule="kb")],
              rules=rules)
    [f] = codes(a, "D04")
    assert f.level is Level.SUPRALOCAL and f.proposal.target.administration == "pod_mi"


# --- R01 periodic re-assessment -----------------------------------------------------------

def test_r01_fires_for_stable_and_sourced_facts_at_a_renewal():
    a = run11([
        step("a", client_minutes=30, brings=["tax_letter"]),
        step("renew", client_minutes=40, repeats_every_days=365, brings=["handicap_cert", "tax_letter"], asks=["care"]),
    ])
    [f] = codes(a, "R01")
    assert f.steps == ("renew",) and set(f.data) == {"tax", "handicap"} and f.level is Level.LOCAL
    assert "365 dagen" in f.message and "Zorgnood" not in f.message  # care can change: it may be asked


def test_r01_near_misses_no_repeat_or_only_what_can_change():
    assert codes(run11([step("renew", brings=["handicap_cert", "tax_letter"])]), "R01") == []
    assert codes(run11([step("renew", repeats_every_days=30, asks=["care", "income"])]), "R01") == []


def test_r01_saving_per_year_counts_every_renewal():
    a = run11([step("renew", client_minutes=40, repeats_every_days=73, brings=["handicap_cert"])])
    [f] = codes(a, "R01")
    saving = f.proposal.saving
    assert saving.client_minutes == 20  # one paper per renewal
    assert saving.client_hours_year == round(20 / 60 * 5 * 100, 2)  # 365/73 = 5 renewals, 100 cases


def test_r01_supralocal_when_a_flemish_actor_renews():
    a = run11([step("renew", actor="vaph", repeats_every_days=365, brings=["handicap_cert"])],
              actors={**BASE["actors"], "vaph": {"name": "VAPH", "level": "flemish"}})
    [f] = codes(a, "R01")
    assert f.level is Level.SUPRALOCAL and f.proposal.target.government == "flemish"


# --- T03 needless sequence -------------------------------------------------------------------

def sequence_case(first_wait, **second):
    return run([step("a", wait_days=first_wait), step("b", wait_days=3, **second)])


def test_t03_fires_when_a_step_could_start_a_day_earlier():
    a = sequence_case(1, depends_on=[])
    [f] = codes(a, "T03")
    assert f.steps == ("b",) and f.level is Level.LOCAL
    assert a.metrics.lead_time_days == 4 and a.metrics.dependency_lead_time_days == 3
    assert f.proposal.saving.lead_days == 1 and "meteen" in f.proposal.text


def test_t03_near_misses_less_than_a_day_or_the_same_dependencies():
    assert codes(sequence_case(0.5, depends_on=[]), "T03") == []  # 3.5 against 3: not a whole day
    assert codes(sequence_case(10, depends_on=["a"]), "T03") == []  # it really needs a
    assert codes(sequence_case(10), "T03") == []  # no depends_on: the flow is the dependency


def test_t03_only_names_the_steps_that_could_start_earlier():
    steps = [
        step("a", wait_days=10), step("b", wait_days=10, depends_on=[]),
        step("c", wait_days=5, depends_on=["b"]), step("d", wait_days=1, depends_on=["c"]),
    ]
    a = run(steps)
    [f] = codes(a, "T03")
    # by the flow b starts on day 10, c on 20, d on 25; by the needs on 0, 10 and 15
    assert f.steps == ("b", "c", "d")
    assert a.metrics.lead_time_days == 26 and a.metrics.dependency_lead_time_days == 16


def test_t03_supralocal_when_a_federal_actor_is_among_the_steps():
    a = run([step("a", wait_days=5), step("b", actor="rva", wait_days=3, depends_on=[])])
    [f] = codes(a, "T03")
    assert f.level is Level.SUPRALOCAL


# --- P04 overlapping assessments ---------------------------------------------------------------

def decision(id, actor, uses):
    return step(id, actor, kind="decision", uses=uses)


def test_p04_fires_for_two_shared_facts_between_organisations():
    a = run11([decision("a", "board", ["income", "rent", "id_card"]), decision("b", "caw", ["rent", "income", "job"])])
    [f] = codes(a, "P04")
    assert f.steps == ("a", "b") and set(f.data) == {"income", "rent"} and f.level is Level.LOCAL
    assert codes(a, "P01") == []


def test_p04_near_miss_one_shared_fact_and_the_threshold_setting():
    steps = [decision("a", "board", ["income", "rent"]), decision("b", "caw", ["income", "job"])]
    assert codes(run11(steps), "P04") == []
    assert len(codes(run11(steps, settings=Settings(overlapping_assessment_facts=1)), "P04")) == 1


def test_p04_fires_when_one_uses_only_facts_the_other_uses():
    a = run11([decision("a", "board", ["income"]), decision("b", "caw", ["income", "rent"])])
    [f] = codes(a, "P04")
    assert f.data == ("income",)


def test_p04_near_misses_same_organisation_or_exactly_the_same_facts():
    same_org = run11([decision("a", "board", ["income", "rent"]), decision("b", "mw", ["income", "rent", "job"])])
    assert codes(same_org, "P04") == []
    identical = run11([decision("a", "board", ["income", "tax"]), decision("b", "caw", ["tax_letter", "income"])])
    assert codes(identical, "P04") == [] and len(codes(identical, "P01")) == 1


def test_p04_joins_overlapping_pairs_into_one_group():
    a = run11([
        decision("a", "board", ["income", "rent"]),
        decision("b", "caw", ["income", "rent", "handicap", "care"]),
        decision("c", "rva", ["handicap_cert", "care"]),
    ])
    [f] = codes(a, "P04")
    assert f.steps == ("a", "b", "c") and set(f.data) == {"income", "rent", "handicap", "care"}
    assert f.level is Level.SUPRALOCAL


# --- N01 non-take-up ------------------------------------------------------------------------------

def take_up_case(cases, eligible=100, uses=("id_card", "benefit"), actor="board", **case):
    steps = [step("a", client_minutes=20), step("b", actor=actor, kind="decision", uses=list(uses))]
    return run11(steps, case={"cases_per_year": cases, "eligible_per_year": eligible, **case})


def test_n01_fires_below_eighty_percent_and_not_at_it():
    [f] = codes(take_up_case(79), "N01")
    assert f.steps == ("a",) and set(f.data) == {"id_card", "benefit"} and f.level is Level.LOCAL
    assert "79%" in f.message and "21 mensen" in f.message
    assert codes(take_up_case(80), "N01") == []
    assert len(codes(take_up_case(80, eligible=101), "N01")) == 1


def test_n01_threshold_is_a_setting():
    analysis = run11([step("a", client_minutes=5)], Settings(take_up_below=0.5),
                     case={"cases_per_year": 60, "eligible_per_year": 100})
    assert codes(analysis, "N01") == []


def test_n01_near_misses_initiated_by_the_organisation_or_no_estimate():
    assert codes(take_up_case(10, initiated_by="organisation"), "N01") == []
    assert codes(run11([step("a", client_minutes=5)], case={"cases_per_year": 10}), "N01") == []


@pytest.mark.parametrize(
    "uses, actor, why",
    [
        (("id_card", "income"), "board", "geen authentieke bron voor «Inkomen»"),
        (("id_card", "job"), "board", "geen lokale toegang tot «VDAB»"),
        (("id_card", "benefit"), "rva", "de beslissing ligt bij «RVA»"),
    ],
)
def test_n01_supralocal_when_the_entitled_cannot_be_found_from_the_sources(uses, actor, why):
    [f] = codes(take_up_case(10, uses=uses, actor=actor), "N01")
    assert f.level is Level.SUPRALOCAL and why in f.proposal.text


def test_n01_steps_are_the_first_step_when_no_step_costs_the_client_time():
    a = run11([step("a"), step("b", kind="decision", uses=["id_card"])],
              case={"cases_per_year": 10, "eligible_per_year": 100})
    [f] = codes(a, "N01")
    assert f.steps == ("a",)


# --- C01 no single point of contact ---------------------------------------------------------------

def contact(id, actor):
    return step(id, actor, client_minutes=15)


def test_c01_fires_for_three_organisations_without_a_case_manager():
    a = run([contact("a", "desk"), contact("b", "caw"), contact("c", "bank"), step("d", "rva")])
    [f] = codes(a, "C01")
    assert f.steps == ("a", "b", "c") and f.level is Level.LOCAL  # d costs the client nothing


def test_c01_near_misses_two_organisations_the_client_alone_or_a_case_manager():
    assert codes(run([contact("a", "desk"), contact("b", "caw"), contact("c", "mw")]), "C01") == []
    assert codes(run([contact("a", "desk"), contact("b", "caw"), contact("c", "client")]), "C01") == []
    managed = {**BASE["actors"], "tb": {"name": "Trajectbegeleider", "level": "local", "case_manager": True}}
    steps = [contact("a", "desk"), contact("b", "caw"), contact("c", "bank")]
    assert codes(run(steps, actors=managed), "C01") == []
    assert len(codes(run(steps[:2], Settings(single_contact_organisations=2)), "C01")) == 1


def test_c01_supralocal_without_a_local_actor():
    actors = {**BASE["actors"], "vdab": {"name": "VDAB", "level": "flemish"}}
    a = run([contact("a", "rva"), contact("b", "bank"), contact("c", "vdab")], actors=actors)
    [f] = codes(a, "C01")
    # No local service: one point of contact across the services is a matter of the
    # Flemish welfare policy, whichever public party the client also meets.
    assert f.level is Level.SUPRALOCAL and f.proposal.target.government == "flemish"
    assert f.proposal.target.administration == "departement_wvg"


# --- metrics of version 1.1 ---------------------------------------------------------------------

def test_organisations_no_longer_count_the_client_doing_a_step():
    a = run([contact("a", "desk"), contact("b", "client")])
    assert a.metrics.organisations == 1


def test_take_up_and_the_yearly_count_of_a_periodic_step():
    a = run([step("a", client_minutes=60, staff_minutes=30), step("b", client_minutes=30, repeats_every_days=30)],
            case={"cases_per_year": 10, "eligible_per_year": 40})
    m = a.metrics
    assert m.take_up == 0.25 and m.repeating_steps == ("b",)
    assert m.client_minutes == 90  # per case, each step once
    assert m.annual.client_hours == round((60 + 30 * 365 / 30) / 60 * 10, 2)
    assert run([step("a")]).metrics.take_up is None


def test_the_schedule_by_the_flow_gives_the_lead_time():
    a = run([step("a", wait_days=2, next=["b", "c"]), step("b", wait_days=5, next=["d"]), step("c", wait_days=9),
             step("d", wait_days=1, duration_days=2)])
    flow = a.graph.schedule(by_dependencies=False)
    assert max(end for _, end in flow.values()) == a.metrics.lead_time_days == 14
    assert a.metrics.dependency_lead_time_days == 14


def test_a_saving_rounds_as_round_does_with_its_remembered_cents():
    # kafka.detectors.base._cents remembers round(value, 2) per analysis: the same number,
    # type and sign of zero as round itself, whatever came before.
    import math

    from kafka.detectors.base import _cents

    known: dict[float, float] = {}
    values = [1.005, 2.675, 0.125, -0.0, 0.0, 0, 3, 3.0, -1.235, 1e16 + 0.5, 12.3456, 12.3456, math.inf, 7, 7.0]
    for value in values + list(reversed(values)):
        got, want = _cents(value, known), round(value, 2)
        assert (got, type(got), math.copysign(1, got)) == (want, type(want), math.copysign(1, want)), value
    assert math.isnan(_cents(math.nan, known))


def test_a_proposal_that_gives_way_is_never_worded_and_none_is_left_a_draft(monkeypatch):
    # D01, D02 and D03 leave the title and text of their proposals to the settling, which
    # words only those that stand after "one action per item": one that gives way there
    # gets the texts of giving way instead.
    from pathlib import Path

    from kafka.detectors import settle
    from kafka.detectors.base import Context
    from kafka.findings import Proposal
    from kafka.loader import load_case

    worded, gave_way = [], []
    texts_later, one_action_per_item = Context.texts_later, settle._one_action_per_item

    def counted(self, code, *args, **params):
        message, later = texts_later(self, code, *args, **params)

        def wording():
            worded.append(code)
            return later()
        return message, wording

    def noted(ctx, findings):
        settled = one_action_per_item(ctx, findings)
        gave_way.extend(f.code for f in settled if f.proposal.defers_to)
        return settled

    monkeypatch.setattr(Context, "texts_later", counted)
    monkeypatch.setattr(settle, "_one_action_per_item", noted)
    case = load_case(Path(__file__).resolve().parent.parent / "cases" / "leefloon-lindenberg.yaml").case
    findings = analyze(case).findings
    items = sorted(f.code for f in findings if f.code in ("D01", "D02", "D03"))
    assert sorted(gave_way) == ["D01"] * 6 + ["D03"] * 2
    assert sorted(worded + gave_way) == items
    assert all(type(f.proposal) is Proposal and f.proposal.title and f.proposal.text for f in findings)
