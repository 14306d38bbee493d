"""``kafka log inspect``: what columns a log has, and a proposed mapping file.

For each column: how many values it has, how many distinct ones, whether
they read as times, and examples. Examples are shown by their *shape* (every
letter an ``A``, every digit a ``9``: ``D0012345`` becomes ``A9999999``) so a
dossier number or a name does not end up on a projected screen or in a
terminal's scrollback; ``--examples`` shows the values themselves. The
activity and organisation columns are categories, not people: their values
are shown, since a mapping's deadlines need them.

The proposed mapping guesses each role from the column names (Dutch and
English, and the XES standard keys) and the values; the user checks it.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass

from kafka.log.engine import quote_identifier
from kafka.log.mapping import ROLES
from kafka.log.read import XES_START, iter_xes
from kafka.log.source import LogSource

EXAMPLES = 3
PROFILE_ROWS = 200_000  # columns are profiled on the first rows; activities are counted over all
ACTIVITIES_LISTED = 200

# Column names that suggest a role, lower-case, without spaces, dashes or underscores.
NAME_HINTS = {
    "case": ("case:concept:name", "caseid", "case", "dossiernummer", "dossiernr", "dossierid", "dossier",
             "zaaknummer", "zaakid", "zaak", "aanvraagnummer", "aanvraagid", "casenumber", "caseconceptname"),
    "activity": ("concept:name", "ocel:activity", "activity", "activiteit", "activityname", "taak", "handeling", "stap", "gebeurtenis",
                 "event", "eventname", "status", "actie", "task"),
    "timestamp": ("time:timestamp", "ocel:timestamp", "timestamp", "eindtijd", "einde", "eind", "einddatum", "end", "endtime",
                  "completetimestamp", "completed", "afgerond", "tijdstip", "datumtijd", "datum", "date", "time"),
    "start": ("time:start", "starttijd", "start", "begin", "begintijd", "startdatum", "begindatum", "starttimestamp",
              "starttime"),
    "resource": ("org:resource", "resource", "medewerker", "behandelaar", "uitvoerder", "gebruiker", "user",
                 "maatschappelijkwerker", "werker", "employee", "actor"),
    "organisation": ("org:group", "organisatie", "organisation", "organization", "dienst", "afdeling",
                     "department", "team", "org:role", "group"),
}


@dataclass(frozen=True)
class ColumnProfile:
    name: str
    values: int  # non-empty, in the first PROFILE_ROWS rows
    distinct: int
    times: int  # values that read as a time (ISO 8601 or a common day-first form)
    examples: tuple[str, ...]


@dataclass(frozen=True)
class LogProfile:
    source: LogSource
    rows: int
    columns: tuple[ColumnProfile, ...]
    proposal: dict[str, str]  # role -> column
    activities: tuple[tuple[str, int], ...]  # of the proposed activity column, most frequent first

    def column(self, name: str) -> ColumnProfile:
        return next(c for c in self.columns if c.name == name)


def shape(value: str, width: int = 28) -> str:
    """A value with its letters as A/a and digits as 9: recognisable, not readable."""
    masked = re.sub(r"[^\W\d_]", lambda m: "A" if m.group(0).isupper() else "a", value)
    masked = re.sub(r"\d", "9", masked)
    return masked if len(masked) <= width else masked[: width - 1] + "…"


def profile(con, source: LogSource) -> LogProfile:
    if source.format == "xes":
        return _profile_xes(source)
    if source.format == "ocel":
        return _profile_ocel(source)
    if source.format == "parquet":
        relation, params = "read_parquet(?)", [str(source.path)]
        names = [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {relation}", params).fetchall()]
        columns = {n: f"CAST({quote_identifier(n)} AS VARCHAR)" for n in names}
    else:
        relation = ("read_csv(?, delim=?, quote='\"', escape='\"', header=true, encoding=?, auto_detect=false, "
                    "columns=?)")
        params = [str(source.path), source.delimiter, source.encoding if source.encoding != "cp1252" else "latin-1",
                  {n: "VARCHAR" for n in source.header}]
        names = list(source.header)
        columns = {n: quote_identifier(n) for n in names}
    parts = []
    for n, expr in columns.items():
        v = f"nullif(trim({expr}), '')"
        parts.append(f"count({v}), count(DISTINCT {v}), "
                     f"count(coalesce(TRY_CAST({v} AS TIMESTAMP), try_strptime({v}, '%d/%m/%Y %H:%M:%S'), "
                     f"try_strptime({v}, '%d/%m/%Y %H:%M'), try_strptime({v}, '%d/%m/%Y'), "
                     f"try_strptime({v}, '%d-%m-%Y %H:%M:%S'), try_strptime({v}, '%d-%m-%Y %H:%M'))), "
                     f"list(DISTINCT {v})[1:{EXAMPLES}]")
    row = con.execute(f"SELECT count(*), {', '.join(parts)} FROM (SELECT * FROM {relation} LIMIT {PROFILE_ROWS})",
                      params).fetchall()[0]
    total = con.execute(f"SELECT count(*) FROM {relation}", params).fetchall()[0][0]
    profiles = []
    for i, n in enumerate(names):
        values, distinct, times, examples = row[1 + 4 * i: 5 + 4 * i]
        profiles.append(ColumnProfile(n, values, distinct, times, tuple(str(e) for e in examples or [])))
    proposal = propose(profiles, row[0])
    activities: tuple[tuple[str, int], ...] = ()
    if "activity" in proposal:
        expr = columns[proposal["activity"]]
        activities = tuple(con.execute(f"""
            SELECT trim({expr}) AS a, count(*) FROM {relation} WHERE nullif(trim({expr}), '') IS NOT NULL
            GROUP BY a ORDER BY count(*) DESC, a LIMIT {ACTIVITIES_LISTED}
        """, params).fetchall())
    return LogProfile(source, total, tuple(profiles), proposal, activities)


def _profile_xes(source: LogSource) -> LogProfile:
    reader = None
    for reader in iter_xes(source, None, max_rows=PROFILE_ROWS):
        pass
    keys = reader.keys if reader else {}
    rows = len(reader.rows) if reader else 0
    profiles = []
    for key, count in keys.items():
        examples = reader.examples.get(key, [])
        times = count if key in ("time:timestamp", XES_START) else 0
        profiles.append(ColumnProfile(key, count, len(examples), times, tuple(examples[:EXAMPLES])))
    proposal = propose(profiles, rows)
    activities: tuple[tuple[str, int], ...] = ()
    if reader and proposal.get("activity") == "concept:name":
        ranked = sorted(reader.activity_counts.items(), key=lambda kv: (-kv[1], kv[0]))
        activities = tuple(ranked[:ACTIVITIES_LISTED])
    return LogProfile(source, rows, tuple(profiles), proposal, activities)


def _profile_ocel(source: LogSource) -> LogProfile:
    from kafka.log.ocel import ACTIVITY, EVENT_ID, TIMESTAMP, TYPE_PREFIX, iter_ocel

    reader = None
    for reader in iter_ocel(source, None, max_events=PROFILE_ROWS):
        pass
    profiles = []
    for key, count in reader.keys.items():
        examples = reader.examples.get(key, [])
        is_time = key == TIMESTAMP or (examples and all(_iso_time(e) for e in examples))
        profiles.append(ColumnProfile(key, count, len(examples), count if is_time else 0,
                                      tuple(examples[:EXAMPLES])))
    # The case notion, the worker and the department are object types: chosen by the type's name,
    # the case by default the type related to the most events. An event id is never a case.
    by_type = [c for c in profiles if c.name.startswith(TYPE_PREFIX)]
    chosen: dict[str, str] = {}
    for role in ("case", "resource", "organisation"):
        for hint in NAME_HINTS[role]:
            match = next((c for c in by_type if _normal(c.name[len(TYPE_PREFIX):]) == _normal(hint)
                          and c.name not in chosen.values()), None)
            if match is not None:
                chosen[role] = match.name
                break
    if "case" not in chosen and by_type:
        chosen["case"] = max(by_type, key=lambda c: (c.values, c.distinct)).name
    rest = [c for c in profiles if c.name != EVENT_ID and c.name not in chosen.values()]
    proposal = {**propose(rest, reader.events), **chosen}
    activities: tuple[tuple[str, int], ...] = ()
    if proposal.get("activity") == ACTIVITY:
        ranked = sorted(reader.activity_counts.items(), key=lambda kv: (-kv[1], kv[0]))
        activities = tuple(ranked[:ACTIVITIES_LISTED])
    return LogProfile(source, reader.events, tuple(profiles), proposal, activities)


def _iso_time(value: str) -> bool:
    """An OCEL time attribute is written in ISO 8601 (the standard's JSON and SQLite both do)."""
    try:
        dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except (TypeError, ValueError):
        return False
    return any(c in value for c in "-:")  # a bare number is not a time


def _normal(name: str) -> str:
    return re.sub(r"[\s_\-.]+", "", name.lower())


def propose(columns: list[ColumnProfile], rows: int) -> dict[str, str]:
    """role -> column: by name first, then by content; each column gets one role at most."""
    taken: set[str] = set()
    chosen: dict[str, str] = {}
    by_normal = {_normal(c.name): c for c in columns}
    for role in ("case", "activity", "timestamp", "start", "resource", "organisation"):
        for hint in NAME_HINTS[role]:
            column = by_normal.get(_normal(hint))
            if column is not None and column.name not in taken and _fits(role, column):
                chosen[role] = column.name
                taken.add(column.name)
                break
    free = [c for c in columns if c.name not in taken and c.values]
    timeish = [c for c in free if c.times >= 0.9 * c.values]
    if "timestamp" not in chosen and timeish:
        chosen["timestamp"] = timeish[-1].name  # the last time column is usually the end
        taken.add(timeish[-1].name)
    texts = [c for c in free if c.name not in taken and c.times < 0.5 * c.values]
    if "case" not in chosen and texts:
        best = max(texts, key=lambda c: (c.values > 0.9 * rows, c.distinct))
        chosen["case"] = best.name
        taken.add(best.name)
    texts = [c for c in texts if c.name not in taken and 1 < c.distinct <= 500]
    if "activity" not in chosen and texts:
        chosen["activity"] = max(texts, key=lambda c: c.values).name
    return chosen


def _fits(role: str, column: ColumnProfile) -> bool:
    if not column.values:
        return False
    is_time = column.times >= 0.9 * column.values
    return is_time if role in ("timestamp", "start") else not is_time


def mapping_yaml(p: LogProfile, today: dt.date | None = None) -> str:
    """The proposed mapping as commented YAML that ``kafka log analyze --map`` reads as it is."""
    today = today or dt.date.today()
    q = _quote
    lines = [
        f"# kafka log mapping for {_comment(p.source.name)}, proposed by `kafka log inspect` on {today.isoformat()}.",
        "# Check every line: the roles were guessed from the column names and values.",
        "# Columns not named here are not read (free text stays out); list under 'keep'",
        "# the ones to keep. Case ids and resources are pseudonymised. Docs: docs/log.md",
        f"format: {p.source.format}",
    ]
    if p.source.format == "csv":
        lines.append(f"delimiter: {q(p.source.delimiter)}")
        lines.append(f"encoding: {p.source.encoding}")
    lines.append("columns:")
    for role in ROLES:
        if role in p.proposal:
            column = p.column(p.proposal[role])
            lines.append(f"  {role}: {q(column.name)}  # {_describe(column)}")
        else:
            lines.append(f"  # {role}: ...  # no column found{' (required)' if role in ('case', 'activity', 'timestamp') else ''}")
    lines.append("keep: []")
    lines += [
        "# timestamp_format: \"%d/%m/%Y %H:%M\"   # when the times are not detected right",
        "# timezone: Europe/Brussels            # the zone of times written without an offset",
        "# deadlines:                           # legal deadlines to check cases against",
        "#   - name: \"RMI-wet art. 21: beslissing binnen 30 dagen\"",
        "#     days: 30",
        "#     from: <activity>",
        "#     to: <activity>",
    ]
    if p.activities:
        lines.append("# The activities in the log, most frequent first (for deadlines and a case file's evidence):")
        for name, count in p.activities:
            lines.append(f"#   {_comment(name)}" + (f"  ({count:,})" if count else ""))
    return "\n".join(lines) + "\n"


def _describe(c: ColumnProfile) -> str:
    if c.times >= 0.9 * max(c.values, 1):
        return f"times like {shape(c.examples[0]) if c.examples else '?'}"
    return f"{c.distinct:,} distinct values"


def _quote(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a YAML double-quoted scalar


def _comment(text: str) -> str:
    return re.sub(r"[\r\n\t]+", " ", text)
