"""``kafka export`` as a user runs it: files, folders, standard output, bad input."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

from click.testing import CliRunner

from kafka.cli import main

REPO = Path(__file__).resolve().parent.parent
SARA = REPO / "cases" / "leefloon-heidebeek.yaml"
BPMN_NS = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def test_bpmn_to_a_file(tmp_path):
    target = tmp_path / "case.bpmn"
    result = run("export", str(SARA), "--format", "bpmn", "-o", str(target))
    assert result.exit_code == 0, result.output
    root = ET.parse(target).getroot()
    assert root.tag == f"{BPMN_NS}definitions"
    assert root.findall(f"{BPMN_NS}process/{BPMN_NS}laneSet/{BPMN_NS}lane")


def test_format_from_the_file_extension(tmp_path):
    target = tmp_path / "case.json"
    result = run("export", str(SARA), "-o", str(target), "--lang", "en")
    assert result.exit_code == 0, result.output
    data = json.loads(target.read_text(encoding="utf-8"))
    assert data["schema_version"] == 1 and data["lang"] == "en"


def test_to_standard_output():
    result = run("export", str(SARA), "--format", "json", "--select", "T")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["findings"] and {f["code"] for f in data["findings"]} == {"T01", "T02"}


def test_lanes_per_actor(tmp_path):
    target = tmp_path / "case.bpmn"
    result = run("export", str(SARA), "-o", str(target), "--lanes", "actor")
    assert result.exit_code == 0, result.output
    lanes = ET.parse(target).getroot().findall(f"{BPMN_NS}process/{BPMN_NS}laneSet/{BPMN_NS}lane")
    assert all(lane.get("id").startswith("Lane_") and not lane.get("id")[5:].isdigit() for lane in lanes)


def test_a_folder_of_cases_to_a_folder(tmp_path, write_case):
    cases = tmp_path / "cases"
    cases.mkdir()
    for name in ("a", "b"):
        write_case(cases, SARA.read_text(encoding="utf-8").replace("id: leefloon-heidebeek", f"id: case-{name}"),
                   name=f"{name}.yaml")
    write_case(cases, "case:\n  id: broken\n", name="broken.yaml")
    out = tmp_path / "out"
    result = run("export", str(cases), "--format", "bpmn", "-o", str(out))
    assert result.exit_code == 1, result.output  # the broken file is reported and skipped
    assert "broken.yaml" in result.output
    assert sorted(p.name for p in out.iterdir()) == ["case-a.bpmn", "case-b.bpmn"]


def test_a_repeated_case_id_is_an_invalid_file(tmp_path):
    copy = tmp_path / "copy.yaml"
    copy.write_bytes(SARA.read_bytes())
    out = tmp_path / "out"
    result = run("export", str(SARA), str(copy), "--format", "json", "-o", str(out))
    assert result.exit_code == 1, result.output
    assert "also used by" in result.output
    assert sorted(p.name for p in out.iterdir()) == ["leefloon-heidebeek.json"]


def test_usage_errors(tmp_path):
    no_format = run("export", str(SARA))
    assert no_format.exit_code == 2 and "give --format" in no_format.output
    unknown_suffix = run("export", str(SARA), "-o", str(tmp_path / "case.txt"))
    assert unknown_suffix.exit_code == 2 and "give --format" in unknown_suffix.output
    (tmp_path / "file.json").write_text("{}", encoding="utf-8")
    several_to_file = run("export", str(SARA), str(SARA), "-o", str(tmp_path / "file.json"))
    assert several_to_file.exit_code == 2 and "must be a folder" in several_to_file.output
    assert (tmp_path / "file.json").read_text(encoding="utf-8") == "{}"


def test_output_errors_are_one_line(tmp_path):
    result = run("export", str(SARA), "-o", str(tmp_path / "missing" / "case.bpmn"))
    assert result.exit_code == 3
    assert result.output.strip() == f"Error: cannot write {tmp_path / 'missing' / 'case.bpmn'}: " \
                                    f"the folder {tmp_path / 'missing'} does not exist"


def test_an_invalid_case_writes_nothing(tmp_path, write_case):
    case = write_case("case:\n  id: x\n")
    target = tmp_path / "x.bpmn"
    result = run("export", str(case), "-o", str(target))
    assert result.exit_code == 1
    assert "case.yaml:1:1: case.title: the required key 'title' is missing" in result.output
    assert not target.exists()


def test_process_map_formats(tmp_path):
    for fmt in ("dot", "svg", "png"):
        target = tmp_path / f"map.{fmt}"
        result = run("export", str(SARA), "-o", str(target))
        assert result.exit_code == 0, result.output
        assert target.stat().st_size > 1000
    assert (tmp_path / "map.png").read_bytes()[:4] == b"\x89PNG"
    assert (tmp_path / "map.svg").read_text(encoding="utf-8").startswith("<?xml")
    assert (tmp_path / "map.dot").read_text(encoding="utf-8").startswith("digraph")


def test_png_to_standard_output_when_it_is_not_a_terminal():
    result = CliRunner().invoke(main, ["export", str(SARA), "--format", "png", "--dpi", "30"])
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes[:4] == b"\x89PNG"
