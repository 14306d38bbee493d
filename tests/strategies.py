"""Reusable hypothesis strategies: valid case files, as plain data.

``case_docs()`` draws a case file (a dict, as YAML would give it) that is
valid by construction and exercises every part of the contract: actors of
every level in several organisations, data items with and without an
authentic source (built-in, the case's own, one without local access), forms
shared by several steps (fields and attachments), every kind and channel,
stories, long waits, branches with and without chances, steps that end the
procedure anywhere (``next: []``), loops back (also to the step itself),
rules with deadlines between steps that can reach each other, decisions with
``uses`` (the same set twice, and sets of sourced items only), and papers a
client step fetches (``provides``) that another step asks.

And every key of version 1.1: documents that ``proves`` a fact (asked,
used and provided beside it), ``stable`` facts, ``eligible_per_year``, a
``case_manager`` now and then, deadlines that ``binds: client``,
``depends_on`` (earlier steps, or ``[]``) and ``repeats_every_days``.

Use it through :func:`load_doc`, which runs the real loader::

    @given(case_docs())
    def test_something(doc):
        case = load_doc(doc)
"""

from __future__ import annotations

import json

from hypothesis import strategies as st

from kafka.loader import load_text

ACTOR_LEVELS = ["local", "local", "private", "flemish", "federal", "european"]
ORGANISATIONS = ["OCMW A", "OCMW A", "CAW", "RVA", "Ziekenfonds", "Bank"]
SOURCES = [None, None, "rijksregister", "rva", "mutualiteit", "vdab", "own", "closed"]
KINDS = ["contact", "form", "document", "visit", "decision", "referral", "notification", "internal"]
CHANNELS = ["in_person", "in_person", "home_visit", "phone", "letter", "email", "online", "internal"]
RULE_LEVELS = ["local", "local", "flemish", "federal", "european"]
CLIENT_MINUTES = [0, 0, 5, 20, 45, 90.5]
STAFF_MINUTES = [0, 1, 10, 45]
WAIT_DAYS = [0, 0, 2, 7, 13, 14, 30]
DURATION_DAYS = [0, 0, 0, 1, 2.5]
CHANCES = [None, 0.1, 0.35, 0.5]
ELIGIBLE = [None, None, 1, 50, 300, 1000]
OPEN_SOURCES = ("rijksregister", "rva", "mutualiteit")
REPEATS = [None, None, None, 30, 90, 365]


@st.composite
def case_docs(draw, min_steps: int = 1, max_steps: int = 10, max_items: int = 7) -> dict:
    """A valid case file as a dict."""
    actors = _actors(draw)
    actor_keys = list(actors)
    items = [f"i{k}" for k in range(draw(st.integers(0, max_items)))]
    data = {}
    for item in items:
        entry = {"name": f"Gegeven {item}"}
        facts = [i for i in data if "proves" not in data[i]]
        if facts and draw(st.integers(0, 3)) == 0:  # a document proving an earlier fact
            entry["proves"] = draw(st.sampled_from(facts))
        else:
            source = draw(st.sampled_from(SOURCES))
            if source:
                entry["source"] = source
            if draw(st.integers(0, 3)) == 0:
                entry["stable"] = True
        data[item] = entry
    sourced = [i for i in items if "source" in data.get(data[i].get("proves", i), {})]
    subset = st.lists(st.sampled_from(items), max_size=4, unique=True) if items else st.just([])

    rule_keys = [f"r{k}" for k in range(draw(st.integers(0, 3)))]
    forms = {}
    for k in range(draw(st.integers(0, 2))):
        form = {"name": f"Formulier {k}", "owner": draw(st.sampled_from(actor_keys)),
                "fields": draw(subset), "attachments": draw(subset)}
        if rule_keys and draw(st.booleans()):
            form["rule"] = draw(st.sampled_from(rule_keys))
        on_form = list(dict.fromkeys(form["fields"] + form["attachments"]))
        if rule_keys and on_form and draw(st.booleans()):  # the legal basis (kafka extension)
            required = draw(st.lists(st.sampled_from(on_form), min_size=1, max_size=3, unique=True))
            form["basis"] = {item: draw(st.sampled_from(rule_keys)) for item in required}
        forms[f"f{k}"] = form

    n_steps = draw(st.integers(min_steps, max_steps))
    # A set of items that several decisions use (double assessment), and one of
    # sourced items only (automatic granting).
    shared_uses = draw(subset)
    # Sourced items only: now and then all in sources the OCMW can consult (N01 local).
    open_sourced = [i for i in sourced if data.get(data[i].get("proves", i), {}).get("source") in OPEN_SOURCES]
    pool = open_sourced if open_sourced and draw(st.booleans()) else sourced
    sourced_uses = draw(st.lists(st.sampled_from(pool), min_size=1, max_size=3, unique=True)) if pool else []
    # Overlapping but not the same (P04): the shared set with one item swapped or added.
    overlap_uses = shared_uses[:-1] + [i for i in items if i not in shared_uses][:1] if len(shared_uses) >= 2 else shared_uses
    uses_options = [shared_uses, shared_uses, sourced_uses, overlap_uses, []]
    if sourced_uses and draw(st.integers(0, 4)) == 0:
        uses_options = [sourced_uses]  # every decision on sourced data: automatic granting, finding the entitled
    steps = [_step(draw, i, actor_keys, subset, forms, rule_keys, uses_options) for i in range(n_steps)]
    _flow(draw, steps)
    rules = _rules(draw, rule_keys, steps)
    info = {
        "id": "gen",
        "title": "Gegenereerde casus",
        "organisation": "OCMW A",
        "cases_per_year": draw(st.sampled_from([1, 12, 240])),
        "initiated_by": draw(st.sampled_from(["client", "client", "organisation"])),
    }
    eligible = draw(st.sampled_from(ELIGIBLE))
    if eligible is not None:
        info["eligible_per_year"] = eligible
    return {
        "case": info,
        "actors": actors,
        "data": data,
        "sources": {
            "own": {"name": "Eigen register", "level": "local", "local_access": draw(st.booleans())},
            "closed": {"name": "Gesloten register", "level": "federal", "local_access": False},
        },
        "rules": rules,
        "forms": forms,
        "steps": steps,
    }


def load_doc(doc: dict):
    """The case of ``doc``, through the real loader (JSON is YAML); fails on any error."""
    loaded = load_text(json.dumps(doc, ensure_ascii=False), "generated.yaml")
    assert loaded.ok, [str(p) for p in loaded.errors]
    return loaded.case


def _actors(draw) -> dict:
    actors = {"client": {"name": "Cliënt", "level": "client"}}
    # Now and then no local actor at all (C01 and others at the supralocal level only).
    levels = [lv for lv in ACTOR_LEVELS if lv != "local"] if draw(st.integers(0, 7)) == 0 else ACTOR_LEVELS
    for k in range(draw(st.integers(1, 5))):
        actor = {"name": f"Actor {k}", "level": draw(st.sampled_from(levels))}
        if draw(st.integers(0, 3)):
            actor["organisation"] = draw(st.sampled_from(ORGANISATIONS))
        if draw(st.integers(0, 7)) == 0:
            actor["case_manager"] = True
        actors[f"a{k}"] = actor
    return actors


def _step(draw, i, actor_keys, subset, forms, rule_keys, uses_options) -> dict:
    kind = draw(st.sampled_from(KINDS))
    step = {
        "id": f"s{i}",
        "name": f"Stap {i}",
        "actor": draw(st.sampled_from(actor_keys)),
        "kind": kind,
        "channel": draw(st.sampled_from(CHANNELS)),
        "client_minutes": draw(st.sampled_from(CLIENT_MINUTES)),
        "staff_minutes": draw(st.sampled_from(STAFF_MINUTES)),
        "wait_days": draw(st.sampled_from(WAIT_DAYS)),
        "duration_days": draw(st.sampled_from(DURATION_DAYS)),
        "tells_story": draw(st.booleans()),
        "asks": draw(subset),
        "brings": draw(subset),
        "provides": draw(subset),
    }
    if kind == "decision":
        step["uses"] = draw(st.sampled_from(uses_options))
    else:
        step["uses"] = draw(subset) if draw(st.integers(0, 3)) == 0 else []
    if forms and draw(st.booleans()):
        step["form"] = draw(st.sampled_from(sorted(forms)))
    if rule_keys and draw(st.integers(0, 3)) == 0:
        step["rule"] = draw(st.sampled_from(rule_keys))
    if i and draw(st.integers(0, 2)) == 0:  # its real dependencies: some earlier steps, or none
        step["depends_on"] = draw(st.lists(st.sampled_from([f"s{j}" for j in range(i)]), max_size=2, unique=True))
    repeats = draw(st.sampled_from(REPEATS))
    if repeats is not None:
        step["repeats_every_days"] = repeats
    return step


def _flow(draw, steps: list[dict]) -> None:
    """Give each step a ``next``: implicit, forward branches, an end, loops back."""
    n = len(steps)
    for i, step in enumerate(steps):
        mode = draw(st.sampled_from(["implicit", "implicit", "branch", "skip", "end"]))
        targets: list[dict] = []
        later = list(range(i + 1, n))
        if mode == "branch" and later:
            for j in sorted(draw(st.lists(st.sampled_from(later), min_size=1, max_size=3, unique=True))):
                targets.append(_edge(draw, j, "tak"))
        elif mode == "skip" and later:
            targets.append({"to": f"s{draw(st.sampled_from(later))}"})
        elif mode == "implicit" and i + 1 < n:
            targets.append({"to": f"s{i + 1}"})
        if draw(st.integers(0, 3)) == 0:  # a loop back, or a step redone at once
            targets.append(_edge(draw, draw(st.integers(0, i)), "onvolledig"))
        if sum(t.get("chance") or 0 for t in targets) > 1:  # the validator refuses that
            for t in targets:
                t.pop("chance", None)
        if mode == "implicit" and targets == [{"to": f"s{i + 1}"}]:
            continue  # leave it implicit, as people write it
        if mode == "implicit" and i + 1 == n and not targets:
            continue  # the last step ends the procedure by itself
        step["next"] = targets


def _edge(draw, j: int, when: str) -> dict:
    edge = {"to": f"s{j}"}
    chance = draw(st.sampled_from(CHANCES))
    if chance is not None:
        edge["chance"] = chance
    if draw(st.booleans()):
        edge["when"] = when
    return edge


def _forward(steps: list[dict]) -> dict[str, list[str]]:
    """Each step's successors without loops back, as the validator follows them."""
    order = {s["id"]: i for i, s in enumerate(steps)}
    result = {}
    for i, step in enumerate(steps):
        if "next" not in step:
            result[step["id"]] = [steps[i + 1]["id"]] if i + 1 < len(steps) else []
        else:
            result[step["id"]] = [e["to"] for e in step["next"] if order[e["to"]] > i]
    return result


def _reachable_from(successors: dict[str, list[str]], start: str) -> list[str]:
    seen, todo = [start], [start]
    while todo:
        for nxt in successors[todo.pop()]:
            if nxt not in seen:
                seen.append(nxt)
                todo.append(nxt)
    return seen


def _rules(draw, rule_keys: list[str], steps: list[dict]) -> dict:
    forward = _forward(steps)
    rules = {}
    for key in rule_keys:
        rule = {"name": f"Regel {key}", "level": draw(st.sampled_from(RULE_LEVELS))}
        if draw(st.booleans()):
            start = draw(st.sampled_from([s["id"] for s in steps]))
            end = draw(st.sampled_from(sorted(_reachable_from(forward, start))))
            rule.update({"deadline_days": draw(st.sampled_from([0, 5, 10, 30])), "from": start, "to": end})
            if draw(st.booleans()):
                rule["binds"] = draw(st.sampled_from(["client", "organisation"]))
        rules[key] = rule
    return rules
