"""BPMN 2.0 export: a well-formed document whose every reference resolves,
with a shape for every lane and node and an edge for every flow, placed
consistently (nodes in their lanes, flows touching their ends)."""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from kafka.analysis import analyze
from kafka.export.bpmn import bpmn_xml
from kafka.export.bpmn_process import LaneBy
from kafka.loader import load_case, load_text

REPO = Path(__file__).resolve().parent.parent
NS = {
    "bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
    "dc": "http://www.omg.org/spec/DD/20100524/DC",
    "di": "http://www.omg.org/spec/DD/20100524/DI",
}
NCNAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")
FLOW_NODES = ("startEvent", "endEvent", "task", "exclusiveGateway")

# A branch with a `when`, a loop back, a step id starting with a digit, two
# organisations, and case text that XML must escape.
BRANCHING = """\
case:
  id: 7-takken
  title: "Aanvraag <test> & \\"quotes\\" ok"
  organisation: OCMW Test
actors:
  client: {name: Sara, level: client}
  mw: {name: Maatschappelijk werker, level: local, organisation: OCMW Test}
  rva: {name: RVA-kantoor, level: federal}
data:
  identity: {name: Identiteit, source: rijksregister}
steps:
  - id: 1-aanmelding
    name: Aanmelding <onthaal> & intake
    actor: mw
    client_minutes: 30
    wait_days: 3
    asks: [identity]
    tells_story: true
  - id: rva
    name: Attest halen bij de RVA
    actor: rva
    client_minutes: 60
    wait_days: 21
    asks: [identity]
    tells_story: true
    next:
      - {to: 1-aanmelding, when: attest onvolledig, chance: 0.25}
      - {to: beslissing, when: attest in orde}
  - id: beslissing
    name: Beslissing
    actor: mw
"""


def analysed(text: str, name: str = "case.yaml"):
    loaded = load_text(text, name)
    assert loaded.ok, [str(p) for p in loaded.problems]
    return analyze(loaded.case)


def parse(xml: str) -> ET.Element:
    assert xml.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    return ET.fromstring(xml.encode("utf-8"))


def bounds_of(shape: ET.Element) -> tuple[float, float, float, float]:
    b = shape.find("dc:Bounds", NS)
    return tuple(float(b.get(k)) for k in ("x", "y", "width", "height"))


def check_document(root: ET.Element, ends: bool = True) -> None:
    """The structural promises of the export, on any case (``ends``: the procedure has an end)."""
    ids = [e.get("id") for e in root.iter() if e.get("id") is not None]
    assert len(ids) == len(set(ids)), "ids are not unique"
    assert all(NCNAME.match(i) for i in ids), [i for i in ids if not NCNAME.match(i)]
    by_id = {e.get("id"): e for e in root.iter() if e.get("id") is not None}

    collaboration = root.find("bpmn:collaboration", NS)
    participants = collaboration.findall("bpmn:participant", NS)
    assert len(participants) == 1
    process = by_id[participants[0].get("processRef")]
    assert process.tag == f"{{{NS['bpmn']}}}process"

    nodes = {e.get("id"): e for tag in FLOW_NODES for e in process.findall(f"bpmn:{tag}", NS)}
    flows = {e.get("id"): e for e in process.findall("bpmn:sequenceFlow", NS)}
    assert len(process.findall("bpmn:startEvent", NS)) == 1
    assert bool(process.findall("bpmn:endEvent", NS)) == ends

    for flow in flows.values():
        assert flow.get("sourceRef") in nodes and flow.get("targetRef") in nodes
    for node_id, node in nodes.items():
        incoming = {e.text for e in node.findall("bpmn:incoming", NS)}
        outgoing = {e.text for e in node.findall("bpmn:outgoing", NS)}
        assert incoming == {f for f, e in flows.items() if e.get("targetRef") == node_id}
        assert outgoing == {f for f, e in flows.items() if e.get("sourceRef") == node_id}

    lanes = process.findall("bpmn:laneSet/bpmn:lane", NS)
    refs = [r.text for lane in lanes for r in lane.findall("bpmn:flowNodeRef", NS)]
    assert sorted(refs) == sorted(nodes), "every node is in exactly one lane"

    plane = root.find("bpmndi:BPMNDiagram/bpmndi:BPMNPlane", NS)
    assert plane.get("bpmnElement") == collaboration.get("id")
    shapes = {s.get("bpmnElement"): s for s in plane.findall("bpmndi:BPMNShape", NS)}
    edges = {e.get("bpmnElement"): e for e in plane.findall("bpmndi:BPMNEdge", NS)}
    for element in list(shapes) + list(edges):
        assert element in by_id, f"bpmnElement {element} does not resolve"
    lane_ids = [lane.get("id") for lane in lanes]
    assert set(shapes) == {participants[0].get("id"), *lane_ids, *nodes}
    assert set(edges) == set(flows)

    pool = bounds_of(shapes[participants[0].get("id")])
    for lane in lanes:
        lx, ly, lw, lh = bounds_of(shapes[lane.get("id")])
        assert pool[0] <= lx and lx + lw <= pool[0] + pool[2] + 0.1
        assert pool[1] <= ly and ly + lh <= pool[1] + pool[3] + 0.1
        for ref in lane.findall("bpmn:flowNodeRef", NS):
            x, y, w, h = bounds_of(shapes[ref.text])
            assert lx < x and x + w < lx + lw and ly < y and y + h < ly + lh, f"{ref.text} is outside its lane"
    for values in (bounds_of(s) for s in shapes.values()):
        assert all(v >= 0 for v in values)

    for flow_id, edge in edges.items():
        points = [(float(p.get("x")), float(p.get("y"))) for p in edge.findall("di:waypoint", NS)]
        assert len(points) >= 2
        assert all(x >= 0 and y >= 0 for x, y in points)
        source, target = (nodes[flows[flow_id].get(ref)] for ref in ("sourceRef", "targetRef"))
        assert on_outline(points[0], bounds_of(shapes[source.get("id")]), source.tag), (flow_id, points[0])
        assert on_outline(points[-1], bounds_of(shapes[target.get("id")]), target.tag), (flow_id, points[-1])


def on_outline(point, bounds, tag: str, tolerance: float = 3.0) -> bool:
    """The point lies on the outline of the shape drawn in ``bounds`` -- where a flow meets it."""
    x, y = point
    bx, by, bw, bh = bounds
    cx, cy, rx, ry = bx + bw / 2, by + bh / 2, bw / 2, bh / 2
    if tag.endswith("Event"):  # a circle
        return abs(math.hypot(x - cx, y - cy) - rx) <= tolerance
    if tag.endswith("Gateway"):  # a diamond: |dx|/rx + |dy|/ry = 1
        return abs(abs(x - cx) / rx + abs(y - cy) / ry - 1) * min(rx, ry) <= tolerance
    dx = max(bx - x, 0, x - (bx + bw))
    dy = max(by - y, 0, y - (by + bh))
    if dx or dy:
        return math.hypot(dx, dy) <= tolerance
    return min(x - bx, bx + bw - x, y - by, by + bh - y) <= tolerance


def example_cases() -> list[Path]:
    paths = sorted((REPO / "cases").glob("*.yaml"))
    shared = REPO.parent / "shared" / "conformance"
    return paths + sorted(shared.glob("*.yaml"))


@pytest.mark.parametrize("path", example_cases(), ids=lambda p: p.stem)
def test_example_cases_export_complete_documents(path):
    loaded = load_case(path)
    assert loaded.ok, [str(p) for p in loaded.errors]
    analysis = analyze(loaded.case)
    root = parse(bpmn_xml(analysis))
    # a procedure that loops for ever (renewals) has no step without a next one, and no end event
    check_document(root, ends=any(analysis.graph.flow.out_degree(s) == 0 for s in analysis.graph.steps))
    tasks = root.findall("bpmn:process/bpmn:task", NS)
    assert [t.get("name") for t in tasks] == [s.name for s in loaded.case.steps]


def test_branches_become_gateways_with_named_flows():
    root = parse(bpmn_xml(analysed(BRANCHING)))
    check_document(root)
    process = root.find("bpmn:process", NS)
    gateways = process.findall("bpmn:exclusiveGateway", NS)
    assert [g.get("id") for g in gateways] == ["Gateway_rva"]
    out_of_gateway = {f.get("name"): f.get("targetRef")
                      for f in process.findall("bpmn:sequenceFlow", NS) if f.get("sourceRef") == "Gateway_rva"}
    assert out_of_gateway == {"attest onvolledig": "Step_1-aanmelding", "attest in orde": "Step_beslissing"}
    loop = next(f for f in process.findall("bpmn:sequenceFlow", NS) if f.get("name") == "attest onvolledig")
    assert "25%" in loop.find("bpmn:documentation", NS).text
    # the start event leads to the first step, the last step to an end event
    start = process.find("bpmn:startEvent", NS)
    first_flow = process.find(f"bpmn:sequenceFlow[@id='{start.find('bpmn:outgoing', NS).text}']", NS)
    assert first_flow.get("targetRef") == "Step_1-aanmelding"
    assert [e.get("id") for e in process.findall("bpmn:endEvent", NS)] == ["End_beslissing"]


def test_step_ids_starting_with_a_digit_get_a_prefix():
    root = parse(bpmn_xml(analysed(BRANCHING)))
    ids = {e.get("id") for e in root.iter() if e.get("id")}
    assert "Step_1-aanmelding" in ids and "Process_7-takken" in ids


def test_case_text_is_escaped():
    xml = bpmn_xml(analysed(BRANCHING))
    assert "<onthaal>" not in xml and "&lt;onthaal&gt; &amp; intake" in xml
    root = parse(xml)
    assert root.find("bpmn:collaboration/bpmn:participant", NS).get("name") == 'Aanvraag <test> & "quotes" ok'
    task = root.find("bpmn:process/bpmn:task[@id='Step_1-aanmelding']", NS)
    assert task.get("name") == "Aanmelding <onthaal> & intake"


def test_characters_xml_cannot_carry_are_dropped():
    # The loader refuses control characters in case files, but a case built in
    # code can hold them; the XML must stay well-formed all the same.
    analysis = analysed(BRANCHING)
    info = analysis.case.case.model_copy(update={"title": "Aanvraag\x01 met \x1b[31m kleur\ufffe"})
    analysis.case = analysis.case.model_copy(update={"case": info})
    root = parse(bpmn_xml(analysis))
    assert root.find("bpmn:collaboration/bpmn:participant", NS).get("name") == "Aanvraag met [31m kleur"


def test_lanes_per_organisation_or_per_actor():
    analysis = analysed(BRANCHING)
    by_org = parse(bpmn_xml(analysis)).findall("bpmn:process/bpmn:laneSet/bpmn:lane", NS)
    assert [lane.get("name") for lane in by_org] == ["OCMW Test", "RVA-kantoor"]
    by_actor = parse(bpmn_xml(analysis, LaneBy.ACTOR)).findall("bpmn:process/bpmn:laneSet/bpmn:lane", NS)
    assert [lane.get("id") for lane in by_actor] == ["Lane_mw", "Lane_rva"]
    assert [lane.get("name") for lane in by_actor] == ["Maatschappelijk werker", "RVA-kantoor"]


def test_waiting_days_and_findings_are_documented():
    analysis = analysed(BRANCHING)
    root = parse(bpmn_xml(analysis))
    doc = root.find("bpmn:process/bpmn:task[@id='Step_rva']/bpmn:documentation", NS).text
    assert "Wachttijd vooraf: 21 dagen" in doc
    codes_on_rva = {f.code for f in analysis.findings if "rva" in f.steps}
    assert {"T02", "S01", "D01"} <= codes_on_rva  # the case is built to trigger them
    for code in codes_on_rva:
        assert f"- {code} " in doc
    process_doc = root.find("bpmn:process/bpmn:documentation", NS).text
    assert all(f"- {f.code} " in process_doc for f in analysis.findings)
    english = parse(bpmn_xml(analyze(analysis.case, lang="en")))
    doc_en = english.find("bpmn:process/bpmn:task[@id='Step_rva']/bpmn:documentation", NS).text
    assert "Waiting before: 21 days" in doc_en


def test_a_step_that_loops_to_itself():
    text = BRANCHING.replace("{to: 1-aanmelding, when: attest onvolledig", "{to: rva, when: opnieuw")
    root = parse(bpmn_xml(analysed(text)))
    check_document(root)


def test_a_single_step_case():
    text = BRANCHING.split("  - id: rva")[0]
    root = parse(bpmn_xml(analysed(text)))
    check_document(root)
    assert len(root.findall("bpmn:process/bpmn:task", NS)) == 1


def test_on_outline_tells_the_outline_from_elsewhere():
    # the helper the layout checks rely on must itself be able to fail
    box = (100, 100, 100, 80)
    assert on_outline((100, 140), box, "task") and on_outline((150, 180), box, "task")
    assert not on_outline((150, 140), box, "task") and not on_outline((90, 140), box, "task")
    diamond = (0, 0, 50, 50)
    assert on_outline((50, 25), diamond, "exclusiveGateway") and on_outline((12.5, 12.5), diamond, "exclusiveGateway")
    assert not on_outline((0, 0), diamond, "exclusiveGateway")
    circle = (0, 0, 36, 36)
    assert on_outline((36, 18), circle, "endEvent") and not on_outline((18, 18), circle, "endEvent")


# --- checked by the tools users open the file in -------------------------------

MODDLE_CHECK = """
import { BpmnModdle } from 'bpmn-moddle';
import fs from 'node:fs';
const moddle = new BpmnModdle();
const results = {};
for (const file of process.argv.slice(2)) {
  try {
    const { warnings } = await moddle.fromXML(fs.readFileSync(file, 'utf8'));
    results[file] = warnings.map(w => w.message);
  } catch (err) {
    results[file] = ['cannot read: ' + (err && err.message || err)];
  }
}
console.log(JSON.stringify(results));
"""


def moddle_warnings(paths: list[Path]) -> dict[str, list[str]]:
    import json
    import subprocess

    from npm_packages import NPM_DIR, npm_package

    npm_package("bpmn-moddle")
    script = NPM_DIR / "check_bpmn.mjs"  # beside node_modules, so that the import resolves
    script.write_text(MODDLE_CHECK, encoding="utf-8")
    result = subprocess.run(["node", str(script), *map(str, paths)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_bpmn_moddle_reads_every_example_without_warnings(tmp_path):
    files = []
    for path in example_cases():
        analysis = analyze(load_case(path).case)
        for lane_by in LaneBy:
            target = tmp_path / f"{path.stem}-{lane_by.value}.bpmn"
            target.write_text(bpmn_xml(analysis, lane_by), encoding="utf-8")
            files.append(target)
    branching = tmp_path / "branching.bpmn"
    branching.write_text(bpmn_xml(analysed(BRANCHING)), encoding="utf-8")
    files.append(branching)
    # a broken reference must be reported, or the check proves nothing
    broken = tmp_path / "broken.bpmn"
    broken.write_text(branching.read_text(encoding="utf-8").replace('targetRef="Step_beslissing"', 'targetRef="Nowhere"'),
                      encoding="utf-8")
    warnings = moddle_warnings(files + [broken])
    assert warnings.pop(str(broken)) == ["unresolved reference <Nowhere>"]
    assert warnings == {str(f): [] for f in files}


@pytest.mark.browser
def test_bpmn_js_opens_every_example_and_draws_every_element(tmp_path):
    """bpmn.io's own viewer (bpmn-js, from npm) imports the files without warnings, in headless Chromium."""
    import os

    from npm_packages import npm_package

    from playwright import sync_api as playwright_api
    from browser import ARGS as args
    from browser import chromium_executable

    chromium = os.environ.get("KAFKA_TEST_CHROMIUM") or chromium_executable()  # installs Debian's chromium if missing
    viewer = (npm_package("bpmn-js") / "dist" / "bpmn-viewer.production.min.js").read_text(encoding="utf-8")
    documents = {path.stem: bpmn_xml(analyze(load_case(path).case)) for path in example_cases()}
    documents["branching"] = bpmn_xml(analysed(BRANCHING))
    with playwright_api.sync_playwright() as p:
        context = p.chromium.launch_persistent_context(str(tmp_path / "profile"), executable_path=chromium,
                                                       args=args, headless=True)
        try:
            page = context.new_page()
            page.set_content("<div id='canvas' style='width:1200px;height:800px'></div>")
            page.add_script_tag(content=viewer)
            for name, xml in documents.items():
                result = page.evaluate("""async (xml) => {
                  const viewer = new BpmnJS({container: '#canvas'});
                  try {
                    const {warnings} = await viewer.importXML(xml);
                    const ids = viewer.get('elementRegistry').getAll().map(e => e.id);
                    return {warnings: warnings.map(w => w.message), ids};
                  } catch (err) {
                    return {warnings: ['import failed: ' + err.message], ids: []};
                  } finally {
                    viewer.destroy();
                  }
                }""", xml)
                assert result["warnings"] == [], (name, result["warnings"])
                root = parse(xml)
                expected = {e.get("id") for e in root.find("bpmn:process", NS)
                            if e.tag.rsplit("}", 1)[1] in (*FLOW_NODES, "sequenceFlow")}
                expected |= {lane.get("id") for lane in root.iter(f"{{{NS['bpmn']}}}lane")}
                assert expected <= set(result["ids"]), (name, sorted(expected - set(result["ids"])))
        finally:
            context.close()
