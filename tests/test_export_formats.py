"""The export formats other than BPMN, and the JSON Schema of the analysis."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from kafka.analysis import JSON_SCHEMA_VERSION, analyze
from kafka.export.formats import ExportFormat, analysis_json, analysis_schema, export
from kafka.loader import load_case

import jsonschema

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


# --- the process map alone: DOT, SVG, PNG ------------------------------------------------

import struct  # noqa: E402
import xml.etree.ElementTree as ET  # noqa: E402
import zlib  # noqa: E402

from kafka.export.formats import ExportOptions  # noqa: E402
from kafka.loader import load_text  # noqa: E402

HOSTILE = """\
case:
  id: hostile
  title: "Titel met <script>alert(1)</script> & \\"quotes\\""
  organisation: "OCMW <b>Test</b>"
actors:
  client: {name: "Sara {brace} \\\\N", level: client}
  mw: {name: "Maatschappelijk werker </text><script>", level: local}
steps:
  - id: aanmelding
    name: "Aanmelding <img src=x onerror=alert(1)> & co"
    actor: mw
    client_minutes: 30
  - id: beslissing
    name: Beslissing
    actor: client
"""


def hostile_analysis():
    loaded = load_text(HOSTILE, "hostile.yaml")
    assert loaded.ok, [str(p) for p in loaded.problems]
    return analyze(loaded.case)


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def png_first_pixel(data: bytes) -> tuple[int, ...]:
    """The top-left pixel, read from the first scanline (filter None or Sub keep it raw)."""
    pos, idat = 8, b""
    colour_type = data[25]
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        if kind == b"IDAT":
            idat += data[pos + 8:pos + 8 + length]
        pos += 12 + length
    raw = zlib.decompress(idat)
    assert raw[0] in (0, 1), "unexpected PNG filter on the first line"
    channels = {2: 3, 6: 4}[colour_type]
    return tuple(raw[1:1 + channels])


def test_dot_is_the_process_map_source():
    import pygraphviz

    analysis = analyze(load_case(example_cases()[0]).case)
    dot = export(analysis, ExportFormat.DOT)
    graph = pygraphviz.AGraph(string=dot)
    assert graph.graph_attr["layout"] == "nop"
    assert {s.id for s in analysis.case.steps} <= set(graph.nodes())
    assert all(graph.get_node(s.id).attr["pos"] for s in analysis.case.steps), "positions are part of the source"


def test_svg_is_a_standalone_well_formed_file_with_case_text_escaped():
    svg = export(hostile_analysis(), ExportFormat.SVG)
    assert svg.startswith('<?xml version="1.0" encoding="UTF-8"')
    root = ET.fromstring(svg.encode("utf-8"))
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert not any(e.tag.endswith("script") for e in root.iter()), "case text became markup"
    texts = " ".join(e.text or "" for e in root.iter())
    assert "<img src=x onerror=alert(1)>" in texts or "img src=x" in texts


def test_png_for_slides_on_white_at_the_chosen_resolution():
    analysis = analyze(load_case(example_cases()[0]).case)
    small = export(analysis, ExportFormat.PNG, ExportOptions(dpi=48))
    large = export(analysis, ExportFormat.PNG, ExportOptions(dpi=96))
    (w1, h1), (w2, h2) = png_size(small), png_size(large)
    assert abs(w2 / w1 - 2) < 0.05 and abs(h2 / h1 - 2) < 0.05
    assert png_first_pixel(small)[:3] == (255, 255, 255)


def test_hostile_text_renders_in_every_format():
    analysis = hostile_analysis()
    for fmt in ExportFormat:
        content = export(analysis, fmt)
        assert content, fmt
