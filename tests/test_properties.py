"""Properties of the analysis over generated valid cases (hypothesis).

The cases come from tests/strategies.py (valid by construction, every part of
the contract exercised) and go through the real loader, so the properties
hold for what a user can write.
"""

from __future__ import annotations

import json


from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kafka.analysis import analyze
from kafka.detectors import CODES
from kafka.findings import Level
from strategies import case_docs, load_doc

PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(case_docs())
def test_analysis_never_crashes_and_names_only_known_ids(doc):
    case = load_doc(doc)
    analysis = analyze(case)
    step_ids = {s.id for s in case.steps}
    for finding in analysis.findings:
        assert finding.code in CODES
        assert finding.steps, finding
        assert set(finding.steps) <= step_ids
        assert set(finding.data) <= set(case.data)
        assert finding.level in (Level.LOCAL, Level.SUPRALOCAL)
        assert finding.proposal.level is finding.level
        assert finding.message and finding.proposal.title and finding.proposal.text
        assert "{" not in finding.message + finding.proposal.text  # every placeholder filled
        saving = finding.proposal.saving
        assert min(saving.client_minutes, saving.staff_minutes, saving.lead_days, saving.euro_year) >= 0
    json.dumps(analysis.to_dict())  # the JSON output always serialises


@PROPERTY
@given(case_docs())
def test_metrics_are_consistent(doc):
    case = load_doc(doc)
    m = analyze(case).metrics
    assert m.data_unique <= m.data_asked
    assert m.in_person_visits <= m.client_contacts <= m.steps
    assert m.organisations <= m.client_contacts
    assert m.story_count <= m.steps
    largest_single = max(s.wait_days + s.duration_days for s in case.steps)
    assert m.lead_time_days >= largest_single
    assert m.lead_time_days == m.waiting_days + m.touch_days
    # the contract's recipe, with the flow predecessors for every step, gives the lead time
    graph = analyze(case).graph
    assert max(end for _, end in graph.schedule(by_dependencies=False).values()) == m.lead_time_days
    if not any(s.depends_on is not None for s in case.steps):
        assert m.dependency_lead_time_days == m.lead_time_days
    assert m.take_up is None or m.take_up > 0
    assert 0 <= m.flow_efficiency <= 1
    assert m.loop_extra_days >= 0


@PROPERTY
@given(case_docs(), st.data())
def test_removing_a_step_never_raises_the_client_minutes(doc, data):
    before = analyze(load_doc(doc)).metrics
    if len(doc["steps"]) < 2:
        return
    gone = data.draw(st.integers(0, len(doc["steps"]) - 1))
    removed = doc["steps"].pop(gone)["id"]
    ids = [s["id"] for s in doc["steps"]]
    for step in doc["steps"]:
        if "next" in step:
            step["next"] = [t for t in step["next"] if t["to"] != removed]
        if "depends_on" in step:
            step["depends_on"] = [d for d in step["depends_on"] if d != removed]
    for rule in doc["rules"].values():
        if removed in (rule.get("from"), rule.get("to")):
            for key in ("from", "to", "deadline_days", "binds"):
                rule.pop(key, None)
    # The rest of the flow may now be cut off; reconnect each step to the next.
    for i, step in enumerate(doc["steps"][:-1]):
        if "next" in step and ids[i + 1] not in [t["to"] for t in step["next"]]:
            step["next"].append({"to": ids[i + 1]})
    after = analyze(load_doc(doc)).metrics
    assert after.client_minutes <= before.client_minutes
    assert after.client_contacts <= before.client_contacts
    assert after.story_count <= before.story_count


@PROPERTY
@given(case_docs())
def test_everything_local_gives_only_local_findings(doc):
    for actor in doc["actors"].values():
        if actor["level"] != "client":
            actor["level"] = "local"
    for rule in doc["rules"].values():
        rule["level"] = "local"
    for item in doc["data"].values():
        if item.get("source") in ("vdab", "own", "closed"):
            item["source"] = "rijksregister"  # sources with local access only
        elif "source" not in item and "proves" not in item:
            item["source"] = "rijksregister"  # N01: the entitled can only be found locally from sources
    analysis = analyze(load_doc(doc))
    # N01 without any fact the decisions use stays supralocal: nothing says who is entitled.
    assert all(f.level is Level.LOCAL for f in analysis.findings if not (f.code == "N01" and not f.data))


@PROPERTY
@given(case_docs())
def test_the_analysis_is_deterministic(doc):
    case = load_doc(doc)
    assert analyze(case).to_dict() == analyze(case).to_dict()
