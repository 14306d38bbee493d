"""The export formats other than BPMN, and the JSON Schema of the analysis."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from kafka.analysis import JSON_SCHEMA_VERSION, analyze
from kafka.export.formats import ExportFormat, analysis_json, analysis_schema, export
from kafka.loader import load_case

jsonschema = pytest.importorskip("jsonschema", reason="jsonschema is in the test extra: pip install -e .[test]")

REPO = Path(__file__).resolve().parent.parent


def example_cases() -> list[Path]:
    return sorted((REPO / "cases").glob("*.yaml")) + sorted((REPO.parent / "shared" / "conformance").glob("*.yaml"))


def validator():
    schema = analysis_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def errors(data) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator().iter_errors(data)]


@pytest.mark.parametrize("path", example_cases(), ids=lambda p: p.stem)
@pytest.mark.parametrize("lang", ["nl", "en"])
def test_json_export_of_every_example_matches_the_schema(path, lang):
    analysis = analyze(load_case(path).case, lang=lang)
    data = json.loads(export(analysis, ExportFormat.JSON))
    assert data["schema_version"] == JSON_SCHEMA_VERSION == 1
    assert errors(data) == []


def test_the_schema_rejects_what_it_should():
    analysis = analyze(load_case(example_cases()[0]).case)
    good = json.loads(analysis_json(analysis))
    assert good["findings"], "the example needs findings for this test"

    def broken(change) -> list[str]:
        data = json.loads(analysis_json(analysis))
        change(data)
        return errors(data)

    assert broken(lambda d: d.update(schema_version=2))
    assert broken(lambda d: d["metrics"].pop("lead_time_days"))
    assert broken(lambda d: d["metrics"].update(undocumented=1))
    assert broken(lambda d: d["findings"][0].update(level="regional"))
    assert broken(lambda d: d["findings"][0]["proposal"]["target"].update(government="provincial"))
    assert broken(lambda d: d["case"].update(id="Not An Id"))


def test_json_export_is_the_analysis_to_dict():
    analysis = analyze(load_case(example_cases()[0]).case)
    assert json.loads(export(analysis, ExportFormat.JSON)) == json.loads(json.dumps(analysis.to_dict()))


def _schema_fields(node: dict, defs: dict, seen: set[str] | None = None) -> set[str]:
    """Every property name the schema describes, following $refs."""
    seen = set() if seen is None else seen
    names: set[str] = set()
    if "$ref" in node:
        ref = node["$ref"].rsplit("/", 1)[-1]
        if ref in seen:
            return names
        seen.add(ref)
        return _schema_fields(defs[ref], defs, seen)
    for name, sub in node.get("properties", {}).items():
        names.add(name)
        names |= _schema_fields(sub, defs, seen)
    if isinstance(node.get("items"), dict):
        names |= _schema_fields(node["items"], defs, seen)
    return names


def test_every_field_of_the_schema_is_documented():
    schema = analysis_schema()
    fields = _schema_fields(schema, schema["$defs"])
    assert {"schema_version", "lead_time_days", "euro_year", "government"} <= fields
    doc = (REPO / "docs" / "json-schema.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `([a-z_]+)` \|", doc, flags=re.MULTILINE))
    assert fields - documented == set(), "fields missing from docs/json-schema.md"
    assert documented - fields == set(), "docs/json-schema.md documents fields the schema lacks"
