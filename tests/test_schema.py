"""`kafka schema`: a draft-07 schema editors accept, agreeing with the loader."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from kafka.schema import case_schema
from kafka.starters import starter_names, starter_text

import jsonschema

REPO_ROOT = Path(__file__).resolve().parent.parent


def _validator():
    schema = case_schema()
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema)


def _as_editor_sees_it(text: str):
    # An editor reads an unquoted date as text; json with default=str does the same.
    return json.loads(json.dumps(yaml.safe_load(text), default=str))


def _examples():
    files = sorted((REPO_ROOT / "cases").glob("*.yaml"))
    files += sorted((REPO_ROOT.parent / "shared" / "conformance").glob("*.yaml"))
    texts = [(p.name, p.read_text(encoding="utf-8")) for p in files]
    texts += [(f"starter:{name}", starter_text("example", name)) for name in starter_names()]
    texts.append(("starter:none", starter_text("example")))
    return texts


def test_schema_header():
    schema = case_schema()
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    assert schema["$id"] and schema["title"] and schema["description"]
    assert schema["additionalProperties"] is False
    assert set(schema["required"]) == {"case", "actors", "steps"}
    assert "$defs" not in json.dumps(schema)


def test_every_object_forbids_unknown_keys_and_every_key_is_described():
    schema = case_schema()
    for name, definition in schema["definitions"].items():
        if definition.get("type") != "object":
            continue
        assert definition["additionalProperties"] is False, name
        for key, prop in definition["properties"].items():
            assert prop.get("description"), f"{name}.{key} has no description"
            assert not ("$ref" in prop and len(prop) > 1), f"{name}.{key}: $ref with siblings"


@pytest.mark.parametrize(("name", "text"), _examples(), ids=[n for n, _ in _examples()])
def test_valid_files_pass_the_schema(name, text):
    errors = [e.message for e in _validator().iter_errors(_as_editor_sees_it(text))]
    assert errors == []


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("  title: ", "  titel: x\n  title: "),  # unknown key
        ("level: local", "level: lokal"),  # bad enum
        ("  mw:", "  MW:"),  # bad id as a key
        ("client_minutes: 60", "client_minutes: -60"),  # negative number
        ("staff_minutes: 15", "staff_minutes: '15'"),  # text instead of a number
    ],
)
def test_schema_flags_what_the_loader_refuses(old, new):
    text = starter_text("example", "leefloon")
    assert old in text
    broken = text.replace(old, new, 1)
    assert list(_validator().iter_errors(_as_editor_sees_it(broken)))


def test_shorthands_and_empty_sections_pass():
    text = starter_text("example")
    text = text.replace("mapped_by: [Kafka-brigade, sociale dienst]", "mapped_by: Kafka-brigade")
    text = text.replace("rules:\n", "sources:\nrules:\n")
    data = _as_editor_sees_it(text)
    data["steps"][0]["next"] = ["intake"]
    assert list(_validator().iter_errors(data)) == []


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("eligible_per_year: 600", "eligible_per_year: 0"),  # a count below 1
        ("repeats_every_days: 365", "repeats_every_days: 36.5"),  # not whole
        ("binds: client", "binds: klant"),  # unknown binds
        ("proves: disability}", "proves: Disability}"),  # not an id
        ("depends_on: [ontslag]", "depends_on: ontslag"),  # not a list
    ],
)
def test_schema_flags_bad_version_1_1_keys(shared_dir, old, new):
    path = shared_dir / "conformance" / "premie-handicap.yaml"
    if not path.is_file():
        pytest.skip("the shared conformance folder is absent")
    text = path.read_text(encoding="utf-8")
    assert old in text
    assert list(_validator().iter_errors(_as_editor_sees_it(text))) == []
    assert list(_validator().iter_errors(_as_editor_sees_it(text.replace(old, new, 1))))
