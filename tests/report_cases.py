"""Case files for the report tests: a hostile case, and a generated large one."""

from __future__ import annotations

import yaml

# Every text a case can carry, made hostile: HTML, script, event handlers,
# jinja2 syntax and Graphviz syntax. Short markers, so they survive the line
# wrapping of map labels and can be found whole in the SVG.
SCRIPT = '<script>alert("xss")</script>'
IMG = "<img src=x onerror=alert(1)>"
JINJA = "{{ 7*7 }}"
JINJA_BLOCK = "{% if true %}J{% endif %}"
BOLD = "<b>bold</b>"
DOT = '\\N \\" \\l [x] {y}'
QUOTES = "\"q\" 'a' & &amp; ]]> <!-- c -->"
MARKERS = (SCRIPT, IMG, JINJA, JINJA_BLOCK, BOLD, DOT, QUOTES)


def hostile_case() -> dict:
    evil = " ".join(MARKERS)
    return {
        "case": {
            "id": "hostile",
            "title": f"Hostile {SCRIPT} {JINJA}",
            "organisation": f"OCMW {BOLD}",
            "municipality": IMG,
            "procedure": "leefloon",
            "mapped_by": [JINJA_BLOCK, QUOTES],
            "cases_per_year": 12,
            "story": evil,
        },
        "actors": {
            "client": {"name": f"Client {SCRIPT}", "level": "client"},
            "desk": {"name": f"Desk {IMG}", "level": "local", "organisation": f"OCMW {BOLD}"},
            "mw": {"name": f"Worker {DOT}", "level": "local", "organisation": f"OCMW {BOLD}"},
            "fed": {"name": f"Federal {QUOTES}", "level": "federal", "organisation": f"Org {JINJA}"},
            "other": {"name": f"Other {DOT}", "level": "private", "organisation": f"Bank {DOT}"},
        },
        "data": {
            "identity": {"name": f"Identity {BOLD}", "source": "rijksregister"},
            "income": {"name": f"Income {JINJA}"},
            "bank": {"name": f"Bank {DOT}"},
        },
        "rules": {
            "decide": {"name": f"Rule {SCRIPT}", "level": "federal", "ref": IMG,
                       "deadline_days": 5, "from": "start", "to": "decision"},
        },
        "forms": {
            "app": {"name": f"Form {JINJA_BLOCK}", "owner": "mw", "fields": ["identity", "income", "bank"],
                    "attachments": ["bank", "income", "identity"]},
        },
        "steps": [
            {"id": "start", "name": f"Start {SCRIPT}", "actor": "desk", "kind": "contact", "channel": "in_person",
             "client_minutes": 30, "staff_minutes": 10, "tells_story": True, "asks": ["identity"],
             "note": evil},
            {"id": "self", "name": f"Self {IMG}", "actor": "client", "kind": "document", "channel": "online",
             "client_minutes": 20, "wait_days": 1},
            {"id": "intake", "name": f"Intake {BOLD} {JINJA}", "actor": "mw", "kind": "form", "channel": "in_person",
             "client_minutes": 60, "staff_minutes": 45, "wait_days": 3, "tells_story": True, "form": "app"},
            {"id": "fedstep", "name": f"Fed {DOT}", "actor": "fed", "kind": "referral", "channel": "in_person",
             "client_minutes": 40, "wait_days": 20, "tells_story": True, "asks": ["identity", "income"]},
            {"id": "bankstep", "name": f"Bank {QUOTES}", "actor": "other", "kind": "document", "channel": "in_person",
             "client_minutes": 30, "wait_days": 2, "provides": ["bank"],
             "next": [{"to": "intake", "when": f"missing {SCRIPT}", "chance": 0.3},
                      {"to": "decision", "when": f"complete {DOT} {JINJA}"}]},
            {"id": "decision", "name": f"Decision {JINJA_BLOCK}", "actor": "mw", "kind": "decision",
             "channel": "internal", "staff_minutes": 20, "wait_days": 9, "uses": ["identity", "bank"],
             "rule": "decide"},
        ],
    }


def hostile_case_text() -> str:
    return yaml.safe_dump(hostile_case(), sort_keys=False, allow_unicode=True)


def large_case(n_steps: int = 100, n_orgs: int = 12, n_items: int = 30) -> dict:
    """A generated case of ``n_steps`` steps over ``n_orgs`` organisations, with branches, a loop and forms."""
    actors = {"client": {"name": "Cliënt", "level": "client"}}
    for i in range(n_orgs):
        actors[f"a{i}"] = {"name": f"Dienst {i}", "level": "local" if i < n_orgs // 2 else "federal",
                           "organisation": "OCMW Groot" if i < 3 else f"Organisatie {i}"}
    data = {f"d{i}": {"name": f"Gegeven nummer {i}", **({"source": "rijksregister"} if i % 4 == 0 else {})}
            for i in range(n_items)}
    steps = []
    for i in range(n_steps):
        step = {
            "id": f"s{i}", "name": f"Stap {i}: iets doen voor het dossier van de cliënt",
            "actor": "client" if i % 17 == 5 else f"a{(i * 7) % n_orgs}",
            "kind": "decision" if i % 10 == 9 else "contact",
            "channel": "in_person" if i % 3 == 0 else "internal",
            "client_minutes": 15 if i % 3 == 0 else 0, "staff_minutes": 10 + i % 20,
            "wait_days": (i * 3) % 16, "duration_days": i % 2,
            "tells_story": i % 11 == 0,
            "asks": [f"d{(i + k) % n_items}" for k in range(i % 4)],
            "uses": [f"d{(i + 1) % n_items}"] if i % 10 == 9 else [],
        }
        if i % 15 == 3 and i + 3 < n_steps:
            step["next"] = [{"to": f"s{i + 1}", "when": "gewoon", "chance": 0.7},
                            {"to": f"s{i + 2}", "when": "uitzondering", "chance": 0.3}]
        if i == n_steps // 2:
            step["next"] = [{"to": f"s{i - 4}", "when": "onvolledig", "chance": 0.2}, {"to": f"s{i + 1}"}]
        steps.append(step)
    steps[1]["form"] = "big"
    return {
        "case": {"id": f"groot-{n_steps}", "title": f"Gegenereerde casus met {n_steps} stappen",
                 "organisation": "OCMW Groot", "procedure": "leefloon", "cases_per_year": 500},
        "actors": actors,
        "data": data,
        "rules": {"termijn": {"name": "Beslissing binnen 30 dagen", "level": "federal", "deadline_days": 30,
                              "from": "s0", "to": f"s{n_steps - 1}"}},
        "forms": {"big": {"name": "Groot formulier", "owner": "a0", "fields": [f"d{i}" for i in range(20)],
                          "attachments": ["d1", "d2", "d3"]}},
        "steps": steps,
    }


def large_case_text(n_steps: int = 100) -> str:
    return yaml.safe_dump(large_case(n_steps), sort_keys=False, allow_unicode=True)
