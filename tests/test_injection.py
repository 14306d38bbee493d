"""Injection: the hostile case (tests/data/hostile.yaml) comes out as plain text in every output.

Every free text of that valid case carries HTML (script, ``img onerror``,
``svg onload``, a ``javascript:`` link), jinja2 syntax, Graphviz/DOT syntax,
XML breakers, closing tags, a JavaScript string breaker and odd Unicode; most
also start with a spreadsheet formula character. Each command writes its
outputs once (module fixture ``outputs``); each test checks one format:

- HTML pages (report, forms review, aggregate site): no element, attribute or
  script that the case brought, checked on the source and in headless
  Chromium (no dialog, no request, no console error) -- also with the page's
  Content-Security-Policy removed, so escaping alone is what stops the payloads;
- the process map: the DOT source parses to exactly the case's nodes, the SVG
  holds only SVG elements with no handlers;
- BPMN: well-formed XML whose names are the case's texts, verbatim;
- JSON: the texts verbatim; CSV and XLSX: no cell a spreadsheet would run;
- the to-be case file (``simulate --write``): reads back with the same texts.

An output whose command is not built yet is skipped, saying so.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import csvread
import pytest
from click.testing import CliRunner

from kafka.analysis import analyze
from kafka.cli import main
from kafka.detectors import CODES
from kafka.loader import load_case

from inert_html import assert_html_is_inert

HOSTILE = Path(__file__).resolve().parent / "data" / "hostile.yaml"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Keys whose values are ids, enums, numbers or dates: everything else is free text.
NOT_TEXT = {"id", "actor", "form", "rule", "source", "owner", "fields", "attachments", "asks", "brings", "provides",
            "uses", "to", "from", "procedure", "date", "level", "kind", "channel", "initiated_by", "next",
            "depends_on", "proves", "binds"}


def free_texts(value, path=()) -> dict[tuple, str]:
    """Every free text of a case (as read from YAML), by key path."""
    found = {}
    if isinstance(value, dict):
        for key, item in value.items():
            if key not in NOT_TEXT or key == "next":
                found.update(free_texts(item, path + (key,)))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found.update(free_texts(item, path + (i,)))
    elif isinstance(value, str) and not (path and path[-1] in NOT_TEXT):
        found[path] = value
    return found


@pytest.fixture(scope="module")
def hostile():
    loaded = load_case(HOSTILE)
    assert loaded.ok, [str(p) for p in loaded.problems]
    return loaded


@pytest.fixture(scope="module")
def texts(hostile) -> dict[tuple, str]:
    import yaml

    return free_texts(yaml.safe_load(hostile.text))


def test_every_free_text_of_the_hostile_case_is_hostile(texts, hostile):
    assert len(texts) >= 30
    for path, text in texts.items():
        for payload in ("<script>alert(", "<img src=x onerror=", "javascript:alert(", "{{ 7*7 }}", '\\N \\" "]; }',
                        "]]> <!--", "</style></title></textarea>", "\u202e"):
            assert payload in text, (path, payload)
    # ...and the analysis turns every detector on, so finding texts carry payloads too.
    codes = {f.code for f in analyze(hostile.case).findings}
    assert codes == set(CODES)


# --- every command writes its outputs once -------------------------------------------------------

def _registered(command: str) -> bool:
    return command in main.commands


def _run(*args: str) -> str:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.fixture(scope="module")
def outputs(tmp_path_factory) -> dict[str, Path | str | None]:
    """Output name -> file (or captured stdout); None when the command is not built yet."""
    out = tmp_path_factory.mktemp("hostile-out")
    case = str(HOSTILE)
    found: dict[str, Path | str | None] = {}

    def file_or_none(command: str, name: str, args: list[str], path: Path) -> None:
        if _registered(command):
            _run(command, *args)
            found[name] = path
        else:
            found[name] = None

    file_or_none("report", "report.html", [case, "-o", str(out / "report")], out / "report" / "hostile.html")
    if _registered("forms"):
        _run("forms", "review", case, "-o", str(out / "forms"))
    found["forms.html"] = out / "forms" / "forms.html" if _registered("forms") else None
    found["forms.csv"] = out / "forms" / "forms.csv" if _registered("forms") else None
    if _registered("aggregate"):
        _run("aggregate", case, "-o", str(out / "site"), "-j", "1")
    for name in ("index.html", "agenda.html", "cases/hostile.html", "findings.csv", "proposals.csv", "summary.xlsx"):
        found[f"site/{name}"] = out / "site" / name if _registered("aggregate") else None
    file_or_none("export", "export.bpmn", [case, "-o", str(out / "hostile.bpmn")], out / "hostile.bpmn")
    file_or_none("export", "export.json", [case, "-o", str(out / "hostile.json")], out / "hostile.json")
    formats = main.commands["export"].params if _registered("export") else []
    map_formats = {"dot", "svg"} & set(next((p.type.choices for p in formats if p.name == "fmt"), []))
    for fmt in ("dot", "svg"):
        path = out / f"hostile.{fmt}"
        if fmt in map_formats:
            _run("export", case, "-o", str(path))
        found[f"export.{fmt}"] = path if fmt in map_formats else None
    file_or_none("simulate", "to-be.yaml", [case, "--write", str(out / "to-be.yaml")], out / "to-be.yaml")
    for fmt in ("text", "json", "csv"):
        found[f"analyze.{fmt}"] = _run("analyze", case, "--format", fmt)
    found["simulate.json"] = _run("simulate", case, "--format", "json") if _registered("simulate") else None
    found["validate.json"] = _run("validate", case, "--format", "json")
    return found


def _get(outputs, name: str, what: str):
    value = outputs[name]
    if value is None:
        pytest.skip(f"{what} not built yet")
    if isinstance(value, Path):
        assert value.is_file(), f"{name} was not written"
    return value


# --- HTML -------------------------------------------------------------------------------------

HTML_PAGES = {
    "report.html": "kafka report",
    "forms.html": "kafka forms",
    "site/index.html": "kafka aggregate",
    "site/agenda.html": "kafka aggregate",
    "site/cases/hostile.html": "kafka aggregate",
}


@pytest.mark.parametrize("name", list(HTML_PAGES))
def test_html_pages_show_payloads_as_text(outputs, texts, name):
    path = _get(outputs, name, HTML_PAGES[name])
    page = path.read_text(encoding="utf-8")
    assert_html_is_inert(page)
    shown = html.unescape(page)
    assert "{{ 7*7 }}" in shown and "{% if 1 %}J{% endif %}" in shown, "jinja2 syntax must come out as it was written"
    if name in ("report.html", "site/cases/hostile.html"):
        # Nothing is lost: the case title, every step and every form reach the reader verbatim.
        for path_, text in texts.items():
            if path_ in (("case", "title"),) or path_[0] == "forms" or (path_[0] == "steps" and path_[-1] == "name"):
                assert text.strip() in shown, f"{path_} is missing from {name}"


@pytest.fixture(scope="module")
def browser():
    """One headless Chromium for every page: ``visit(path)`` -> (PageLog, DOM facts)."""
    from browser import ARGS, PageLog, chromium_executable

    from playwright import sync_api as playwright_api
    executable = chromium_executable()
    import tempfile

    with tempfile.TemporaryDirectory() as profile, playwright_api.sync_playwright() as p:
        context = p.chromium.launch_persistent_context(profile, executable_path=executable, args=ARGS, headless=True)

        def visit(path: Path):
            url = path.resolve().as_uri()
            log = PageLog()
            page = context.new_page()
            page.on("console", lambda m: log.console_errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: log.console_errors.append(f"page error: {e}"))
            page.on("requestfailed", lambda r: log.failed_requests.append(r.url))
            page.on("request", lambda r: None if r.url.split("#")[0] == url else log.external_requests.append(r.url))

            def on_dialog(dialog):
                log.dialogs.append(dialog.message)
                dialog.dismiss()

            page.on("dialog", on_dialog)
            page.goto(url)
            page.wait_for_load_state("load")
            page.wait_for_timeout(300)  # onerror/onload handlers fire after load
            facts = page.evaluate("""() => {
                const bad = [];
                for (const el of document.querySelectorAll('*')) {
                    for (const a of el.attributes) {
                        const n = a.name.toLowerCase(), v = a.value.trim().toLowerCase();
                        if (n.startsWith('on')) bad.push(el.tagName + ' ' + n);
                        if (['href', 'src', 'xlink:href', 'action', 'formaction'].includes(n) && v.startsWith('javascript:'))
                            bad.push(el.tagName + ' ' + n + '=' + v);
                    }
                }
                return {bad, injected: document.querySelectorAll('img[src="x"], iframe, object, embed').length,
                        text: document.body.innerText};
            }""")
            page.close()
            return log, facts

        yield visit
        context.close()


@pytest.mark.browser
@pytest.mark.parametrize("strip_csp", [False, True], ids=["as-written", "without-CSP"])
@pytest.mark.parametrize("name", list(HTML_PAGES))
def test_html_pages_run_no_case_script_in_chromium(outputs, browser, name, strip_csp, tmp_path):
    path = _get(outputs, name, HTML_PAGES[name])
    if strip_csp:
        # Without the Content-Security-Policy, only escaping stands between the payloads and the reader.
        page = re.sub(r"<meta[^>]+Content-Security-Policy[^>]*>", "", path.read_text(encoding="utf-8"), flags=re.I)
        path = tmp_path / path.name
        path.write_text(page, encoding="utf-8")
    log, facts = browser(path)
    assert log.dialogs == [], "a script from the case opened a dialog"
    assert facts["bad"] == [] and facts["injected"] == 0
    assert log.external_requests == [] and log.failed_requests == []
    assert log.console_errors == []
    if name in ("report.html", "site/cases/hostile.html"):
        assert '<script>alert("step-intake")</script>' in facts["text"], "the payload is shown to the reader as text"


@pytest.mark.browser
def test_the_browser_check_catches_an_unescaped_payload(browser, tmp_path):
    # The oracle itself: a page that does let the payloads in must fail every check above.
    page = tmp_path / "leaky.html"
    page.write_text("<!doctype html><title>t</title><p><img src=x onerror=alert(1)><script>alert(2)</script>"
                    '<a href="javascript:alert(3)">x</a>', encoding="utf-8")
    log, facts = browser(page)
    assert log.dialogs and facts["bad"] and facts["injected"] and log.failed_requests
    with pytest.raises(AssertionError):
        assert_html_is_inert(page.read_text(encoding="utf-8"))


# --- the process map: DOT and SVG ----------------------------------------------------------------

@pytest.fixture(scope="module")
def analysis(hostile):
    return analyze(hostile.case)


def test_dot_source_parses_to_exactly_the_cases_nodes_and_edges(analysis):
    import pygraphviz
    from kafka.processmap import lanes, process_map_dot

    graph = pygraphviz.AGraph(string=process_map_dot(analysis))
    # Case texts sit in labels and tooltips; none may add or remove a node, an edge or a lane.
    assert set(graph.nodes()) == {s.id for s in analysis.case.steps}
    assert set(graph.edges()) == set(analysis.graph.flow.edges)
    assert len(graph.subgraphs()) == len(lanes(analysis))
    for step in analysis.case.steps:
        node = graph.get_node(step.id)
        label = node.attr["label"]
        assert "<script" not in label and "&lt;script&gt;" in label


def test_exported_dot_parses_to_exactly_the_cases_nodes_and_edges(outputs, analysis):
    import pygraphviz
    path = _get(outputs, "export.dot", "kafka export --format dot")
    graph = pygraphviz.AGraph(string=path.read_text(encoding="utf-8"))
    assert set(graph.nodes()) == {s.id for s in analysis.case.steps}
    assert set(graph.edges()) == set(analysis.graph.flow.edges)


def test_exported_svg_holds_only_drawing_elements(outputs):
    path = _get(outputs, "export.svg", "kafka export --format svg")
    root, elements = _svg_elements(path.read_text(encoding="utf-8"))
    for element in elements:
        assert element.tag.rsplit("}", 1)[-1] in SVG_ELEMENTS, element.tag
        for name, value in element.attrib.items():
            local = name.rsplit("}", 1)[-1]
            assert not local.startswith("on"), (element.tag, name)
            if local == "href":
                assert value.startswith("#"), value
    assert "<script>alert(" in " ".join(root.itertext())


def _svg_elements(svg: str):
    root = ET.fromstring(svg)
    return root, list(root.iter())


SVG_ELEMENTS = {"svg", "g", "title", "path", "polygon", "polyline", "ellipse", "text", "a", "defs", "style", "tspan", "rect"}


def test_svg_holds_only_drawing_elements_and_the_texts(analysis):
    import pygraphviz  # noqa: F401 - a required dependency
    from kafka.processmap import process_map_dot, render_svg

    svg = render_svg(process_map_dot(analysis))
    root, elements = _svg_elements(svg)
    for element in elements:
        assert element.tag.rsplit("}", 1)[-1] in SVG_ELEMENTS, element.tag
        for name, value in element.attrib.items():
            local = name.rsplit("}", 1)[-1]
            assert not local.startswith("on"), (element.tag, name)
            if local == "href":
                assert value.startswith("#step-"), value
    assert "<script>alert(" in " ".join(root.itertext()), "the payloads are text of the drawing"


def test_svg_tooltips_are_the_texts_verbatim(analysis):
    # Graphviz expands \N (node name), \G (graph name), \L... and HTML entities in
    # plain attributes, so a step named "a \N b" got the tooltip "a intake b".
    import pygraphviz  # noqa: F401 - a required dependency
    from kafka.processmap import process_map_dot, render_svg

    root, elements = _svg_elements(render_svg(process_map_dot(analysis)))
    def words(text: str) -> str:  # XML turns a tab in an attribute into a space
        return " ".join(text.split())

    titles = [words(v) for el in elements for k, v in el.attrib.items() if k.endswith("}title")]
    for step in analysis.case.steps:
        name, actor = words(step.name), words(analysis.case.actors[step.actor].name)
        assert any(name in title and actor in title for title in titles), f"the tooltip of {step.id} changed its text"


# --- BPMN, JSON ---------------------------------------------------------------------------------

def test_bpmn_is_well_formed_and_names_are_the_texts_verbatim(outputs, texts):
    path = _get(outputs, "export.bpmn", "kafka export (BPMN)")
    root = ET.parse(path).getroot()
    names = {el.attrib.get("name") for el in root.iter()}
    for path_, text in texts.items():
        if path_[0] == "steps" and path_[-1] == "name":
            assert text in names, f"{path_} is not a BPMN name, verbatim"
    namespaces = {el.tag.split("}")[0].lstrip("{") for el in root.iter() if el.tag.startswith("{")}
    assert all(ns.startswith(("http://www.omg.org/spec/", "http://bpmn.io/", "https://github.com/")) or "kafka" in ns
               for ns in namespaces), namespaces
    for element in root.iter():
        assert element.tag.rsplit("}", 1)[-1] not in ("script", "img", "svg"), element.tag


@pytest.mark.parametrize("name", ["analyze.json", "export.json"])
def test_json_keeps_the_texts_verbatim(outputs, texts, name):
    raw = _get(outputs, name, "kafka export (JSON)")
    data = json.loads(raw.read_text(encoding="utf-8") if isinstance(raw, Path) else raw)
    assert data["case"]["title"] == texts[("case", "title")]
    assert data["case"]["organisation"] == texts[("case", "organisation")]


def test_simulate_json_and_validate_json_parse(outputs):
    json.loads(_get(outputs, "validate.json", "kafka validate"))
    json.loads(_get(outputs, "simulate.json", "kafka simulate"))


def test_text_output_shows_the_payloads_verbatim(outputs, texts):
    text = _get(outputs, "analyze.text", "kafka analyze")
    assert 'alert("case-title")' in text
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f]", text), "no control characters reach the terminal"


# --- CSV and XLSX: nothing a spreadsheet would run ---------------------------------------------------

CSV_OUTPUTS = {"analyze.csv": "kafka analyze", "forms.csv": "kafka forms",
               "site/findings.csv": "kafka aggregate", "site/proposals.csv": "kafka aggregate"}


@pytest.mark.parametrize("name", list(CSV_OUTPUTS))
def test_csv_cells_never_start_a_formula(outputs, name):
    raw = _get(outputs, name, CSV_OUTPUTS[name])
    text = raw.read_text(encoding="utf-8") if isinstance(raw, Path) else raw
    delimiter = ";" if csvread.dialect(text) == "excel-be" else ","
    rows = list(csv.reader(io.StringIO(text.removeprefix(csvread.BOM)), delimiter=delimiter))
    assert len(rows) > 1
    guarded = 0
    for row in rows:
        for cell in row:
            assert not cell.startswith(FORMULA_STARTS), (name, cell[:60])
            guarded += cell.startswith("'") and cell[1:2] in "=+-@\t"
    assert guarded > 0, "the hostile texts that start with = + - @ must be there, guarded with a quote"


SPLIT_PAYLOADS = ["Intake;=2+3;x", "Gent,=HYPERLINK(\"http://evil.invalid\"),x", "a\t+1\tb", "x;;@SUM(A1)",
                  "regel\n=1+1", "a;-2+3", "ok; =niet", "a,\t=1"]
SEPARATORS = [",", ";", "\t"]


def _formula_free(text: str, delimiter: str) -> list[str]:
    """The cells of ``text`` read as CSV with ``delimiter`` that a spreadsheet would run."""
    bad = []
    for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
        for cell in row:
            try:
                float(cell)
                continue  # a number is a number, also -2
            except ValueError:
                pass
            if cell.startswith(FORMULA_STARTS):
                bad.append(cell)
    return bad


@pytest.mark.parametrize("written_with", [",", ";"])
def test_csv_cells_stay_safe_whatever_separator_the_reader_splits_at(written_with):
    """Issue 18, item 15: `Intake;=2+3;x` landed unguarded; a program that splits at ';'
    (Belgian Excel) ran the '=2+3'. Quote every cell with a separator, guard every part."""
    from kafka.tables import to_csv

    rows = [{"a": payload, "b": 3, "c": -2.5} for payload in SPLIT_PAYLOADS]
    text = to_csv(rows, ["a", "b", "c"], delimiter=written_with)
    for delimiter in SEPARATORS:
        assert _formula_free(text, delimiter) == [], (written_with, delimiter)
    for payload in SPLIT_PAYLOADS:  # every cell that holds a separator or a line end is quoted
        assert f'\n"{payload[:2]}' in text or f"\n\"'{payload[:2]}" in text, payload
    back = list(csv.reader(io.StringIO(text, newline=""), delimiter=written_with))
    assert len(back) == len(rows) + 1 and all(len(row) == 3 for row in back)
    assert back[1] == ["Intake;'=2+3;x", "3", "-2.5"]  # the text stays readable: only a ' added


def test_case_texts_split_by_a_separator_reach_no_csv_as_a_formula(tmp_path):
    case = ("case: {id: split, title: 'Leefloon,=1+1', organisation: 'OCMW Gent;=2+3;x', municipality: \"Gent\\t=SUM(1)\"}\n"
            "actors:\n  client: {name: 'Klant;@x', level: client}\n  mw: {name: 'MW,+1', level: local}\n"
            "data:\n  inkomen: {name: 'Inkomen;=1'}\n"
            "forms:\n  f: {name: 'Formulier;=2', owner: mw, fields: [inkomen]}\n"
            "steps:\n  - {id: a, name: 'Intake;=2+3;x', actor: mw, client_minutes: 10, asks: [inkomen], tells_story: true}\n"
            "  - {id: b, name: 'Tweede,-1+1', actor: mw, client_minutes: 10, form: f, tells_story: true, uses: [inkomen]}\n")
    (tmp_path / "split.yaml").write_text(case, encoding="utf-8")
    runner = CliRunner()
    analyzed = runner.invoke(main, ["analyze", str(tmp_path / "split.yaml"), "--format", "csv"])
    assert analyzed.exit_code == 0, analyzed.output
    assert runner.invoke(main, ["forms", str(tmp_path / "split.yaml"), "-o", str(tmp_path / "forms")]).exit_code == 0
    result = runner.invoke(main, ["aggregate", str(tmp_path / "split.yaml"), "-o", str(tmp_path / "site"), "-j", "1"])
    assert result.exit_code == 0, result.output
    texts = {"analyze": analyzed.stdout, "forms": (tmp_path / "forms" / "forms.csv").read_text(encoding="utf-8")}
    for name in ("findings.csv", "proposals.csv"):
        texts[name] = (tmp_path / "site" / name).read_text(encoding="utf-8")
    assert "OCMW Gent;'=2+3;x" in texts["analyze"]
    for name, text in texts.items():
        for delimiter in SEPARATORS:
            assert _formula_free(text, delimiter) == [], (name, delimiter)


def test_xlsx_has_no_formula_cells(outputs):
    import openpyxl
    path = _get(outputs, "site/summary.xlsx", "kafka aggregate")
    book = openpyxl.load_workbook(path)
    cells = 0
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    cells += 1
                    assert not cell.value.startswith(FORMULA_STARTS), (sheet.title, cell.coordinate, cell.value[:60])
    assert cells > 0


def test_every_csv_and_xlsx_writer_uses_spreadsheet_safe():
    # A new writer that forgets the guard would slip past the output tests above
    # until a case happened to hit it; so every module that writes a table must use it.
    writers = re.compile(r"csv\.writer|csv\.DictWriter|Workbook\(|\.to_excel\(|\.to_csv\(|ExcelWriter")
    package = Path(__file__).resolve().parent.parent / "kafka"
    for source in package.rglob("*.py"):
        text = source.read_text(encoding="utf-8")
        if source.name == "tables.py" and source.parent == package:
            continue  # where spreadsheet_safe and to_csv live
        if writers.search(text):
            assert "spreadsheet_safe" in text, f"{source.relative_to(package.parent)} writes a table without spreadsheet_safe"


# --- the to-be case file ----------------------------------------------------------------------------

def test_to_be_case_file_reads_back_with_the_same_texts(outputs, texts):
    import yaml

    path = _get(outputs, "to-be.yaml", "kafka simulate --write")
    loaded = load_case(path)
    assert loaded.ok, [str(p) for p in loaded.problems]
    written = free_texts(yaml.safe_load(path.read_text(encoding="utf-8")))
    assert written[("case", "organisation")] == texts[("case", "organisation")]
    kept = {p: t for p, t in texts.items() if p[0] == "actors"}
    for path_, text in kept.items():
        if path_ in written:
            assert written[path_] == text, path_
