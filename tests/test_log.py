"""kafka log: reading, checking, pseudonymising and measuring event logs (kafka/log/)."""

from __future__ import annotations

import csv
import gzip
import hmac
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from kafka.cli import main
from kafka.errors import InputError
from kafka.log import connect, measure, open_log
from kafka.log.mapping import parse_mapping
from kafka.log.pseudonymise import PseudonymKey, load_key

import logdata
from logdata import DEADLINE_DAYS, MAPPING, SECRET_WORDS, quantile

DAY = 86400


@pytest.fixture(autouse=True)
def _no_home_key(tmp_path, monkeypatch):
    """No test may make a key in the real ~/.config: the default key lives in a temporary folder."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.delenv("KAFKA_LOG_KEY", raising=False)


@pytest.fixture
def key(tmp_path) -> PseudonymKey:
    return load_key(tmp_path / "test.key")


@pytest.fixture
def files(tmp_path):
    log = tmp_path / "export.csv"
    log.write_text(logdata.csv_text(), encoding="utf-8")
    mapping = tmp_path / "export.map.yaml"
    mapping.write_text(MAPPING, encoding="utf-8")
    return log, mapping


def measured(log, mapping, key):
    with connect() as con:
        return measure(open_log(con, log, mapping, key))


def approx(value):
    return pytest.approx(value, abs=1e-9)


# --- the numbers ----------------------------------------------------------------------------

def test_known_waits_come_back_exactly(files, key):
    m = measured(*files, key)
    by_name = {a.name: a for a in m.activities}
    for activity in ("Onderzoek", "Documenten", "Beslissing"):
        waits = logdata.waits_before(activity)
        stats = by_name[activity].wait
        assert stats.n == len(waits)
        assert stats.median == approx(quantile(waits, 0.5)), activity
        assert stats.p90 == approx(quantile(waits, 0.9)), activity
        assert stats.p25 == approx(quantile(waits, 0.25)) and stats.p75 == approx(quantile(waits, 0.75))
        assert stats.min == approx(min(waits)) and stats.max == approx(max(waits))
    assert by_name["Aanvraag"].wait.n == 0  # always first: nothing to wait for
    assert by_name["Onderzoek"].wait.median == 2.0 and by_name["Onderzoek"].wait.p90 == approx(6.4)
    # working time: the hours each step took
    work = [s.work_hours / 24 for _, steps in logdata.CASES.values() for s in steps if s.activity == "Onderzoek"]
    assert by_name["Onderzoek"].work.median == approx(quantile(work, 0.5))
    transitions = {(t.source, t.target): t for t in m.transitions}
    for (source, target), t in transitions.items():
        waits = logdata.transition_waits(source, target)
        assert t.count == len(waits) and t.wait.median == approx(quantile(waits, 0.5)), (source, target)
    assert transitions[("Onderzoek", "Beslissing")].wait.median == 14.5
    assert transitions[("Onderzoek", "Beslissing")].cases == 4
    leads = logdata.lead_days()
    assert m.lead.n == 6 and m.lead.median == approx(quantile(leads, 0.5)) and m.lead.p90 == approx(quantile(leads, 0.9))
    assert sum(m.lead_histogram.counts) + m.lead_histogram.overflow == 6


def test_known_rework_variants_and_handovers(files, key):
    m = measured(*files, key)
    rework = {r.activity: r for r in m.rework}
    assert set(rework) == {"Documenten", "Onderzoek"}
    assert (rework["Documenten"].events, rework["Documenten"].repeat, rework["Documenten"].redo) == (1, 1, 0)
    assert (rework["Onderzoek"].events, rework["Onderzoek"].repeat, rework["Onderzoek"].redo) == (1, 0, 1)
    assert m.cases_with_rework == 2
    by_name = {a.name: a for a in m.activities}
    assert by_name["Onderzoek"].events == 7 and by_name["Onderzoek"].cases == 6
    assert m.variant_count == 4
    # two variants of 2 cases each: the tie goes to the shorter one, then by name
    first, second = m.variants[:2]
    assert first.activities == ("Aanvraag", "Onderzoek") and first.cases == 2 and first.share == approx(2 / 6)
    assert second.activities == ("Aanvraag", "Onderzoek", "Beslissing") and second.cases == 2
    handovers = {(h.source, h.target): h for h in m.handovers}
    assert set(handovers) == {("OCMW Testgem", "BCSD")}
    assert handovers[("OCMW Testgem", "BCSD")].count == 4 and handovers[("OCMW Testgem", "BCSD")].wait.median == 14.5
    assert m.cases_with_handover == 4
    assert [a.name for a in m.activities] == ["Aanvraag", "Documenten", "Onderzoek", "Beslissing"]  # process order


def test_known_deadline_breaches(files, key):
    m = measured(*files, key)
    (d,) = m.deadlines
    assert d.deadline.days == DEADLINE_DAYS
    # case 1, 3, 5 on time; case 2 late (39 days); case 4 never decided, 77 days before the log ends;
    # case 6 not decided but only 2 days old when the log ends: open, not counted
    assert (d.cases, d.on_time, d.late, d.open_late, d.open) == (6, 3, 1, 1, 1)
    assert d.exceeding == 2 and d.known == 5 and d.share == approx(0.4)
    assert d.days.n == 4 and d.days.max == approx(39 + 7 / 24)
    months = {mo.month.isoformat()[:7]: mo for mo in d.months}
    assert months["2024-02"].late == 1 and months["2024-02"].on_time == 2 and months["2024-02"].open_late == 1
    assert months["2024-01"].on_time == 1 and months["2024-04"].open == 1


def test_summary_and_cases_per_year(files, key):
    m = measured(*files, key)
    s = m.summary
    assert (s.events, s.cases, s.activities) == (len(logdata.events()), 6, 4)
    assert s.has_start and s.has_resource and s.has_org
    assert s.dropped == ("Opmerking",)
    assert s.cases_per_year == approx(6 / (s.span_days / 365.25))


# --- formats -----------------------------------------------------------------------------------

def _fingerprint(m):
    return ([(a.name, a.events, round(a.wait.median or 0, 9)) for a in m.activities],
            [(t.source, t.target, t.count, round(t.wait.median, 9)) for t in m.transitions],
            [(v.activities, v.cases) for v in m.variants], [(d.late, d.open_late) for d in m.deadlines])


@pytest.mark.parametrize("encoding,delimiter,fmt", [
    ("cp1252", ",", "%d/%m/%Y %H:%M:%S"),
    ("utf-16", "\t", "%Y-%m-%dT%H:%M:%S"),
    ("utf-8-sig", "|", "%d-%m-%Y %H:%M"),
])
def test_csv_dialects_give_the_same_numbers(tmp_path, files, key, encoding, delimiter, fmt):
    expected = _fingerprint(measured(*files, key))
    log = tmp_path / "other.csv"
    log.write_bytes(logdata.csv_text(delimiter, fmt).replace("cliënt", "cliënt €").encode(encoding))
    assert _fingerprint(measured(log, files[1], key)) == expected


def _xes(gz: bool, tmp_path: Path) -> Path:
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<log xes.version="1.0" xmlns="http://www.xes-standard.org/">']
    by_case: dict[str, list] = {}
    for e in logdata.events():
        by_case.setdefault(e.case, []).append(e)
    for case, evs in by_case.items():
        lines.append(f'<trace><string key="concept:name" value="{case}"/>')
        for e in evs:
            for transition, when in (("start", e.start), ("complete", e.end)):
                lines.append(f'<event><string key="concept:name" value="{e.activity}"/>'
                             f'<string key="lifecycle:transition" value="{transition}"/>'
                             f'<string key="org:resource" value="{e.resource}"/><string key="org:group" value="{e.org}"/>'
                             f'<date key="time:timestamp" value="{when.isoformat()}+01:00"/></event>')
        lines.append('<event><string key="concept:name" value="Notitie"/><string key="lifecycle:transition" '
                     'value="schedule"/><date key="time:timestamp" value="2024-01-01T00:00:00+01:00"/></event>')
        lines.append("</trace>")
    lines.append("</log>")
    data = "\n".join(lines).encode("utf-8")
    path = tmp_path / ("log.xes.gz" if gz else "log.xes")
    path.write_bytes(gzip.compress(data) if gz else data)
    return path


XES_MAPPING = MAPPING.replace("Dossiernummer", "case:concept:name").replace("Activiteit", "concept:name") \
    .replace("Einde", "time:timestamp").replace("Begin", "time:start").replace("Medewerker", "org:resource") \
    .replace("Dienst", "org:group")


@pytest.mark.parametrize("gz", [False, True])
def test_xes_lifecycle_start_and_complete_give_the_same_numbers(tmp_path, files, key, gz):
    expected = _fingerprint(measured(*files, key))
    mapping = tmp_path / "xes.map.yaml"
    mapping.write_text(XES_MAPPING, encoding="utf-8")
    with connect() as con:
        log = open_log(con, _xes(gz, tmp_path), mapping, key)
        assert log.zoned and ("other_transitions", 6) in log.notes
        assert _fingerprint(measure(log)) == expected


def test_inspect_proposes_the_xes_standard_keys(tmp_path):
    result = CliRunner().invoke(main, ["log", "inspect", str(_xes(True, tmp_path))])
    assert result.exit_code == 0, result.output
    mapping = parse_mapping(result.stdout)
    assert mapping.format == "xes" and mapping.columns == parse_mapping(XES_MAPPING).columns


def test_parquet_gives_the_same_numbers(tmp_path, files, key):
    expected = _fingerprint(measured(*files, key))
    target = tmp_path / "log.parquet"
    with connect() as con:
        con.execute(f"COPY (SELECT * FROM read_csv('{files[0]}', delim=';', header=true)) TO '{target}' (FORMAT parquet)")
    assert _fingerprint(measured(target, files[1], key)) == expected


# --- pseudonymisation ----------------------------------------------------------------------------

def test_the_sql_hmac_is_hmac_sha256(key):
    values = ["DOS-2024-0001", "Jan Peeters", "é€ 漢字", ""]
    with connect() as con:
        got = _sql_pseudonyms(con, key, values)
    for value, pseudonym in zip(values, got):
        expected = "c-" + hmac.new(key.secret, b"case\x00" + value.encode(), "sha256").hexdigest()[:16]
        assert pseudonym == expected == key.pseudonym("case", value)


def _sql_pseudonyms(con, key, values):
    con.execute("CREATE TEMP TABLE v AS SELECT unnest($values) AS v", {"values": values})
    return [r[0] for r in con.execute(f"SELECT {key.sql('v', 'case')} FROM v", key.sql_params()).fetchall()]


def _analyze(tmp_path, files, key_file, out_name):
    result = CliRunner().invoke(main, ["log", "analyze", str(files[0]), "--map", str(files[1]), "-o",
                                       str(tmp_path / out_name), "--key", str(key_file), "-q"])
    assert result.exit_code == 0, result.output
    return tmp_path / out_name


def _pseudonyms(folder: Path) -> set[str]:
    with open(folder / "cases.csv", encoding="utf-8") as handle:
        return {row["case"] for row in csv.DictReader(handle)}


def test_no_raw_id_or_name_in_any_output(tmp_path, files):
    out = _analyze(tmp_path, files, tmp_path / "k1.key", "out")
    written = sorted(p.name for p in out.iterdir())
    assert "report.html" in written and "measures.json" in written and "cases.csv" in written
    for path in out.iterdir():
        text = path.read_text(encoding="utf-8")
        for word in SECRET_WORDS:
            assert word not in text, (path.name, word)
    # nothing else was written: no cache, no temporary file beside the outputs or in the working folder
    assert not [p for p in tmp_path.rglob("*") if p.name.startswith(".") and p.is_file()]


def test_same_key_same_pseudonyms_other_key_others(tmp_path, files):
    first = _pseudonyms(_analyze(tmp_path, files, tmp_path / "k1.key", "a"))
    again = _pseudonyms(_analyze(tmp_path, files, tmp_path / "k1.key", "b"))
    other = _pseudonyms(_analyze(tmp_path, files, tmp_path / "k2.key", "c"))
    assert len(first) == 6 and first == again
    assert not first & other
    # and across files: another log with one of the same dossiers
    second = tmp_path / "second.csv"
    second.write_text("\n".join(logdata.csv_text().splitlines()[:4]) + "\n", encoding="utf-8")
    part = _pseudonyms(_analyze(tmp_path, (second, files[1]), tmp_path / "k1.key", "d"))
    assert part and part <= first


def test_key_file_is_made_private_and_bad_keys_are_refused(tmp_path):
    made = load_key(tmp_path / "new" / "kafka.key")
    assert made.created and (tmp_path / "new" / "kafka.key").stat().st_mode & 0o777 == 0o600
    assert load_key(tmp_path / "new" / "kafka.key").secret == made.secret
    assert made.secret.hex() not in repr(made)
    bad = tmp_path / "bad.key"
    bad.write_text("not a key\n")
    with pytest.raises(InputError, match="not a kafka pseudonymisation key"):
        load_key(bad)


def test_default_key_goes_to_the_config_folder(tmp_path, files):
    result = CliRunner().invoke(main, ["log", "analyze", str(files[0]), "--map", str(files[1]), "-o",
                                       str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "config" / "kafka" / "pseudonym.key").exists()
    assert "made a new pseudonymisation key" in result.output


# --- bad logs -----------------------------------------------------------------------------------

def _error(tmp_path, text: str, mapping: str = MAPPING, name: str = "bad.csv") -> str:
    log = tmp_path / name
    log.write_text(text, encoding="utf-8")
    map_file = tmp_path / "m.yaml"
    map_file.write_text(mapping, encoding="utf-8")
    result = CliRunner().invoke(main, ["log", "analyze", str(log), "--map", str(map_file), "-o", str(tmp_path / "out"),
                                       "--key", str(tmp_path / "k.key"), "-q"])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "out" / "report.html").exists()
    return result.output


def _lines(*rows: str) -> str:
    return "Dossiernummer;Activiteit;Begin;Einde;Medewerker;Dienst;Opmerking\n" + "\n".join(rows) + "\n"


GOOD = "D1;Aanvraag;2024-01-01 09:00:00;2024-01-01 10:00:00;Jan;OCMW;"


def test_missing_and_misnamed_columns_list_the_columns_found(tmp_path):
    out = _error(tmp_path, _lines(GOOD), MAPPING.replace("timestamp: Einde", "timestamp: Eind"))
    assert "no column 'Eind'; did you mean 'Einde'?" in out
    assert "m.yaml:4:" in out  # the mapping's line
    assert "'Dossiernummer', 'Activiteit', 'Begin', 'Einde', 'Medewerker', 'Dienst', 'Opmerking'" in out


def test_unparsable_timestamps_name_line_and_value(tmp_path):
    text = _lines(GOOD, GOOD.replace("D1", "D2"), 'D3;Aanvraag;2024-01-01 09:00:00;"31/02/2024\n10:00";Jan;OCMW;',
                  GOOD.replace("2024-01-01 10:00:00", "gisteren"))
    out = _error(tmp_path, text)
    assert "2 values are not a time in column 'Einde'" in out
    assert "line 4: '31/02/2024\n10:00'" in out  # the quoted field spans lines 4-5: the next row is line 6
    assert "line 6: 'gisteren'" in out
    assert "timestamp_format" in out


def test_mixed_time_zones(tmp_path):
    out = _error(tmp_path, _lines(GOOD, GOOD.replace("10:00:00", "10:00:00+01:00").replace("D1", "D2")))
    assert "mix time zones" in out and "line 3" in out and "line 2" in out


def test_events_out_of_order(tmp_path):
    out = _error(tmp_path, _lines(GOOD, "D2;Aanvraag;2024-01-05 09:00:00;2024-01-01 10:00:00;Jan;OCMW;"))
    assert "1 event starts after it ends" in out and "line 3: starts 2024-01-05 09:00:00, ends 2024-01-01 10:00:00" in out


def test_empty_cases_and_activities(tmp_path):
    out = _error(tmp_path, _lines(GOOD, ";Aanvraag;2024-01-01 09:00:00;2024-01-01 10:00:00;Jan;OCMW;",
                                  " ;Beslissing;2024-01-01 09:00:00;2024-01-01 10:00:00;Jan;OCMW;"))
    assert "2 events have no case id (column 'Dossiernummer'): line 3, line 4" in out
    out = _error(tmp_path, _lines(GOOD, "D2;;2024-01-01 09:00:00;2024-01-01 10:00:00;Jan;OCMW;"))
    assert "1 event has no activity (column 'Activiteit'): line 3" in out
    out = _error(tmp_path, _lines(GOOD, "D2;Aanvraag;2024-01-01 09:00:00;;Jan;OCMW;"))
    assert "1 event has no time in column 'Einde': line 3" in out


def test_broken_csv_rows_name_the_line_and_never_quote_it(tmp_path):
    out = _error(tmp_path, _lines(GOOD, 'D2;Aanvraag;2024-01-01 09:00:00;2024-01-01 10:00:00;Jan Peeters;OCMW;x;y'))
    assert "bad.csv:3: 8 fields where the header has 7" in out and "Jan Peeters" not in out
    out = _error(tmp_path, _lines(GOOD, 'D2;Aanvraag;2024-01-01 09:00:00;2024-01-01 10:00:00;Jan Peeters;OCMW;"open'))
    assert "bad.csv:3: a quoted value is not closed" in out and "Jan Peeters" not in out


def test_a_log_that_stops_being_utf8_after_the_first_megabyte(tmp_path):
    body = "\n".join(GOOD.replace("D1", f"D{i}") for i in range(30_000))
    log = tmp_path / "late.csv"
    log.write_bytes(_lines(body).encode() + "D9;Aanvr\xe9ag;2024-01-01 09:00:00;2024-01-01 10:00:00;Jan;OCMW;\n".encode("latin-1"))
    assert log.stat().st_size > 1 << 20
    (tmp_path / "m.yaml").write_text(MAPPING.split("deadlines:")[0], encoding="utf-8")
    result = CliRunner().invoke(main, ["log", "analyze", str(log), "--map", str(tmp_path / "m.yaml"), "-o",
                                       str(tmp_path / "out"), "--key", str(tmp_path / "k.key"), "-q"])
    assert result.exit_code == 1 and "late.csv:30002: the text is not utf-8; set 'encoding:'" in result.output


def test_empty_log_and_not_a_log(tmp_path):
    assert "no events (only a header)" in _error(tmp_path, _lines().rstrip("\n") + "\n")
    assert "the log is empty" in _error(tmp_path, "")
    assert "header has one column" in _error(tmp_path, "a b c\n1 2 3\n", name="spaces.csv")


def test_a_log_file_that_does_not_exist(tmp_path):
    result = CliRunner().invoke(main, ["log", "analyze", str(tmp_path / "nope.csv"), "--map", str(tmp_path / "m.yaml"),
                                       "-o", str(tmp_path / "out")])
    assert result.exit_code == 1 and "no such mapping file" in result.output


def test_deadline_activity_missing_from_the_log(tmp_path):
    out = _error(tmp_path, _lines(GOOD), MAPPING.replace("to: Beslissing", "to: Beslisisng"))
    assert "no activity 'Beslisisng' in the log" in out and "m.yaml:12:9: deadlines[0].to" in out


def test_xes_with_a_dtd_is_refused(tmp_path):
    bomb = ('<?xml version="1.0"?><!DOCTYPE log [<!ENTITY a "aaaa">]><log><trace>'
            '<string key="concept:name" value="&a;"/></trace></log>')
    out = _error(tmp_path, bomb, XES_MAPPING, name="bomb.xes")
    assert "refused" in out


def test_the_engine_fetches_nothing_and_spills_to_a_private_folder():
    import os

    with connect() as con:
        settings = dict(con.execute("SELECT name, value FROM duckdb_settings() WHERE name IN "
                                    "('autoinstall_known_extensions', 'autoload_known_extensions', 'temp_directory')"
                                    ).fetchall())
        spill = settings["temp_directory"]
        assert settings["autoinstall_known_extensions"] == "false" == settings["autoload_known_extensions"]
        assert os.path.isdir(spill) and os.stat(spill).st_mode & 0o777 == 0o700 and not spill.startswith(os.getcwd())
    assert not os.path.exists(spill)


# --- the mapping file -------------------------------------------------------------------------

def test_mapping_problems_name_file_line_and_key():
    text = "columns:\n  case: a\n  activty: b\n  timestamp: [c]\nkep: [x]\ndeadlines:\n  - {name: x, days: -3, from: a, to: b}\n"
    with pytest.raises(InputError) as info:
        parse_mapping(text, "m.yaml")
    message = str(info.value)
    assert "m.yaml:3:3: columns.activty: unknown role 'activty'; did you mean 'activity'?" in message
    assert "m.yaml:4:14: columns.timestamp: 'timestamp' must be a text" in message
    assert "m.yaml:5:1: kep: unknown key 'kep'; did you mean 'keep'?" in message
    assert "deadlines[0].days" in message


def test_mapping_is_loaded_safely():
    with pytest.raises(InputError, match="tag"):
        parse_mapping("columns: !!python/object/apply:os.system ['echo hi']\n", "m.yaml")


# --- inspect, report, outputs ------------------------------------------------------------------------

def test_inspect_proposes_a_mapping_that_works(tmp_path, files):
    log, _ = files
    proposed = tmp_path / "proposed.yaml"
    result = CliRunner().invoke(main, ["log", "inspect", str(log), "-o", str(proposed)])
    assert result.exit_code == 0, result.output
    text = proposed.read_text(encoding="utf-8")
    for line in ('case: "Dossiernummer"', 'activity: "Activiteit"', 'timestamp: "Einde"', 'start: "Begin"',
                 'resource: "Medewerker"', 'organisation: "Dienst"'):
        assert line in text
    assert "#   Onderzoek  (7)" in text
    # shapes, not values, for the other columns; the activities themselves are shown
    assert "DOS-2024" not in result.output and "AAA-9999-9999" in result.output and "Onderzoek" in result.output
    mapping = parse_mapping(text)
    assert mapping.columns.case == "Dossiernummer" and mapping.keep == ()
    result = CliRunner().invoke(main, ["log", "inspect", str(log), "-o", str(proposed)])
    assert result.exit_code == 2 and "exists" in result.output  # never overwritten without --force


def test_outputs_json_and_csv_agree_with_the_measures(tmp_path, files):
    out = _analyze(tmp_path, files, tmp_path / "k.key", "out")
    data = json.loads((out / "measures.json").read_text(encoding="utf-8"))
    assert data["schema_version"] == 1 and data["summary"]["cases"] == 6
    assert data["deadlines"][0]["late"] == 1 and data["deadlines"][0]["share_exceeding"] == 0.4
    rows = list(csv.DictReader(io.StringIO((out / "transitions.csv").read_text(encoding="utf-8"))))
    by_pair = {(r["from"], r["to"]): r for r in rows}
    assert float(by_pair[("Onderzoek", "Beslissing")]["wait_median_days"]) == 14.5
    cases = list(csv.DictReader(io.StringIO((out / "cases.csv").read_text(encoding="utf-8"))))
    assert sorted(r["deadline1_outcome"] for r in cases) == ["late", "on_time", "on_time", "on_time", "open", "open_late"]
    assert all(r["case"].startswith("c-") for r in cases)
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "Content-Security-Policy" in html and "<svg" in html and "Gemeten procesplaat" in html
    assert "http://" not in html.replace("http://www.w3.org", "") and "https://" not in html


def test_report_in_english(tmp_path, files):
    result = CliRunner().invoke(main, ["log", "analyze", str(files[0]), "--map", str(files[1]), "-o",
                                       str(tmp_path / "en"), "--key", str(tmp_path / "k.key"), "--lang", "en", "-q"])
    assert result.exit_code == 0, result.output
    html = (tmp_path / "en" / "report.html").read_text(encoding="utf-8")
    assert "Measured process map" in html and 'lang="en"' in html


def test_activity_names_are_escaped_everywhere(tmp_path, key):
    text = logdata.csv_text().replace("Onderzoek", '<script>alert(1)</script> & "Onderzoek"')
    log = tmp_path / "hostile.csv"
    log.write_text(text, encoding="utf-8")
    mapping = tmp_path / "m.yaml"
    mapping.write_text(MAPPING, encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["log", "analyze", str(log), "--map", str(mapping), "-o", str(out),
                                       "--key", str(tmp_path / "k.key"), "-q"])
    assert result.exit_code == 0, result.output
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "<script>alert(1)" not in html


def test_output_folder_may_not_be_the_log(tmp_path, files):
    result = CliRunner().invoke(main, ["log", "analyze", str(files[0]), "--map", str(files[1]), "-o", str(files[0]),
                                       "--key", str(tmp_path / "k.key")])
    assert result.exit_code != 0


@pytest.mark.browser
def test_log_report_in_chromium_makes_no_request(tmp_path, files):
    from browser import open_page

    out = _analyze(tmp_path, files, tmp_path / "k.key", "out")
    with open_page(out / "report.html", width=1280, height=720) as (page, log):
        assert page.locator("#map svg").count() >= 1
        assert page.locator("svg.plot").count() >= 3
        page.locator("#transitions th button").first.click()  # the sortable tables work (inline script allowed by CSP)
    assert log.clean, log
