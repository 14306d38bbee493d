"""BPMN 2.0 XML of an analysed case, for bpmn.io, Camunda Modeler and the like.

A collaboration with one participant (the procedure), whose process has a
lane per organisation (or actor), and a complete BPMNDI diagram: a shape for
the pool, every lane and every flow node, and an edge with waypoints for
every sequence flow. Written with ElementTree, which escapes all case text;
characters that XML 1.0 cannot carry at all are dropped first.

    xml = bpmn_xml(analysis)                      # lanes per organisation
    xml = bpmn_xml(analysis, LaneBy.ACTOR)        # lanes per actor
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from kafka import __version__
from kafka.analysis import Analysis
from kafka.export.bpmn_layout import Bounds, Diagram, layout_process
from kafka.export.bpmn_process import BpmnProcess, LaneBy, NodeKind, build_process

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
DC = "http://www.omg.org/spec/DD/20100524/DC"
DI = "http://www.omg.org/spec/DD/20100524/DI"
NAMESPACES = {"bpmn": BPMN, "bpmndi": BPMNDI, "dc": DC, "di": DI}
TARGET_NAMESPACE = "urn:kafka-brigade:bpmn"

COLLABORATION_ID = "Collaboration_1"
PARTICIPANT_ID = "Participant_1"

for _prefix, _uri in NAMESPACES.items():
    ET.register_namespace(_prefix, _uri)

# Characters XML 1.0 does not allow anywhere, even escaped (a YAML "\x01" can produce them).
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def bpmn_xml(analysis: Analysis, lane_by: LaneBy = LaneBy.ORGANISATION) -> str:
    """The case as a BPMN 2.0 document (text, UTF-8 declared)."""
    process = build_process(analysis, lane_by)
    return to_xml(process, layout_process(process), analysis.case.case.id)


def to_xml(process: BpmnProcess, diagram: Diagram, case_id: str) -> str:
    root = ET.Element(_q(BPMN, "definitions"), {
        "id": f"Definitions_{case_id}",
        "targetNamespace": TARGET_NAMESPACE,
        "exporter": "kafka",
        "exporterVersion": __version__,
    })
    collaboration = ET.SubElement(root, _q(BPMN, "collaboration"), {"id": COLLABORATION_ID})
    ET.SubElement(collaboration, _q(BPMN, "participant"),
                  {"id": PARTICIPANT_ID, "name": _text(process.name), "processRef": process.id})
    _write_process(root, process)
    _write_diagram(root, process, diagram)
    ET.indent(root, space="  ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _q(namespace: str, tag: str) -> str:
    return f"{{{namespace}}}{tag}"


def _text(value: str) -> str:
    return _NOT_XML.sub("", value)


def _documentation(parent: ET.Element, text: str) -> None:
    if text:
        ET.SubElement(parent, _q(BPMN, "documentation")).text = _text(text)


def _write_process(root: ET.Element, process: BpmnProcess) -> None:
    # Child order follows the BPMN XSD: documentation, laneSet, flow elements.
    element = ET.SubElement(root, _q(BPMN, "process"),
                            {"id": process.id, "name": _text(process.name), "isExecutable": "false"})
    _documentation(element, process.documentation)
    lane_set = ET.SubElement(element, _q(BPMN, "laneSet"), {"id": "LaneSet_1"})
    for lane in process.lanes:
        lane_element = ET.SubElement(lane_set, _q(BPMN, "lane"), {"id": lane.id, "name": _text(lane.name)})
        for node in process.lane_nodes(lane.id):
            ET.SubElement(lane_element, _q(BPMN, "flowNodeRef")).text = node.id
    for node in process.nodes:
        attrs = {"id": node.id}
        if node.name:
            attrs["name"] = _text(node.name)
        node_element = ET.SubElement(element, _q(BPMN, node.kind.value), attrs)
        _documentation(node_element, node.documentation)
        for flow in process.incoming(node.id):
            ET.SubElement(node_element, _q(BPMN, "incoming")).text = flow.id
        for flow in process.outgoing(node.id):
            ET.SubElement(node_element, _q(BPMN, "outgoing")).text = flow.id
    for flow in process.flows:
        attrs = {"id": flow.id, "sourceRef": flow.source, "targetRef": flow.target}
        if flow.name:
            attrs["name"] = _text(flow.name)
        flow_element = ET.SubElement(element, _q(BPMN, "sequenceFlow"), attrs)
        _documentation(flow_element, flow.documentation)


def _write_diagram(root: ET.Element, process: BpmnProcess, diagram: Diagram) -> None:
    bpmn_diagram = ET.SubElement(root, _q(BPMNDI, "BPMNDiagram"), {"id": "Diagram_1"})
    plane = ET.SubElement(bpmn_diagram, _q(BPMNDI, "BPMNPlane"), {"id": "Plane_1", "bpmnElement": COLLABORATION_ID})
    _shape(plane, PARTICIPANT_ID, diagram.pool, isHorizontal="true")
    for lane in process.lanes:
        _shape(plane, lane.id, diagram.lanes[lane.id], isHorizontal="true")
    for node in process.nodes:
        extra = {"isMarkerVisible": "true"} if node.kind is NodeKind.GATEWAY else {}
        _shape(plane, node.id, diagram.nodes[node.id], **extra)
    for flow in process.flows:
        geometry = diagram.flows[flow.id]
        edge = ET.SubElement(plane, _q(BPMNDI, "BPMNEdge"), {"id": f"{flow.id}_di", "bpmnElement": flow.id})
        for x, y in geometry.waypoints:
            ET.SubElement(edge, _q(DI, "waypoint"), {"x": _num(x), "y": _num(y)})
        if geometry.label:
            label = ET.SubElement(edge, _q(BPMNDI, "BPMNLabel"))
            _bounds(label, geometry.label)


def _shape(plane: ET.Element, element_id: str, bounds: Bounds, **attrs: str) -> None:
    shape = ET.SubElement(plane, _q(BPMNDI, "BPMNShape"), {"id": f"{element_id}_di", "bpmnElement": element_id, **attrs})
    _bounds(shape, bounds)


def _bounds(parent: ET.Element, bounds: Bounds) -> None:
    ET.SubElement(parent, _q(DC, "Bounds"), {
        "x": _num(bounds.x), "y": _num(bounds.y), "width": _num(bounds.width), "height": _num(bounds.height),
    })


def _num(value: float) -> str:
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text
