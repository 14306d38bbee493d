"""``kafka log to-case``: a skeleton case file from a log's most frequent variant.

One step per activity of the path most cases follow, in its order; each
step's ``wait_days`` and ``duration_days`` are the medians over the cases of
that variant (waits as ``kafka log analyze`` measures them), one actor per
organisation of the log (the client too, as the contract wants), the
mapping's deadlines as rules between the steps of their activities, and an
``evidence:`` section that links the case to the log so its report shows
told versus logged. A brigade completes it: who, which data, which forms,
how much effort.

The file is made as plain data and written with PyYAML's safe dumper (every
text quoted as YAML needs), then loaded back through kafka's own loader: a
skeleton that would not validate is a bug, not a file for the user.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

import yaml

from kafka.errors import KafkaError
from kafka.i18n import Translator
from kafka.log.events import EventLog
from kafka.log.measure import DAY, build_activity_ids, build_cases, cases_per_year
from kafka.log.formatting import Formatter
from kafka.output import safe_name

STEP_ID = re.compile(r"[^a-z0-9]+")


def skeleton_case(log: EventLog, *, lang: str = "nl", case_id: str | None = None, organisation: str | None = None,
                  log_path: str | Path, mapping_path: str | Path, case_path: str | Path | None = None) -> str:
    """The case file's text (YAML with a comment header)."""
    con = log.con
    t = Translator(lang)
    f = Formatter(t)
    build_activity_ids(con)
    build_cases(con)
    top = con.execute("""
        SELECT trace, count(*) AS n FROM cases GROUP BY trace ORDER BY n DESC, len(trace), trace LIMIT 1
    """).fetchall()[0]
    trace, n = top
    names = dict(con.execute("SELECT act, activity FROM activity_ids").fetchall())
    steps_measured = con.execute(f"""
        SELECT e.pos, median(e.wait_s) / {DAY}, median(e.work_s) / {DAY}, mode(e.org)
        FROM events e JOIN cases c USING (case_id)
        WHERE c.trace = $trace
        GROUP BY e.pos ORDER BY e.pos
    """, {"trace": trace}).fetchall()
    orgs = [r[3] for r in steps_measured]
    main_org = organisation or _most_common([o for o in orgs if o]) or "OCMW"
    actors: dict[str, dict] = {"client": {"name": t("log.to_case.actor_client"), "level": "client"}}
    actor_of: dict[str | None, str] = {}
    for org in dict.fromkeys([main_org, *orgs]):
        if org is None:
            continue
        key = _unique(safe_name(org, "organisatie").replace("-", "_"), actors)
        actors[key] = {"name": org, "level": "local", "organisation": org}
        actor_of[org] = key
    default_actor = actor_of[main_org]

    steps, step_of = [], {}
    for (pos, wait, work, org), act in zip(steps_measured, trace):
        activity = names[act]
        step_id = _unique(STEP_ID.sub("_", activity.lower()).strip("_")[:60] or "stap", {s["id"]: 1 for s in steps})
        step_of.setdefault(activity, step_id)
        step = {"id": step_id, "name": activity, "actor": actor_of.get(org, default_actor)}
        if wait:
            step["wait_days"] = round(wait, 1)
        if work:
            step["duration_days"] = round(work, 2)
        steps.append(step)

    rules = {}
    for i, deadline in enumerate(log.mapping.deadlines):
        if deadline.from_activity in step_of and deadline.to_activity in step_of:
            rules[f"termijn_{i + 1}"] = {
                "name": deadline.name, "level": "federal", "deadline_days": deadline.days,
                "from": step_of[deadline.from_activity], "to": step_of[deadline.to_activity],
            }
    per_year = cases_per_year(log.cases, log.span_days)
    source = Path(log_path).name
    info = {
        "id": case_id or safe_name(Path(log_path).name.split(".")[0], "log"),
        "title": t("log.to_case.title", source=source),
        "organisation": main_org,
        "date": dt.date.today(),
        "mapped_by": ["kafka log to-case"],
        "cases_per_year": round(per_year) if per_year else 1,
        "story": t("log.to_case.story", source=source, share=f.share(n / log.cases), cases=f.cases(log.cases)),
    }
    base = Path(case_path).resolve().parent if case_path else Path.cwd()
    data = {
        "case": info,
        "actors": actors,
        **({"rules": rules} if rules else {}),
        "steps": steps,
        "evidence": {
            "log": _relative(Path(log_path), base),
            "mapping": _relative(Path(mapping_path), base),
            "steps": {activity: step_id for activity, step_id in step_of.items()},
        },
    }
    header = (f"# Made by `kafka log to-case` from {source} on {dt.date.today().isoformat()}: the most frequent\n"
              f"# variant ({n:,} of {log.cases:,} cases) with the median waits and durations of those cases.\n"
              "# A start for a Kafka-brigade: add who does what, the data asked, forms, client and staff minutes.\n")
    text = header + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)
    _check(text)
    return text


def _check(text: str) -> None:
    from kafka.loader import load_text

    loaded = load_text(text, "<to-case>")
    if not loaded.ok:  # a bug in this module, never the user's doing
        raise KafkaError("the skeleton case file is not valid (please report this): "
                         + "; ".join(str(p) for p in loaded.errors[:3]))


def _unique(key: str, taken) -> str:
    key = key or "x"
    if key[0] == "_":
        key = "x" + key
    candidate, n = key, 2
    while candidate in taken:
        candidate, n = f"{key}_{n}", n + 1
    return candidate


def _most_common(values: list[str]) -> str | None:
    return max(set(values), key=lambda v: (values.count(v), v)) if values else None


def _relative(path: Path, base: Path) -> str:
    try:
        return Path(os.path.relpath(path.resolve(), base)).as_posix()
    except ValueError:  # another drive on Windows
        return path.resolve().as_posix()
