"""The shape of the code: stages that only look down, a finding declared in one
place, one run stage, and templates a user can put in front of kafka's own."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from kafka.cli import main
from kafka.detectors import BY_CODE, REGISTRY
from kafka.findings import Facts
from kafka.i18n import Translator
from kafka.run import RunOptions
from kafka.settings import Settings, declared
from runs import case_run

REPO = Path(__file__).resolve().parent.parent
PACKAGE = REPO / "kafka"
CASES = sorted((REPO / "cases").glob("*.yaml"))

# The floors of the house, lowest first: a module may import from its own floor
# and the floors below, never from a floor above (docs/architecture.md).
FLOORS = [
    ["kafka", "kafka.errors", "kafka.i18n", "kafka.diagnostics", "kafka.output", "kafka.yamlsource"],
    ["kafka.model"],
    ["kafka.catalogue", "kafka.flow", "kafka.nature", "kafka.settings"],
    ["kafka.loader", "kafka.validate", "kafka.schema", "kafka.starters", "kafka.casedoc"],
    ["kafka.graph"],
    ["kafka.metrics"],
    ["kafka.findings", "kafka.detectors"],
    ["kafka.analysis", "kafka.tables"],
    ["kafka.simulate", "kafka.log"],
    ["kafka.run"],
    ["kafka.processmap", "kafka.render"],
    ["kafka.report", "kafka.export", "kafka.forms",
     # the event log's report: page data, drawings and files (the rest of kafka.log is below kafka.run)
     "kafka.log.report", "kafka.log.plots", "kafka.log.procmap", "kafka.log.render", "kafka.log.evidence_report"],
    ["kafka.aggregate"],
    ["kafka.serve"],
    ["kafka.cli", "kafka.__main__"],
]
# The one allowed look up: the settings find the findings' own settings in their registry.
LOOKS_UP = {("kafka.settings", "kafka.detectors")}


def _module(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _floor(module: str) -> int | None:
    best = None
    for i, names in enumerate(FLOORS):
        for name in names:
            if (module == name or module.startswith(name + ".")) and (best is None or len(name) > best[1]):
                best = (i, len(name))
    return best[0] if best else None


def _imports(path: Path) -> list[tuple[str, int]]:
    """The kafka modules ``path`` imports, at run time (not under TYPE_CHECKING), with their lines."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only = {id(n) for node in ast.walk(tree) if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
                   for n in ast.walk(node)}
    found = []
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("kafka"):
            found.append((node.module, node.lineno))
        elif isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names if alias.name.startswith("kafka")]
    return found


def test_every_module_is_on_a_floor_and_imports_only_downwards():
    climbs = []
    for path in sorted(PACKAGE.rglob("*.py")):
        module = _module(path)
        assert _floor(module) is not None, f"{module} is on no floor of FLOORS: add it where it belongs"
        for target, line in _imports(path):
            if _floor(target) > _floor(module) and (module, target.rsplit(".", 0)[0]) not in LOOKS_UP:
                climbs.append(f"{path.relative_to(REPO)}:{line}: {module} imports {target}")
    assert not climbs, "\n".join(climbs)


def test_no_finding_code_is_written_outside_its_own_module():
    # Other stages recognise a finding by the type of its facts, never by a literal code.
    literal = re.compile(r"""["'][A-Z]\d\d["']""")
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.parent.name == "detectors":
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if literal.search(line.split("#", 1)[0]):
                found.append(f"{path.relative_to(REPO)}:{number}: {line.strip()}")
    assert not found, "\n".join(found)


def test_each_finding_module_declares_its_code_once_with_typed_facts():
    for detector in REGISTRY:
        module = detector.detect.__module__
        assert module.startswith("kafka.detectors.") and detector.code.lower() in module, detector.code
        assert detector.facts is not None and issubclass(detector.facts, Facts), detector.code
        assert detector.effect is not None and detector.effect.apply.__module__ == module, detector.code
        for setting in detector.settings:
            assert setting.help.startswith(f"{detector.code}:"), setting.name


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_every_finding_carries_the_facts_its_module_declares(path):
    for finding in case_run(path).analysis.findings:
        assert isinstance(finding.facts, BY_CODE[finding.code].facts), finding.code


def test_every_setting_is_declared_once_and_listed():
    names = [name for name, _, _ in Settings.describe()]
    assert len(names) == len(set(names)) == len(declared())
    for detector in REGISTRY:
        for setting in detector.settings:
            assert setting.name in names
    result = CliRunner().invoke(main, ["settings"])
    assert result.exit_code == 0, result.output
    assert all(name in result.output for name in names)


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_every_finding_has_its_texts_in_the_catalogue(lang):
    t = Translator(lang)
    for detector in REGISTRY:
        for key in ("title", "message"):
            assert t(f"findings.{detector.code}.{key}"), (detector.code, key)


def test_settings_travel_to_a_worker_process_intact():
    import pickle

    settings = Settings(long_wait_days=10)
    again = pickle.loads(pickle.dumps(settings))
    assert again == settings and again.long_wait_days == 10
    with pytest.raises(AttributeError):
        settings.long_wait_days = 3
    with pytest.raises(TypeError, match="unknown setting"):
        Settings(long_wait_dayz=10)


# --- the run stage ----------------------------------------------------------------------


def test_run_options_are_checked_once():
    from kafka.errors import UsageProblem

    with pytest.raises(UsageProblem, match="matches no finding code"):
        RunOptions.of(select=["X"])
    with pytest.raises(UsageProblem, match="leave no finding code"):
        RunOptions.of(select=["D01"], ignore=["D"])
    with pytest.raises(UsageProblem, match="unknown setting"):
        RunOptions.of(overrides={"nope": "1"})
    options = RunOptions.of("en", ["D"], ["D03"], {"long_wait_days": "10"})
    assert options.settings.long_wait_days == 10 and options.explicit_settings == {"long_wait_days"}


def test_the_analysis_keeps_its_selection_for_the_to_be():
    run = case_run(CASES[0], select=("D",), ignore=("D03",), to_be=True)
    assert {f.code for f in run.analysis.findings} <= {"D01", "D02"}
    for scenario in run.scenarios.values():
        assert {f.code for f in scenario.remaining} <= {"D01", "D02"}


def test_the_fingerprint_follows_the_user_templates(tmp_path):
    (tmp_path / "_custom.css").write_text("body { color: red; }", encoding="utf-8")
    options = RunOptions.of(templates=tmp_path)
    before = options.fingerprint()
    (tmp_path / "_custom.css").write_text("body { color: blue; }", encoding="utf-8")
    assert options.fingerprint() != before != RunOptions.of().fingerprint()


# --- templates a user puts first ----------------------------------------------------------


def test_a_users_templates_come_before_kafkas_own(tmp_path):
    styles = tmp_path / "huisstijl"
    styles.mkdir()
    (styles / "_custom.css").write_text(":root { --accent: #c0392b; } /* OCMW Testdorp */\n", encoding="utf-8")
    runner = CliRunner()
    plain = runner.invoke(main, ["report", str(CASES[0]), "-o", str(tmp_path / "plain")])
    styled = runner.invoke(main, ["report", str(CASES[0]), "-o", str(tmp_path / "styled"), "--templates", str(styles)])
    assert plain.exit_code == 0 and styled.exit_code == 0, styled.output
    name = CASES[0].stem + ".html"
    assert "OCMW Testdorp" not in (tmp_path / "plain" / name).read_text(encoding="utf-8")
    assert "OCMW Testdorp" in (tmp_path / "styled" / name).read_text(encoding="utf-8")


def test_a_script_in_a_users_html_partial_runs_and_one_smuggled_into_css_does_not(tmp_path):
    import base64
    import hashlib
    import html

    from kafka.render import templates_dir

    sortable = (templates_dir() / "_sortable.html").read_text(encoding="utf-8")
    (tmp_path / "_sortable.html").write_text(sortable + "<script>document.title = 'eigen';</script>\n", encoding="utf-8")
    (tmp_path / "_custom.css").write_text("</style><script>document.title = 'css';</script><style>", encoding="utf-8")
    result = CliRunner().invoke(main, ["report", str(CASES[0]), "-o", str(tmp_path / "out"), "--templates", str(tmp_path)])
    assert result.exit_code == 0, result.output
    page = (tmp_path / "out" / (CASES[0].stem + ".html")).read_text(encoding="utf-8")
    policy = html.unescape(re.search(r'content="(default-src [^"]*)"', page).group(1))

    def allowed(body: str) -> bool:
        return base64.b64encode(hashlib.sha256(body.encode()).digest()).decode() in policy

    assert allowed("document.title = 'eigen';") and not allowed("document.title = 'css';")


def test_a_missing_templates_folder_is_a_usage_error(tmp_path):
    result = CliRunner().invoke(main, ["report", str(CASES[0]), "-o", str(tmp_path), "--templates", str(tmp_path / "no")])
    assert result.exit_code == 2 and "does not exist" in result.output
