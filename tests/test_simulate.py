"""The to-be procedure: each proposal's effect, the scenarios, and the guarantees.

Guarantees checked here: applying a proposal removes the finding it answers;
the to-be is never worse than the as-is on any metric of the contract (the
example cases, the conformance cases, generated cases); the to-be case file
validates and analyses to the same metrics; the as-is case is never changed.
"""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from kafka.analysis import analyze
from kafka.detectors import CODES, d03_unused_data
from kafka.errors import InputError, OutputError
from kafka.findings import Level
from kafka.loader import load_case, load_text
from kafka.metrics import CONTRACT_METRICS
from kafka.model import Channel
from kafka.settings import Settings
from kafka.validate import check_meaning
from kafka.detectors import effect_order
from kafka.detectors.base import Action, ItemFacts
from kafka.simulate import scenario_totals, scenarios, simulate
from kafka.simulate.casefile import to_be_yaml, write_to_be
from kafka.simulate.editor import Editor, EditorStart, editable_copy
from report_cases import large_case_text
from strategies import case_docs, load_doc

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((REPO / "cases").glob("*.yaml"))


# --- helpers ------------------------------------------------------------------------

BASE = {
    "case": {"id": "t", "title": "Test", "organisation": "OCMW Test", "cases_per_year": 100},
    "actors": {
        "client": {"name": "Cliënt", "level": "client"},
        "desk": {"name": "Onthaal", "level": "local", "organisation": "OCMW Test"},
        "mw": {"name": "Maatschappelijk werker", "level": "local", "organisation": "OCMW Test"},
        "board": {"name": "Comité", "level": "local", "organisation": "OCMW Test"},
        "caw": {"name": "CAW", "level": "local"},
        "bank": {"name": "Bank", "level": "private"},
        "rva": {"name": "RVA", "level": "federal"},
    },
    "data": {
        "id_card": {"name": "Identiteit", "source": "rijksregister"},
        "income": {"name": "Inkomen"},
        "rent": {"name": "Huurcontract"},
        "statements": {"name": "Rekeninguittreksels"},
    },
}


def step(id, actor="mw", **extra):
    return {"id": id, "name": f"Stap {id}", "actor": actor, **extra}


def analysed(steps, settings=None, **sections):
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


def codes_of(analysis, code):
    return [f for f in analysis.findings if f.code == code]


def assert_never_worse(scenario):
    before, after = scenario.as_is.contract(), scenario.to_be.contract()
    worse = {k: (before[k], after[k]) for k in CONTRACT_METRICS if after[k] > before[k] + 1e-9}
    assert not worse, worse


def assert_valid_file(scenario):
    """The written to-be validates, with no kind of warning the as-is did not have, and
    analyses to the scenario's metrics."""
    text = to_be_yaml(scenario, "case.yaml")
    loaded = load_text(text, "to-be.yaml")
    assert loaded.ok, [str(p) for p in loaded.problems]
    as_is_kinds = {p.kind for p in check_meaning(scenario.as_is_analysis.case)}
    new_warnings = [p for p in loaded.warnings if p.kind not in as_is_kinds]
    assert not new_warnings, [str(p) for p in new_warnings]
    again = analyze(loaded.case, scenario.to_be_analysis.settings)
    # The file shows minutes with two decimals (the to-be keeps parts of a minute): each step
    # is off by at most half a hundredth, and a float's own error on top (9.125 written as 9.12
    # is 0.005000000000000782 off).
    steps = len(scenario.to_be_case.steps)
    assert again.metrics.contract() == pytest.approx(scenario.to_be.contract(), abs=0.005 * steps + 1e-9)
    return loaded.case


# --- the registry ---------------------------------------------------------------------


def test_one_effect_per_finding_code():
    effects = [d.effect for d in effect_order()]
    assert sorted(d.code for d in effect_order()) == sorted(CODES)
    assert len({e.name for e in effects}) == len(effects)


def test_effects_apply_what_is_asked_first_and_deadlines_last():
    codes = [d.code for d in effect_order()]
    # D04 keeps the step that makes a paper before D01-D03 take the paper away; R01 says
    # itself what a renewal no longer asks before D01 does.
    assert codes.index("D04") < codes.index("D03") and codes.index("R01") < codes.index("D01")
    assert codes.index("D01") < codes.index("P03") < codes.index("P02") < codes.index("S01")
    assert codes.index("L01") < codes.index("T03") < codes.index("T02") < codes.index("T01") == len(codes) - 1


def test_unknown_code_is_refused():
    a = analysed([step("a")])
    with pytest.raises(InputError, match="X99"):
        simulate(a, codes=["X99"])


# --- each proposal removes its finding (the conformance cases fire every code) ----------------


@pytest.fixture(scope="module")
def all_codes(request):
    path = REPO.parent / "shared" / "conformance" / "all-codes.yaml"
    if not path.is_file():
        pytest.skip("the shared conformance folder is absent")
    return analyze(load_case(path).case)


@pytest.fixture(scope="module")
def conformance():
    folder = REPO.parent / "shared" / "conformance"
    if not folder.is_dir():
        pytest.skip("the shared conformance folder is absent")
    return {path.stem: analyze(load_case(path).case) for path in sorted(folder.glob("*.yaml"))}


@pytest.mark.parametrize("code", CODES)
def test_applying_a_proposal_removes_its_finding(conformance, code):
    firing = [name for name, analysis in conformance.items() if codes_of(analysis, code)]
    assert firing, f"a conformance case should fire {code}"
    for name in firing:
        analysis = conformance[name]
        scenario = simulate(analysis, codes=[code])
        # An item kafka keeps on purpose (it identifies the client, or it is sensitive and
        # asked only when needed) has a proposal that changes nothing kafka can model.
        kept = {f.data for f in codes_of(analysis, code) if _kept_on_purpose(f)}
        left = [f for f in codes_of(scenario.to_be_analysis, code) if f.data not in kept]
        assert not left, (name, [f.message for f in left])
        assert {a.code for a in scenario.applied} == {code}
        assert all(a.changes for a in scenario.applied if a.data not in kept), \
            "each proposal applied alone must change something"
        assert_never_worse(scenario)
        assert_valid_file(scenario)


def test_all_proposals_leave_no_finding_on_the_version_1_1_conformance_case(conformance):
    scenario = simulate(conformance["premie-handicap"])
    assert_never_worse(scenario)
    assert_valid_file(scenario)
    # T03: the to-be lead time is the lead time of the real dependencies (without its waits cut)
    only_t03 = simulate(conformance["premie-handicap"], codes=["T03"])
    assert only_t03.to_be.lead_time_days == conformance["premie-handicap"].metrics.dependency_lead_time_days
    # What stays is what kafka keeps on purpose: an item that identifies the client, and a
    # sensitive one asked only when needed (with what gives way to it).
    left = [f for f in scenario.remaining if not _kept_on_purpose(f)]
    assert left == [], [(f.code, f.message) for f in left]
    assert {f.code for f in scenario.remaining} <= {"D03", "D04"}


def _kept_on_purpose(finding) -> bool:
    facts = finding.facts
    return isinstance(facts, ItemFacts) and (facts.action in (Action.KEEP, Action.LIMIT)
                                             or finding.proposal.defers_to is not None)


def test_all_proposals_leave_no_finding_on_the_conformance_case(all_codes):
    scenario = simulate(all_codes)
    assert scenario.remaining == []
    assert_never_worse(scenario)


def test_the_as_is_case_is_never_changed(all_codes):
    before = all_codes.case.model_dump()
    metrics = all_codes.metrics
    simulate(all_codes)
    scenarios(all_codes)
    assert all_codes.case.model_dump() == before
    assert analyze(all_codes.case).metrics == metrics



def test_the_editable_copy_is_equal_and_owns_everything_the_editor_may_change(all_codes):
    original = all_codes.case
    before = original.model_dump()
    copied = editable_copy(original)
    assert copied == original and copied.model_dump() == before
    assert copied.model_fields_set == original.model_fields_set
    assert all(c.model_fields_set == o.model_fields_set for c, o in zip(copied.steps, original.steps))
    # Change everything the editor and the effects change, in place where a list or dict
    # allows it: the as-is must not notice.
    copied.case.initiated_by = "organisation"
    copied.actors[next(iter(copied.actors))].case_manager = True
    copied.actors["extra"] = copied.actors[next(iter(copied.actors))]
    for rule in copied.rules.values():
        rule.deadline_days, rule.from_step, rule.to_step = None, None, None
    for form in copied.forms.values():
        form.fields.clear()
        form.attachments.clear()
        for rules in form.basis.values():
            rules.clear()
    for step in copied.steps:
        for name in ("asks", "brings", "provides", "uses", "next", "depends_on"):
            if getattr(step, name):
                getattr(step, name).clear()
        step.client_minutes = step.wait_days = 0
        step.form = None
    del copied.steps[1:]
    copied.forms.clear()
    assert original.model_dump() == before



def test_the_scenarios_sharing_one_start_are_those_simulated_alone(all_codes):
    shared = scenarios(all_codes)
    alone = {"local": simulate(all_codes, level=Level.LOCAL, name="local"), "all": simulate(all_codes, name="all")}
    for name, scenario in shared.items():
        assert scenario.to_dict() == alone[name].to_dict()
        assert scenario.to_be_case == alone[name].to_be_case
        assert to_be_yaml(scenario) == to_be_yaml(alone[name])


def test_a_start_serves_only_the_analysis_of_its_own_case(all_codes, conformance):
    other = next(a for a in conformance.values() if a.case is not all_codes.case)
    with pytest.raises(ValueError, match="EditorStart"):
        simulate(other, start=EditorStart.of(all_codes))


# --- each effect, on a small case -----------------------------------------------------------


def test_d01_keeps_the_first_ask_and_drops_the_later_ones():
    a = analysed([
        step("a", asks=["income"], client_minutes=30, staff_minutes=10),
        step("b", asks=["income", "rent"], client_minutes=30, staff_minutes=10),
    ])
    s = simulate(a, codes=["D01"])
    steps = {x.id: x for x in s.to_be_case.steps}
    assert steps["a"].asks == ["income"] and steps["b"].asks == ["rent"]
    assert steps["b"].client_minutes == 28 and steps["b"].staff_minutes == 9  # one question: 2 and 1 minutes
    assert "Stap b" in s.applied[0].changes[0]


def test_d01_splits_a_form_shared_by_a_step_that_keeps_the_item():
    forms = {"f": {"name": "Formulier", "owner": "mw", "fields": ["income", "rent"]}}
    a = analysed([step("a", form="f", client_minutes=20), step("b", form="f", client_minutes=20)], forms=forms)
    s = simulate(a, codes=["D01"])
    steps = {x.id: x for x in s.to_be_case.steps}
    assert steps["a"].form == "f" and steps["b"].form is None  # the copy lost every field, so it went
    assert s.to_be_case.forms["f"].fields == ["income", "rent"]
    assert s.to_be.data_asked == 2
    assert_valid_file(s)


def test_d01_removes_a_step_that_only_brought_papers_asked_before():
    a = analysed([
        step("intake", kind="form", channel="in_person", client_minutes=60, brings=["rent", "statements"]),
        step("nabezorgen", kind="document", channel="in_person", client_minutes=40, staff_minutes=20,
             wait_days=5, brings=["rent", "statements"]),
        step("beslissing", actor="board", kind="decision", wait_days=3),
    ])
    s = simulate(a, codes=["D01"])
    assert [x.id for x in s.to_be_case.steps] == ["intake", "beslissing"]
    assert s.to_be.lead_time_days == a.metrics.lead_time_days - 5
    assert any("Valt weg" in c and "«Stap nabezorgen»" in c for c in s.applied[-1].changes)


def test_a_step_that_asks_nothing_any_more_but_does_something_else_stays():
    forms = {"verzoek": {"name": "Verzoekschrift", "owner": "mw", "fields": ["income"]}}
    a = analysed([
        step("intake", asks=["income"], client_minutes=30),
        step("verzoek", kind="form", form="verzoek", client_minutes=60, staff_minutes=40),
    ], forms=forms)
    s = simulate(a, codes=["D01"])
    kept = {x.id: x for x in s.to_be_case.steps}["verzoek"]
    assert kept.form is None
    assert kept.client_minutes >= 60 * Settings().contact_core_share  # the contact itself stays


def test_d02_consults_the_source_and_drops_the_trip_to_fetch_the_paper():
    a = analysed([
        step("fetch", actor="bank", kind="document", channel="in_person", client_minutes=45,
             staff_minutes=5, provides=["id_card"]),
        step("intake", channel="phone", client_minutes=30, staff_minutes=20, brings=["id_card"]),
    ])
    s = simulate(a, codes=["D02"])
    assert [x.id for x in s.to_be_case.steps] == ["intake"]
    intake = s.to_be_case.steps[0]
    assert intake.brings == []
    assert intake.client_minutes == 10  # a paper: 20 client minutes
    assert intake.staff_minutes == 16  # 5 staff minutes for the paper, 1 kept to consult the source
    assert not codes_of(s.to_be_analysis, "D02")


def test_d03_drops_the_unused_item_from_the_form():
    forms = {"f": {"name": "Formulier", "owner": "mw", "fields": ["income", "rent"]}}
    a = analysed([step("a", form="f", client_minutes=10), step("d", kind="decision", uses=["income"])], forms=forms)
    s = simulate(a, codes=["D03"])
    assert s.to_be_case.forms["f"].fields == ["income"]


def test_s01_keeps_the_first_story_only():
    a = analysed([
        step("a", tells_story=True, client_minutes=30, staff_minutes=30),
        step("b", tells_story=True, client_minutes=30, staff_minutes=30),
        step("c", tells_story=True, client_minutes=10, staff_minutes=10),
    ])
    s = simulate(a, codes=["S01"])
    assert [x.tells_story for x in s.to_be_case.steps] == [True, False, False]
    assert [x.client_minutes for x in s.to_be_case.steps] == [30, 15, 2.5]  # 15 minutes, or all but the core (a quarter)


def test_s02_keeps_the_visits_at_the_procedure_s_organisation():
    a = analysed([
        step("a", actor="desk", channel="in_person", client_minutes=60),
        step("b", actor="caw", kind="contact", channel="in_person", client_minutes=60, tells_story=True),
        step("c", actor="bank", kind="document", channel="in_person", client_minutes=60),
    ])
    s = simulate(a, codes=["S02"])
    channels = [x.channel for x in s.to_be_case.steps]
    assert channels == [Channel.IN_PERSON, Channel.PHONE, Channel.ONLINE]
    # c: the trip (45) goes; b: trip and story (60) share the 45 minutes beyond the core, the trip's 3/4 go
    assert [x.client_minutes for x in s.to_be_case.steps] == [60, 26.25, 15]
    assert s.to_be.in_person_visits == 1


def test_s02_leaves_a_visit_that_needs_the_client_there():
    a = analysed([
        step("a", actor="desk", channel="in_person", client_minutes=60),
        step("pharmacy", actor="caw", kind="contact", channel="in_person", client_minutes=20),  # no information
        step("exam", actor="rva", kind="visit", channel="in_person", client_minutes=60, asks=["income"]),
        step("c", actor="bank", kind="document", channel="in_person", client_minutes=60),
    ])
    s = simulate(a, codes=["S02"])
    assert [x.channel for x in s.to_be_case.steps] == [Channel.IN_PERSON, Channel.IN_PERSON, Channel.IN_PERSON, Channel.ONLINE]
    assert codes_of(s.to_be_analysis, "S02")  # honest: three organisations still see the client
    assert_never_worse(s)


def test_t02_cuts_the_wait_to_the_target():
    a = analysed([step("a"), step("b", actor="board", wait_days=30)])
    s = simulate(a, codes=["T02"], )
    assert s.to_be_case.steps[1].wait_days == 7
    s = simulate(analyze(a.case, Settings(target_wait_days=3)), codes=["T02"])
    assert s.to_be_case.steps[1].wait_days == 3


def test_t01_cuts_the_longest_waits_until_the_deadline_is_met():
    rules = {"r": {"name": "Binnen 10 dagen", "level": "local", "deadline_days": 10, "from": "a", "to": "c"}}
    a = analysed([step("a", wait_days=40), step("b", wait_days=12), step("c", wait_days=6)], rules=rules)
    s = simulate(a, codes=["T01"])
    waits = [x.wait_days for x in s.to_be_case.steps]
    assert waits[0] == 40  # before the deadline starts: not cut
    assert sum(waits[1:]) == 10 and waits[1] <= 7
    assert not codes_of(s.to_be_analysis, "T01")


def test_t01_says_when_waits_alone_cannot_meet_the_deadline():
    rules = {"r": {"name": "Binnen 2 dagen", "level": "local", "deadline_days": 2, "from": "a", "to": "b"}}
    a = analysed([step("a", duration_days=5), step("b", wait_days=3)], rules=rules)
    s = simulate(a, codes=["T01"])
    assert s.to_be_case.steps[1].wait_days == 0
    assert any("5 dagen" in c for c in s.applied[0].changes)
    assert codes_of(s.to_be_analysis, "T01")  # honest: it stays


def test_l01_removes_the_loop_and_rescales_the_other_branch():
    a = analysed([
        step("a"),
        step("b", next=[{"to": "a", "when": "onvolledig", "chance": 0.3}, {"to": "c", "chance": 0.5}, {"to": "d", "chance": 0.2}]),
        step("c", next=[]),
        step("d"),
    ])
    s = simulate(a, codes=["L01"])
    b = s.to_be_case.steps[1]
    assert [(e.to, e.chance) for e in b.next] == [("c", pytest.approx(0.5 / 0.7, abs=1e-4)), ("d", pytest.approx(0.2 / 0.7, abs=1e-4))]
    assert s.to_be.loop_extra_days == 0


def test_l01_removes_a_step_only_reached_by_the_loop():
    a = analysed([
        step("a"),
        step("b", next=[{"to": "redo", "when": "onvolledig"}, {"to": "c"}]),
        step("redo", next=["c"]),
        step("c", next=["redo"]),
    ])
    # 'redo' is reached forward from b; the loop is c -> redo: only that edge goes
    s = simulate(a, codes=["L01"])
    assert [x.id for x in s.to_be_case.steps] == ["a", "b", "redo", "c"]
    a = analysed([step("a"), step("redo", next=["b"]), step("b", next=["redo", "c"]), step("c")],
                 )
    # 'redo' is only entered from b going back... and from a (implicit): it stays reachable
    s = simulate(a, codes=["L01"])
    assert_valid_file(s)
    a = analysed([step("a", next=["b"]), step("redo", next=["b"]), step("b", next=[{"to": "redo", "chance": 0.2}, "c"]), step("c")])
    s = simulate(a, codes=["L01"])
    assert [x.id for x in s.to_be_case.steps] == ["a", "b", "c"]
    assert any("Valt weg" in c and "«Stap redo»" in c for c in s.applied[0].changes)
    assert_valid_file(s)


def test_p01_keeps_the_first_decision_and_reroutes_the_deadline():
    rules = {"r": {"name": "Binnen 30 dagen", "level": "local", "deadline_days": 30, "from": "a", "to": "d2"}}
    a = analysed([
        step("a"),
        step("d1", kind="decision", uses=["income"], staff_minutes=20, wait_days=3),
        step("d2", actor="board", kind="decision", uses=["income"], staff_minutes=20, wait_days=20),
        step("e"),
    ], rules=rules)
    s = simulate(a, codes=["P01"])
    assert [x.id for x in s.to_be_case.steps] == ["a", "d1", "e"]
    assert s.to_be_case.rules["r"].to_step == "d1"
    assert s.to_be.lead_time_days == 3
    assert_valid_file(s)


def test_a_deadline_that_starts_and_ends_at_a_removed_step_goes():
    rules = {"r": {"name": "Dezelfde dag", "level": "local", "deadline_days": 0, "from": "nb", "to": "nb"}}
    a = analysed([
        step("intake", brings=["rent"], client_minutes=30),
        step("nb", kind="document", brings=["rent"], client_minutes=30, duration_days=2),
        step("d", kind="decision"),
    ], rules=rules)
    s = simulate(a, codes=["D01"])
    assert [x.id for x in s.to_be_case.steps] == ["intake", "d"]
    rule = s.to_be_case.rules["r"]
    assert (rule.deadline_days, rule.from_step, rule.to_step) == (None, None, None)
    assert any("vervalt" in c for c in s.applied[0].changes)
    assert_valid_file(s)


def test_p01_moves_a_deadline_that_started_at_the_dropped_decision_to_the_one_that_stays():
    rules = {"notify": {"name": "Kennisgeving binnen 8 dagen", "level": "federal", "deadline_days": 8,
                        "from": "d2", "to": "notify"}}
    a = analysed([
        step("d1", kind="decision", uses=["income"]),
        step("d2", actor="board", kind="decision", uses=["income"], wait_days=10),
        step("notify", kind="notification", wait_days=3),
    ], rules=rules)
    s = simulate(a, codes=["P01"])
    assert s.to_be_case.rules["notify"].from_step == "d1"
    assert any("loopt nu vanaf «Stap d1»" in c for c in s.applied[0].changes)
    assert_valid_file(s)


def test_p02_grants_automatically_and_drops_the_application():
    forms = {"aanvraag": {"name": "Aanvraag", "owner": "mw", "fields": ["id_card"]}}
    a = analysed([
        step("aanvraag", kind="form", form="aanvraag", channel="online", client_minutes=20, staff_minutes=5),
        step("beslissing", kind="decision", uses=["id_card"], staff_minutes=10),
    ], forms=forms)
    s = simulate(a, codes=["P02"])
    assert s.to_be_case.case.initiated_by == "organisation"
    assert [x.id for x in s.to_be_case.steps] == ["beslissing"]
    assert s.to_be.client_minutes == 0
    assert_valid_file(s)


def test_p03_shortens_the_form():
    forms = {"f": {"name": "Formulier", "owner": "mw", "fields": ["income"],
                   "attachments": ["id_card", "rent", "statements"]}}
    a = analysed([step("a", form="f", client_minutes=90), step("d", kind="decision", uses=["income", "statements"])],
                 forms=forms)
    s = simulate(a, codes=["P03"])
    assert s.to_be_case.forms["f"].attachments == ["statements"]  # id_card has a source, rent is unused
    assert not codes_of(s.to_be_analysis, "P03")


# --- the flow stays honest when steps go ----------------------------------------------------


def test_removing_a_step_never_turns_a_loop_back_into_a_longer_forward_path():
    # start -> p -> r -> end, and start -> s -> r; r goes back to s. If r goes, p must not
    # lead to s (a forward path start-p-s-end that the as-is never had).
    a = analysed([
        step("start", next=["p", "s"]),
        step("p", wait_days=10, next=["r"]),
        step("s", wait_days=10, next=["r"]),
        step("r", kind="document", brings=["rent"], next=[{"to": "s", "chance": 0.2}, "end"]),
        step("end"),
    ])
    editor_scenario = simulate(a, codes=["L01"])  # warm-up: a valid run
    assert_valid_file(editor_scenario)
    from kafka.simulate.editor import Editor

    ed = Editor(a)
    ed.remove_step("r")
    nxt = {x.id: [e.to for e in x.next] for x in ed.case.steps}
    assert nxt["p"] == ["end"] and nxt["s"] == ["end"]


def test_the_first_step_goes_only_when_the_flow_still_starts_right_after_it():
    a = analysed([step("a", next=["b", "c"]), step("b", next=["c"]), step("c")])
    from kafka.simulate.editor import Editor

    ed = Editor(a)
    assert not ed.can_remove("a")
    assert ed.can_remove("b")
    a = analysed([step("a"), step("b"), step("c")])
    assert Editor(a).can_remove("a")


# --- scenarios, totals -----------------------------------------------------------------------


def test_local_scenario_applies_only_local_proposals(all_codes):
    both = scenarios(all_codes)
    assert set(both) == {"local", "all"}
    assert all(a.level is Level.LOCAL for a in both["local"].applied)
    assert {a.level for a in both["all"].applied} == {Level.LOCAL, Level.SUPRALOCAL}
    # what the OCMW can do alone never beats all proposals together
    assert both["all"].saving.euro_year >= both["local"].saving.euro_year


def test_scenario_totals_are_summable_numbers(all_codes):
    totals = scenario_totals(all_codes)
    assert set(totals) == {"local", "all"}
    for key, values in totals.items():
        assert all(isinstance(v, (int, float)) for v in values.values()), key
        assert values["applied"] == len(scenarios(all_codes)[key].applied)
    every = totals["all"]
    assert every["client_minutes"] == pytest.approx(all_codes.metrics.client_minutes - simulate(all_codes).to_be.client_minutes,
                                                    abs=0.005)  # rounded to hundredths
    assert every["euro_year"] > 0 and every["findings_after"] == 0


def test_english_change_texts():
    a = analyze(analysed([step("a", asks=["income"]), step("b", asks=["income"])]).case, lang="en")
    s = simulate(a)
    assert s.applied[0].changes == ("From the file of “Stap a” instead of asked again at “Stap b”: “Inkomen”.",)
    assert s.to_be_case.case.title == "Test (to-be)"


# --- the guarantees on real and generated cases -------------------------------------------------


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_cases_to_be_never_worse_and_valid(path):
    loaded = load_case(path)
    assert loaded.ok
    analysis = analyze(loaded.case)
    for name, scenario in scenarios(analysis).items():
        assert_never_worse(scenario)
        case = assert_valid_file(scenario)
        assert case.case.id == f"{loaded.case.case.id}-to-be"
    # every local finding's proposal is taken in the local scenario: none of them is left
    # (a loop can shrink to a smaller, local one: that is a new finding, not the one answered;
    # an unused item a rule requires on a form stays there, so its D03 stays too; a wait
    # another party keeps is asked for, not cut, in what the organisation can do alone)
    answered = {(f.code, f.proposal.target.key, f.data) for f in analysis.by_level(Level.LOCAL)
                if f.code not in ("P03", "T01", "S02") and not _required_unused(f) and not _others_wait(f, analysis)}
    left = [f for f in scenarios(analysis)["local"].remaining if (f.code, f.proposal.target.key, f.data) in answered]
    assert not left, [f.message for f in left]



def _indexes_from_scratch(editor):
    """The editor's indexes as a full scan of its case gives them now."""
    askers, preds, fillers, dependents = {}, {s.id: set() for s in editor.case.steps}, {}, {}
    for step in editor.case.steps:
        for fact in editor.asked_facts(step):
            askers.setdefault(fact, set()).add(step.id)
        for edge in step.next:
            preds[edge.to].add(step.id)
        if step.form:
            fillers.setdefault(step.form, set()).add(step.id)
        for dep in step.depends_on or ():
            dependents.setdefault(dep, set()).add(step.id)
    return askers, preds, fillers, dependents


def _non_empty(index):
    return {key: steps for key, steps in index.items() if steps}


CONFORMANCE = sorted((REPO.parent / "shared" / "conformance").glob("*.yaml"))


@pytest.mark.parametrize("path", [*EXAMPLES, *CONFORMANCE, "large"],
                         ids=[*(p.stem for p in EXAMPLES), *(f"conformance-{p.stem}" for p in CONFORMANCE), "large"])
def test_the_editor_s_indexes_stay_exact_after_every_proposal(path, monkeypatch):
    # stop_asking, askers and tidy trust the indexes instead of scanning every step.
    case = load_text(large_case_text(100), "large.yaml").case if path == "large" else load_case(path).case
    checked = []
    tidy = Editor.tidy

    def checked_tidy(editor):
        tidy(editor)
        askers, preds, fillers, dependents = _indexes_from_scratch(editor)
        assert _non_empty(editor._askers) == askers
        assert editor._preds == preds
        assert _non_empty(editor._fillers) == fillers
        assert _non_empty(editor._dependents) == dependents
        checked.append(1)

    monkeypatch.setattr(Editor, "tidy", checked_tidy)
    scenarios(analyze(case))
    assert checked


def _others_wait(finding, analysis) -> bool:
    return finding.code == "T02" and finding.proposal.target.owner != analysis.case.case.organisation


def test_what_the_organisation_can_do_alone_keeps_a_wait_another_party_decides():
    # Hazelbeke: the zorgkas decides on the zorgbudget after 45 days; the OCMW can ask for a
    # shorter wait, not shorten it itself. With every proposal taken, the wait is cut, and the
    # change says it depends on the zorgkas.
    analysis = analyze(load_case(REPO / "cases" / "mantelzorgpremie-hazelbeke.yaml").case)
    local, everything = scenarios(analysis)["local"], scenarios(analysis)["all"]
    zorgkas = next(s for s in analysis.case.steps if s.wait_days == 45)
    assert next(s for s in local.to_be_case.steps if s.id == zorgkas.id).wait_days == 45
    assert next(s for s in everything.to_be_case.steps if s.id == zorgkas.id).wait_days == 7
    assert any("blijft 45 dagen" in line for a in local.applied for line in a.changes)
    assert local.to_be.lead_time_days > everything.to_be.lead_time_days


def _required_unused(finding) -> bool:
    return isinstance(finding.facts, d03_unused_data.Facts) and bool(finding.facts.required_by)


@given(doc=case_docs(), data=st.data())
def test_generated_cases_to_be_never_worse_and_valid(doc, data):
    analysis = analyze(load_doc(doc))
    chosen = data.draw(st.one_of(st.none(), st.lists(st.sampled_from(CODES), unique=True)), label="codes")
    level = data.draw(st.sampled_from([None, "local", "supralocal"]), label="level")
    for scenario in (*scenarios(analysis).values(), simulate(analysis, chosen, level)):
        assert_never_worse(scenario)
        assert_valid_file(scenario)
    assert analysis.case.model_dump() == load_doc(doc).model_dump()


@given(doc=case_docs(max_steps=8))
def test_generated_cases_lose_the_findings_whose_proposals_always_work(doc):
    # Every code but P03 (a form may stay heavy), T01 (the steps alone may exceed the
    # deadline), S02 (visits that need the client there stay) and T03 (a step that needs
    # nothing still comes after the first step of the flow, and a step keeps its place
    # when moving it would lengthen a deadline's path) is always answered by its effect,
    # whatever else the case holds.
    analysis = analyze(load_doc(doc))
    for code in {f.code for f in analysis.findings} - {"P03", "T01", "S02", "T03"}:
        scenario = simulate(analysis, codes=[code])
        left = [f for f in codes_of(scenario.to_be_analysis, code) if not _required_unused(f)]
        assert not left, (code, [f.message for f in left])


# --- the to-be case file --------------------------------------------------------------------


def test_write_refuses_the_case_itself_and_files_it_did_not_write(tmp_path, all_codes):
    scenario = simulate(all_codes)
    own = tmp_path / "case.yaml"
    own.write_text("case: mine\n", encoding="utf-8")
    with pytest.raises(OutputError, match="case file itself"):
        write_to_be(own, scenario, source=str(own))
    with pytest.raises(OutputError, match="not written by kafka simulate"):
        write_to_be(own, scenario, source=str(tmp_path / "other.yaml"))
    assert own.read_text(encoding="utf-8") == "case: mine\n"
    target = tmp_path / "to-be.yaml"
    write_to_be(target, scenario, source=str(own))
    write_to_be(target, scenario, source=str(own))  # its own output may be replaced
    text = target.read_text(encoding="utf-8")
    assert text.startswith("# To-be procedure generated by kafka simulate")
    assert "from the case 'all-codes' (case.yaml)" in text
    assert load_case(target).ok


def test_a_step_only_reached_by_a_loop_goes_without_breaking_a_deadline_through_it():
    # Found by hypothesis: s1-s3 are never reached forward; s3 only by the loop back from s5.
    # When the loop goes, s3 goes too, and the deadline from s2 to s4 (through s3) must stay valid.
    steps = [step("s0", actor="client", next=["s4", "s0"]), step("s1", actor="client"), step("s2", actor="client"),
             step("s3", actor="client"), step("s4", actor="client"), step("s5", actor="client", next=["s6", "s3"]),
             step("s6", actor="client"), step("s7", actor="client")]
    rules = {"r0": {"name": "Regel", "level": "local", "deadline_days": 0, "from": "s2", "to": "s4"}}
    doc = copy.deepcopy(BASE)
    doc.update(steps=steps, rules=rules)
    loaded = load_text(yaml.safe_dump(doc, allow_unicode=True), "test.yaml")
    assert loaded.ok
    s = simulate(analyze(loaded.case), codes=["L01"])
    assert "s3" not in [x.id for x in s.to_be_case.steps]
    assert (s.to_be_case.rules["r0"].from_step, s.to_be_case.rules["r0"].to_step) == ("s2", "s4")
    assert_valid_file(s)


def test_two_items_fetched_with_one_paper_are_each_consulted():
    # Found by hypothesis: the client fetches two items with one trip (s3) and hands both in at
    # a step that costs nothing itself (s2). D02 of the first item takes the trip away; the
    # second item's D02 then has no saving of its own, but its action is still needed: it must
    # not give way to the first item's proposal (another item), nor to itself in the to-be.
    data = {"i0": {"name": "Gegeven i0", "source": "rijksregister", "stable": True},
            "i1": {"name": "Gegeven i1", "source": "rijksregister", "stable": True}}
    free = dict(actor="client", kind="contact", client_minutes=0, staff_minutes=0, rule="r0")
    steps = [step("s0", **free), step("s1", **free), step("s2", **free, brings=["i0", "i1"], repeats_every_days=30),
             step("s3", actor="client", kind="contact", client_minutes=5, provides=["i0", "i1"], next=["s0"])]
    doc = copy.deepcopy(BASE)
    doc.update(data=data, steps=steps, rules={"r0": {"name": "Regel r0", "level": "local"}})
    loaded = load_text(yaml.safe_dump(doc, allow_unicode=True), "test.yaml")
    assert loaded.ok, [str(p) for p in loaded.problems]
    analysis = analyze(loaded.case)
    second = [f for f in analysis.findings if f.code == "D02" and f.data == ("i1",)]
    assert second and second[0].proposal.defers_to is None
    to_be = simulate(analysis, codes=["D02"]).to_be_analysis
    assert not [f.data for f in to_be.findings if f.code == "D02"]
    assert_valid_file(simulate(analysis, codes=["D02"]))


# --- the effects of version 1.1 ----------------------------------------------------------------

FACTS = {
    **BASE["data"],
    "tax": {"name": "Belastbaar inkomen", "source": "fod_financien"},
    "tax_letter": {"name": "Aanslagbiljet", "proves": "tax"},
    "handicap": {"name": "Erkende handicap", "stable": True},
    "handicap_cert": {"name": "Doktersattest", "proves": "handicap"},
    "report": {"name": "Medisch verslag"},
    "care": {"name": "Zorgnood"},
}


def analysed11(steps, **sections):
    sections.setdefault("data", FACTS)
    return analysed(steps, **sections)


def test_d04_the_maker_passes_it_on_and_stays():
    a = analysed11([
        step("ontslag", actor="caw", client_minutes=20, staff_minutes=20, provides=["report"]),
        step("aanvraag", actor="desk", client_minutes=40, staff_minutes=20, brings=["report"], asks=["income"]),
        step("beslissing", actor="board", kind="decision", uses=["report", "income"]),
    ])
    s = simulate(a, codes=["D04"])
    steps = {x.id: x for x in s.to_be_case.steps}
    assert "ontslag" in steps and steps["ontslag"].client_minutes == 20  # the discharge still happens
    assert steps["aanvraag"].brings == [] and steps["aanvraag"].staff_minutes == 20  # staff still receive it
    assert steps["aanvraag"].client_minutes < 40
    assert "niet meer via de cliënt («Stap aanvraag»): «Medisch verslag»" in s.applied[0].changes[0]
    assert not codes_of(s.to_be_analysis, "D04")
    assert_valid_file(s)


def test_d04_gives_way_to_d03_so_the_trip_for_a_paper_nobody_uses_goes():
    # Nobody uses the statements: dropping them (D03) is the one action, passing them on
    # (D04) gives way, and the trip to fetch them has no purpose left.
    a = analysed11([
        step("bank", actor="bank", client_minutes=30, provides=["statements"]),
        step("aanvraag", actor="desk", client_minutes=40, brings=["statements"]),
        step("beslissing", actor="board", kind="decision", uses=["income"]),
    ])
    assert [x.id for x in simulate(a, codes=["D03"]).to_be_case.steps] == ["aanvraag", "beslissing"]
    both = simulate(a, codes=["D04", "D03"])
    assert [x.id for x in both.to_be_case.steps] == ["aanvraag", "beslissing"]
    [d04] = codes_of(a, "D04")
    assert d04.proposal.defers_to == "D03" and d04.proposal.saving.euro_year == 0
    # D04 alone still passes the paper on and keeps the maker
    assert [x.id for x in simulate(a, codes=["D04"]).to_be_case.steps] == ["bank", "aanvraag", "beslissing"]


def test_r01_a_renewal_asks_only_what_can_change():
    a = analysed11([
        step("aanvraag", client_minutes=30, brings=["tax_letter", "handicap_cert"], asks=["care"]),
        step("renew", client_minutes=45, staff_minutes=20, repeats_every_days=365,
             brings=["tax_letter", "handicap_cert"], asks=["care"]),
        step("beslissing", actor="board", kind="decision", uses=["tax", "handicap", "care"]),
    ])
    s = simulate(a, codes=["R01"])
    renew = {x.id: x for x in s.to_be_case.steps}["renew"]
    assert renew.brings == [] and renew.asks == ["care"] and renew.repeats_every_days == 365
    assert any("Erkende handicap" in c and "dossier" in c for c in s.applied[0].changes)
    assert any("FOD Financiën" in c for c in s.applied[0].changes)
    assert s.to_be.annual.client_hours < a.metrics.annual.client_hours
    assert not codes_of(s.to_be_analysis, "R01")
    assert_valid_file(s)


def test_t03_the_to_be_lead_time_is_the_lead_time_of_the_real_dependencies():
    a = analysed([
        step("ontslag"), step("fod", actor="rva", wait_days=90), step("ocmw", actor="desk", wait_days=5, depends_on=["ontslag"]),
        step("huisbezoek", wait_days=14, depends_on=["ocmw"]), step("beslissing", actor="board", wait_days=14,
                                                                    depends_on=["huisbezoek", "fod"]),
    ])
    assert a.metrics.lead_time_days == 123 and a.metrics.dependency_lead_time_days == 104
    s = simulate(a, codes=["T03"])
    assert s.to_be.lead_time_days == 104  # the decision still waits for the FOD, as it says
    assert not codes_of(s.to_be_analysis, "T03")
    assert "Stap ocmw" in s.applied[0].changes[0]
    assert_valid_file(s)


def test_t03_a_step_keeps_its_place_when_moving_it_lengthens_a_deadline():
    # c needs only a, but the deadline runs from b to c: led to from a, c could no
    # longer be reached from b, and the deadline could not be checked. c keeps its place.
    rules = {"r": {"name": "Termijn", "level": "local", "deadline_days": 10, "from": "b", "to": "c"}}
    a = analysed([step("a", wait_days=3), step("b", wait_days=2), step("c", wait_days=4, depends_on=["a"])],
                 rules=rules)
    [f] = codes_of(a, "T03")
    assert f.steps == ("c",)
    s = simulate(a, codes=["T03"])
    assert s.applied[0].changes == ("Blijft wachten op de stap ervoor, omdat een termijn of het verloop anders "
                                    "niet meer klopt: «Stap c».",)
    assert s.to_be_case.rules["r"].to_step == "c" and s.to_be.lead_time_days == a.metrics.lead_time_days
    assert_valid_file(s)


def test_p04_the_later_agency_takes_the_assessment_over():
    a = analysed11([
        step("a", client_minutes=20, asks=["care", "income", "rent"]),
        step("vaph", actor="rva", kind="decision", staff_minutes=60, uses=["care", "income", "handicap_cert"]),
        step("ocmw", actor="board", kind="decision", staff_minutes=40, uses=["care", "income", "rent"]),
    ])
    [f] = codes_of(a, "P04")
    s = simulate(a, codes=["P04"])
    ocmw = {x.id: x for x in s.to_be_case.steps}["ocmw"]
    assert ocmw.uses == ["rent"] and ocmw.staff_minutes < 40
    assert "«Zorgnood» en «Inkomen»" in s.applied[0].changes[0]
    assert not codes_of(s.to_be_analysis, "P04") and not codes_of(s.to_be_analysis, "D03")
    assert_valid_file(s)


def test_n01_the_organisation_invites_the_entitled():
    a = analysed11([step("a", client_minutes=20, asks=["tax"]), step("b", actor="board", kind="decision", uses=["tax"])],
                   case={"eligible_per_year": 300})
    s = simulate(a, codes=["N01"])
    assert s.to_be_case.case.initiated_by == "organisation"
    assert "FOD Financiën" in s.applied[0].changes[0]
    assert not codes_of(s.to_be_analysis, "N01")
    assert_valid_file(s)


def test_c01_the_social_worker_the_client_meets_most_becomes_trajectbegeleider():
    steps = [step("a", actor="desk", client_minutes=10), step("b", client_minutes=10), step("c", client_minutes=10),
             step("d", actor="caw", client_minutes=10), step("e", actor="bank", client_minutes=10)]
    s = simulate(analysed(steps), codes=["C01"])
    assert s.to_be_case.actors["mw"].case_manager and not s.to_be_case.actors["desk"].case_manager
    assert s.applied[0].changes == ("Eén trajectbegeleider als vast aanspreekpunt voor de cliënt over alle "
                                    "organisaties heen: «Maatschappelijk werker».",)
    assert "case_manager: true" in to_be_yaml(s)
    assert_valid_file(s)


def test_c01_adds_a_trajectbegeleider_when_no_local_service_meets_the_client():
    actors = {**BASE["actors"], "vdab": {"name": "VDAB", "level": "flemish"}}
    steps = [step("a", actor="rva", client_minutes=10), step("b", actor="bank", client_minutes=10),
             step("c", actor="vdab", client_minutes=10)]
    s = simulate(analysed(steps, actors=actors), codes=["C01"])
    added = s.to_be_case.actors["trajectbegeleider"]
    assert added.case_manager and added.org == "OCMW Test" and added.level.value == "local"
    assert not codes_of(s.to_be_analysis, "C01")
    assert_valid_file(s)


def test_a_step_that_goes_passes_its_dependencies_on():
    # P01 removes the second decision; the notification that depended on it now
    # depends on what that decision needed.
    a = analysed([
        step("a"), step("b", actor="board", kind="decision", uses=["income"], depends_on=["a"]),
        step("c", actor="board", kind="decision", uses=["income"]),
        step("d", depends_on=["c"]),
    ])
    s = simulate(a, codes=["P01"])
    steps = {x.id: x for x in s.to_be_case.steps}
    assert "c" not in steps and steps["d"].depends_on == ["b"]
    assert_valid_file(s)
