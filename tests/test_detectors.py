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
    rules = {"kb": {"name": "KB sociaal onderzoek", "level": "federal"}}
    a = run([step("a", asks=["income"]), step("b", asks=["income"], rule="kb")], rules=rules)
    [f] = codes(a, "D01")
    assert f.level is Level.SUPRALOCAL
    assert "KB sociaal onderzoek" in f.proposal.target.owner


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
    assert "opvragen in Rijksregister" in f.proposal.title  # not "give the OCMW access"


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
    assert f.proposal.saving.client_minutes == 30


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

def test_registry_has_the_eleven_codes_once_in_contract_order():
    assert CODES == ("D01", "D02", "D03", "S01", "S02", "T01", "T02", "L01", "P01", "P02", "P03")
    assert len({d.name for d in REGISTRY}) == 11


@pytest.mark.parametrize(
    "select, ignore, expected",
    [
        ((), (), 11),
        (("D",), (), 3),
        (("d01", "T"), (), 3),
        ((), ("P",), 8),
        (("D",), ("D03",), 2),
    ],
)
def test_select_and_ignore_by_prefix(select, ignore, expected):
    assert len(selected(select, ignore)) == expected


def test_english_texts():
    a = run([step("a", asks=["income"]), step("b", asks=["income"])])
    english = analyze(a.case, lang="en")
    [f] = codes(english, "D01")
    assert f.title == "Repeated question" and "asked 2 times" in f.message


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
