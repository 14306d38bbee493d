"""The administrations catalogue: who a supralocal proposal is addressed to."""

from __future__ import annotations

from pathlib import Path

import pytest

from kafka.administrations import administrations, catalogue_rows, find_administration, government_level
from kafka.analysis import analyze
from kafka.catalogue import builtin_sources
from kafka.aggregate.keys import administration_for
from kafka.loader import iter_case_files, load_case

REPO = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("names, expected", [
    (("Wet 26 mei 2002, art. 21", "RMI-wet art. 21 - beslissing binnen 30 dagen"), "pod_mi"),
    (("RMI-wet - eerst rechten op andere uitkeringen laten gelden",), "pod_mi"),
    (("Organieke wet 8 juli 1976 (OCMW-wet)",), "pod_mi"),
    (("Decreet van 22 december 2017 over het lokaal bestuur",), "abb"),
    (("Decreet lokaal bestuur, art. 2",), "abb"),
    (("RVA-kantoor",), "rva"),
    (("FOD Financiën - team invordering",), "fod_financien"),
    (("Gerechtelijk Wetboek, art. 1675/6",), "fod_justitie"),
    (("Vlaamse renteloze huurwaarborglening",), "wonen_in_vlaanderen"),
    (("VDAB-werkwinkel",), "vdab"),
    (("Uitbetaler Groeipakket",), "opgroeien"),
    (("FOD Sociale Zekerheid, DG Personen met een handicap",), "dg_handicap"),  # the longer phrase wins
    (("MAGDA-toegang voor lokale besturen",), "digitaal_vlaanderen"),
    (("Studietoelage secundair onderwijs",), "ahovoks"),
])
def test_rules_and_actors_find_their_administration(names, expected):
    assert find_administration("federal", *names).key == expected


def test_the_first_text_that_identifies_an_administration_decides():
    # A rule's reference comes before the actor that made the deadline late.
    assert find_administration("flemish", "Organieke wet 8 juli 1976", "Vlaamse huurwaarborglening").key == "pod_mi"
    assert find_administration("flemish", None, "", "Vlaamse huurwaarborglening").key == "wonen_in_vlaanderen"


def test_an_ocmw_wet_deadline_is_federal_whatever_level_the_case_gives():
    admin = find_administration("flemish", "Organieke wet 8 juli 1976 (OCMW-wet)")
    assert admin.government == "federal" and admin.specific


def test_a_source_key_finds_its_owner_after_the_names():
    assert find_administration("federal", source="rijksregister").key == "fod_binnenlandse_zaken"
    assert find_administration("flemish", source="groeipakket").key == "opgroeien"
    assert find_administration("federal", "RMI-wet", source="rijksregister").key == "pod_mi"


def test_when_unsure_it_says_only_the_government_level():
    unknown = find_administration("flemish", "Maatschappelijk werker", "Teamoverleg")
    assert unknown.key == "flemish" and not unknown.specific and unknown.name("nl") == "Vlaamse overheid"
    # 'rva' and 'vdab' match equally well: no guess
    assert find_administration("federal", "RVA en VDAB samen").key == "federal"
    assert find_administration("local").key == "federal"  # not a government level of the catalogue
    assert find_administration("european").name("en") == "European Union"
    # whole words only: 'rva' is not in 'privacy', 'abb' not in 'abbey'
    assert find_administration("federal", "privacy abbey").key == "federal"


def test_every_entry_has_both_languages_and_every_source_one_owner():
    for admin in administrations().values():
        for lang in ("nl", "en"):
            assert admin.name(lang) and admin.domain(lang) and admin.responsible_for(lang), admin.key
        assert admin.government in ("federal", "flemish", "european")
        assert admin.specific == bool(admin.phrases), admin.key  # only the government levels match nothing
    owners = {}
    for admin in administrations().values():
        for source in admin.sources:
            assert source in builtin_sources(), (admin.key, source)
            owners.setdefault(source, []).append(admin.key)
    assert set(owners) == set(builtin_sources())  # every authentic source of the catalogue has its owner
    assert all(len(keys) == 1 for keys in owners.values()), owners
    for source, (owner,) in owners.items():  # ... of its own government
        assert str(builtin_sources()[source].level) == administrations()[owner].government, (source, owner)
    assert government_level("flemish").key == "flemish"
    assert {row["key"] for row in catalogue_rows("en")} == set(administrations())


def test_every_supralocal_finding_of_the_examples_is_addressed_to_an_administration():
    unsure, total = [], 0
    for path in iter_case_files([REPO / "cases"]):
        loaded = load_case(path)
        for finding in analyze(loaded.case).findings:
            key = administration_for(finding, loaded.case)
            if finding.level.value == "local":
                assert key == ""
                continue
            total += 1
            assert key in administrations(), (path, finding.code)
            if not administrations()[key].specific:
                unsure.append((path.name, finding.code, finding.proposal.target.owner))
    assert total > 50 and not unsure, unsure


@pytest.mark.parametrize("source, owner, local", [
    ("inkomenstarief", "opgroeien", True),  # an authorised OCMW worker looks it up in Mijn Kind en Gezin
    ("groeipakket", "opgroeien", True),
    ("studietoelagen", "ahovoks", False),
    ("vlabel", "vlaamse_belastingdienst", False),
    ("sociaal_wonen", "wonen_in_vlaanderen", False),
    ("vaph", "vaph", False),
])
def test_the_flemish_sources_an_ocmw_meets_are_in_the_catalogue_with_their_owner(source, owner, local):
    catalogue = builtin_sources()
    assert catalogue[source].local_access is local and str(catalogue[source].level) == "flemish"
    assert find_administration("flemish", source=source).key == owner
    # a case that asks the client for it: consulted locally, or access asked of the owner
    import yaml
    from kafka.loader import load_text

    doc = {
        "case": {"id": "bron", "title": "Bron", "organisation": "OCMW Test", "cases_per_year": 10},
        "actors": {"client": {"name": "Client", "level": "client"},
                   "mw": {"name": "Maatschappelijk werker", "level": "local", "organisation": "OCMW Test"}},
        "data": {"item": {"name": "Gegeven", "source": source}},
        "steps": [{"id": "a", "name": "Aanvraag", "actor": "mw", "client_minutes": 20, "asks": ["item"]},
                  {"id": "b", "name": "Beslissing", "actor": "mw", "kind": "decision", "uses": ["item"]}],
    }
    loaded = load_text(yaml.safe_dump(doc), "bron.yaml")
    assert loaded.ok, [str(p) for p in loaded.problems]
    [d02] = [f for f in analyze(loaded.case).findings if f.code == "D02"]
    assert d02.level.value == ("local" if local else "supralocal")
    if not local:
        assert d02.proposal.target.administration == owner


def test_every_administration_has_the_article_a_sentence_needs():
    # "Vraag de FOD Justitie om ...", "valt onder het RIZIV", "Vraag Opgroeien om ...":
    # a sentence puts the article before an administration's name, never a bare "Vraag FOD Justitie".
    for admin in administrations().values():
        if not admin.specific:
            continue
        assert admin.article("nl") in ("de", "het", ""), admin.key
        assert admin.article("en") in ("the", ""), admin.key
    assert administrations()["fod_justitie"].article("nl") == "de"
    assert administrations()["riziv"].article("nl") == "het"
    assert administrations()["opgroeien"].article("nl") == ""


def test_proposals_to_an_administration_name_it_with_its_article():
    import re

    texts = (Path(__file__).parent.parent / "docs" / "texts" / "nl.md").read_text(encoding="utf-8")
    bare = re.findall(r"(?:Vraag|valt onder) (?:FOD|POD|RIZIV|VDAB|RVA|Departement|VAPH)\b", texts)
    assert not bare, bare[:3]
    assert "Vraag de FOD Justitie" in texts or "valt onder de FOD Justitie" in texts
