"""Generate realistic random case files, for the aggregation benchmark and tests.

    .venv/bin/python benchmarks/generate_cases.py OUT_DIR [--count 1000] [--seed 1] [--check]

Each case is one client in one of six procedures at one of 40 OCMW's, with
10 to 30 steps: an intake with a form, documents fetched at the bank, the
landlord or another office, referrals to the RVA, the mutualiteit or the
VDAB, a home visit, a committee decision, a notification and follow-up;
with waits, retold stories, loops back for missing papers and deadlines
from real rules (RMI-wet art. 21, the 60 days of the heating allowance).

The vocabulary is shared across cases the way it is in reality, with the
variation that makes merging proposals non-trivial: one OCMW calls the
household composition ``household``, another ``gezin``; one writes
"Gezinssamenstelling", another "Samenstelling van het gezin"; rules are
cited by the same legal reference. The same seed gives the same files.
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

import yaml

MUNICIPALITIES = [
    "Lindenberg", "Heidebeek", "Ravelingen", "Oostervelde", "Wilgendaal", "Brugzande", "Essenrode", "Kasteelhove",
    "Kempenrode", "Scheldeveld", "Zonnegem", "Leiedonk", "Meerbeke-Noord", "Hoogstraten-Veld", "Dijlerode",
    "Nethevoort", "Demerzele", "Berkenhout", "Vlierbeek", "Molenzande", "Eikenlo", "Rupelmonde-Oost", "Grotenhaag",
    "Paddenbroek", "Lindeveld", "Zavelhove", "Bosmolen", "Klaverbeke", "Heuvelrode", "Waterhoek", "Vossendaal",
    "Beukendonk", "Elsegem", "Hazelbroek", "Maasrode", "Ijzerdonk", "Kanaalzijde", "Polderzande", "Veenhove",
    "Duinbergen-Oost",
]

# Data items: (canonical key, [ids used by different OCMW's], [names], source or None)
ITEMS = [
    ("identity", ["identity", "identiteit", "id_kaart"], ["Identiteitskaart", "Identiteit en rijksregisternummer"], "rijksregister"),
    ("household", ["household", "gezin", "gezinssamenstelling"], ["Gezinssamenstelling", "Samenstelling van het gezin"], "rijksregister"),
    ("address", ["address", "adres"], ["Adres en verblijf", "Domicilie"], "rijksregister"),
    ("unemployment", ["unemployment", "werkloosheid", "rva_attest"], ["Attest werkloosheidsuitkering", "Beslissing RVA"], "rva"),
    ("health", ["health", "kleefbriefje", "mutualiteit"], ["Kleefbriefje mutualiteit", "Attest ziekenfonds"], "mutualiteit"),
    ("increased", ["increased", "vt", "verhoogde_tegemoetkoming"], ["Verhoogde tegemoetkoming", "Attest verhoogde tegemoetkoming"], "mutualiteit"),
    ("pension", ["pension", "pensioen"], ["Pensioenbedrag", "Attest pensioen"], "pensioen"),
    ("child_benefit", ["child_benefit", "groeipakket", "kinderbijslag"], ["Attest Groeipakket", "Kinderbijslag"], "groeipakket"),
    ("payslips", ["payslips", "loonfiches", "loon"], ["Loonfiches laatste 3 maanden", "Loonbrieven"], "rsz"),
    ("tax", ["tax", "aanslagbiljet", "belastingen"], ["Aanslagbiljet personenbelasting", "Laatste aanslagbiljet"], "fod_financien"),
    ("property", ["property", "eigendom", "kadaster"], ["Eigendommen en kadastraal inkomen", "Kadastraal inkomen"], "kadaster"),
    ("disability", ["disability", "handicap"], ["Tegemoetkoming personen met een handicap"], "handicap"),
    ("jobseeker", ["jobseeker", "vdab", "werkzoekende"], ["Inschrijving als werkzoekende", "Attest VDAB"], "vdab"),
    ("income", ["income", "inkomsten"], ["Inkomsten laatste 3 maanden", "Verklaring over inkomsten"], None),
    ("bank_statements", ["bank_statements", "rekeninguittreksels", "bank"], ["Rekeninguittreksels 3 maanden", "Bankuittreksels"], None),
    ("rent_contract", ["rent_contract", "huurcontract"], ["Huurcontract", "Huurovereenkomst"], None),
    ("energy_bills", ["energy_bills", "energiefacturen"], ["Facturen gas en elektriciteit", "Energiefacturen"], None),
    ("debts", ["debts", "schulden", "schuldenlijst"], ["Overzicht van de schulden", "Schuldenlijst"], None),
    ("invoice", ["invoice", "factuur"], ["Factuur van de levering", "Leveringsfactuur"], None),
    ("medical", ["medical", "medisch_attest"], ["Medisch attest", "Voorschrift van de huisarts"], None),
    ("cv", ["cv", "loopbaan"], ["CV en werkervaring", "Loopbaan"], None),
]

PROCEDURES = {
    "leefloon": {
        "title": "Leefloonaanvraag van {name}",
        "items": ["identity", "household", "address", "unemployment", "health", "child_benefit", "payslips", "income",
                  "bank_statements", "rent_contract", "energy_bills", "jobseeker"],
        "decision_uses": ["identity", "household", "income", "unemployment", "bank_statements", "rent_contract"],
        "deadline": ("RMI-wet art. 21 - beslissing binnen 30 dagen", "Wet 26 mei 2002, art. 21", 30),
        "per_year": (80, 400),
    },
    "verwarmingstoelage": {
        "title": "Verwarmingstoelage voor {name}",
        "items": ["identity", "household", "invoice", "tax", "increased", "property", "pension", "health"],
        "decision_uses": ["household", "tax", "increased", "property"],
        "deadline": ("Sociaal Verwarmingsfonds - aanvraag binnen 60 dagen na de levering",
                     "Programmawet 22 december 2008, art. 249-264", 60),
        "per_year": (40, 300),
    },
    "huurwaarborg": {
        "title": "Huurwaarborg voor {name}",
        "items": ["identity", "household", "income", "rent_contract", "bank_statements", "unemployment", "payslips"],
        "decision_uses": ["identity", "income", "rent_contract", "bank_statements"],
        "deadline": ("OCMW-wet - beslissing binnen 30 dagen", "Organieke wet 8 juli 1976, art. 60", 30),
        "per_year": (20, 150),
    },
    "schuldbemiddeling": {
        "title": "Schuldbemiddeling voor {name}",
        "items": ["identity", "household", "income", "debts", "bank_statements", "payslips", "unemployment",
                  "energy_bills", "rent_contract", "tax"],
        "decision_uses": ["income", "debts", "bank_statements"],
        "deadline": None,
        "per_year": (20, 120),
    },
    "medische_kaart": {
        "title": "Medische kaart voor {name}",
        "items": ["identity", "household", "health", "increased", "medical", "income", "pension", "disability"],
        "decision_uses": ["household", "health", "increased", "income"],
        "deadline": ("OCMW-wet - beslissing binnen 30 dagen", "Organieke wet 8 juli 1976, art. 60", 30),
        "per_year": (30, 200),
    },
    "activering": {
        "title": "Activeringstraject voor {name}",
        "items": ["identity", "household", "jobseeker", "cv", "income", "unemployment", "medical", "payslips"],
        "decision_uses": ["jobseeker", "cv", "income"],
        "deadline": ("GPMI binnen 3 maanden", "Wet 26 mei 2002, art. 11", 90),
        "per_year": (20, 120),
    },
}

FIRST_NAMES = ["Sara", "Nadia", "Dries", "Rosa", "Kevin", "Godelieve", "Bilal", "Samira", "Rudi", "Fatima", "Jan",
               "Mieke", "Youssef", "Els", "Tom", "Aïcha", "Luc", "Ilse", "Mohamed", "Lotte", "Koen", "Anouk"]

# Offices outside the OCMW that a client is sent to: (actor id, name, level, organisation, what they give)
OFFICES = [
    ("vakbond", "Uitbetalingsinstelling (vakbond)", "private", "Vakbond", "unemployment"),
    ("rva", "RVA-kantoor", "federal", "RVA", "unemployment"),
    ("mutualiteit", "Ziekenfonds", "private", "Ziekenfonds", "health"),
    ("vdab", "VDAB-consulent", "flemish", "VDAB", "jobseeker"),
    ("bank", "Bankkantoor", "private", "Bank", "bank_statements"),
    ("verhuurder", "Verhuurder", "private", None, "rent_contract"),
    ("groeipakket", "Uitbetaler Groeipakket", "flemish", "Groeipakket", "child_benefit"),
    ("leverancier", "Energieleverancier", "private", "Energieleverancier", "energy_bills"),
    ("huisarts", "Huisarts", "private", None, "medical"),
    ("fod_financien", "FOD Financien - kantoor", "federal", "FOD Financien", "tax"),
]


def generate(seed: int, index: int) -> dict:
    rng = random.Random(seed * 1_000_003 + index)
    municipality = rng.choice(MUNICIPALITIES)
    organisation = f"OCMW {municipality}"
    # An OCMW keeps its own habits: its item ids and names follow from the municipality.
    habit = random.Random(municipality)
    procedure = rng.choice(list(PROCEDURES))
    spec = PROCEDURES[procedure]
    person = rng.choice(FIRST_NAMES)
    case_id = f"{procedure.replace('_', '-')}-{municipality.lower().replace(' ', '-')}-{index:05d}"

    items = {}
    item_ids = {}
    for key, ids, names, source in ITEMS:
        if key not in spec["items"]:
            continue
        ident = habit.choice(ids)
        item_ids[key] = ident
        entry = {"name": habit.choice(names)}
        if source and habit.random() < 0.9:  # some OCMW's do not know the item has a source
            entry["source"] = source
        items[ident] = entry
    ids = lambda keys: [item_ids[k] for k in keys if k in item_ids]  # noqa: E731

    actors = {
        "client": {"name": person, "level": "client"},
        "onthaal": {"name": "Onthaal Sociaal Huis", "level": "local", "organisation": organisation},
        "mw": {"name": "Maatschappelijk werker", "level": "local", "organisation": organisation},
        "bcsd": {"name": habit.choice(["Bijzonder comité voor de sociale dienst", "BCSD"]), "level": "local",
                 "organisation": organisation},
        "administratie": {"name": "Administratie sociale dienst", "level": "local", "organisation": organisation},
    }
    rules = {
        "reglement": {"name": f"Intern reglement bewijsstukken {municipality}", "level": "local",
                      "ref": f"Beslissing BCSD {municipality}"},
    }
    if procedure in ("leefloon", "activering"):
        rules["andere_rechten"] = {"name": "RMI-wet - eerst andere rechten laten gelden", "level": "federal",
                                   "ref": "Wet 26 mei 2002, art. 3"}
    attachments = rng.sample(ids(spec["items"]), k=min(len(spec["items"]), rng.randint(1, 5)))
    fields = rng.sample(ids(spec["items"]), k=min(len(spec["items"]), rng.randint(3, 9)))
    forms = {"aanvraag": {"name": habit.choice([f"Aanvraagformulier {procedure.replace('_', ' ')}",
                                                 f"Aanvraag {procedure.replace('_', ' ')}"]),
                          "owner": "mw", "rule": "reglement", "fields": fields, "attachments": attachments,
                          "pages": rng.randint(2, 8)}}

    steps: list[dict] = []
    step = lambda **kw: steps.append(kw) or kw  # noqa: E731
    step(id="aanmelding", name="Aanmelding aan het onthaal", actor="onthaal", kind="contact", channel="in_person",
         client_minutes=rng.choice([20, 30, 45]), staff_minutes=15, tells_story=True,
         asks=ids(rng.sample(["identity", "household", "address"], 1)))
    step(id="intake", name="Intakegesprek en aanvraagformulier", actor="mw", kind="form", channel="in_person",
         wait_days=rng.choice([2, 5, 7, 10, 14]), client_minutes=rng.choice([60, 75, 90, 120]),
         staff_minutes=rng.choice([45, 60, 90]), tells_story=True, form="aanvraag")
    step(id="ksz", name="Raadpleging KSZ en MAGDA", actor="mw", kind="internal", channel="internal",
         staff_minutes=rng.choice([10, 20, 30]), provides=ids(["identity", "household"]))

    # The client is sent to other offices and fetches documents: the part that varies most.
    offices = [o for o in OFFICES if o[4] in item_ids]
    rng.shuffle(offices)
    trips = offices[: rng.randint(2, min(len(offices), 9))] if offices else []
    for actor_id, name, level, org, gives in trips:
        actor = {"name": name, "level": level}
        if org:
            actor["organisation"] = org
        actors[actor_id] = actor
        entry = dict(id=f"naar_{actor_id}", name=f"Langs bij {name}", actor=actor_id,
                     kind=rng.choice(["document", "referral"]), channel=rng.choice(["in_person", "in_person", "phone", "letter"]),
                     wait_days=rng.choice([0, 1, 2, 3, 5, 7, 14, 21]), client_minutes=rng.choice([20, 30, 45, 60, 90]),
                     staff_minutes=rng.choice([0, 10, 20]), provides=[item_ids[gives]])
        if rng.random() < 0.4:
            entry["tells_story"] = True
        if rng.random() < 0.5:
            entry["asks"] = ids(rng.sample(["identity", "household", "income", "address"], 2))
        if actor_id in ("vakbond", "rva", "mutualiteit", "vdab") and "andere_rechten" in rules:
            entry["rule"] = "andere_rechten"
        step(**entry)

    nabezorgen = step(id="nabezorgen", name="Ontbrekende documenten binnenbrengen", actor="mw", kind="document",
                      channel="in_person", wait_days=rng.choice([2, 3, 5, 7]), client_minutes=rng.choice([30, 40, 60]),
                      staff_minutes=20, brings=rng.sample(ids(spec["items"]), k=min(4, len(item_ids))))
    if trips and rng.random() < 0.5:
        back = f"naar_{trips[-1][0]}"
        nabezorgen["next"] = [{"to": back, "when": "document ontbreekt nog", "chance": round(rng.uniform(0.1, 0.4), 2)},
                              {"to": "huisbezoek", "when": "dossier volledig"}]
    step(id="huisbezoek", name="Huisbezoek (sociaal onderzoek)", actor="mw", kind="visit", channel="home_visit",
         wait_days=rng.choice([3, 5, 7, 10]), client_minutes=60, staff_minutes=rng.choice([60, 90, 120]),
         tells_story=rng.random() < 0.6, asks=ids(["household", "income"]))
    extra = rng.randint(0, 13)  # the long tail: more contacts, checks and waits
    for i in range(extra):
        client = rng.random() < 0.6
        step(id=f"extra_{i}", name=rng.choice(["Telefonisch contact over het dossier", "Bijkomend gesprek",
                                                "Controle van de gegevens", "Overleg in het team",
                                                "Bijkomende vraag per brief"]),
             actor=rng.choice(["mw", "administratie", "onthaal"]), kind="contact" if client else "internal",
             channel=rng.choice(["phone", "in_person", "letter"]) if client else "internal",
             wait_days=rng.choice([0, 1, 2, 5, 10, 15]), client_minutes=rng.choice([10, 20, 30]) if client else 0,
             staff_minutes=rng.choice([10, 15, 30]), tells_story=client and rng.random() < 0.2)
    step(id="verslag", name="Sociaal verslag en voorstel", actor="mw", kind="internal", channel="internal",
         wait_days=rng.choice([1, 3, 5]), staff_minutes=rng.choice([45, 60, 90]),
         uses=ids(spec["decision_uses"]))
    step(id="beslissing", name="Beslissing van het bijzonder comité", actor="bcsd", kind="decision", channel="internal",
         wait_days=rng.choice([3, 7, 14, 21, 28]), staff_minutes=15, uses=ids(spec["decision_uses"]))
    step(id="kennisgeving", name="Kennisgeving van de beslissing", actor="mw", kind="notification", channel="letter",
         wait_days=rng.choice([1, 3, 5, 8]), staff_minutes=15)
    if spec["deadline"]:
        name, ref, days = spec["deadline"]
        rules["termijn"] = {"name": name, "level": "federal", "ref": ref, "deadline_days": days,
                            "from": "aanmelding", "to": "beslissing"}
        steps[-2]["rule"] = "termijn"
    return {
        "case": {
            "id": case_id,
            "title": spec["title"].format(name=f"{person} ({rng.randint(19, 84)})"),
            "organisation": organisation,
            "municipality": municipality,
            "procedure": procedure,
            "date": f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            "mapped_by": ["VVSG Kafka-brigade", f"sociale dienst {organisation}"],
            "cases_per_year": rng.randint(*spec["per_year"]),
            "story": f"Een gegenereerde casus: {person} doorloopt de procedure {procedure.replace('_', ' ')} "
                     f"bij {organisation}.",
        },
        "actors": actors,
        "data": items,
        "rules": rules,
        "forms": forms,
        "steps": steps,
    }


def write_cases(folder: Path, count: int, seed: int = 1) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for index in range(count):
        case = generate(seed, index)
        path = folder / f"{case['case']['id']}.yaml"
        path.write_text(yaml.safe_dump(case, allow_unicode=True, sort_keys=False, width=120), encoding="utf-8")
        paths.append(path)
    return paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--check", action="store_true", help="load every file and fail on any problem")
    args = parser.parse_args(argv)
    paths = write_cases(args.folder, args.count, args.seed)
    print(f"wrote {len(paths)} case files to {args.folder}")
    if args.check:
        from kafka.loader import load_case

        bad = [p for p in (load_case(path) for path in paths) if not p.ok or p.warnings]
        for loaded in bad[:10]:
            for problem in loaded.problems[:5]:
                print(problem, file=sys.stderr)
        if bad:
            print(f"{len(bad)} generated files have problems", file=sys.stderr)
            return 1
        print("all valid")
    return 0


if __name__ == "__main__":
    sys.exit(main())
