"""Generate valid, realistic-looking case files for benchmarks.

``generate_case(seed, n_steps, n_items)`` returns a case as plain data (dump it
with yaml.safe_dump). Steps go forward with branches, some loops back, forms,
authentic sources, rules with deadlines and decisions with ``uses``, so every
detector has work to do. The same seed gives the same case.
"""

from __future__ import annotations

import random

ORGANISATIONS = [
    "OCMW Lindenberg", "OCMW Heidebeek", "OCMW Ravelingen", "OCMW Oostervelde", "OCMW Wilgendaal",
    "OCMW Brugdam", "OCMW Kempenrode", "OCMW Scheldeveld", "OCMW Zonnegem", "OCMW Leiedonk",
]
PROCEDURES = ["leefloon", "verwarmingstoelage", "huurwaarborg", "schuldbemiddeling", "medische_kaart", "activering"]
SOURCES = ["rijksregister", "rva", "mutualiteit", "pensioen", "handicap", "groeipakket", "rsz", "fod_financien", "kadaster", "vdab"]
KINDS = ["contact", "form", "document", "visit", "decision", "referral", "notification", "internal"]
CHANNELS = ["in_person", "home_visit", "phone", "letter", "email", "online", "internal"]
ACTORS = {
    "client": {"name": "Cliënt", "level": "client"},
    "onthaal": {"name": "Onthaal", "level": "local"},
    "mw": {"name": "Maatschappelijk werker", "level": "local"},
    "bcsd": {"name": "Bijzonder comité", "level": "local"},
    "caw": {"name": "CAW", "level": "local"},
    "rva": {"name": "RVA-kantoor", "level": "federal"},
    "vdab": {"name": "VDAB", "level": "flemish"},
    "bank": {"name": "Bank", "level": "private"},
}


def generate_case(seed: int, n_steps: int = 20, n_items: int = 12, case_id: str | None = None) -> dict:
    rng = random.Random(seed)
    organisation = rng.choice(ORGANISATIONS)
    actors = {k: dict(v) for k, v in ACTORS.items()}
    for key in ("onthaal", "mw", "bcsd"):
        actors[key]["organisation"] = organisation
    data = {}
    for i in range(n_items):
        item = {"name": f"Gegeven {i}"}
        if rng.random() < 0.4:
            item["source"] = rng.choice(SOURCES)
        data[f"d{i}"] = item
    items = list(data)
    forms = {}
    for i in range(max(1, n_steps // 15)):
        forms[f"form{i}"] = {
            "name": f"Formulier {i}",
            "owner": rng.choice(["mw", "onthaal", "rva"]),
            "fields": rng.sample(items, min(len(items), rng.randint(3, 18))),
            "attachments": rng.sample(items, min(len(items), rng.randint(0, 4))),
            "pages": rng.randint(1, 6),
        }
    steps = []
    for i in range(n_steps):
        kind = rng.choice(KINDS)
        channel = rng.choice(CHANNELS)
        client_side = channel not in ("internal",) and kind != "internal"
        step = {
            "id": f"s{i}",
            "name": f"Stap {i}",
            "actor": rng.choice(list(actors)[1:]),
            "kind": kind,
            "channel": channel,
            "client_minutes": rng.choice([0, 10, 15, 30, 45, 60, 90]) if client_side else 0,
            "staff_minutes": rng.choice([0, 5, 10, 15, 30, 60]),
            "wait_days": rng.choice([0, 0, 1, 2, 3, 5, 7, 10, 14, 21, 30]),
            "duration_days": rng.choice([0, 0, 0, 1, 2]),
            "tells_story": client_side and rng.random() < 0.25,
        }
        if client_side and rng.random() < 0.5:
            step["asks"] = rng.sample(items, min(len(items), rng.randint(1, 4)))
        if kind == "form" and forms:
            step["form"] = rng.choice(list(forms))
        if kind == "document" and rng.random() < 0.5:
            step["brings"] = rng.sample(items, min(len(items), rng.randint(1, 3)))
        if kind in ("decision", "internal"):
            step["uses"] = rng.sample(items, min(len(items), rng.randint(1, 5)))
        if i > 2 and rng.random() < 0.06:
            back = rng.randint(max(0, i - 5), i)
            step["next"] = [{"to": f"s{back}", "when": "onvolledig", "chance": round(rng.uniform(0.05, 0.4), 2)}]
            if i + 1 < n_steps:
                step["next"].append({"to": f"s{i + 1}"})
        elif i + 2 < n_steps and rng.random() < 0.08:
            step["next"] = [{"to": f"s{i + 1}", "when": "ja", "chance": 0.7}, {"to": f"s{i + 2}", "when": "nee", "chance": 0.3}]
        steps.append(step)
    rules = {
        "deadline": {
            "name": "Beslissing binnen 30 dagen",
            "level": "federal",
            "deadline_days": 30,
            "from": "s0",
            "to": f"s{n_steps - 1}",
        },
        "reglement": {"name": "Intern reglement", "level": "local"},
    }
    for form in forms.values():
        if rng.random() < 0.5:
            form["rule"] = "reglement"
    return {
        "case": {
            "id": case_id or f"gen-{seed}",
            "title": f"Gegenereerde casus {seed}",
            "organisation": organisation,
            "municipality": organisation.removeprefix("OCMW "),
            "procedure": rng.choice(PROCEDURES),
            "cases_per_year": rng.choice([20, 50, 120, 240, 400]),
            "story": "Een gegenereerde casus voor metingen.",
        },
        "actors": actors,
        "data": data,
        "rules": rules,
        "forms": forms,
        "steps": steps,
    }
