"""Issue 18, item 2: a text the model accepts is a text every renderer takes, and a renderer
that still fails on one case skips that case, never the run.

A step name of about 18,000 characters (under the old limit of 20,000) validated, then
Graphviz refused its label ("Invalid Input"): `aggregate` exited 3 with an empty cases/
folder, `report` and `export -o x.svg` exited 3.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from kafka import model
from kafka.cli import main
from kafka.errors import ExitCode
from kafka.loader import load_text

REPO = Path(__file__).resolve().parent.parent
# The characters that grow most when escaped for the renderers: &#x27; &quot; &amp; &lt;, a
# backslash (doubled in DOT), four bytes of UTF-8.
WORST = ["'", '"', "&", "<", "\\", "\U0001F600"]


def _text(tag: str, n: int, char: str) -> str:
    return ((tag + char) * n)[:n]


def longest_case(char: str, short: int = model.MAX_NAME_CHARS, long: int = model.MAX_TEXT_CHARS) -> str:
    """A valid case whose every text is as long as the model allows, made of ``char``."""
    def name(tag):
        return _text(tag, short, char)

    def text(tag):
        return _text(tag, long, char)

    data = {
        "case": {"id": "longest", "title": name("T"), "organisation": name("O"), "municipality": name("M"),
                 "mapped_by": [name("B")], "story": text("S")},
        "actors": {"client": {"name": name("C"), "level": "client"},
                   "mw": {"name": name("A"), "level": "local", "organisation": name("G")},
                   "fed": {"name": name("F"), "level": "federal", "organisation": name("H")}},
        "data": {"inkomen": {"name": name("D"), "source": "rijksregister", "description": text("X")},
                 "x": {"name": name("Y")}},
        "sources": {"eigen": {"name": name("K"), "level": "local", "via": name("V"), "what": text("W")}},
        "rules": {"r": {"name": name("R"), "level": "federal", "ref": name("E"), "deadline_days": 1,
                        "from": "a", "to": "c"}},
        "forms": {"f": {"name": name("N"), "owner": "mw", "fields": ["inkomen", "x"], "rule": "r"}},
        "steps": [
            {"id": "a", "name": name("P"), "actor": "mw", "client_minutes": 10, "asks": ["inkomen"],
             "tells_story": True, "wait_days": 20, "note": text("Z"), "quote": text("Y"),
             "next": [{"to": "b", "when": name("W"), "chance": 0.5}, {"to": "c", "when": name("U")}]},
            {"id": "b", "name": name("Q"), "actor": "fed", "client_minutes": 10, "asks": ["inkomen", "x"],
             "tells_story": True, "form": "f", "rule": "r", "next": [{"to": "a", "when": name("L")}, "c"]},
            {"id": "c", "name": name("J"), "actor": "mw", "kind": "decision", "uses": ["inkomen"],
             "client_minutes": 5, "channel": "in_person"},
        ],
    }
    return yaml.safe_dump(data, allow_unicode=True, width=1_000_000)


def test_a_name_over_the_limit_is_refused_saying_why():
    case = longest_case("x").replace(_text("P", model.MAX_NAME_CHARS, "x"), "Stap " + "x" * 18_000, 1)
    problems = [p for p in load_text(case, "c.yaml").problems if p.path == "steps[0].name"]
    assert len(problems) == 1, problems
    message = problems[0].message
    assert f"at most {model.MAX_NAME_CHARS:,} characters" in message and "process map" in message


def test_a_long_text_over_its_limit_is_refused():
    case = longest_case("x").replace(_text("S", model.MAX_TEXT_CHARS, "x"), "x" * (model.MAX_TEXT_CHARS + 1), 1)
    (p,) = [p for p in load_text(case, "c.yaml").problems if p.path == "case.story"]
    assert f"at most {model.MAX_TEXT_CHARS:,} characters" in p.message


@pytest.mark.parametrize("char", WORST, ids=["apostrophe", "quote", "ampersand", "less-than", "backslash", "emoji"])
def test_every_renderer_takes_the_longest_texts_the_model_allows(tmp_path, char):
    case = tmp_path / "longest.yaml"
    case.write_text(longest_case(char), encoding="utf-8")
    assert load_text(case.read_text(encoding="utf-8"), "longest.yaml").ok
    runner = CliRunner()
    for args in (["report", str(case), "-o", str(tmp_path / "report")],
                 *[["export", str(case), "-o", str(tmp_path / f"map.{fmt}")] for fmt in ("svg", "png", "bpmn", "dot")],
                 ["aggregate", str(case), "-o", str(tmp_path / "site"), "-j", "1", "--to-be"],
                 ["forms", str(case), "-o", str(tmp_path / "forms")]):
        result = runner.invoke(main, args)
        assert result.exit_code == 0, (args[0], result.output[-2000:])


# --- a renderer that fails on one case ------------------------------------------------------------

@pytest.fixture
def graphviz_fails_on_one_case(monkeypatch):
    """Graphviz refuses every map of the case called 'kapot' (as it refused an 18,000-character label)."""
    from kafka import processmap
    from kafka.errors import OutputError

    real = processmap.render_graphviz

    def render(dot_source, fmt, **attrs):
        if "Kapotte stap" in dot_source:
            raise OutputError("Graphviz could not render the diagram: Invalid Input")
        return real(dot_source, fmt, **attrs)

    monkeypatch.setattr(processmap, "render_graphviz", render)
    from kafka.export import formats

    if hasattr(formats, "render_graphviz"):
        monkeypatch.setattr(formats, "render_graphviz", render)


@pytest.fixture
def two_cases(tmp_path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(REPO / "cases" / "leefloon-heidebeek.yaml", folder / "goed.yaml")
    text = (REPO / "cases" / "leefloon-lindenberg.yaml").read_text(encoding="utf-8")
    first_step = text.index("- id:", text.index("steps:"))
    name_at = text.index("name:", first_step)
    end = text.index("\n", name_at)
    (folder / "kapot.yaml").write_text(text[:name_at] + "name: Kapotte stap" + text[end:], encoding="utf-8")
    return folder


@pytest.mark.parametrize("command", ["report", "export-svg", "export-png", "aggregate"])
def test_a_renderer_failure_on_one_case_skips_that_case_not_the_run(tmp_path, two_cases, graphviz_fails_on_one_case,
                                                                     command):
    out = tmp_path / "out"
    args = {
        "report": ["report", str(two_cases), "-o", str(out)],
        "export-svg": ["export", str(two_cases), "--format", "svg", "-o", str(out)],
        "export-png": ["export", str(two_cases), "--format", "png", "-o", str(out)],
        "aggregate": ["aggregate", str(two_cases), "-o", str(out), "-j", "1"],
    }[command]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == ExitCode.INVALID_INPUT, result.output
    assert "Traceback" not in result.output
    assert "kapot.yaml" in result.output and "Invalid Input" in result.output and "skipped" in result.output
    written = sorted(p.name for p in out.rglob("*") if p.is_file() and not p.name.startswith("."))
    assert any(name.startswith("leefloon-heidebeek") for name in written), written
    assert not any(name.startswith("leefloon-lindenberg") for name in written), written
