"""OCEL 2.0 logs (kafka/log/ocel.py): flattened on one object type, they measure what the same CSV measures."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from kafka.cli import main
from kafka.errors import InputError
from kafka.log import connect, measure, open_log
from kafka.log.mapping import parse_mapping
from kafka.log.pseudonymise import load_key

import logdata
from logdata import MAPPING, SECRET_WORDS

OCEL_MAPPING = MAPPING.replace("Dossiernummer", '"ocel:type:dossier"').replace("Activiteit", '"ocel:activity"') \
    .replace("Einde", '"ocel:timestamp"').replace("Medewerker", '"ocel:type:medewerker"') \
    .replace("Dienst", '"ocel:type:dienst"')

TIME = "%Y-%m-%dT%H:%M:%S"


@pytest.fixture(autouse=True)
def _no_home_key(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.delenv("KAFKA_LOG_KEY", raising=False)


@pytest.fixture
def key(tmp_path):
    return load_key(tmp_path / "test.key")


def _events(extra: bool = False) -> list[dict]:
    """logdata's events as OCEL events: the dossier, the worker and the service are objects;
    the start time and a confidential note are event attributes."""
    out = []
    for index, e in enumerate(logdata.events()):
        out.append({
            "id": f"e{index}", "type": e.activity, "time": e.end.strftime(TIME),
            "attributes": [{"name": "Begin", "value": e.start.strftime(TIME)},
                           {"name": "Opmerking", "value": f"vertrouwelijk: {e.resource} belde de cliënt"}],
            "relationships": [{"objectId": e.case, "qualifier": "dossier"},
                              {"objectId": e.resource, "qualifier": "behandeld door"},
                              {"objectId": e.org, "qualifier": "dienst"}],
        })
    if extra:
        out.append({"id": "x1", "type": "Zitting BCSD", "time": "2024-02-01T10:00:00", "attributes": [],
                    "relationships": [{"objectId": "BCSD", "qualifier": "dienst"}]})  # no dossier: left out
    return out


def _objects() -> list[dict]:
    seen: dict[str, str] = {}
    for e in logdata.events():
        seen.setdefault(e.case, "dossier")
        seen.setdefault(e.resource, "medewerker")
        seen.setdefault(e.org, "dienst")
    return [{"id": oid, "type": otype, "attributes": []} for oid, otype in seen.items()]


def _json_log(tmp_path: Path, events: list[dict] | None = None, name: str = "log.jsonocel") -> Path:
    data = {"eventTypes": [{"name": a, "attributes": [{"name": "Begin", "type": "time"}]}
                           for a in sorted({e.activity for e in logdata.events()})],
            "objectTypes": [{"name": t, "attributes": []} for t in ("dossier", "medewerker", "dienst")],
            "events": events if events is not None else _events(), "objects": _objects()}
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def _sqlite_log(tmp_path: Path) -> Path:
    """The same log in the OCEL 2.0 SQLite layout (one table per event type)."""
    path = tmp_path / "log.sqlite"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE event (ocel_id TEXT PRIMARY KEY, ocel_type TEXT)")
    con.execute("CREATE TABLE event_map_type (ocel_type TEXT, ocel_type_map TEXT)")
    con.execute("CREATE TABLE event_object (ocel_event_id TEXT, ocel_object_id TEXT, ocel_qualifier TEXT)")
    con.execute("CREATE TABLE object (ocel_id TEXT PRIMARY KEY, ocel_type TEXT)")
    con.execute("CREATE TABLE object_map_type (ocel_type TEXT, ocel_type_map TEXT)")
    for o in _objects():
        con.execute("INSERT INTO object VALUES (?, ?)", (o["id"], o["type"]))
    tables = {}
    for event in _events():
        suffix = tables.setdefault(event["type"], f"T{len(tables)}")
        if len(tables) > con.execute("SELECT count(*) FROM event_map_type").fetchone()[0]:
            con.execute("INSERT INTO event_map_type VALUES (?, ?)", (event["type"], suffix))
            con.execute(f'CREATE TABLE "event_{suffix}" (ocel_id TEXT, ocel_time TIMESTAMP, "Begin" TIMESTAMP, '
                        '"Opmerking" TEXT)')
        values = {a["name"]: a["value"] for a in event["attributes"]}
        con.execute("INSERT INTO event VALUES (?, ?)", (event["id"], event["type"]))
        con.execute(f'INSERT INTO "event_{suffix}" VALUES (?, ?, ?, ?)',
                    (event["id"], event["time"], values["Begin"], values["Opmerking"]))
        for r in event["relationships"]:
            con.execute("INSERT INTO event_object VALUES (?, ?, ?)", (event["id"], r["objectId"], r["qualifier"]))
    con.commit()
    con.close()
    return path


def _measured(log: Path, mapping_text: str, tmp_path: Path, key):
    mapping = tmp_path / "m.yaml"
    mapping.write_text(mapping_text, encoding="utf-8")
    with connect() as con:
        return measure(open_log(con, log, mapping, key))


def _fingerprint(m):
    return ([(a.name, a.events, round(a.wait.median or 0, 9), round(a.work.median or 0, 9)) for a in m.activities],
            [(t.source, t.target, t.count, round(t.wait.median, 9)) for t in m.transitions],
            [(v.activities, v.cases) for v in m.variants], [(d.late, d.open_late) for d in m.deadlines],
            m.summary.cases, m.summary.events)


def _expected(tmp_path, key):
    csv_log = tmp_path / "export.csv"
    csv_log.write_text(logdata.csv_text(), encoding="utf-8")
    return _fingerprint(_measured(csv_log, MAPPING, tmp_path, key))


@pytest.mark.parametrize("serialisation", ["json", "sqlite"])
def test_ocel_flattened_on_the_dossier_measures_what_the_csv_measures(tmp_path, key, serialisation):
    log = _json_log(tmp_path) if serialisation == "json" else _sqlite_log(tmp_path)
    before = log.read_bytes()
    assert _fingerprint(_measured(log, OCEL_MAPPING, tmp_path, key)) == _expected(tmp_path, key)
    assert log.read_bytes() == before  # read-only: nothing written into or beside the log
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("log.")) == [log.name]


def test_an_event_of_two_dossiers_counts_for_both_and_one_of_none_is_left_out(tmp_path, key):
    events = _events(extra=True)
    first = events[0]
    first["relationships"].append({"objectId": "DOS-2024-0006", "qualifier": "ook voor"})
    m = _measured(_json_log(tmp_path, events), OCEL_MAPPING, tmp_path, key)
    assert m.summary.events == len(logdata.events()) + 1
    assert ("unrelated_events", 1) in m.summary.notes


def test_inspect_proposes_the_object_types_as_roles(tmp_path):
    result = CliRunner().invoke(main, ["log", "inspect", str(_json_log(tmp_path))])
    assert result.exit_code == 0, result.output
    mapping = parse_mapping(result.stdout)
    assert mapping.format == "ocel"
    used = mapping.columns.used()
    assert used["case"] == "ocel:type:dossier" and used["activity"] == "ocel:activity"
    assert used["timestamp"] == "ocel:timestamp" and used["resource"] == "ocel:type:medewerker"
    assert used["organisation"] == "ocel:type:dienst"
    assert not any(word in result.stdout for word in SECRET_WORDS)  # examples are shapes, not values


def test_analyze_an_ocel_log_from_the_command_line_writes_no_raw_id(tmp_path):
    log = _sqlite_log(tmp_path)
    mapping = tmp_path / "m.yaml"
    mapping.write_text(OCEL_MAPPING, encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["log", "analyze", str(log), "--map", str(mapping), "-o", str(out),
                                       "--key", str(tmp_path / "k.key")])
    assert result.exit_code == 0, result.output
    for path in out.rglob("*"):
        if path.is_file():
            text = path.read_text(encoding="utf-8", errors="replace")
            assert not any(word in text for word in SECRET_WORDS), path.name


@pytest.mark.parametrize("content,expected", [
    (b"{not json", "log.jsonocel:1:2: this is not valid JSON"),
    (b"[1, 2]", "not an OCEL 2.0 JSON log"),
    (b'{"events": [{"id": "e1", "type": "A"}], "objects": []}', "events[0]: the event has no 'time'"),
    (b'{"events": [{"id": "e1", "type": "A", "time": "2024-01-01", "relationships": [{"objectId": "o9"}]}],'
     b' "objects": []}', "object 'o9' is not among the log's objects"),
    (b"[" * 100_000, "nested too deeply"),
])
def test_a_broken_ocel_json_log_is_named_and_explained(tmp_path, key, content, expected):
    log = tmp_path / "log.jsonocel"
    log.write_bytes(content)
    with pytest.raises(InputError) as info:
        _measured(log, OCEL_MAPPING, tmp_path, key)
    assert expected in str(info.value)


def test_an_sqlite_file_that_is_no_ocel_log_and_an_xml_ocel_log(tmp_path, key):
    other = tmp_path / "other.sqlite"
    con = sqlite3.connect(other)
    con.execute("CREATE TABLE t (x)")
    con.commit()
    con.close()
    with pytest.raises(InputError, match="not an OCEL 2.0 log"):
        _measured(other, OCEL_MAPPING, tmp_path, key)
    xml = tmp_path / "log.xmlocel"
    xml.write_text("<log/>", encoding="utf-8")
    with pytest.raises(InputError, match="OCEL 2.0 XML is not read"):
        _measured(xml, OCEL_MAPPING, tmp_path, key)


def test_a_misnamed_object_type_lists_the_columns_found(tmp_path, key):
    with pytest.raises(InputError) as info:
        _measured(_json_log(tmp_path), OCEL_MAPPING.replace("ocel:type:dossier", "ocel:type:dosier"), tmp_path, key)
    assert "ocel:type:dossier" in str(info.value)
