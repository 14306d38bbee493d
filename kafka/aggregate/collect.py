"""Load, analyse and render every case, in parallel, skipping unchanged ones.

A worker process takes one case file and does all the heavy work for it:
load and check it, analyse it, render its HTML report into a staging folder
inside the output folder. It hands back only a small, picklable
:class:`CaseSummary` (figures and finding rows) or a :class:`SkippedFile`.
The main process then settles the names (a duplicate case id is skipped, see
:func:`settle`), moves each staged report into ``cases/`` and makes the
manifest of what it did (:mod:`kafka.aggregate.manifest`: when a case is
unchanged, and why the manifest never vouches for a report it did not write),
which :func:`kafka.aggregate.aggregate` writes once the site is written, so
that the next run re-renders only what changed. A few changed cases are
rendered in the main process (:data:`SMALL_BATCH`).
"""

from __future__ import annotations

import os
import shutil
import signal
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Callable, Iterable

from kafka.aggregate.manifest import (
    MANIFEST_NAME, Manifest, cache_key, code_fingerprint, evidence_digests, forms_key, report_digest, report_stamp,
    rows_json,
)
from kafka.aggregate.watchdog import exit_when_gone
from kafka.diagnostics import Problem
from kafka.errors import KafkaError, OutputError, RenderError, UsageProblem
from kafka.loader import Unreadable, iter_case_files, read_bounded, read_case
from kafka.output import case_file_stem, ensure_dir, inside, move_into_place, note_inputs, write_atomic
from kafka.run import RunOptions
from kafka.validate import CaseIds

CASES_FOLDER = "cases"
_STAGING_FOLDER = ".incoming"  # inside cases/: same file system, so moving a report is a rename
# Worker processes pay off from this many cases per worker: a process pool costs about a second
# (the forkserver imports kafka, each worker compiles the templates) and a case about 35 ms.
SMALL_BATCH = 16


# --- what goes in and what comes out -------------------------------------------------


@dataclass
class CaseSummary:
    """What the site needs of one case; small, picklable and JSON-able (the manifest keeps it)."""

    path: str  # the case file, as found under the given paths
    cache_key: str
    id: str
    title: str
    organisation: str
    municipality: str
    procedure: str
    date: str
    cases_per_year: float
    metrics: dict[str, float | None]  # the contract's metrics and a few of kafka's, see _metric_figures
    annual: dict[str, float]
    findings: list[dict]  # kafka.tables.finding_rows, plus the merge fields of keys.MergeKey
    savings: dict[str, dict] = field(default_factory=dict)  # kafka.simulate.scenario_totals: "local", "all"
    forms: list[dict] = field(default_factory=list)  # kafka.aggregate.forms_page.form_summaries
    warnings: list[str] = field(default_factory=list)
    id_line: int = 0  # where case.id is written, for the duplicate-id message
    id_col: int = 0
    report: str = ""  # the case report, relative to the site folder (cases/<name>.html)
    report_sha256: str = ""  # what the report kafka wrote for it looks like (kafka.aggregate.manifest)
    report_stamp: list[int] = field(default_factory=list)
    # [[path, SHA-256]] of the files the case's evidence: section names (event log, mapping), hashed
    # before they were read: a log changed since makes the next run render the case again
    evidence: list[list[str]] = field(default_factory=list)
    # The SHA-256 of ``forms`` as the manifest keeps them: the forms page is made again only when
    # the forms of some case differ (kafka.aggregate.site.forms_page_key); "" when not known
    forms_key: str = ""
    # Its rows of findings.csv and summary.xlsx, made by the worker (kafka.aggregate.pieces.Pieces);
    # not in the manifest: the site keeps them in a file of their own.
    pieces: object = field(default=None, repr=False, compare=False)
    # The JSON text of ``findings`` and ``forms`` as the manifest keeps them: made by the worker, or as the
    # previous manifest had them (Collection.fill_rows); the next manifest is written with it. Not in it itself.
    rows_json: str = field(default="", repr=False, compare=False)

    @classmethod
    def from_dict(cls, data: dict) -> "CaseSummary":
        names = {f.name for f in fields(cls)} - {"pieces", "rows_json"}  # never read from a file
        if not isinstance(data, dict) or not set(data) <= names:
            raise ValueError("not a case summary")
        return cls(**data)


@dataclass
class SkippedFile:
    path: str
    reason: str  # invalid | duplicate | error
    messages: list[str]  # FILE:LINE:COL: key: message, as kafka validate prints them (English)
    problems: tuple[Problem, ...] = ()  # an invalid file's problems, to be said in another language

    def lines(self, lang: str = "en") -> list[str]:
        """The messages in ``lang``: in English as printed, else the problems said in that language."""
        return [p.line_text(lang) for p in self.problems] if self.problems and lang != "en" else self.messages


@dataclass
class Collection:
    """Every case of a run, in file order, and the files that were skipped.

    The finding rows and forms of the unchanged cases are read from the previous
    manifest only when the site is written; after a run that left the site as it
    was, call :meth:`fill_rows` before reading them.
    """

    cases: list[CaseSummary]
    skipped: list[SkippedFile]
    rendered: int  # reports rendered in this run
    reused: int  # unchanged cases taken from the manifest
    # For the site (kafka.aggregate.__init__): the manifest this run leaves, to be written once the
    # site is; the previous run's site record; and whether the cases are exactly the previous run's.
    manifest: Manifest = field(default_factory=Manifest)
    previous_site: dict = field(default_factory=dict)
    same_as_before: bool = False
    # The unchanged cases (absolute path -> summary) whose finding rows and forms are still in the
    # previous manifest, and where to read them (Manifest.rows): only a run that writes the site needs them.
    pending_rows: dict[str, CaseSummary] = field(default_factory=dict)
    rows_source: Manifest | None = None

    def fill_rows(self) -> bool:
        """Give the unchanged cases their finding rows and forms from the previous manifest.
        False when it has none for one of them (damaged): those cases must be rendered again."""
        if not self.pending_rows:
            return True
        try:
            rows = self.rows_source.rows() if self.rows_source is not None else {}
        except ValueError:
            return False
        if any(path not in rows for path in self.pending_rows):
            return False
        for path, summary in self.pending_rows.items():
            value, summary.rows_json = rows[path]
            summary.findings, summary.forms = value["findings"], value["forms"]
        self.pending_rows, self.rows_source = {}, None
        return True


@dataclass(frozen=True)
class _Job:
    index: int
    path: str
    staging: str  # the folder the worker writes its report into
    options: RunOptions
    fingerprint: str
    options_key: str = ""  # options.fingerprint(), worked out once for the run
    csv_dialect: str | None = None  # the site's findings.csv (kafka.csvfile; None: the language's)


# --- the worker -----------------------------------------------------------------------


def _warm_up(options: RunOptions) -> None:
    """Once per worker: import and compile the templates before the first case."""
    from kafka.render import jinja_env

    jinja_env(options.lang, options.template_dirs)


def _worker_start(options: RunOptions, run_pid: int) -> None:
    # Ctrl-C reaches every process of the group; only the main process should
    # act on it (cancel, clean up, say "Interrupted."), not print a traceback per worker.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    exit_when_gone(run_pid)  # a killed run leaves no worker (nor forkserver) behind
    _warm_up(options)
    from kafka.runtime import tune_gc

    tune_gc()  # after the warm-up: its templates and catalogues live as long as the worker


def process_case(job: _Job) -> tuple[int, CaseSummary | SkippedFile]:
    """Load, analyse and render one case file (in a worker process)."""
    try:
        return job.index, _process(job)
    except RenderError as exc:  # a renderer refused this case: skip it, not the run
        return job.index, SkippedFile(job.path, "error", [f"{exc}; the file is skipped"])
    except KafkaError:
        raise  # a full disk or missing templates stop the run; they are no fault of this case
    except Exception as exc:  # noqa: BLE001 - one odd case must not sink a run of thousands
        message = (f"{job.path}: kafka could not analyse this case ({type(exc).__name__}: {exc}); "
                   "the file is skipped - please report this as a bug in kafka")
        return job.index, SkippedFile(job.path, "error", [message])


def _process(job: _Job) -> CaseSummary | SkippedFile:
    from kafka.report import render_case_report
    from kafka.run import run_case
    from kafka.simulate import scenario_totals
    from kafka.tables import finding_rows

    from kafka.aggregate.keys import merge_fields
    from kafka.aggregate.pieces import case_pieces
    from kafka.csvfile import dialect_for
    from kafka.i18n import Translator

    loaded, raw = read_case(job.path)
    if not loaded.ok:
        return SkippedFile(job.path, "invalid", [str(p) for p in loaded.problems], tuple(loaded.problems))
    evidence = evidence_digests(_evidence_paths(loaded))  # before run_case reads them
    run = run_case(loaded, job.options)
    analysis = run.analysis
    totals = scenario_totals(analysis, run.scenarios) if run.scenarios is not None else {}
    html = render_case_report(run, link_back="../index.html").encode("utf-8")
    write_atomic(Path(job.staging) / f"{job.index}.html", html)

    rows = finding_rows(analysis)
    for row, finding in zip(rows, analysis.findings):
        row.update(merge_fields(finding, loaded.case))
    info = loaded.case.case
    line, col = loaded.positions.of(("case", "id")) if loaded.positions else (0, 0)
    summary = CaseSummary(
        path=job.path,
        cache_key=cache_key(raw, job.options_key or job.options, job.fingerprint),
        id=info.id,
        title=info.title,
        organisation=info.organisation,
        municipality=info.municipality or "",
        procedure=info.procedure or "",
        date=info.date.isoformat() if info.date else "",
        cases_per_year=float(info.cases_per_year),
        metrics=_metric_figures(analysis.metrics),
        annual={k: float(v) for k, v in asdict(analysis.metrics.annual).items()},
        findings=rows,
        savings=totals,
        forms=_forms(analysis),
        warnings=[str(p) for p in loaded.warnings] + list(run.warnings),
        id_line=line,
        id_col=col,
        report_sha256=report_digest(html),
        evidence=evidence,
        report=f"{CASES_FOLDER}/{report_name(info.id)}",  # as settle names it
    )
    # The case's rows of findings.csv and summary.xlsx, made here in parallel rather than in the main process.
    summary.pieces = case_pieces(summary, dialect_for(job.options.lang, job.csv_dialect), Translator(job.options.lang))
    summary.rows_json = rows_json(summary)  # the manifest's text of its rows, also made here
    summary.forms_key = forms_key(summary.forms)
    return summary


def _evidence_paths(loaded) -> list[str]:
    """The event log and mapping a case's ``evidence:`` names, as kafka.log.evidence finds them."""
    evidence = loaded.case.evidence
    if evidence is None:
        return []
    folder = Path(loaded.path).resolve().parent
    return [str(folder / evidence.log), str(folder / evidence.mapping)]


def _forms(analysis) -> list[dict]:
    """The case's forms, reviewed field by field, for the forms page of the site. The verdicts rest on
    every detector (as in kafka forms), also when the run selects or ignores some."""
    from kafka.aggregate.forms_page import form_summaries
    from kafka.analysis import analyze
    from kafka.forms import build_review

    if not analysis.case.forms:
        return []
    if analysis.select or analysis.ignore:
        analysis = analyze(analysis.case, settings=analysis.settings, lang=analysis.lang)
    return form_summaries(build_review([analysis], lang=analysis.lang))


def _metric_figures(metrics) -> dict[str, float | None]:
    figures: dict[str, float | None] = {k: float(v) for k, v in metrics.contract().items()}
    figures.update(
        steps=float(metrics.steps),
        waiting_days=float(metrics.waiting_days),
        flow_efficiency=float(metrics.flow_efficiency) if metrics.flow_efficiency is not None else None,  # not recorded
        handoffs=float(metrics.handoffs),
        # Every time an item is asked again after the first time: the repeated questions.
        repeated_questions=float(metrics.data_asked - metrics.data_unique),
    )
    return figures


# --- the run ----------------------------------------------------------------------------


def report_name(case_id: str) -> str:
    """The report's file name, the same as ``kafka report`` writes."""
    # kafka.report.report_file_name's rule, without importing the renderer (jinja2) into a run
    # that renders nothing (tests/test_aggregate_incremental.py holds the two to the same names).
    return f"{case_file_stem(case_id)}.html"


def collect(
    paths: Iterable[str | os.PathLike[str]],
    out_dir: str | os.PathLike[str],
    options: RunOptions = RunOptions(to_be=False),
    *,
    jobs: int | None = None,
    force: bool = False,
    progress: Callable[[int, int], None] | None = None,
    csv_dialect: str | None = None,
) -> Collection:
    """Every case under ``paths`` analysed, with its report written to ``out_dir/cases/``.

    ``progress(n, total)`` is called as files are done, n files at a time.
    ``csv_dialect`` is the site's (kafka.csvfile): each case's rows of findings.csv are
    made with the case (kafka.aggregate.pieces).
    The manifest for the next run is in the result (``manifest``); the caller
    writes it (:func:`write_manifest`) once the site is written.
    """
    files = [str(path) for path in iter_case_files(paths)]  # each file once
    if not files:
        raise UsageProblem("no case files (*.yaml, *.yml) found in the given paths")
    note_inputs(files)  # read by the workers: no output of this run may be written onto one
    out = ensure_dir(out_dir)
    cases_dir = ensure_dir(inside(out, CASES_FOLDER))
    previous = Manifest.read(out)
    earlier_reports = {entry.report for entry in previous.entries.values()}
    if force:
        previous = Manifest()
    before = {path: _identity(entry) for path, entry in previous.entries.items()}
    fingerprint = code_fingerprint()
    options_key = options.fingerprint()
    memo: dict[str, str] = {}  # evidence files hashed in this run
    done = (lambda n: progress(n, len(files))) if progress else (lambda n: None)

    outcomes: dict[int, CaseSummary | SkippedFile] = {}
    staging = _clear_staging(cases_dir)
    resolved = {path: str(Path(path).resolve()) for path in files}  # each once: 1,000 resolves cost 0.1 s
    todo: list[_Job] = []
    pending: dict[str, CaseSummary] = {}  # unchanged, their finding rows still in the previous manifest
    for index, path in enumerate(files):
        cached = _unchanged(path, resolved[path], previous, options_key, fingerprint, out, memo)
        if cached is not None:
            outcomes[index] = cached
            pending[resolved[path]] = cached
        else:
            todo.append(_Job(index, path, str(staging), options, fingerprint, options_key, csv_dialect))
    if todo:
        ensure_dir(staging)
    done(len(outcomes))
    previous_site = previous.site
    rows_source = previous if pending else None  # its text: the rows are parsed only if the site is written
    del previous
    rendered = {job.path: job.index for job in todo}
    try:
        for index, outcome in _run(todo, jobs, options, done):
            outcomes[index] = outcome
        cases, skipped = settle([outcomes[i] for i in range(len(files))])
        _place_reports(cases, rendered, staging, cases_dir)
    finally:
        if todo:
            shutil.rmtree(staging, ignore_errors=True)
    _remove_stale(earlier_reports, cases, out)
    manifest = Manifest({resolved[c.path]: c for c in cases})
    fresh = sum(1 for c in cases if c.path in rendered)
    same = before == {path: _identity(entry) for path, entry in manifest.entries.items()}
    return Collection(cases, skipped, rendered=fresh, reused=len(cases) - fresh, manifest=manifest,
                      previous_site=previous_site, same_as_before=same, pending_rows=pending, rows_source=rows_source)


def _identity(summary: CaseSummary) -> tuple:
    """What a manifest entry vouches for; the rest of it follows from its cache key."""
    return (summary.path, summary.cache_key, summary.report, summary.report_sha256, tuple(summary.report_stamp),
            repr(summary.evidence))


def write_manifest(out: Path, collection: Collection) -> Path | None:
    """Write the manifest for the next run; not when the finding rows of an unchanged case
    could not be read back (the next run renders it again rather than trust empty rows)."""
    if not collection.fill_rows():
        return None
    return write_atomic(inside(out, MANIFEST_NAME), collection.manifest.json_pieces())


def _unchanged(path: str, resolved: str, previous: Manifest, options: str, fingerprint: str, out: Path,
               memo: dict[str, str]) -> CaseSummary | None:
    if resolved not in previous.entries:
        return None
    try:
        raw = read_bounded(path)
    except Unreadable:
        return None
    return previous.reusable(path, raw, options, fingerprint, out, memo, resolved=resolved)


def _run(todo: list[_Job], jobs: int | None, options: RunOptions, done: Callable[[int], None]):
    """The outcome of every job, in the order they finish."""
    if not todo:
        return
    workers = max(1, min(jobs or os.cpu_count() or 1, len(todo)))
    if len(todo) < SMALL_BATCH * workers:
        workers = 1  # a few changed cases: starting the forkserver and its workers costs more than it saves
    if workers == 1:
        _warm_up(options)
        for job in todo:
            yield process_case(job)
            done(1)
        return
    import concurrent.futures  # here: a run that renders in this process never needs them

    with concurrent.futures.ProcessPoolExecutor(workers, mp_context=_worker_context(), initializer=_worker_start,
                                                initargs=(options, os.getpid())) as pool:
        futures = [pool.submit(process_case, job) for job in todo]
        try:
            # This process waits for the workers, and then writes the site with pandas: import it now,
            # while they work, so that its second or so is not added to the run's serial part.
            import kafka.aggregate.site  # noqa: F401
            for future in concurrent.futures.as_completed(futures):
                yield future.result()
                done(1)
        except BaseException:
            for future in futures:
                future.cancel()
            raise


def _worker_context():
    """Workers start from a small server process, not as copies of this one.

    By the time the workers start, this process may hold the summaries of
    thousands of cached cases; forked copies would share those pages at first
    and then copy them as Python's memory management touches them. The
    forkserver (where the platform has one) hands each worker only what
    kafka's modules need.
    """
    import multiprocessing

    if "forkserver" not in multiprocessing.get_all_start_methods():
        return None  # the platform's default (spawn on Windows)
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["kafka.aggregate.collect", "kafka.aggregate.keys", "kafka.aggregate.pieces",
                                    "kafka.report", "kafka.run", "kafka.simulate"])
    return context


def settle(outcomes: list[CaseSummary | SkippedFile]) -> tuple[list[CaseSummary], list[SkippedFile]]:
    """Split the outcomes, in file order, and give every case its report name.

    A case id used by an earlier file skips the later file, by the one rule
    of :class:`kafka.validate.CaseIds` (every command treats it the same way).
    """
    cases: list[CaseSummary] = []
    skipped: list[SkippedFile] = []
    ids = CaseIds()
    for outcome in outcomes:
        if isinstance(outcome, SkippedFile):
            skipped.append(outcome)
            continue
        problem = ids.claim(outcome.id, outcome.path, outcome.id_line, outcome.id_col)
        if problem is not None:
            skipped.append(SkippedFile(outcome.path, "duplicate", [f"{problem}, so this file is skipped"], (problem,)))
            continue
        outcome.report = f"{CASES_FOLDER}/{report_name(outcome.id)}"
        cases.append(outcome)
    return cases, skipped


def _clear_staging(cases_dir: Path) -> Path:
    """The staging folder, with what an interrupted run left in it removed; created only when a case is rendered."""
    staging = inside(cases_dir, _STAGING_FOLDER)
    if staging.is_symlink():  # planted: never render into (or empty) the folder it points to
        staging.unlink()
    elif staging.exists():
        shutil.rmtree(staging, ignore_errors=True)  # left by an interrupted run; only kafka writes here
    return staging


def _place_reports(cases: list[CaseSummary], rendered: dict[str, int], staging: Path, cases_dir: Path) -> None:
    """Move each report rendered in this run from the staging folder to its name (an atomic rename)."""
    for case in cases:
        index = rendered.get(case.path)
        if index is None:
            continue  # unchanged: its report from the previous run is already in place
        target = move_into_place(staging / f"{index}.html",
                                 inside(cases_dir, case.report.removeprefix(f"{CASES_FOLDER}/")))
        case.report_stamp = report_stamp(target)  # the manifest records the very file it vouches for


def _remove_stale(earlier_reports: set[str], cases: list[CaseSummary], out: Path) -> None:
    """Delete the reports of the previous run that no case of this run has (a case file removed or renamed).

    Only files the previous manifest lists as kafka's own reports are ever removed.
    """
    keep = {c.report for c in cases}
    for report in sorted(earlier_reports - keep):
        if report:
            try:
                inside(out, report).unlink(missing_ok=True)
            except (OSError, OutputError):
                pass
