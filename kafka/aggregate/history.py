"""Every run of ``kafka aggregate`` recorded in one SQLite database: DIR/history.sqlite.

VVSG follows proposals up over years: which recur, which were taken up,
which stopped appearing. Each run adds its cases, findings and merged
proposals, and the entries of the status register it read; the database is
plain SQLite (the standard library's :mod:`sqlite3`), so it opens in any SQL
tool (``datasette DIR/history.sqlite``, DB Browser for SQLite, Excel through
ODBC). The schema is documented in docs/aggregate.md and below, in
:data:`MIGRATIONS`; ``PRAGMA user_version`` says which migrations a file
has, and an older file is brought up to date when it is opened.

What it holds: figures and keys, not the texts of the cases. A case is its
id, organisation, municipality, procedure, date and file; a finding is its
code, level, government, proposal key, administration and savings. The case
reports next to it in the site folder have the texts.

The follow-up the pages show (:class:`kafka.aggregate.followup.FollowUp`)
comes from here: the history of each proposal's status, the share of cases
per year that have a proposal (each case counted in the latest run that
had it, so a case left out of this year's folder still counts for its
year), and the proposals newer cases no longer show.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from contextlib import closing
from pathlib import Path

from kafka import __version__
from kafka.aggregate.followup import FollowUp, TrendCell, TrendRow
from kafka.aggregate.status import StatusEntry
from kafka.errors import OutputError
from kafka.output import inside, refuse_input, writable_text

DATABASE_NAME = "history.sqlite"

# One script per schema version, applied in order; never edit a released one, add the next.
MIGRATIONS: tuple[str, ...] = (
    # 1: runs, cases, findings, proposals, statuses
    """
    CREATE TABLE runs (
        id            INTEGER PRIMARY KEY,
        started_at    TEXT NOT NULL,     -- when the run was recorded (ISO 8601, UTC)
        run_date      TEXT NOT NULL,     -- the date the run counts as (the agenda's date), YYYY-MM-DD
        kafka_version TEXT NOT NULL,
        options       TEXT NOT NULL,     -- JSON: language, select, ignore, settings, agenda thresholds
        cases         INTEGER NOT NULL,  -- cases aggregated
        skipped       INTEGER NOT NULL,  -- files skipped (invalid, duplicate id)
        status_file   TEXT NOT NULL      -- the status register read ('' when none)
    );
    CREATE TABLE cases (
        run_id         INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        case_id        TEXT NOT NULL,
        organisation   TEXT NOT NULL,
        municipality   TEXT NOT NULL,
        procedure      TEXT NOT NULL,
        case_date      TEXT NOT NULL,    -- case.date (when it was mapped), YYYY-MM-DD or ''
        file           TEXT NOT NULL,
        lead_time_days REAL NOT NULL,
        client_minutes REAL NOT NULL,
        staff_minutes  REAL NOT NULL,
        story_count    REAL NOT NULL,
        findings       INTEGER NOT NULL,
        burden_eur_year REAL NOT NULL,
        saving_eur_year REAL NOT NULL,   -- what all its proposals save (every part counted once)
        PRIMARY KEY (run_id, case_id)
    );
    CREATE TABLE findings (
        run_id          INTEGER NOT NULL,
        case_id         TEXT NOT NULL,
        code            TEXT NOT NULL,
        level           TEXT NOT NULL,   -- local | supralocal
        government      TEXT NOT NULL,   -- local | flemish | federal | european
        proposal_key    TEXT NOT NULL,   -- proposals.key
        administration  TEXT NOT NULL,   -- a key of kafka/data/administrations.yaml ('' for local)
        euro_year_saved REAL NOT NULL,
        lead_days_saved REAL NOT NULL,
        FOREIGN KEY (run_id, case_id) REFERENCES cases(run_id, case_id) ON DELETE CASCADE
    );
    CREATE TABLE proposals (
        run_id          INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        key             TEXT NOT NULL,   -- stable across runs: the status register's key
        code            TEXT NOT NULL,
        level           TEXT NOT NULL,
        government      TEXT NOT NULL,
        administration  TEXT NOT NULL,
        target_kind     TEXT NOT NULL,
        target          TEXT NOT NULL,
        proposal        TEXT NOT NULL,
        cases           INTEGER NOT NULL,
        organisations   INTEGER NOT NULL,
        euro_year_saved REAL NOT NULL,
        lead_days_saved_mean REAL NOT NULL,
        last_case_date  TEXT NOT NULL,
        PRIMARY KEY (run_id, key)
    );
    CREATE TABLE statuses (
        key          TEXT NOT NULL,      -- proposals.key
        status       TEXT NOT NULL,      -- nieuw | geagendeerd | aanvaard | uitgevoerd | afgewezen
        date         TEXT NOT NULL,      -- YYYY-MM-DD
        owner        TEXT NOT NULL,
        note         TEXT NOT NULL,
        first_run_id INTEGER NOT NULL REFERENCES runs(id),  -- the first run whose register had this entry
        last_run_id  INTEGER NOT NULL REFERENCES runs(id),  -- the last one (an entry removed from the register stays here)
        UNIQUE (key, status, date, owner, note)
    );
    """,
    # 2: indexes for the follow-up queries, and two views for whoever opens the file
    """
    CREATE INDEX findings_by_case ON findings (run_id, case_id);
    CREATE INDEX findings_by_key ON findings (proposal_key);
    CREATE INDEX statuses_by_key ON statuses (key, date);
    -- every case in the latest run that had it
    CREATE VIEW latest_cases AS
        SELECT c.* FROM cases c
        JOIN (SELECT case_id, MAX(run_id) AS run_id FROM cases GROUP BY case_id) l USING (case_id, run_id);
    -- every proposal's latest status
    CREATE VIEW current_status AS
        SELECT s.key, s.status, s.date, s.owner, s.note FROM statuses s
        WHERE s.rowid = (SELECT s2.rowid FROM statuses s2 WHERE s2.key = s.key ORDER BY s2.date DESC, s2.rowid DESC LIMIT 1);
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)


def connect(path: str | Path) -> sqlite3.Connection:
    """The database at ``path``, created or migrated to :data:`SCHEMA_VERSION`.

    OutputError when the file is not a kafka history database, was written
    by a newer kafka, or cannot be written.
    """
    refuse_input(path)  # a link history.sqlite -> an input file: never written (issue 18, item 1)
    try:
        connection = sqlite3.connect(path, timeout=30)
        connection.execute("PRAGMA foreign_keys = ON")
        version = connection.execute("PRAGMA user_version").fetchone()[0]
        if version == 0 and _has_tables(connection):
            connection.close()
            raise OutputError(f"{path} is not a kafka history database; move it away, kafka writes {DATABASE_NAME} "
                              "into the site folder")
        if version > SCHEMA_VERSION:
            connection.close()
            raise OutputError(f"{path} was written by a newer kafka (schema {version}, this kafka knows "
                              f"{SCHEMA_VERSION}); upgrade kafka")
        for number in range(version, SCHEMA_VERSION):
            with connection:  # one transaction per migration: a failed one leaves the previous version
                connection.executescript(f"BEGIN; {MIGRATIONS[number]} PRAGMA user_version = {number + 1}; COMMIT;")
        return connection
    except sqlite3.DatabaseError as exc:
        raise OutputError(f"cannot use the history database {path}: {exc}") from None


def _has_tables(connection: sqlite3.Connection) -> bool:
    return connection.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] > 0


def record_run(out: Path, collection, tables, options) -> FollowUp:
    """Add this run to DIR/history.sqlite and read back the follow-up the pages show.

    ``collection`` is kafka.aggregate.collect.Collection, ``tables``
    kafka.aggregate.tables.Tables and ``options`` kafka.aggregate.options.SiteOptions.
    Without history (the live preview), the same run goes into a database in
    memory: the pages look the same, with this run alone, and no file is written.
    """
    path = inside(out, DATABASE_NAME) if options.history else ":memory:"
    register = options.status
    with closing(connect(path)) as db:
        with db:
            run_id = _insert_run(db, collection, tables, options)
            _insert_statuses(db, run_id, register)
        follow = follow_up(db, run_id, options.date)
        follow.database = DATABASE_NAME if options.history else ""
        if register is not None:
            known = {key for (key,) in db.execute("SELECT DISTINCT key FROM proposals")}
            follow.unknown_status_keys = register.unknown_keys(known)
        return follow


def _insert_run(db: sqlite3.Connection, collection, tables, options) -> int:
    agenda = options.agenda
    settings = {"min_saving": agenda.min_saving, "min_ocmws": agenda.min_ocmws, "min_days": agenda.min_days}
    cursor = db.execute(
        "INSERT INTO runs (started_at, run_date, kafka_version, options, cases, skipped, status_file) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        (dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"), options.date.isoformat(), __version__,
         json.dumps({"agenda": settings}), len(collection.cases), len(collection.skipped),
         writable_text(str(options.status.path)) if options.status is not None else ""),
    )
    run_id = cursor.lastrowid
    cases = tables.cases
    db.executemany(
        "INSERT INTO cases VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        # writable_text: a file name that is not UTF-8 (lone surrogates) cannot go into an SQLite text.
        [(run_id, case_id, organisation, municipality, procedure, date, writable_text(file), float(lead_time_days),
          float(client_minutes), float(staff_minutes), float(story_count), int(findings), float(burden_eur_year),
          float(saving_all_eur_year))
         for (case_id, organisation, municipality, procedure, date, file, lead_time_days, client_minutes,
              staff_minutes, story_count, findings, burden_eur_year, saving_all_eur_year) in _columns(
             cases, "case_id", "organisation", "municipality", "procedure", "date", "file", "lead_time_days",
             "client_minutes", "staff_minutes", "story_count", "findings", "burden_eur_year", "saving_all_eur_year")],
    )
    from kafka.aggregate.keys import proposal_key

    findings = tables.findings
    db.executemany(
        "INSERT INTO findings VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(run_id, case_id, code, level, government, proposal_key(code, government, merge_key),
          administration or "", float(euro_year_saved), float(lead_days_saved))
         for case_id, code, level, government, merge_key, administration, euro_year_saved, lead_days_saved
         in _columns(findings, "case_id", "code", "level", "government", "merge_key", "administration",
                     "euro_year_saved", "lead_days_saved")],
    )
    db.executemany(
        "INSERT INTO proposals VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(run_id, key, code, level, government, administration or "", target_kind, target, proposal,
          int(cases), int(organisations), float(euro_year_saved), float(lead_days_saved_mean), last_case_date or "")
         for (key, code, level, government, administration, target_kind, target, proposal, cases, organisations,
              euro_year_saved, lead_days_saved_mean, last_case_date) in _columns(
             tables.proposals, "key", "code", "level", "government", "administration", "target_kind", "target",
             "proposal", "cases", "organisations", "euro_year_saved", "lead_days_saved_mean", "last_case_date")],
    )
    return run_id


def _columns(frame, *names: str):
    """The rows of ``frame``'s columns ``names`` as tuples of Python values: a column at a time
    (itertuples boxes every value of a text column through pandas: most of this stage's time)."""
    return zip(*(frame[name].tolist() for name in names))


def _insert_statuses(db: sqlite3.Connection, run_id: int, register) -> None:
    if register is None:
        return
    for entries in register.entries.values():
        for e in entries:
            row = (e.key, e.status, e.date.isoformat(), e.owner, e.note)
            updated = db.execute(
                "UPDATE statuses SET last_run_id = ? WHERE key = ? AND status = ? AND date = ? AND owner = ? "
                "AND note = ?", (run_id, *row))
            if not updated.rowcount:
                db.execute("INSERT INTO statuses VALUES (?, ?, ?, ?, ?, ?, ?)", (*row, run_id, run_id))


def follow_up(db: sqlite3.Connection, run_id: int, run_date: dt.date) -> FollowUp:
    """The follow-up as of run ``run_id``: statuses, trends per year, proposals no longer seen."""
    follow = FollowUp(run_date=run_date)
    follow.runs = db.execute("SELECT count(*) FROM runs").fetchone()[0]
    for key, status, date, owner, note in db.execute(
            "SELECT key, status, date, owner, note FROM statuses ORDER BY key, date, first_run_id, rowid"):
        follow.statuses.setdefault(key, []).append(
            StatusEntry(key, status, dt.date.fromisoformat(date), owner, note))

    # Every case in the latest run that had it, with the year it counts for and the run it first came in.
    cases = {
        case_id: (procedure, (case_date or run_day)[:4], case_date or run_day, first_run)
        for case_id, procedure, case_date, run_day, first_run in db.execute(
            "SELECT c.case_id, c.procedure, c.case_date, r.run_date, f.first_run FROM latest_cases c "
            "JOIN runs r ON r.id = c.run_id "
            "JOIN (SELECT case_id, MIN(run_id) AS first_run FROM cases GROUP BY case_id) f USING (case_id)")
    }
    having: dict[str, set[str]] = {}
    for key, case_id in db.execute(
            "SELECT DISTINCT f.proposal_key, f.case_id FROM findings f "
            "JOIN latest_cases c ON c.run_id = f.run_id AND c.case_id = f.case_id"):
        having.setdefault(key, set()).add(case_id)
    years = sorted({case[1] for case in cases.values()})
    follow.years = years
    per_year_procedure: dict[tuple[str, str], int] = {}
    for procedure, year, _, _ in cases.values():
        per_year_procedure[(year, procedure)] = per_year_procedure.get((year, procedure), 0) + 1
    # Per procedure, the latest run that brought a new case of it.
    newest_run_of: dict[str, int] = {}
    for procedure, _, _, first_run in cases.values():
        newest_run_of[procedure] = max(first_run, newest_run_of.get(procedure, 0))

    # The latest description of every proposal ever seen (this run's when it has it).
    described = {}
    for row in db.execute(
            "SELECT p.key, p.code, p.level, p.government, p.administration, p.target, p.proposal, p.run_id "
            "FROM proposals p JOIN (SELECT key, MAX(run_id) AS run_id FROM proposals GROUP BY key) l "
            "USING (key, run_id)"):
        described[row[0]] = row
    for key, (_, code, level, government, administration, target, proposal, last_run) in described.items():
        case_ids = having.get(key, set())
        procedures = {cases[c][0] for c in case_ids}
        cells = []
        for year in years:
            with_it = sum(1 for c in case_ids if cases[c][1] == year)
            total = sum(per_year_procedure.get((year, p), 0) for p in procedures)
            cells.append(TrendCell(year, with_it, total, with_it / total if total else 0.0))
        last_seen = max((cases[c][2] for c in case_ids), default="")
        in_run = last_run == run_id
        # "No longer seen": a later run brought new cases of its procedures, and none of them has it.
        # (Within one run's cases, one case without it is variation, not a trend.)
        came_last = max((cases[c][3] for c in case_ids), default=0)
        if in_run and case_ids and any(newest_run_of[p] > came_last for p in procedures):
            follow.not_seen_since[key] = last_seen
        if level == "supralocal":
            follow.trends.append(TrendRow(
                key=key, code=code, government=government, administration=administration, target=target,
                proposal=proposal, cells=tuple(cells), last_seen=last_seen, in_this_run=in_run,
                status=follow.status(key)))
    follow.trends.sort(key=lambda r: (not r.in_this_run, -sum(c.cases for c in r.cells), r.key))
    return follow
