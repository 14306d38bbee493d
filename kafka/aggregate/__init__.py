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

from kafka.aggregate.collect import CASES_FOLDER, CaseSummary, Collection, SkippedFile, collect
from kafka.aggregate.followup import FollowUp
from kafka.aggregate.lock import site_lock
from kafka.aggregate.options import SiteOptions
from kafka.output import ensure_dir, remove_temporaries
from kafka.run import RunOptions


@dataclass
class AggregateResult:
    collection: Collection
    written: list[Path]  # the site's pages and exports (the case reports are under cases/)
    follow: FollowUp = field(default_factory=FollowUp)  # statuses, trends: what the pages show of the follow-up

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
    """
    from kafka.aggregate.site import write_site  # pandas: only now, not in every worker process

    out = ensure_dir(out_dir)
    with site_lock(out):
        # What a run that was killed mid-write left (the staging folder is emptied by collect).
        remove_temporaries(out, (".html", ".json", ".csv", ".xlsx"))
        remove_temporaries(out / CASES_FOLDER, (".html",))
        collection = collect(paths, out, options, jobs=jobs, force=force, progress=progress)
        if writing_site is not None:
            writing_site()
        written, follow = write_site(collection, out, options.lang, site, options.template_dirs)
        return AggregateResult(collection, written, follow)


__all__ = ["AggregateResult", "CaseSummary", "Collection", "RunOptions", "SiteOptions", "SkippedFile", "aggregate"]
