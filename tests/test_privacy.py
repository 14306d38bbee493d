"""Case files safe to share: personal data found with its line, replaced by kafka anonymise."""

from __future__ import annotations

import difflib
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from kafka.cli import main
from kafka.errors import ExitCode
from kafka.loader import iter_case_files, load_text
from kafka.privacy import KINDS, anonymise_text, find_in_text, scan_text

REPO = Path(__file__).resolve().parent.parent
CASES = REPO / "cases"
BASE = CASES / "leefloon-heidebeek.yaml"

# (kind, the text planted, where: a line of the base file to replace, and what replaces it)
PLANTED = [
    ("client_name", "Dries Vermeulen", "  client:   {name: Dries, level: client}",
     "  client:   {name: Dries Vermeulen, level: client}"),
    ("national_number", "85.07.30-033.28", "    Dries is na zijn scheiding naar een studio in Heidebeek verhuisd; de RVA",
     "    Dries (rijksregisternummer 85.07.30-033.28) is na zijn scheiding naar een studio in Heidebeek verhuisd; de RVA"),
    ("national_number", "01020312345", "    en krijgt twee dagen later een gesprek met een maatschappelijk werker,",
     "    en krijgt twee dagen later (zoon: INSZ 01020312345) een gesprek met een maatschappelijk werker,"),
    ("birth_date", "30 juli 1985", "    bankuittreksels, zijn huurcontract en een bewijs van VDAB-inschrijving",
     "    bankuittreksels (geboren op 30 juli 1985), zijn huurcontract en een bewijs van VDAB-inschrijving"),
    ("iban", "BE68 5390 0754 7034", "    vraagt. Dezelfde maatschappelijk werker komt vier dagen later op",
     "    vraagt (rekening BE68 5390 0754 7034). Dezelfde maatschappelijk werker komt vier dagen later op"),
    ("email", "dries.vermeulen@telenet.be", "    huisbezoek. Daarna wacht Dries drie weken op de maandelijkse zitting van",
     "    huisbezoek, mail dries.vermeulen@telenet.be. Daarna wacht Dries drie weken op de maandelijkse zitting van"),
    ("phone", "0470 12 34 56", "    het bijzonder comité, en de beslissing valt op dag 33.",
     "    het bijzonder comité (gsm 0470 12 34 56), en de beslissing valt op dag 33."),
    ("phone", "+32 9 123 45 67", "  onthaal:  {name: Onthaal Sociaal Huis, level: local, organisation: OCMW Heidebeek}",
     "  onthaal:  {name: Onthaal Sociaal Huis, level: local, organisation: OCMW Heidebeek}  # loket: +32 9 123 45 67"),
    ("person_name", "mevrouw Claes", "  mw:       {name: Maatschappelijk werker, level: local, organisation: OCMW Heidebeek}",
     "  mw:       {name: Maatschappelijk werker, level: local, organisation: OCMW Heidebeek}  # dossier van mevrouw Claes"),
]

# Look alike, but are not personal data: none may be reported.
DECOYS = [
    "rijksregisternummer 85.07.30-033.27 (een tikfout: de controlecijfers kloppen niet)",
    "rekening BE68 5390 0754 7035 (ongeldig controlegetal)",
    "mail info@example.org of dienst@ocmw.invalid",
    "kost € 1.250,00 per jaar; 0,5 uur; 12.345 euro; dossier 2026-0042",
    "beslissing op 12/03/2026, aanvraag op 2026-02-17",
    "tel. 123 45 67 (geen Belgisch nummer)",
    "op dag 33 na 0 dagen, termijn 30/8",
]


def _planted_text() -> str:
    text = BASE.read_text(encoding="utf-8")
    for _, _, line, replacement in PLANTED:
        assert line + "\n" in text, line
        text = text.replace(line + "\n", replacement + "\n", 1)
    return text


def test_every_kind_of_planted_personal_data_is_caught_on_its_line():
    text = _planted_text()
    hits = scan_text(text)
    lines = text.split("\n")
    for kind, value, _, replacement in PLANTED:
        line = lines.index(replacement) + 1
        found = [h for h in hits if h.kind == kind and h.line == line and h.text == value]
        assert found, (kind, value, line, [(h.kind, h.line, h.text) for h in hits])
        hit = found[0]
        assert lines[line - 1][hit.col - 1:].startswith(value.split()[0])
    assert {kind for kind, *_ in PLANTED} | {"client_name"} == {h.kind for h in hits}
    assert set(KINDS) - {h.kind for h in hits} == set()
    paths = {h.text: h.path for h in hits}
    assert paths["BE68 5390 0754 7034"] == "case.story" and paths["+32 9 123 45 67"] == "(comment)"
    assert paths["Dries Vermeulen"] == "actors.client.name"


def test_nothing_is_reported_in_the_example_cases_or_in_the_decoys():
    for path in iter_case_files([CASES]):
        assert scan_text(path.read_text(encoding="utf-8")) == [], path
    for decoy in DECOYS:
        assert find_in_text(decoy) == [], decoy


def test_the_checks_that_decide():
    # national numbers of births from 2000: the check digits are computed with a leading 2
    assert [k for k, *_ in find_in_text("INSZ 01.02.03-123.45")] == ["national_number"]
    assert [k for k, *_ in find_in_text("INSZ 01.02.03-123.16")] == ["national_number"]  # born in 1901
    assert find_in_text("INSZ 01.02.03-123.17") == []  # fits neither century
    assert [k for k, *_ in find_in_text("geboortedatum: 1985-07-30")] == ["birth_date"]
    assert [k for k, *_ in find_in_text("°12/05/1990 te Gent")] == ["birth_date"]
    assert [k for k, *_ in find_in_text("bel 09/123.45.67 of 0032 470 12 34 56")] == ["phone", "phone"]
    assert [k for k, *_ in find_in_text("NL91 ABNA 0417 1643 00")] == ["iban"]


def test_validate_warns_with_file_line_and_key_and_strict_fails(tmp_path):
    case = tmp_path / "planted.yaml"
    case.write_text(_planted_text(), encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", str(case)])
    assert result.exit_code == 0, result.output
    assert f"{case}:" in result.output and "warning: case.story: looks like a bank account number" in result.output
    assert "warning: (comment): looks like a phone number: '+32 9 123 45 67'" in result.output
    strict = CliRunner().invoke(main, ["validate", str(case), "--strict"])
    assert strict.exit_code == ExitCode.INVALID_INPUT, strict.output
    payload = json.loads(CliRunner().invoke(main, ["validate", str(case), "--format", "json"]).output)
    kinds = {p["kind"] for p in payload["files"][0]["problems"]}
    assert "personal-data-iban" in kinds and "personal-data-client-name" in kinds


def test_aggregate_public_refuses_personal_data_and_writes_nothing(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "planted.yaml").write_text(_planted_text(), encoding="utf-8")
    result = CliRunner().invoke(main, ["aggregate", str(tmp_path / "in"), "-o", str(tmp_path / "site"), "--public"])
    assert result.exit_code == ExitCode.INVALID_INPUT, result.output
    assert "planted.yaml:" in result.output and "nothing was written" in result.output
    assert not (tmp_path / "site").exists()
    anonymised = CliRunner().invoke(main, ["anonymise", str(tmp_path / "in" / "planted.yaml"),
                                           "-o", str(tmp_path / "in" / "planted.yaml.shared")])
    assert anonymised.exit_code == 0, anonymised.output
    (tmp_path / "in" / "planted.yaml").unlink()
    (tmp_path / "in" / "planted.yaml.shared").rename(tmp_path / "in" / "shared.yaml")
    public = CliRunner().invoke(main, ["aggregate", str(tmp_path / "in"), "-o", str(tmp_path / "site"), "--public",
                                       "-j", "1"])
    assert public.exit_code == 0, public.output


def _findings(text: str) -> list[tuple]:
    from kafka.analysis import analyze

    loaded = load_text(text, "x.yaml")
    assert loaded.ok, [str(p) for p in loaded.problems]
    return sorted((f.code, f.steps, f.data, f.level.value) for f in analyze(loaded.case).findings)


def test_anonymise_replaces_consistently_and_changes_nothing_else(tmp_path):
    original = _planted_text()
    case = tmp_path / "planted.yaml"
    case.write_text(original, encoding="utf-8")
    out = tmp_path / "shared.yaml"
    result = CliRunner().invoke(main, ["anonymise", str(case), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert case.read_text(encoding="utf-8") == original  # the input is never changed
    text = out.read_text(encoding="utf-8")

    # it validates, says nothing more about personal data, and gives the same findings
    assert load_text(text, "shared.yaml").ok and scan_text(text) == []
    assert _findings(text) == _findings(original)

    # only the lines with personal data or the client's name changed, and every comment is still there
    before, after = original.split("\n"), text.split("\n")
    assert len(before) == len(after)
    changed = [i for i, (a, b) in enumerate(zip(before, after)) if a != b]
    for i in changed:
        assert any(word in before[i] for word in ("Dries", "Vermeulen", "85.07", "0102", "1985", "BE68", "@",
                                                   "0470", "+32", "Claes")), before[i]
    assert [line for line in after if line.lstrip().startswith("#")] == \
        [line for line in before if line.lstrip().startswith("#")]
    # the same value, the same stand-in: the story still reads
    assert "Dries" not in text and "Vermeulen" not in text and "Cliënt" in text
    assert "  client:   {name: Cliënt, level: client}" in after
    assert "XX.XX.XX-XXX.XX" in text and "BEXX XXXX XXXX XXXX" in text and "@voorbeeld.invalid" in text
    diff = list(difflib.unified_diff(before, after, lineterm="", n=0))
    assert len([d for d in diff if d.startswith("-") and not d.startswith("---")]) == len(changed)


def test_anonymise_never_overwrites_the_input_nor_an_existing_file(tmp_path):
    case = tmp_path / "case.yaml"
    case.write_text(_planted_text(), encoding="utf-8")
    same = CliRunner().invoke(main, ["anonymise", str(case), "-o", str(case), "--force"])
    assert same.exit_code == ExitCode.USAGE and "is the input file" in same.output
    folder = CliRunner().invoke(main, ["anonymise", str(case), "-o", str(tmp_path)])
    assert folder.exit_code == ExitCode.USAGE and "is the input file" in folder.output
    (tmp_path / "out.yaml").write_text("keep", encoding="utf-8")
    exists = CliRunner().invoke(main, ["anonymise", str(case), "-o", str(tmp_path / "out.yaml")])
    assert exists.exit_code == ExitCode.USAGE and (tmp_path / "out.yaml").read_text() == "keep"
    forced = CliRunner().invoke(main, ["anonymise", str(case), "-o", str(tmp_path / "out.yaml"), "--force"])
    assert forced.exit_code == 0, forced.output
    missing = CliRunner().invoke(main, ["anonymise", str(tmp_path / "absent.yaml"), "-o", str(tmp_path / "x.yaml")])
    assert missing.exit_code == ExitCode.INVALID_INPUT and "no such file" in missing.output


def test_anonymise_keeps_yaml_meaning_in_every_style():
    text = ("case:\n  id: x\n  title: 'Aanvraag van Sara Janssens'\n  organisation: OCMW X\n"
            "  story: |\n    Sara Janssens belt.\n    Haar nummer: 0470 12 34 56\n"
            "actors:\n  client: {name: Sara Janssens, level: client}\n  mw: {name: MW, level: local}\n"
            "steps:\n  - {id: a, name: \"Gesprek met Sara\", actor: mw, client_minutes: 10}\n"
            "  - id: b\n    name: Beslissing voor\n      Sara Janssens\n    actor: mw\n")
    result = anonymise_text(text)
    loaded = load_text(result.text, "x.yaml")
    assert loaded.ok, [str(p) for p in loaded.problems]
    case = loaded.case
    assert case.case.title == "Aanvraag van Cliënt" and case.actors["client"].name == "Cliënt"
    assert case.case.story == "Cliënt belt.\nHaar nummer: 0XXX XX XX XX\n"
    assert [s.name for s in case.steps] == ["Gesprek met Cliënt", "Beslissing voor Cliënt"]
    english = anonymise_text(text, "en").text
    assert "Client" in english and "Cliënt" not in english


@pytest.mark.parametrize("path", sorted(iter_case_files([CASES])), ids=lambda p: p.name)
def test_anonymising_an_example_only_renames_the_client(path):
    original = path.read_text(encoding="utf-8")
    result = anonymise_text(original)
    assert load_text(result.text, path.name).ok
    assert _findings(result.text) == _findings(original)
    assert set(result.replaced) <= {"client_name"}
