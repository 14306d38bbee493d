"""No untranslated text: both catalogues have the same keys and placeholders, and
rendering (in both languages, every branch) never asks for a missing key."""

from __future__ import annotations

import re
import string
from importlib import resources
from pathlib import Path

import pytest
import yaml

from kafka.analysis import analyze
from kafka.detectors import CODES
from kafka.i18n import LANGUAGES, Translator, catalogue
from kafka.loader import iter_case_files, load_case, load_text
from kafka.model import Channel, StepKind
from kafka.render import templates_dir
from kafka.report import render_case_report
from runs import case_run

REPO = Path(__file__).resolve().parent.parent


def _placeholders(value) -> set[str]:
    texts = value.values() if isinstance(value, dict) else [value]
    return {name for text in texts for _, name, _, _ in string.Formatter().parse(str(text)) if name}


def test_every_domain_exists_in_every_language():
    domains = {
        lang: sorted(e.name for e in resources.files("kafka").joinpath(f"locale/{lang}").iterdir()
                     if e.name.endswith(".yaml"))
        for lang in LANGUAGES
    }
    assert domains["nl"] == domains["en"]


def test_both_catalogues_have_the_same_keys_for_all_domains():
    nl, en = catalogue("nl"), catalogue("en")
    assert sorted(set(nl) - set(en)) == []
    assert sorted(set(en) - set(nl)) == []


def test_both_catalogues_fill_in_the_same_placeholders():
    nl, en = catalogue("nl"), catalogue("en")
    different = {key: (_placeholders(nl[key]), _placeholders(en[key]))
                 for key in nl if _placeholders(nl[key]) != _placeholders(en[key])}
    assert different == {}


def test_every_key_is_text():
    # YAML 1.1 reads yes/no/on/off as booleans: such a key would never be found
    for lang in LANGUAGES:
        folder = resources.files("kafka").joinpath(f"locale/{lang}")
        for entry in folder.iterdir():
            if entry.name.endswith(".yaml"):
                _check_keys(yaml.safe_load(entry.read_text(encoding="utf-8")) or {}, f"{lang}/{entry.name}")


def _check_keys(value, where):
    if isinstance(value, dict):
        for key, sub in value.items():
            assert isinstance(key, str), f"{where}: key {key!r} is not text (quote yes/no/on/off in YAML)"
            _check_keys(sub, f"{where}:{key}")


def test_every_literal_key_in_the_templates_and_report_code_exists():
    sources = [p.read_text(encoding="utf-8") for p in templates_dir().glob("*.html")]
    sources += [p.read_text(encoding="utf-8") for p in (REPO / "kafka" / "report").glob("*.py")]
    sources.append((REPO / "kafka" / "processmap.py").read_text(encoding="utf-8"))
    found = re.findall(r"""\bt(?:\.n)?\(\s*["']((?:report|common)\.[\w.]+)["']""", text_of(sources))
    keys = {k for k in found if not k.endswith(".")}  # a prefix + a value: checked below
    assert keys, "no keys found: the pattern no longer matches the templates"
    for lang in LANGUAGES:
        t = Translator(lang)
        assert sorted(k for k in keys if not t.has(k)) == [], lang


def text_of(sources: list[str]) -> str:
    return "\n".join(sources)


def test_keys_built_from_values_exist():
    """Keys the templates build at run time: per code, step kind, channel, target kind, level."""
    for lang in LANGUAGES:
        t = Translator(lang)
        needed = [f"report.findings.explain.{c}" for c in CODES]
        needed += [f"report.kind.{k.value}" for k in StepKind] + [f"report.channel.{c.value}" for c in Channel]
        needed += [f"report.target.{k}" for k in ("data", "source", "form", "rule", "step", "actor", "organisation")]
        needed += [f"common.level.{lvl}" for lvl in ("local", "supralocal")]
        needed += [f"common.government.{g}" for g in ("local", "flemish", "federal", "european")]
        needed += [f"report.matrix.{part}.{k}" for part in ("letter", "kind")
                   for k in ("asks", "field", "attachment", "brings", "provides", "uses")]
        assert [k for k in needed if not t.has(k)] == [], lang


MINIMAL = """
case: {id: minimal, title: Minimaal, organisation: OCMW Klein}
actors:
  client: {name: Cliënt, level: client}
  desk: {name: Onthaal, level: local}
steps:
  - {id: only, name: Enige stap, actor: desk}
"""


@pytest.mark.parametrize("lang", LANGUAGES)
def test_rendering_never_misses_a_key(lang, shared_dir):
    # Every example case, the conformance cases (every finding code) and a
    # case with nothing in it (the empty branches) render without a missing
    # key (MissingTranslation) or an undefined name (StrictUndefined).
    paths = list(iter_case_files([str(REPO / "cases"), str(shared_dir / "conformance")]))
    cases = [load_case(p).case for p in paths] + [load_text(MINIMAL, "minimal.yaml").case]
    for case in cases:
        html = render_case_report(case_run(case, lang))
        assert "report." not in re.sub(r"<[^>]+>", "", html), case.case.id  # no key shown in place of a text
