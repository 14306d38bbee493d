"""Aggregation across cases: the VVSG site (``kafka aggregate``).

Three stages, one module each:

* :mod:`kafka.aggregate.collect` - load, analyse and render every case in
  parallel worker processes, skipping unchanged ones (the manifest in the
  output folder, :mod:`kafka.aggregate.manifest`), and hand back small
  :class:`CaseSummary` objects;
* :mod:`kafka.aggregate.tables` - the cross-case views as pandas tables,
  with proposals merged across cases (what counts as "the same proposal" is
  :mod:`kafka.aggregate.keys`);
* :mod:`kafka.aggregate.site` - index.html, agenda.html, findings.csv,
  proposals.csv and summary.xlsx.

:func:`aggregate` runs the three.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from kafka.aggregate.collect import CASES_FOLDER, CaseSummary, Collection, SkippedFile, collect, write_manifest
from kafka.aggregate.followup import FollowUp
from kafka.aggregate.lock import site_lock
from kafka.aggregate.manifest import code_fingerprint, report_stamp, site_key
from kafka.aggregate.options import SiteOptions
from kafka.output import ensure_dir, inside, remove_temporaries
from kafka.run import RunOptions


@dataclass
class AggregateResult:
    collection: Collection
    written: list[Path]  # the site's pages and exports (the case reports are under cases/)
    follow: FollowUp = field(default_factory=FollowUp)  # statuses, trends: what the pages show of the follow-up
    site_written: bool = True  # False: nothing the site is made from changed, and it was left as it was

    @property
    def ok(self) -> bool:
        return not self.collection.skipped


def aggregate(
    paths: Iterable[str | os.PathLike[str]],
    out_dir: str | os.PathLike[str],
    options: RunOptions = RunOptions(to_be=False),
    *,
    jobs: int | None = None,
    force: bool = False,
    progress: Callable[[int, int], None] | None = None,
    writing_site: Callable[[], None] | None = None,
    site: SiteOptions = SiteOptions(),
) -> AggregateResult:
    """Aggregate every case file under ``paths`` into a static site in ``out_dir``.

    ``progress(n, total)`` follows the cases; ``writing_site()`` is called when
    they are done and the pages and exports are being written. ``site`` holds
    the agenda's thresholds, the status register and the run's date.

    When everything the site is made from is what the previous run made it
    from (:func:`site_inputs`) and its files are the ones that run wrote, the
    site is left as it is: nothing is written, and no run is added to
    history.sqlite. A new date (``site.run_date``, by default today) is a new
    input: the agenda is dated, and a run on another day is recorded.
    """
    out = ensure_dir(out_dir)
    with site_lock(out):
        # What a run that was killed mid-write left (the staging folder is emptied by collect).
        remove_temporaries(out, (".html", ".json", ".csv", ".xlsx", ".bin"))
        remove_temporaries(out / CASES_FOLDER, (".html",))
        collection = collect(paths, out, options, jobs=jobs, force=force, progress=progress,
                             csv_dialect=site.csv_dialect)
        key = site_key(site_inputs(collection, options, site))
        previous = collection.previous_site
        if not force and previous.get("key") == key and _files_as_written(out, previous["files"]):
            collection.manifest.site = previous
            if not collection.same_as_before:  # a copied site folder: the reports' new stamps
                write_manifest(out, collection)
            pages = [inside(out, name) for name in previous["files"] if name != DATABASE_NAME]
            return AggregateResult(collection, pages, _follow_up_unchanged(out, site), site_written=False)
        if not collection.fill_rows():  # the previous manifest lost the unchanged cases' rows
            collection = collect(paths, out, options, jobs=jobs, force=True, progress=progress,
                                 csv_dialect=site.csv_dialect)
        from kafka.aggregate.site import page_keys, write_site  # pandas: only now, not in every worker process

        if writing_site is not None:
            writing_site()
        pages = page_keys(collection, options)
        written, follow = write_site(collection, out, options.lang, site, options.template_dirs,
                                     keep=_pages_as_before(out, pages, previous))
        recorded = [*written, *([inside(out, DATABASE_NAME)] if site.history else [])]
        collection.manifest.site = {"key": key, "files": {path.name: report_stamp(path) for path in recorded},
                                    "pages": pages}
        write_manifest(out, collection)
        return AggregateResult(collection, written, follow)


DATABASE_NAME = "history.sqlite"  # kafka.aggregate.history.DATABASE_NAME, without importing sqlite here


def site_inputs(collection: Collection, options: RunOptions, site: SiteOptions) -> list:
    """Everything the site's pages and exports are made from, as JSON-able parts (its key).

    Each case by its file, cache key (its bytes, kafka's code, the run's options),
    evidence files and report; the skipped files with their messages; and the
    site's own options: the agenda's thresholds, the status register's entries,
    the run's date, the CSV dialect, whether the run is recorded.
    """
    return [
        code_fingerprint(), options.fingerprint(),
        [[c.path, c.cache_key, c.evidence, c.report] for c in collection.cases],
        [[s.path, s.reason, s.messages] for s in collection.skipped],
        repr(site.agenda), repr(site.status), site.date.isoformat(), site.csv_dialect, site.history,
    ]


def _files_as_written(out: Path, files: dict) -> bool:
    """Every file the previous run's site wrote is still there, untouched (the same stamp)."""
    for name, stamp in files.items():
        try:
            if report_stamp(inside(out, name)) != stamp:
                return False
        except Exception:  # noqa: BLE001 - a hostile manifest naming a path outside: not ours
            return False
    return bool(files)


def _pages_as_before(out: Path, pages: dict[str, str], previous: dict) -> frozenset[str]:
    """The pages made from what the previous run made them from (the same key), still as it wrote them."""
    before = previous.get("pages") if isinstance(previous.get("pages"), dict) else {}
    return frozenset(name for name, key in pages.items()
                     if key and before.get(name) == key and _files_as_written(out, {name: previous["files"].get(name)}))


def _follow_up_unchanged(out: Path, site: SiteOptions) -> FollowUp:
    """The follow-up of a run that left the site as it was: only what the command line
    reports (status register keys that no recorded run has), read from the database."""
    follow = FollowUp(run_date=site.date)
    if site.status is not None and site.history:
        import sqlite3
        from contextlib import closing

        try:
            with closing(sqlite3.connect(f"{inside(out, DATABASE_NAME).as_uri()}?mode=ro", uri=True)) as db:
                known = {key for (key,) in db.execute("SELECT DISTINCT key FROM proposals")}
        except sqlite3.Error:
            known = set()
        follow.unknown_status_keys = site.status.unknown_keys(known)
    return follow


__all__ = ["AggregateResult", "CaseSummary", "Collection", "RunOptions", "SiteOptions", "SkippedFile", "aggregate"]
