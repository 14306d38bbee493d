"""Fuzzing the loader, the validator and the analysis.

Case files are written by hand by many people. Whatever they contain -- random
bytes, mutated real cases, deep nesting, huge values, alias bombs, odd Unicode,
Windows line ends, a BOM, tabs -- loading ends in a valid case or a list of
problems, within a time limit and bounded memory; a valid case is analysed
without a crash and with sane figures (the oracle is tests/fuzzlib.py).

The default run is short (hypothesis profile "ci", a few thousand inputs);
``make fuzz`` (``pytest --run-slow tests/test_fuzz.py``) runs the long campaign
(profile "long", a much larger mutation sweep, and atheris when installed).
The figures -- inputs run, distinct error messages reached -- are printed at
the end of the run and kept in the pytest cache under ``kafka/fuzz``.
"""

from __future__ import annotations

import json
import os
import random
import resource
import shutil
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import pytest
import yaml
from hypothesis import example, given, settings
from hypothesis import strategies as st

import fuzzlib
from kafka import yamlsource
from kafka.catalogue import builtin_sources
from kafka.loader import MAX_PROBLEMS, MAX_STEPS, load_text

STATS = fuzzlib.Stats()
HERE = Path(__file__).resolve().parent


@pytest.fixture(scope="module", autouse=True)
def campaign_report(request):
    """Print the campaign's figures at the end, and keep them in the pytest cache."""
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    yield
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before) / 1024
    line = f"fuzz: {STATS.summary()}; peak memory grew by {grown_mb:.0f} MB"
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line(line)
    cache = getattr(request.config, "cache", None)  # absent with -p no:cacheprovider
    if cache is not None:
        cache.set("kafka/fuzz", {
            "summary": line,
            "inputs": STATS.inputs,
            "valid": STATS.valid,
            "distinct_messages": sorted(STATS.messages),
            "kinds": dict(STATS.kinds),
        })
    # Everything the fuzzers fed in was bounded: the whole campaign must not balloon.
    assert grown_mb < 1024, line


# --- random bytes and random text ---------------------------------------------------

@given(st.binary(max_size=4096))
@example(b"\xef\xbb\xbf")  # a BOM alone
@example(b"\xff\xfe" + "case:".encode("utf-16-le"))
@example(b"case:\x00")
@example(b"\xc3")  # a truncated UTF-8 sequence
@example(b"\xed\xa0\x80")  # an encoded surrogate
def test_random_bytes(raw):
    fuzzlib.run_one(raw, STATS)


@given(st.text(max_size=2000))
@example("\t")
@example("\u2028\u2029\x85")
@example("case: {id: a}\r\n\ufeff")
def test_random_text(text):
    fuzzlib.run_one(text, STATS)
    fuzzlib.run_one(text.encode("utf-8", "surrogatepass"), STATS)


# --- YAML-shaped data: every type in every place ---------------------------------------

ODD_TEXT = st.sampled_from(fuzzlib.ODD_TEXT)
TEXTS = st.one_of(st.text(max_size=40), ODD_TEXT, st.text(alphabet=st.sampled_from("ab \t\u202e\u200b\U0001f600\x00\\\"'{}[]:#&*!|>-"), max_size=30))
KEYS = st.one_of(
    st.sampled_from(["case", "actors", "steps", "data", "rules", "forms", "sources", "id", "name", "level", "actor",
                     "next", "to", "when", "chance", "asks", "form", "fields", "client_minutes", "wait_days", "from"]),
    TEXTS,
    st.integers(-3, 3),
    st.booleans(),
    st.none(),
)
SCALARS = st.one_of(
    TEXTS, st.integers(), st.floats(), st.booleans(), st.none(), st.dates(),
    st.integers(min_value=10**30, max_value=10**400),
)
DOCUMENTS = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=6) | st.dictionaries(KEYS, inner, max_size=6),
                         max_leaves=60)


@given(DOCUMENTS, st.sampled_from(["block", "flow", "canonical"]))
def test_any_yaml_document(document, style):
    try:
        text = yaml.safe_dump(document, allow_unicode=True, default_flow_style=style == "flow", canonical=style == "canonical")
    except yaml.YAMLError:  # PyYAML cannot write some keys; nothing to feed then
        return
    fuzzlib.run_one(text, STATS)


# --- case-shaped documents: mostly right, a little wrong ----------------------------------

ACTOR_LEVELS = ["client", "local", "flemish", "federal", "european", "private"]
GOV_LEVELS = ["local", "flemish", "federal", "european"]
KINDS = ["contact", "form", "document", "visit", "decision", "referral", "notification", "internal"]
CHANNELS = ["in_person", "home_visit", "phone", "letter", "email", "online", "internal"]
# Text a valid case may hold: anything but control characters (and U+FFFE/U+FFFF), which YAML refuses.
CLEAN_TEXT = st.text(st.characters(exclude_categories=("Cc", "Cs"), exclude_characters="\ufffe\uffff"), min_size=1, max_size=40)
VALID_TEXTS = st.one_of(CLEAN_TEXT, st.sampled_from([t for t in fuzzlib.ODD_TEXT if t.isprintable() and t.strip()]))
NUMBERS = st.one_of(
    st.integers(0, 60), st.floats(0, 1e4, allow_nan=False), st.sampled_from([0, 0.5, 14, 30, 1e9]),
)


@st.composite
def valid_cases(draw) -> dict:
    """A case that follows the contract: references resolve, exactly one client, and every
    step's ``next`` includes the step after it (so deadlines between any two steps are
    reachable), plus arbitrary extra branches and loops back."""
    n_steps = draw(st.integers(1, 14))
    step_ids = [f"s{i}" for i in range(n_steps)]
    actors = {"client": {"name": draw(VALID_TEXTS | st.just("Cliënt")), "level": "client"}}
    for key in draw(st.lists(st.sampled_from(["mw", "onthaal", "rva", "bank", "vdab"]), min_size=1, max_size=5, unique=True)):
        actor = {"name": draw(VALID_TEXTS), "level": draw(st.sampled_from(ACTOR_LEVELS[1:]))}
        if draw(st.booleans()):
            actor["organisation"] = draw(st.sampled_from(["OCMW A", "OCMW B", "RVA", "\u202eOCMW"]))
        actors[key] = actor
    sources = {}
    if draw(st.booleans()):
        sources["eigen"] = {"name": "Eigen register", "level": draw(st.sampled_from(GOV_LEVELS)), "local_access": draw(st.booleans())}
    source_keys = list(builtin_sources()) + list(sources)
    data = {}
    for i in range(draw(st.integers(0, 8))):
        item = {"name": draw(VALID_TEXTS)}
        if draw(st.booleans()):
            item["source"] = draw(st.sampled_from(source_keys))
        data[f"d{i}"] = item
    items = list(data)
    item_lists = st.lists(st.sampled_from(items), max_size=6) if items else st.just([])
    rules = {}
    for i in range(draw(st.integers(0, 3))):
        rule = {"name": f"Regel {i}", "level": draw(st.sampled_from(GOV_LEVELS))}
        if draw(st.booleans()):
            a, b = sorted(draw(st.lists(st.integers(0, n_steps - 1), min_size=2, max_size=2)))
            rule.update(deadline_days=draw(NUMBERS), **{"from": step_ids[a], "to": step_ids[b]})
        rules[f"r{i}"] = rule
    forms = {}
    for i in range(draw(st.integers(0, 3))):
        form = {"name": f"Formulier {i}", "owner": draw(st.sampled_from(list(actors))),
                "fields": draw(item_lists), "attachments": draw(item_lists)}
        if rules and draw(st.booleans()):
            form["rule"] = draw(st.sampled_from(list(rules)))
        forms[f"f{i}"] = form
    steps = []
    for i, step_id in enumerate(step_ids):
        step = {
            "id": step_id,
            "name": draw(VALID_TEXTS | st.just("Stap")),
            "actor": draw(st.sampled_from(list(actors))),
            "kind": draw(st.sampled_from(KINDS)),
            "channel": draw(st.sampled_from(CHANNELS)),
            "client_minutes": draw(NUMBERS),
            "staff_minutes": draw(NUMBERS),
            "wait_days": draw(NUMBERS),
            "duration_days": draw(NUMBERS),
            "tells_story": draw(st.booleans()),
            "asks": draw(item_lists),
            "brings": draw(item_lists),
            "uses": draw(item_lists),
            "provides": draw(item_lists),
        }
        if forms and draw(st.booleans()):
            step["form"] = draw(st.sampled_from(list(forms)))
        if rules and draw(st.booleans()):
            step["rule"] = draw(st.sampled_from(list(rules)))
        if draw(st.booleans()):
            extra = draw(st.lists(st.sampled_from(step_ids), max_size=3))  # loops back, jumps ahead
            targets = list(dict.fromkeys(([step_ids[i + 1]] if i + 1 < n_steps else []) + extra))
            step["next"] = [
                {"to": t, "when": draw(VALID_TEXTS), "chance": draw(st.floats(0, 1 / max(1, len(targets))))}
                if draw(st.booleans()) else t
                for t in targets
            ]
        steps.append(step)
    info = {"id": "fuzz-case", "title": draw(VALID_TEXTS | st.just("Titel")), "organisation": "OCMW A",
            "cases_per_year": draw(NUMBERS), "initiated_by": draw(st.sampled_from(["client", "organisation"]))}
    return {"case": info, "actors": actors, "sources": sources, "data": data, "rules": rules, "forms": forms, "steps": steps}


def dump(document: dict) -> str:
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False)


@given(valid_cases())
def test_valid_cases_load_and_analyse_with_sane_figures(document):
    loaded = fuzzlib.run_one(dump(document), STATS)
    assert loaded.ok, [str(p) for p in loaded.errors]


BREAKS = st.sampled_from([
    ("steps", 0, "actor", "ghost"), ("steps", 0, "id", "Bad Id"), ("steps", 0, "wait_days", -1),
    ("steps", 0, "wait_days", "7"), ("steps", 0, "next", [{"to": "nowhere"}]), ("steps", 0, "asks", ["nothing"]),
    ("steps", 0, "tells_story", "yes"), ("steps", 0, "kind", "besluit"), ("steps", 0, "extra", 1),
    ("case", "id", "../../etc"), ("case", "title", ""), ("case", "date", "2026-02-30"), ("case", "initiated_by", "ocmw"),
    ("actors", "client", "level", "local"), ("actors", "mw", "level", "client"), ("case", "cases_per_year", 1e10),
])


@given(valid_cases(), BREAKS)
def test_broken_cases_get_problems_not_crashes(document, breaking):
    *where, key, value = breaking
    target = document
    for part in where:
        target = target[part] if (isinstance(target, dict) and part in target) or isinstance(target, list) else None
        if target is None:
            return
    target[key] = value
    fuzzlib.run_one(dump(document), STATS)


# --- mutants of the real case files --------------------------------------------------------

SEEDS = fuzzlib.seed_texts()


@pytest.mark.skipif(not SEEDS, reason="no seed case files found")
@given(st.sampled_from(range(len(SEEDS))) if SEEDS else st.nothing(), st.randoms(use_true_random=False))
def test_mutated_real_cases(index, rng):
    fuzzlib.run_one(fuzzlib.mutate(SEEDS[index], rng), STATS)


def mutation_sweep(n: int, seed: int) -> fuzzlib.Stats:
    """``n`` mutants of the real cases, fast (no shrinking); a failing mutant is saved for reproduction."""
    stats = fuzzlib.Stats()
    rng = random.Random(seed)
    for _ in range(n):
        text = fuzzlib.mutate(rng.choice(SEEDS), rng)
        try:
            fuzzlib.run_one(text, stats)
        except BaseException:
            saved = Path(os.environ.get("TMPDIR", "/tmp")) / f"kafka-fuzz-failure-{seed}.yaml"
            saved.write_text(text, encoding="utf-8", errors="surrogatepass")
            print(f"failing mutant saved to {saved}", file=sys.stderr)
            raise
    return stats


@pytest.mark.skipif(not SEEDS, reason="no seed case files found")
def test_mutation_sweep_short():
    stats = mutation_sweep(1500, seed=20260312)
    STATS.merge(stats)
    assert stats.valid > 0, "some mutants must stay valid, so the analysis is fuzzed too"
    assert len(stats.messages) >= 40, "the mutants must reach many distinct checks"


@pytest.mark.slow
@pytest.mark.skipif(not SEEDS, reason="no seed case files found")
def test_mutation_sweep_long():
    stats = mutation_sweep(int(os.environ.get("KAFKA_FUZZ_MUTANTS", "60000")), seed=int(time.time()))
    STATS.merge(stats)


# --- pathological inputs: deep, huge, long, bombs; each within time and memory ----------------

def _bomb(levels: int, width: int) -> str:
    lines = ["a0: &a0 [x]"]
    for i in range(1, levels):
        lines.append(f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * width)}]")
    return "\n".join(lines) + "\n"


def _nested_block(depth: int) -> str:
    return "".join("  " * i + f"k{i}:\n" for i in range(depth)) + "  " * depth + "end\n"


def _sara() -> str:
    """The shared conformance case 'sara', read when a test needs it (not at import: a
    missing ../shared must skip the tests that use it, not break the collection)."""
    path = fuzzlib.REPO_ROOT.parent / "shared" / "conformance" / "sara.yaml"
    if not path.is_file():
        pytest.skip(f"{path} is absent (the shared contract folder sits beside the repository)")
    return path.read_text(encoding="utf-8")


PATHOLOGICAL = {
    "100k open brackets": "[" * 100_000,
    "50k open braces": "{a: " * 50_000,
    "nested block mappings": _nested_block(1_000),
    "nested block sequences": "".join("  " * i + "-\n" for i in range(1_000)),
    "billion laughs": _bomb(10, 10),
    "wide alias bomb": _bomb(3, 2_000),
    "alias bomb as keys": "a: &a [" + ", ".join(["x"] * 1000) + "]\nb: {" + ", ".join(f"k{i}: *a" for i in range(1000)) + "}\n",
    "one huge scalar": "case: " + "x" * (yamlsource.MAX_SCALAR_CHARS + 1) + "\n",
    "a scalar just under the limit": "case: {id: a, title: '" + "y" * (yamlsource.MAX_SCALAR_CHARS - 10) + "'}\n",
    "a huge key": "k" * 1_000_000 + ": 1\n",
    "a 4,300-digit number": "case: " + "9" * 4_300 + "\n",
    "a 5,000-digit number": "case: " + "9" * 5_000 + "\n",
    "a long flow list": "steps: [" + ", ".join(["{}"] * 20_000) + "]\n",
    "many duplicate keys": "case:\n" + "  id: a\n" * 5_000,
    "many anchors": "\n".join(f"k{i}: &a{i} v" for i in range(5_000)) + "\n",
    "over the file size": "# " + "z" * yamlsource.MAX_FILE_BYTES + "\n",
    "too many steps": "steps:\n" + "- {}\n" * (MAX_STEPS + 1),
    "many long lines of odd Unicode": ("\u202e\u200b\U0001f600 " * 2000 + "\n") * 50,
    "sara with CRLF, BOM and RTL marks": lambda: "\ufeff" + _sara().replace("\n", "\r\n").replace("name: ", "name: \u202e"),
    "sara with tabs": lambda: _sara().replace("  ", "\t"),
    "sara with every text a NUL escape": lambda: _sara().replace("name: ", 'name: "\\0" #'),
    "sara with zero-width ids": lambda: _sara().replace("id: intake", "id: int\u200bake"),
    # Issue 18: what got past the bounds before.
    "a long text aliased 20,000 times": "case:\n  story: &t " + "x" * 20_000 + "\n  mapped_by:\n" + "    - *t\n" * 20_000,
    "a huge hex number": "case: {cases_per_year: 0x" + "f" * 4_000 + "}\n",
    "a huge base-60 number": "case: {cases_per_year: 1" + ":59" * 1_400 + "}\n",
    "explicit tags on the wrong values": "case: {title: !!timestamp hello, x: !!bool maybe, y: !!int 1:x, z: !!float 0x}\n",
    "sara with line separators in comments and texts":
        lambda: _sara().replace("\n", "  # \u2028\x85\u2029\n").replace("name: ", "name: \u2028"),
}
# Full-size versions: seconds each (the reader handles some 100,000 events a second), so only with --run-slow.
HEAVY = {
    "nested block mappings, 5,000 deep": _nested_block(5_000),
    "a long flow list of 200,000": "steps: [" + ", ".join(["{}"] * 200_000) + "]\n",
    "a long block list over the value budget": "steps:\n" + "- x\n" * (yamlsource.MAX_NODES + 10),
    "100,000 duplicate keys": "case:\n" + "  id: a\n" * 100_000,
    "50,000 anchors": "\n".join(f"k{i}: &a{i} v" for i in range(50_000)) + "\n",
    "just under the file size": "# " + "z" * (yamlsource.MAX_FILE_BYTES - 10) + "\ncase: x\n",
}
REFUSED = ("100k", "50k", "nested", "billion", "wide", "alias", "one huge", "a huge", "a 5,000", "a long", "over", "too many",
           "100,000 duplicate", "many duplicate", "explicit")


@pytest.mark.parametrize("name", list(PATHOLOGICAL) + [pytest.param(name, marks=pytest.mark.slow) for name in HEAVY])
def test_pathological_input_is_bounded(name):
    text = PATHOLOGICAL.get(name) or HEAVY[name]
    if callable(text):
        text = text()
    traced = name in PATHOLOGICAL  # tracing memory slows Python down a few times: the heavy ones only count time
    if traced:
        tracemalloc.start()
    try:
        start = time.perf_counter()
        loaded = fuzzlib.run_one(text, STATS)
        seconds = time.perf_counter() - start
        peak = tracemalloc.get_traced_memory()[1] if traced else 0
    finally:
        tracemalloc.stop()
    assert seconds < fuzzlib.TIME_LIMIT
    # The input itself is at most a few MB; reading it may take a few copies, not hundreds.
    assert peak < 200 * 2**20, f"{name}: {peak / 2**20:.0f} MB"
    assert len(loaded.problems) <= MAX_PROBLEMS + 1
    if name.startswith(REFUSED):
        assert not loaded.ok and loaded.problems


# --- regressions the fuzzers found -----------------------------------------------------------

@pytest.mark.parametrize("escape, code", [("\\0", "0000"), ("\\e[2J", "001B"), ("\\x07", "0007"), ("\\x9b", "009B")])
def test_control_characters_written_as_escapes_are_refused(escape, code):
    # YAML's double-quoted escapes smuggled NUL and terminal escape sequences past the
    # raw-text check into step names (and from there into terminals and XML outputs).
    loaded = load_text(_sara().replace("name: Sara", f'name: "Sa{escape}ra"'), "c.yaml")
    assert not loaded.ok
    assert any(f"U+{code}" in p.message and p.line == 16 for p in loaded.problems), [str(p) for p in loaded.problems]


def test_escaped_printable_characters_stay_allowed():
    loaded = load_text(_sara().replace("name: Sara", 'name: "Sa\\u00efra \\U0001F600 \\t"'), "c.yaml")
    assert loaded.ok, [str(p) for p in loaded.problems]
    assert loaded.case.actors["client"].name == "Saïra \U0001f600 \t"


@pytest.mark.parametrize("value, fragment", [
    ("1.0e+308", "must be at most 1,000,000,000"),  # two of them made the lead time inf, then NaN
    ("1" + "0" * 400, "a number of 401 digits is too large"),  # was printed in full
])
def test_numbers_too_large_for_the_figures_are_refused(value, fragment):
    loaded = load_text(_sara().replace("wait_days: 7", f"wait_days: {value}"), "c.yaml")
    assert not loaded.ok
    assert any(fragment in p.message for p in loaded.problems), [str(p) for p in loaded.problems]


def test_largest_allowed_numbers_keep_every_figure_finite():
    text = _sara()
    for key in ("wait_days", "duration_days", "client_minutes", "staff_minutes"):
        text = text.replace(f"{key}: ", f"{key}: 1000000000 #")
    text = text.replace("cases_per_year: 240", "cases_per_year: 1000000000\n  tariffs: {client_hour: 1000000000, staff_hour: 1000000000}")
    loaded = fuzzlib.run_one(text, STATS)  # check_analysis: finite, JSON without NaN/Infinity
    assert loaded.ok, [str(p) for p in loaded.problems]


def test_a_date_where_text_belongs_is_named_as_a_date():
    loaded = load_text(_sara().replace("name: Sara", "name: 2026-03-12"), "c.yaml")
    assert [p.message for p in loaded.problems] == ["expected text, found the date 2026-03-12 (put it in quotes)"]


@pytest.mark.parametrize("key, shown, line", [("1", "1", 3), ("2.5", "2.5", 3), ("~", "null", 3), ("true", "true", 3)])
def test_a_key_yaml_reads_as_a_number_or_nothing_gets_a_readable_message(key, shown, line):
    # Was pydantic's bare "Keys should be strings", placed at the mapping, not the key.
    loaded = load_text(_sara().replace("  id: leefloon-sara", f"  id: leefloon-sara\n  {key}: x", 1), "c.yaml")
    [problem] = loaded.problems
    assert problem.path == f"case.{shown}" and problem.line == line
    assert problem.message.startswith(f"unknown key '{shown}': YAML reads it as ")


@pytest.mark.parametrize("value", ["inf", "-inf", "nan", "1e999", "1e300"])
def test_settings_refuse_values_that_break_the_figures(value):
    from kafka.errors import UsageProblem
    from kafka.settings import DEFAULT_SETTINGS

    for name in ("heavy_form_fields", "client_hour_eur", "long_wait_days"):
        with pytest.raises(UsageProblem):  # int("inf") raised OverflowError: a traceback
            DEFAULT_SETTINGS.with_overrides({name: value})


# --- atheris (coverage-guided, libFuzzer), when installed ---------------------------------------

@pytest.mark.slow
def test_atheris_campaign(tmp_path):
    pytest.importorskip("atheris", reason="atheris is not installed (pip install atheris)")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for path in fuzzlib.seed_files():
        shutil.copy(path, corpus / path.name)
    messages = tmp_path / "messages.txt"
    seconds = int(os.environ.get("KAFKA_FUZZ_SECONDS", "180"))
    result = subprocess.run(
        [sys.executable, str(HERE / "fuzz_atheris.py"), str(corpus), f"-max_total_time={seconds}",
         "-timeout=20", "-rss_limit_mb=2048", "-max_len=65536", "-print_final_stats=1"],
        capture_output=True, text=True, env={**os.environ, "KAFKA_FUZZ_MESSAGES": str(messages)},
        timeout=seconds + 300,
    )
    assert result.returncode == 0, result.stderr[-5000:]
    runs = [int(line.rsplit(":", 1)[1]) for line in result.stderr.splitlines()
            if line.startswith("stat::number_of_executed_units")]
    found = messages.read_text(encoding="utf-8").splitlines() if messages.exists() else []
    STATS.inputs += sum(runs)
    STATS.messages.update(dict.fromkeys(found, 1))
    print(f"atheris: {sum(runs):,} inputs, {len(found)} distinct messages", file=sys.stderr)
    assert sum(runs) > 0
