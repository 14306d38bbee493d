"""The case as BPMN elements: lanes, events, tasks, gateways and sequence flows.

No geometry and no XML here: :mod:`kafka.export.bpmn_layout` places these
elements and :mod:`kafka.export.bpmn` writes them. The mapping:

- one lane per organisation (or per actor), in order of first appearance;
- a start event before the first step of the file, in that step's lane;
- one task per step, named as in the case; its documentation holds the
  waiting days, the effort and the findings about the step;
- a step with two or more next steps flows into an exclusive gateway that
  splits into the branches, each sequence flow named by its ``when``;
- every step that ends the procedure flows into an end event in its lane (a
  procedure that repeats for ever, such as monthly renewals, has none).

Every id is a valid ``xsd:ID`` (an NCName): case ids may start with a digit,
so each id gets a prefix, and free texts (organisation names) are numbered
instead of used.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from kafka.analysis import Analysis
from kafka.findings import Finding
from kafka.i18n import Translator
from kafka.model import Step


class LaneBy(StrEnum):
    ORGANISATION = "organisation"
    ACTOR = "actor"


class NodeKind(StrEnum):
    """The BPMN element name of each kind of flow node."""

    START = "startEvent"
    END = "endEvent"
    TASK = "task"
    GATEWAY = "exclusiveGateway"


@dataclass(frozen=True, slots=True)
class Lane:
    id: str
    name: str


@dataclass(frozen=True, slots=True)
class FlowNode:
    id: str
    kind: NodeKind
    name: str
    lane: str  # the id of its lane
    documentation: str = ""
    step: str | None = None  # the case step a task stands for


@dataclass(frozen=True, slots=True)
class SequenceFlow:
    id: str
    source: str
    target: str
    name: str = ""
    documentation: str = ""
    loop: bool = False  # goes back to an earlier step


@dataclass(frozen=True)
class BpmnProcess:
    id: str
    name: str
    documentation: str
    lanes: tuple[Lane, ...]
    nodes: tuple[FlowNode, ...]
    flows: tuple[SequenceFlow, ...]

    def lane_nodes(self, lane_id: str) -> list[FlowNode]:
        return [n for n in self.nodes if n.lane == lane_id]

    def incoming(self, node_id: str) -> list[SequenceFlow]:
        return [f for f in self.flows if f.target == node_id]

    def outgoing(self, node_id: str) -> list[SequenceFlow]:
        return [f for f in self.flows if f.source == node_id]


def task_id(step_id: str) -> str:
    return f"Step_{step_id}"


def gateway_id(step_id: str) -> str:
    return f"Gateway_{step_id}"


def end_id(step_id: str) -> str:
    return f"End_{step_id}"


START_ID = "Start"


def build_process(analysis: Analysis, lane_by: LaneBy = LaneBy.ORGANISATION) -> BpmnProcess:
    """The BPMN elements of an analysed case."""
    t = Translator(analysis.lang)
    graph = analysis.graph
    steps = analysis.case.steps
    lane_of, lanes = _lanes(analysis, lane_by)

    nodes: list[FlowNode] = []
    flows: list[SequenceFlow] = []

    def flow(source: str, target: str, name: str = "", documentation: str = "", loop: bool = False) -> None:
        flows.append(SequenceFlow(f"Flow_{len(flows) + 1}", source, target, name, documentation, loop))

    first = steps[0].id
    nodes.append(FlowNode(START_ID, NodeKind.START, t("export.bpmn.start"), lane_of[first]))
    flow(START_ID, task_id(first))
    findings_of = _findings_by_step(analysis.findings)
    for step in steps:
        nodes.append(FlowNode(
            task_id(step.id), NodeKind.TASK, step.name, lane_of[step.id],
            _step_documentation(analysis, step, findings_of.get(step.id, []), t), step.id,
        ))
        edges = list(graph.flow.out_edges(step.id, data=True))
        if not edges:
            nodes.append(FlowNode(end_id(step.id), NodeKind.END, t("export.bpmn.end"), lane_of[step.id]))
            flow(task_id(step.id), end_id(step.id))
            continue
        source = task_id(step.id)
        if len(edges) > 1:
            nodes.append(FlowNode(gateway_id(step.id), NodeKind.GATEWAY, "", lane_of[step.id]))
            flow(source, gateway_id(step.id))
            source = gateway_id(step.id)
        for _, target, data in edges:
            flow(source, task_id(target), data["when"] or "", _flow_documentation(data, t), bool(data["loop"]))

    return BpmnProcess(
        id=f"Process_{analysis.case.case.id}",
        name=analysis.case.case.title,
        documentation=_process_documentation(analysis, t),
        lanes=tuple(lanes),
        nodes=tuple(nodes),
        flows=tuple(flows),
    )


def _lanes(analysis: Analysis, lane_by: LaneBy) -> tuple[dict[str, str], list[Lane]]:
    """step id -> lane id, and the lanes in order of first appearance."""
    graph = analysis.graph
    lanes: dict[str, Lane] = {}  # keyed by organisation name or actor id
    lane_of: dict[str, str] = {}
    for step in analysis.case.steps:
        if lane_by is LaneBy.ACTOR:
            key, name = step.actor, graph.actor(step.id).name
            lane_id = f"Lane_{step.actor}"
        else:
            key = name = graph.organisation(step.id)
            lane_id = f"Lane_{len(lanes) + 1}"  # organisation names are free text, not ids
        if key not in lanes:
            lanes[key] = Lane(lane_id, name)
        lane_of[step.id] = lanes[key].id
    return lane_of, list(lanes.values())


def _findings_by_step(findings: list[Finding]) -> dict[str, list[Finding]]:
    by_step: dict[str, list[Finding]] = {}
    for finding in findings:
        for step_id in finding.steps:
            by_step.setdefault(step_id, []).append(finding)
    return by_step


def _days(t: Translator, days: float) -> str:
    return t.n("export.doc.days", days)


def _step_documentation(analysis: Analysis, step: Step, findings: list[Finding], t: Translator) -> str:
    graph = analysis.graph
    actor = graph.actor(step.id)
    lines = [t("export.doc.actor", actor=actor.name, organisation=actor.org)]
    if step.kind or step.channel:
        parts = []
        if step.kind:
            parts.append(t(f"export.kind.{step.kind.value}"))
        if step.channel:
            parts.append(t(f"export.channel.{step.channel.value}"))
        lines.append(", ".join(parts))
    if step.wait_days:
        lines.append(t("export.doc.wait", days=_days(t, step.wait_days)))
    if step.duration_days:
        lines.append(t("export.doc.duration", days=_days(t, step.duration_days)))
    if step.client_minutes or step.staff_minutes:
        lines.append(t("export.doc.effort", client=t.number(step.client_minutes), staff=t.number(step.staff_minutes)))
    if step.tells_story:
        lines.append(t("export.doc.story"))
    asked = graph.asked_by_step.get(step.id, {})
    if asked:
        lines.append(t("export.doc.asked", items=", ".join(graph.item(key).name for key in asked)))
    form = graph.form(step.id)
    if form:
        lines.append(t("export.doc.form", form=form.name))
    for rule in graph.rules_of(step.id):
        lines.append(t("export.doc.rule", rule=rule.name))
    if step.note:
        lines.append(t("export.doc.note", note=step.note))
    if findings:
        lines.append(t("export.doc.findings"))
        lines.extend(_finding_line(f, t) for f in findings)
    return "\n".join(lines)


def _finding_line(finding: Finding, t: Translator) -> str:
    level = t(f"common.level.{finding.level.value}")
    return f"- {finding.code} {finding.title} ({level}): {finding.message} → {finding.proposal.title}"


def _flow_documentation(data: dict, t: Translator) -> str:
    lines = []
    if data["chance"] is not None:
        lines.append(t("export.doc.chance", percent=t.number(data["chance"] * 100)))
    if data["loop"]:
        lines.append(t("export.doc.loop"))
    return "\n".join(lines)


def _process_documentation(analysis: Analysis, t: Translator) -> str:
    info = analysis.case.case
    m = analysis.metrics
    lines = [info.title, info.organisation + (f" ({info.municipality})" if info.municipality else "")]
    if info.story:
        lines += ["", info.story.strip()]
    lines += [
        "",
        t("export.doc.lead_time", days=_days(t, m.lead_time_days)),
        t("export.doc.totals", client=t.number(m.client_minutes), staff=t.number(m.staff_minutes),
          contacts=m.client_contacts, organisations=m.organisations),
    ]
    if analysis.findings:
        lines += ["", t("export.doc.findings")]
        lines.extend(_finding_line(f, t) for f in analysis.findings)
    return "\n".join(lines)
