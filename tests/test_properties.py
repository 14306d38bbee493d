"""Properties of the analysis over generated valid cases (hypothesis).

The strategy builds case files as plain data, valid by construction: every
step but the last keeps an edge to the next one (so any later step is
reachable), loops only go back, rules run from an earlier step to a later one.
Every case also goes through the real loader, so the properties hold for what
a user can write.
"""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kafka.analysis import analyze
from kafka.detectors import CODES
from kafka.findings import Level
from kafka.loader import load_text

ACTOR_LEVELS = ["local", "local", "client", "private", "flemish", "federal", "european"]
SOURCES = [None, None, "rijksregister", "rva", "vdab", "own"]
KINDS = ["contact", "form", "document", "visit", "decision", "referral", "notification", "internal"]
CHANNELS = ["in_person", "home_visit", "phone", "letter", "email", "online", "internal"]
RULE_LEVELS = ["local", "flemish", "federal", "european"]


@st.composite
def cases(draw, max_steps: int = 12) -> dict:
    n_items = draw(st.integers(0, 6))
    items = [f"i{k}" for k in range(n_items)]
    n_actors = draw(st.integers(1, 4))
    actors = {"client": {"name": "Cliënt", "level": "client"}}
    for k in range(n_actors):
        actor = {"name": f"Actor {k}", "level": draw(st.sampled_from(ACTOR_LEVELS[:1] + ACTOR_LEVELS[3:]))}
        if draw(st.booleans()):
            actor["organisation"] = draw(st.sampled_from(["OCMW A", "OCMW B", "CAW"]))
        actors[f"a{k}"] = actor
    actor_keys = list(actors)
    data = {}
    for item in items:
        entry = {"name": f"Gegeven {item}"}
        source = draw(st.sampled_from(SOURCES))
        if source:
            entry["source"] = source
        data[item] = entry
    some_items = st.lists(st.sampled_from(items), max_size=3) if items else st.just([])
    n_rules = draw(st.integers(0, 2))
    forms = {}
    for k in range(draw(st.integers(0, 2))):
        form = {"name": f"Formulier {k}", "owner": draw(st.sampled_from(actor_keys)),
                "fields": draw(some_items), "attachments": draw(some_items)}
        if n_rules and draw(st.booleans()):
            form["rule"] = f"r{draw(st.integers(0, n_rules - 1))}"
        forms[f"f{k}"] = form

    n_steps = draw(st.integers(1, max_steps))
    steps = []
    for i in range(n_steps):
        step = {
            "id": f"s{i}",
            "name": f"Stap {i}",
            "actor": draw(st.sampled_from(actor_keys)),
            "kind": draw(st.sampled_from(KINDS)),
            "channel": draw(st.sampled_from(CHANNELS)),
            "client_minutes": draw(st.sampled_from([0, 0, 5, 30, 90.5])),
            "staff_minutes": draw(st.sampled_from([0, 10, 45])),
            "wait_days": draw(st.sampled_from([0, 0, 3, 13, 14, 30])),
            "duration_days": draw(st.sampled_from([0, 0, 1, 2.5])),
            "tells_story": draw(st.booleans()),
            "asks": draw(some_items),
            "brings": draw(some_items),
            "provides": draw(some_items),
            "uses": draw(some_items),
        }
        if forms and draw(st.booleans()):
            step["form"] = draw(st.sampled_from(list(forms)))
        if n_rules and draw(st.integers(0, 3)) == 0:
            step["rule"] = f"r{draw(st.integers(0, n_rules - 1))}"
        targets = []
        if i + 1 < n_steps:
            targets.append({"to": f"s{i + 1}"})
            if i + 2 < n_steps and draw(st.booleans()):
                targets.append({"to": f"s{i + 2}", "when": "kortere weg", "chance": 0.3})
        if draw(st.integers(0, 4)) == 0:
            back = draw(st.integers(0, i))
            targets.append({"to": f"s{back}", "when": "onvolledig", "chance": draw(st.sampled_from([0.1, 0.5, 1.0]))})
        if sum(t.get("chance", 0) for t in targets) > 1:  # the validator refuses that
            for t in targets:
                t.pop("chance", None)
        if targets != [{"to": f"s{i + 1}"}]:  # otherwise the implicit edge says it all
            step["next"] = targets
        steps.append(step)

    rules = {}
    for k in range(n_rules):
        rule = {"name": f"Regel {k}", "level": draw(st.sampled_from(RULE_LEVELS))}
        if draw(st.booleans()):
            a = draw(st.integers(0, n_steps - 1))
            b = draw(st.integers(a, n_steps - 1))
            rule.update(deadline_days=draw(st.sampled_from([0, 10, 30])), **{"from": f"s{a}", "to": f"s{b}"})
        rules[f"r{k}"] = rule
    return {
        "case": {"id": "gen", "title": "Gegenereerd", "organisation": "OCMW A",
                 "cases_per_year": draw(st.sampled_from([1, 12, 240])),
                 "initiated_by": draw(st.sampled_from(["client", "organisation"]))},
        "actors": actors,
        "data": data,
        "sources": {"own": {"name": "Eigen register", "level": "local", "local_access": draw(st.booleans())}},
        "rules": rules,
        "forms": forms,
        "steps": steps,
    }


def load(doc: dict):
    loaded = load_text(json.dumps(doc, ensure_ascii=False), "generated.yaml")  # JSON is YAML
    assert loaded.ok, [str(p) for p in loaded.errors]
    return loaded.case


PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(cases())
def test_analysis_never_crashes_and_names_only_known_ids(doc):
    case = load(doc)
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
@given(cases())
def test_metrics_are_consistent(doc):
    case = load(doc)
    m = analyze(case).metrics
    assert m.data_unique <= m.data_asked
    assert m.in_person_visits <= m.client_contacts <= m.steps
    assert m.organisations <= m.client_contacts
    assert m.story_count <= m.steps
    largest_single = max(s.wait_days + s.duration_days for s in case.steps)
    assert m.lead_time_days >= largest_single
    assert m.lead_time_days == m.waiting_days + m.touch_days
    assert 0 <= m.flow_efficiency <= 1
    assert m.loop_extra_days >= 0


@PROPERTY
@given(cases(), st.data())
def test_removing_a_step_never_raises_the_client_minutes(doc, data):
    before = analyze(load(doc)).metrics
    if len(doc["steps"]) < 2:
        return
    gone = data.draw(st.integers(0, len(doc["steps"]) - 1))
    removed = doc["steps"].pop(gone)["id"]
    ids = [s["id"] for s in doc["steps"]]
    for step in doc["steps"]:
        if "next" in step:
            step["next"] = [t for t in step["next"] if t["to"] != removed]
    for rule in doc["rules"].values():
        if removed in (rule.get("from"), rule.get("to")):
            for key in ("from", "to", "deadline_days"):
                rule.pop(key, None)
    # The rest of the flow may now be cut off; reconnect each step to the next.
    for i, step in enumerate(doc["steps"][:-1]):
        if "next" in step and ids[i + 1] not in [t["to"] for t in step["next"]]:
            step["next"].append({"to": ids[i + 1]})
    after = analyze(load(doc)).metrics
    assert after.client_minutes <= before.client_minutes
    assert after.client_contacts <= before.client_contacts
    assert after.story_count <= before.story_count


@PROPERTY
@given(cases())
def test_everything_local_gives_only_local_findings(doc):
    for actor in doc["actors"].values():
        if actor["level"] != "client":
            actor["level"] = "local"
    for rule in doc["rules"].values():
        rule["level"] = "local"
    for item in doc["data"].values():
        if item.get("source") in ("vdab", "own"):
            item["source"] = "rijksregister"  # sources with local access only
    analysis = analyze(load(doc))
    assert all(f.level is Level.LOCAL for f in analysis.findings)


@PROPERTY
@given(cases())
def test_the_analysis_is_deterministic(doc):
    case = load(doc)
    assert analyze(case).to_dict() == analyze(case).to_dict()
