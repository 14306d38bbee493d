"""The process map: lanes, placement, escaping in DOT and SVG, ids, errors."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from itertools import combinations
from pathlib import Path

import pytest

from kafka.analysis import analyze
from kafka.errors import OutputError
from kafka.loader import iter_case_files, load_case, load_text
from kafka.processmap import build_process_map, lanes, process_map_dot, render_svg
from report_cases import BOLD, DOT, JINJA, MARKERS, SCRIPT, hostile_case_text, large_case_text

REPO = Path(__file__).resolve().parent.parent
SVG = "{http://www.w3.org/2000/svg}"


def _analysis(text: str, name: str = "case.yaml"):
    loaded = load_text(text, name)
    assert loaded.ok, [str(p) for p in loaded.problems]
    return analyze(loaded.case)


@pytest.fixture(scope="module")
def hostile():
    return _analysis(hostile_case_text(), "hostile.yaml")


def test_the_client_lane_comes_first_then_the_organisation_running_the_procedure(hostile):
    names = [lane.name for lane in lanes(hostile)]
    assert names[0].startswith("Client")  # the client's own step
    assert names[1] == hostile.case.case.organisation
    # the others in the order the client meets them
    assert names[2:] == ["Org {{ 7*7 }}", f"Bank {DOT}"]


def test_every_step_is_in_exactly_one_lane():
    for path in iter_case_files([str(REPO / "cases")]):
        analysis = analyze(load_case(path).case)
        placed = [s for lane in lanes(analysis) for s in lane.steps]
        assert sorted(placed) == sorted(s.id for s in analysis.case.steps)


def _boxes(svg: str) -> dict[str, tuple[float, float, float, float]]:
    """Bounding box of every step node and every lane, from the rendered SVG."""
    root = ET.fromstring(svg)
    boxes = {}
    for g in root.iter(f"{SVG}g"):
        gid = g.get("id", "")
        if "step-" in gid or "lane-" in gid:
            points = []
            for shape in g.iter():
                if shape.tag in (f"{SVG}path", f"{SVG}polygon"):
                    raw = shape.get("d") or shape.get("points") or ""
                    numbers = [float(n) for n in raw.replace("M", " ").replace("C", " ").replace("L", " ")
                               .replace("Z", " ").replace(",", " ").split()]
                    points += list(zip(numbers[::2], numbers[1::2]))
                    break
            xs, ys = [p[0] for p in points], [p[1] for p in points]
            boxes[gid] = (min(xs), min(ys), max(xs), max(ys))
    return boxes


@pytest.mark.parametrize("source", ["lindenberg", "large"])
def test_steps_never_overlap_and_stay_inside_their_lane(source):
    if source == "large":
        analysis = _analysis(large_case_text(60), "large.yaml")
    else:
        path = REPO / "cases" / "leefloon-lindenberg.yaml"
        if not path.exists():
            pytest.skip("the Lindenberg example case is not there")
        analysis = analyze(load_case(path).case)
    built = build_process_map(analysis)
    svg = render_svg(built.source, id_prefix="m")
    boxes = _boxes(svg)
    steps = {k: v for k, v in boxes.items() if "-step-" in k}
    assert len(steps) == len(analysis.case.steps)
    for (a, box_a), (b, box_b) in combinations(steps.items(), 2):
        overlap = box_a[0] < box_b[2] and box_b[0] < box_a[2] and box_a[1] < box_b[3] and box_b[1] < box_a[3]
        assert not overlap, (a, b)
    drawn = built.lanes  # the organisations with few steps of a wide map share a lane
    assert sorted(s for lane in drawn for s in lane.steps) == sorted(s for lane in lanes(analysis) for s in lane.steps)
    lane_boxes = [boxes[f"m-lane-{i}"] for i in range(len(drawn))]
    for index, lane in enumerate(drawn):
        x0, _, x1, _ = lane_boxes[index]
        for step_id in lane.steps:
            sx0, _, sx1, _ = steps[f"m-step-{step_id}"]
            assert x0 <= sx0 and sx1 <= x1, (lane.name, step_id)
    # lanes left to right in their order, without overlapping
    for left, right in zip(lane_boxes, lane_boxes[1:]):
        assert left[2] <= right[0] + 0.5


def test_case_texts_are_escaped_in_the_dot_source(hostile):
    dot = process_map_dot(hostile)
    # tooltips are plain quoted strings, where <...> means nothing; labels are HTML-like
    labels = re.sub(r'tooltip="(?:[^"\\]|\\.)*"', "", dot)
    assert SCRIPT not in labels and "<script>" not in labels
    assert "&lt;script&gt;" in dot
    assert "&lt;b&gt;bold&lt;/b&gt;" in dot
    # Graphviz expands \N, \G... even in HTML-like labels: backslashes are doubled
    assert "\\\\N" in dot and "\\N \\" not in dot.replace("\\\\", "")


def test_case_texts_come_out_of_graphviz_as_plain_text(hostile):
    svg = render_svg(process_map_dot(hostile))
    root = ET.fromstring(svg)  # well-formed XML
    tags = {element.tag.removeprefix(SVG) for element in root.iter()}
    assert tags <= {"svg", "g", "title", "path", "polygon", "polyline", "ellipse", "text", "a"}, tags
    text = " ".join("".join(t.itertext()) for t in root.iter(f"{SVG}text"))
    assert "Start <script>alert(" in text
    assert BOLD in text
    assert JINJA in text
    assert "Bank \\N \\\" \\l [x]" in text  # \N stays \N: not replaced by the node's name
    assert "bankstep" not in text and "fedstep" not in text


def test_svg_has_no_prolog_and_ids_are_prefixed_per_map(hostile):
    dot = process_map_dot(hostile)
    one, two = render_svg(dot, id_prefix="asis"), render_svg(dot, id_prefix="tobe")
    assert one.startswith("<svg") and "<?xml" not in one and "<!DOCTYPE" not in one and "<!--" not in one
    ids_one = {e.get("id") for e in ET.fromstring(one).iter() if e.get("id")}
    ids_two = {e.get("id") for e in ET.fromstring(two).iter() if e.get("id")}
    assert ids_one and all(i.startswith("asis-") for i in ids_one)
    assert not ids_one & ids_two
    assert "asis-step-start" in ids_one


def test_nodes_link_to_the_steps_table(hostile):
    svg = render_svg(process_map_dot(hostile, link_prefix="row-"))
    assert 'xlink:href="#row-start"' in svg


def test_a_graphviz_error_is_an_output_error_not_a_crash():
    with pytest.raises(OutputError, match="Graphviz"):
        render_svg("digraph { a [label=<<B></B>>] }")
    with pytest.raises(OutputError):
        render_svg("this is not dot")


def test_other_dot_is_laid_out_by_dot():
    svg = render_svg("digraph { a -> b }", id_prefix="x")
    assert 'id="x-graph0"' in svg


def test_markers_cover_html_jinja_and_graphviz_syntax():
    # the hostile case must stay hostile: these are what the escaping tests rely on
    joined = " ".join(MARKERS)
    for needle in ("<script>", "onerror=", "{{", "{%", "\\N", '\\"', "<b>", "]]>", "&amp;"):
        assert needle in joined


def _inline_svg_before(svg: str, id_prefix: str) -> str:
    """render_svg's post-processing as it was: one str.replace over the whole SVG per id (quadratic)."""
    svg = re.sub(r"<\?xml.*?\?>|<!DOCTYPE.*?>|<!--.*?-->", "", svg, flags=re.DOTALL).strip()
    ids = set(re.findall(r'\bid="([^"]*)"', svg))
    svg = re.sub(r'\bid="([^"]*)"', lambda m: f'id="{id_prefix}-{m.group(1)}"', svg)
    for old in ids:
        svg = svg.replace(f"url(#{old})", f"url(#{id_prefix}-{old})")
    return svg


def test_prefixing_ids_in_one_pass_gives_the_same_svg_as_before(hostile):
    from kafka.processmap import inline_svg, render_graphviz

    gradients = 'digraph { a [style=filled, fillcolor="red:blue", id="a"]; b [id="b", label="url(#a) url(#zz)"]; a -> b }'
    for dot in (process_map_dot(hostile), process_map_dot(_analysis(large_case_text(60))), gradients):
        raw = render_graphviz(dot, "svg").decode("utf-8")
        assert inline_svg(raw, "map") == _inline_svg_before(raw, "map")
    odd = '<svg id="s"><g\nid="a"/><x data-id="b" fill="url(#a)"/><t>url(#s) xid="c"</t></svg>'  # the slow path
    assert inline_svg(odd, "map") == _inline_svg_before(odd, "map")
    gradient = inline_svg(render_graphviz(gradients, "svg").decode("utf-8"), "map")
    assert re.search(r'fill="url\(#map-a_l_\d+\)"', gradient) and "url(#map-a) url(#zz)" in gradient


# --- edge routing on the grid (kafka.maproute) -------------------------------------------------

def _placement(analysis):
    from kafka.processmap import build_process_map

    return build_process_map(analysis).placement


def _crosses(a, b, box) -> bool:
    """Does the axis-parallel segment a-b pass through the inside of ``box`` (touching its border is fine)?"""
    (x0, y0), (x1, y1) = a, b
    inside = 0.01
    if x0 == x1:
        return box.x0 + inside < x0 < box.x1 - inside and min(y0, y1) < box.y1 - inside and max(y0, y1) > box.y0 + inside
    return box.y0 + inside < y0 < box.y1 - inside and min(x0, x1) < box.x1 - inside and max(x0, x1) > box.x0 + inside


def _step_boxes(analysis, placement):
    from kafka.maproute import Box

    sizes = {}
    for step_id, (cx, cy_up) in placement.positions.items():
        sizes[step_id] = (cx, placement.height - cy_up)
    svg_boxes = _boxes(render_svg(process_map_dot(analysis), id_prefix="m"))
    boxes = {}
    for step_id, (cx, cy) in sizes.items():
        sx0, sy0, sx1, sy1 = svg_boxes[f"m-step-{step_id}"]
        w, h = sx1 - sx0, sy1 - sy0
        boxes[step_id] = Box(cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)
    return boxes


@pytest.mark.parametrize("source", ["lindenberg", "large", "hostile"])
def test_edges_are_straight_lines_that_never_cross_a_step(source, hostile):
    if source == "hostile":
        analysis = hostile
    elif source == "large":
        analysis = _analysis(large_case_text(80), "large.yaml")
    else:
        analysis = analyze(load_case(REPO / "cases" / "leefloon-lindenberg.yaml").case)
    placement = _placement(analysis)
    boxes = _step_boxes(analysis, placement)
    edges = list(analysis.graph.flow.edges())
    assert len(placement.routes) == len(edges)
    for (u, v), route in zip(edges, placement.routes):
        points = list(route.points) + [route.tip]
        for a, b in zip(points, points[1:]):
            assert a[0] == b[0] or a[1] == b[1], f"{u}->{v}: a slanted stretch {a} {b}"
            for step_id, box in boxes.items():
                assert not _crosses(a, b, box), f"{u}->{v} crosses step {step_id}"
        # from the source's border to the target's border, the arrowhead pointing into the target
        tip, source_box, target_box = route.tip, boxes[u], boxes[v]
        assert abs(tip[0] - target_box.x1) < 0.2 or abs(tip[1] - target_box.y0) < 0.2, (u, v, tip)
        start = route.points[0]
        assert abs(start[0] - source_box.x1) < 0.2 or abs(start[1] - source_box.y1) < 0.2, (u, v, start)
        if route.label is not None:
            for step_id, box in boxes.items():
                assert not (box.x0 < route.label[0] < box.x1 and box.y0 < route.label[1] < box.y1), (u, v, step_id)


def test_edge_labels_do_not_overlap_each_other_where_there_is_room():
    analysis = analyze(load_case(REPO / "cases" / "leefloon-lindenberg.yaml").case)
    from kafka.processmap import EDGE_LABEL_SIZING, _edge_attrs, measure

    placement = _placement(analysis)
    t = __import__("kafka.i18n", fromlist=["Translator"]).Translator("nl")
    graph = analysis.graph
    labels = []
    for (u, v, data), route in zip(graph.flow.edges(data=True), placement.routes):
        attrs = _edge_attrs(graph, t, u, v, data, analysis.settings.long_wait_days)
        if "label" in attrs:
            (w, h), = measure({0: {"label": attrs["label"], **EDGE_LABEL_SIZING}}).values()
            x, y = route.label
            labels.append((x - w / 2, y - h / 2, x + w / 2, y + h / 2, f"{u}->{v}"))
    assert len(labels) > 10
    for a, b in combinations(labels, 2):
        assert not (a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]), (a[4], b[4])


def test_a_dense_map_is_summarised_with_a_note_and_drawn_in_bounded_time(tmp_path):
    # Issue 18 item 5: 120 steps, each looping back to every earlier one (7,140 loops), validate
    # and analyse in seconds; Graphviz's own router took over 300 s to draw them. kafka routes
    # in O(E log E), and above a budget draws only the furthest loop of each step, saying so.
    import subprocess
    import sys

    sys.path.insert(0, str(REPO / "benchmarks"))
    from bench_pathological import pathological_case
    from kafka.processmap import build_process_map

    analysis = _analysis(pathological_case("dense", 120), "dense.yaml")
    loops = sum(1 for *_, loop in analysis.graph.flow.edges(data="loop") if loop)
    assert loops == 120 * 119 // 2
    built = build_process_map(analysis, "en")
    assert len(built.placement.routes) <= 2 * 120  # one loop per step, and the forward edges
    assert "Too many loops to draw readably" in built.source and "7,140" in built.source
    svg = render_svg(built.source)
    assert "Too many loops to draw readably" in svg
    case = tmp_path / "dense.yaml"
    case.write_text(pathological_case("dense", 120), encoding="utf-8")
    kafka = [sys.executable, "-m", "kafka", "report", str(case), "-o", str(tmp_path / "out"), "--lang", "nl"]
    done = subprocess.run(kafka, capture_output=True, text=True, timeout=240)  # generous: about 3 s here
    assert done.returncode == 0, done.stderr
    page = (tmp_path / "out" / "dense-120.html").read_text(encoding="utf-8")
    assert "Te veel lussen om leesbaar te tekenen" in page


def test_a_map_under_the_budgets_draws_every_edge():
    analysis = analyze(load_case(REPO / "cases" / "leefloon-lindenberg.yaml").case)
    built = _placement(analysis)
    assert len(built.routes) == analysis.graph.flow.number_of_edges()
    assert "Te veel" not in process_map_dot(analysis)


# --- the DOT writer (kafka.processmap._Dot) writes what the graphviz package writes ---------------

_TEXTS = [*MARKERS, "", "a", "node", "Graph", "-1.5", ".5", "3.", "x y", 'a"b', 'a\\"b', "a\\\\", "<b>x</b>", "<x",
          "\\N", "é ë", "a\nb", "abc\n", "<<TABLE><TR><TD>x</TD></TR></TABLE>>"]


def test_dot_quoting_is_the_graphviz_packages():
    import warnings

    import graphviz
    from hypothesis import given, settings, strategies as st

    from kafka.processmap import _quote, plain

    @settings(max_examples=300, deadline=None)
    @given(st.one_of(st.sampled_from(_TEXTS), st.text(max_size=40)))
    def check(text):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            assert _quote(text) == graphviz.quoting.quote(text)
            assert _quote(plain(text)) == graphviz.quoting.quote(plain(text))

    check()


def test_dot_writer_writes_what_graphviz_digraph_writes():
    import graphviz

    from kafka.processmap import _Dot

    ours, theirs = _Dot("process_map"), graphviz.Digraph("process_map")
    for dot in (ours, theirs):
        dot.attr(layout="nop2", bb="0,0,1,1", label="<<I>note</I>>")
        dot.attr("node", shape="box", style="rounded,filled")
        for i, text in enumerate(_TEXTS):
            name = f"cluster_{i}"
            with dot.subgraph(name=name) if isinstance(dot, graphviz.Digraph) else dot.subgraph(name) as sub:
                sub.attr(label=f"<<B>{i}</B>>", **{"class": "lane", "id": f"lane-{i}"}, color=text or None)
                sub.node(f"s{i}", label="<x>", tooltip=text, pos="1.0,2.0", **{"class": "step"})
            dot.edge(f"s{i}", f"s{i + 1}", label=text or None, pos="e,1,2 3,4", **{"class": "flow"})
    assert ours.source == theirs.source
