"""Measure a log: waits and working time, lead times, variants, rework, hand-overs, deadlines.

Everything is computed in the engine from the table ``events`` and handed on
as plain frozen dataclasses (:class:`LogMeasures`), so the renderers never
touch the engine. Durations are in days (floats); quantiles are interpolated
(DuckDB's ``quantile_cont``, as numpy's default).

Definitions (docs/log.md repeats them for readers):

- A case's events are ordered by their end time, ties by their place in the file.
- The *wait* before an event is the time from the end of the case's previous
  event to the start of this one (its end when the log has no start times),
  never below zero. Without start times it therefore includes the working
  time, as a directly-follows graph "with performance" does in other tools.
- The *working time* of an event is its end minus its start (only with start times).
- The *lead time* of a case runs from its first start (or end) to its last end.
- A *variant* is the sequence of a case's activities.
- *Rework*: an activity done again in the same case. A *repeat* when the same
  resource did it the previous time, a *redo* when another resource did.
- A *hand-over*: two following events of a case in different organisations.
- A *deadline* runs from the first start of its ``from`` activity to the first
  end of its ``to`` activity after that. A case *exceeds* it when ``to`` came
  too late, or has not come and the deadline had passed when the log ends;
  a case that has not reached ``to`` and is still within its deadline is
  *open* and left out of the share.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from kafka.diagnostics import did_you_mean
from kafka.errors import InputError
from kafka.log.events import EventLog
from kafka.log.mapping import Deadline

DAY = 86400.0
QUANTILES = "[0.25, 0.5, 0.75, 0.9]"
TOP_VARIANTS = 10
TOP_VALUES = 15  # values per kept column in the breakdown
MAX_BINS = 30


@dataclass(frozen=True)
class Stats:
    """A distribution of durations, in days."""

    n: int
    mean: float | None = None
    p25: float | None = None
    median: float | None = None
    p75: float | None = None
    p90: float | None = None
    min: float | None = None
    max: float | None = None

    @property
    def spread(self) -> float | None:
        """The interquartile range: where the middle half of the values lie."""
        return None if self.p25 is None else self.p75 - self.p25


@dataclass(frozen=True)
class ActivityMeasure:
    name: str
    events: int
    cases: int
    starts: int  # cases that begin with it
    ends: int  # cases that end with it
    wait: Stats  # before it (only events that have a previous event)
    work: Stats | None  # its working time (only with start times)
    position: float = 0.0  # its mean relative place in a case (0 = first, 1 = last): the listing order


@dataclass(frozen=True)
class TransitionMeasure:
    source: str
    target: str
    count: int
    cases: int
    wait: Stats


@dataclass(frozen=True)
class Variant:
    rank: int
    activities: tuple[str, ...]
    cases: int
    share: float  # of all cases, 0..1
    lead: Stats


@dataclass(frozen=True)
class Rework:
    activity: str
    events: int  # occurrences beyond the first in a case
    cases: int
    repeat: int  # same resource as the previous time
    redo: int  # another resource
    unknown: int  # a resource missing on one of the two


@dataclass(frozen=True)
class Handover:
    source: str
    target: str
    count: int
    cases: int
    wait: Stats


@dataclass(frozen=True)
class DeadlineMonth:
    month: dt.date
    cases: int
    on_time: int
    late: int
    open_late: int
    open: int

    @property
    def exceeding(self) -> int:
        return self.late + self.open_late

    @property
    def share(self) -> float | None:
        known = self.on_time + self.exceeding
        return self.exceeding / known if known else None


@dataclass(frozen=True)
class DeadlineMeasure:
    deadline: Deadline
    cases: int  # cases with the 'from' activity
    on_time: int
    late: int  # reached 'to' after the deadline
    open_late: int  # not reached 'to', and the deadline had passed when the log ends
    open: int  # not reached 'to', still within the deadline
    days: Stats  # from 'from' to 'to', for the cases that reached it
    months: tuple[DeadlineMonth, ...]

    @property
    def exceeding(self) -> int:
        return self.late + self.open_late

    @property
    def known(self) -> int:
        return self.on_time + self.exceeding

    @property
    def share(self) -> float | None:
        return self.exceeding / self.known if self.known else None


@dataclass(frozen=True)
class ValueBreakdown:
    value: str
    cases: int
    lead: Stats


@dataclass(frozen=True)
class AttributeBreakdown:
    column: str
    values: tuple[ValueBreakdown, ...]
    other_values: int  # distinct values beyond those shown


@dataclass(frozen=True)
class Histogram:
    width: float  # days per bin
    counts: tuple[int, ...]  # bin i holds [i*width, (i+1)*width)
    overflow: int  # cases at or beyond len(counts)*width


@dataclass(frozen=True)
class LogSummary:
    source: str  # the log's file name (no folder)
    format: str
    events: int
    cases: int
    activities: int
    first: dt.datetime
    last: dt.datetime
    span_days: float
    cases_per_year: float | None  # cases that started per year of the log's span
    has_start: bool
    has_resource: bool
    has_org: bool
    columns: dict[str, str]  # role -> the log's column
    kept: tuple[str, ...]
    dropped: tuple[str, ...]
    timestamp_format: str
    zoned: bool
    timezone: str | None
    key_fingerprint: str
    notes: tuple[tuple[str, int], ...] = ()  # (what, how many), see kafka.log.read.NOTES


@dataclass(frozen=True)
class LogMeasures:
    summary: LogSummary
    activities: tuple[ActivityMeasure, ...]  # in process order (mean relative place in a case)
    transitions: tuple[TransitionMeasure, ...]
    lead: Stats
    lead_histogram: Histogram
    variants: tuple[Variant, ...]  # the most frequent, best first
    variant_count: int
    rework: tuple[Rework, ...]
    cases_with_rework: int
    cases_with_handover: int
    handovers: tuple[Handover, ...]
    deadlines: tuple[DeadlineMeasure, ...]
    attributes: tuple[AttributeBreakdown, ...] = field(default_factory=tuple)


def measure(log: EventLog, top_variants: int = TOP_VARIANTS) -> LogMeasures:
    """Everything `kafka log analyze` reports, from the table ``events`` of ``log.con``."""
    con = log.con
    _check_deadline_activities(log)
    build_activity_ids(con)
    build_cases(con)
    _build_rework(con)
    rework = _rework(con)
    return LogMeasures(
        summary=_summary(log),
        activities=_activities(con, rework),
        transitions=_transitions(con),
        lead=stats_from(con.execute(f"SELECT {stats_sql('lead_s')} FROM cases").fetchall()[0]),
        lead_histogram=_histogram(con),
        variants=_variants(con, top_variants, log.cases),
        variant_count=con.execute("SELECT count(DISTINCT trace) FROM cases").fetchall()[0][0],
        rework=rework,
        cases_with_rework=con.execute("SELECT count(DISTINCT case_id) FROM rework").fetchall()[0][0],
        cases_with_handover=con.execute(
            "SELECT count(DISTINCT case_id) FROM events WHERE org <> prev_org").fetchall()[0][0],
        handovers=_handovers(con),
        deadlines=tuple(deadline_measure(con, d, log.last) for d in log.mapping.deadlines),
        attributes=tuple(_attribute(con, i, name) for i, name in enumerate(log.kept)),
    )


# --- building blocks ---------------------------------------------------------------------------

def build_activity_ids(con) -> None:
    """Activities as small numbers (in name order): a variant is a list of them, compact to group by."""
    con.execute("""
        CREATE OR REPLACE TEMP TABLE activity_ids AS
        SELECT activity, row_number() OVER (ORDER BY activity)::INTEGER AS act FROM (SELECT DISTINCT activity FROM events)
    """)


def build_cases(con) -> None:
    con.execute("""
        CREATE OR REPLACE TEMP TABLE cases AS
        SELECT case_id, count(*) AS events, min(coalesce(start_ts, ts)) AS first, max(ts) AS last,
               epoch(max(ts)) - epoch(min(coalesce(start_ts, ts))) AS lead_s,
               list(act ORDER BY pos) AS trace
        FROM events JOIN activity_ids USING (activity) GROUP BY case_id
    """)


def stats_sql(column: str, where: str = "") -> str:
    """count, mean, quantiles, min and max of a column in seconds, as one SQL select list."""
    f = f" FILTER (WHERE {where})" if where else ""
    return (f"count({column}){f}, avg({column}){f}, quantile_cont({column}, {QUANTILES}){f}, "
            f"min({column}){f}, max({column}){f}")


def stats_from(values) -> Stats:
    """Stats from the five values of _stats_sql, seconds to days."""
    n, mean, quantiles, low, high = values
    if not n:
        return Stats(0)
    p25, median, p75, p90 = (q / DAY for q in quantiles)
    return Stats(int(n), mean / DAY, p25, median, p75, p90, low / DAY, high / DAY)


def _activities(con, rework: tuple[Rework, ...]) -> tuple[ActivityMeasure, ...]:
    again = {r.activity: r.events for r in rework}  # a case has an activity once, plus its rework
    rows = con.execute(f"""
        SELECT activity, count(*), count(*) FILTER (WHERE pos = 1),
               {stats_sql('wait_s')}, {stats_sql('work_s')},
               avg((pos - 1) / greatest(c.events - 1, 1)) AS position
        FROM events JOIN cases c USING (case_id) GROUP BY activity ORDER BY position, count(*) DESC, activity
    """).fetchall()
    ends = dict(con.execute("""
        SELECT activity, count(*) FROM (SELECT arg_max(activity, pos) AS activity FROM events GROUP BY case_id)
        GROUP BY activity
    """).fetchall())
    out = []
    for row in rows:
        name, events, starts = row[:3]
        work = stats_from(row[8:13])
        out.append(ActivityMeasure(name, events, events - again.get(name, 0), starts, ends.get(name, 0),
                                   stats_from(row[3:8]), work if work.n else None, row[13]))
    return tuple(out)


def _transitions(con) -> tuple[TransitionMeasure, ...]:
    rows = con.execute(f"""
        SELECT prev_activity, activity, count(*), count(DISTINCT case_id), {stats_sql('wait_s')}
        FROM events WHERE prev_activity IS NOT NULL
        GROUP BY prev_activity, activity ORDER BY count(*) DESC, prev_activity, activity
    """).fetchall()
    return tuple(TransitionMeasure(r[0], r[1], r[2], r[3], stats_from(r[4:9])) for r in rows)


def _histogram(con) -> Histogram:
    high = con.execute("SELECT quantile_cont(lead_s, 0.99), max(lead_s) FROM cases").fetchall()[0]
    top = (high[0] or 0) / DAY
    width = next((w for w in (1 / 24, 0.25, 1, 2, 7, 14, 30, 61, 91, 182, 365) if top / w <= MAX_BINS), 365)
    bins = max(1, min(MAX_BINS, int(top // width) + 1))
    rows = dict(con.execute(f"""
        SELECT least(floor(lead_s / {width * DAY})::BIGINT, {bins}) AS bin, count(*) FROM cases GROUP BY bin
    """).fetchall())
    counts = tuple(rows.get(i, 0) for i in range(bins))
    return Histogram(width, counts, rows.get(bins, 0))


def _variants(con, top: int, total: int) -> tuple[Variant, ...]:
    return tuple(Variant(i + 1, tuple(names), n, n / total if total else 0.0, stats_from(stats))
                 for i, (names, n, stats) in enumerate(_variant_rows(con, top)))


def _variant_rows(con, top: int) -> list[tuple]:
    rows = con.execute(f"""
        SELECT trace, count(*) AS n, count(lead_s), avg(lead_s), quantile_cont(lead_s, {QUANTILES}),
               min(lead_s), max(lead_s)
        FROM cases GROUP BY trace ORDER BY n DESC, len(trace), trace LIMIT {int(top)}
    """).fetchall()
    names = dict(con.execute("SELECT act, activity FROM activity_ids").fetchall())
    return [([names[a] for a in r[0]], r[1], r[2:7]) for r in rows]


def variant_ranks_sql() -> str:
    """SQL giving every trace its rank (1 = most frequent), in the order _variant_rows uses."""
    return """
        SELECT trace, row_number() OVER (ORDER BY count(*) DESC, len(trace), trace) AS rank
        FROM cases GROUP BY trace
    """


def _build_rework(con) -> None:
    """``rework``: the events of an activity a case has more than once, with the resource of its
    previous occurrence (a window over these few rows only, not over the whole log)."""
    con.execute("""
        CREATE OR REPLACE TEMP TABLE rework AS
        SELECT case_id, activity, resource,
               row_number() OVER r AS occurrence, lag(resource) OVER r AS prev_resource
        FROM events SEMI JOIN (SELECT case_id, activity FROM events GROUP BY ALL HAVING count(*) > 1) USING (case_id, activity)
        WINDOW r AS (PARTITION BY case_id, activity ORDER BY ts, seq)
    """)


def _rework(con) -> tuple[Rework, ...]:
    rows = con.execute("""
        SELECT activity, count(*), count(DISTINCT case_id),
               count(*) FILTER (WHERE resource = prev_resource),
               count(*) FILTER (WHERE resource <> prev_resource),
               count(*) FILTER (WHERE resource IS NULL OR prev_resource IS NULL)
        FROM rework WHERE occurrence > 1
        GROUP BY activity ORDER BY count(*) DESC, activity
    """).fetchall()
    return tuple(Rework(*r) for r in rows)


def _handovers(con) -> tuple[Handover, ...]:
    rows = con.execute(f"""
        SELECT prev_org, org, count(*), count(DISTINCT case_id), {stats_sql('wait_s')}
        FROM events WHERE org <> prev_org
        GROUP BY prev_org, org ORDER BY count(*) DESC, prev_org, org
    """).fetchall()
    return tuple(Handover(r[0], r[1], r[2], r[3], stats_from(r[4:9])) for r in rows)


def deadline_outcomes_sql() -> str:
    """SQL for the per-case outcome of a deadline (parameters $from and $to: lists of activities,
    $limit_s, $log_end): case_id, t0, t1, seconds, outcome (on_time | late | open_late | open)."""
    return """
        WITH f AS (SELECT case_id, min(coalesce(start_ts, ts)) AS t0 FROM events
                   WHERE list_contains($from, activity) GROUP BY case_id),
             r AS (SELECT f.case_id, f.t0, min(e.ts) AS t1
                   FROM f LEFT JOIN events e
                        ON e.case_id = f.case_id AND list_contains($to, e.activity) AND e.ts >= f.t0
                   GROUP BY f.case_id, f.t0)
        SELECT case_id, t0, t1, epoch(t1) - epoch(t0) AS seconds,
               CASE WHEN t1 IS NOT NULL AND epoch(t1) - epoch(t0) > $limit_s THEN 'late'
                    WHEN t1 IS NOT NULL THEN 'on_time'
                    WHEN epoch($log_end::TIMESTAMP) - epoch(t0) > $limit_s THEN 'open_late'
                    ELSE 'open' END AS outcome
        FROM r
    """


def deadline_params(deadline: Deadline, log_end: dt.datetime, from_activities: list[str] | None = None,
                    to_activities: list[str] | None = None) -> dict:
    return {"from": from_activities or [deadline.from_activity], "to": to_activities or [deadline.to_activity],
            "limit_s": deadline.days * DAY, "log_end": log_end}


def deadline_measure(con, deadline: Deadline, log_end: dt.datetime, from_activities: list[str] | None = None,
                     to_activities: list[str] | None = None) -> DeadlineMeasure:
    """How the log's cases fare against ``deadline``; from and to may each be several activities
    (a case file's step can stand for more than one)."""
    params = deadline_params(deadline, log_end, from_activities, to_activities)
    outcomes = deadline_outcomes_sql()
    total = con.execute(f"""
        SELECT count(*), count(*) FILTER (WHERE outcome = 'on_time'), count(*) FILTER (WHERE outcome = 'late'),
               count(*) FILTER (WHERE outcome = 'open_late'), count(*) FILTER (WHERE outcome = 'open'),
               {stats_sql('seconds')}
        FROM ({outcomes})
    """, params).fetchall()[0]
    months = con.execute(f"""
        SELECT date_trunc('month', t0)::DATE AS month, count(*),
               count(*) FILTER (WHERE outcome = 'on_time'), count(*) FILTER (WHERE outcome = 'late'),
               count(*) FILTER (WHERE outcome = 'open_late'), count(*) FILTER (WHERE outcome = 'open')
        FROM ({outcomes}) GROUP BY month ORDER BY month
    """, params).fetchall()
    return DeadlineMeasure(deadline, *total[:5], stats_from(total[5:10]), tuple(DeadlineMonth(*m) for m in months))


def _attribute(con, index: int, column: str) -> AttributeBreakdown:
    """Lead time per value of a kept column, taken at each case's first event."""
    rows = con.execute(f"""
        WITH v AS (SELECT case_id, arg_min(a{index}, (ts, seq)) AS value FROM events GROUP BY case_id)
        SELECT coalesce(v.value, ''), count(*), {stats_sql('c.lead_s')}
        FROM v JOIN cases c USING (case_id)
        GROUP BY 1 ORDER BY count(*) DESC, 1
    """).fetchall()
    shown = rows[:TOP_VALUES]
    return AttributeBreakdown(column, tuple(ValueBreakdown(r[0], r[1], stats_from(r[2:7])) for r in shown),
                              len(rows) - len(shown))


def _summary(log: EventLog) -> LogSummary:
    span = log.span_days
    return LogSummary(
        source=log.source.name, format=log.source.format, events=log.events, cases=log.cases,
        activities=log.activities, first=log.first, last=log.last, span_days=span,
        cases_per_year=cases_per_year(log.cases, span),
        has_start=log.has_start, has_resource=log.has_resource, has_org=log.has_org,
        columns=log.mapping.columns.used(), kept=log.kept, dropped=log.dropped,
        timestamp_format=log.timestamp_format, zoned=log.zoned, timezone=log.mapping.timezone,
        key_fingerprint=log.key_fingerprint, notes=log.notes,
    )


def cases_per_year(cases: int, span_days: float) -> float | None:
    """Cases per year over the log's span; None for a log shorter than a month (too short to say)."""
    if span_days < 28:
        return None
    return cases / (span_days / 365.25)


def _check_deadline_activities(log: EventLog) -> None:
    if not log.mapping.deadlines:
        return
    known = {r[0] for r in log.con.execute("SELECT DISTINCT activity FROM events").fetchall()}
    problems = []
    for i, deadline in enumerate(log.mapping.deadlines):
        for key, activity in (("from", deadline.from_activity), ("to", deadline.to_activity)):
            if activity not in known:
                problems.append(f"  {log.mapping.where(f'deadlines[{i}].{key}')}: no activity '{activity}' in the log"
                                f"{did_you_mean(activity, known)}")
    if problems:
        raise InputError("the mapping's deadlines name activities the log does not have:\n" + "\n".join(problems))
