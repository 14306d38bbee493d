"""The VVSG site of a served folder (``kafka aggregate``), rebuilt when a case changed.

``kafka serve FOLDER`` lists the folder's cases with their live reports; this
adds the cross-case site (index, agenda, a report per case, CSV and Excel
tables) under ``/view/site/``. It is built into a temporary folder on the
first request after a change -- the aggregation's own cache renders only the
changed cases again -- and served only by the names the build wrote.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from kafka.aggregate import SiteOptions, aggregate
from kafka.run import RunOptions

CONTENT_TYPES = {
    ".html": "text/html",
    ".csv": "text/csv",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass(frozen=True)
class SiteFile:
    data: bytes
    content_type: str


class FolderOverview:
    def __init__(self, folder: Path, options: RunOptions):
        self.folder = folder
        self.options = options
        self._out = Path(tempfile.mkdtemp(prefix="kafka-serve-site-"))
        self._files: dict[str, Path] = {}
        self._built_for: int | None = None
        self._lock = threading.Lock()

    def file(self, name: str, generation: int) -> SiteFile | None:
        """The site's file ``name`` (as the site links it, e.g. ``cases/x.html``), fresh for ``generation``."""
        with self._lock:
            if self._built_for != generation:
                self._build()
                self._built_for = generation
            path = self._files.get(name)
            if path is None:
                return None
            data = path.read_bytes()
        return SiteFile(data, CONTENT_TYPES.get(path.suffix, "application/octet-stream"))

    def close(self) -> None:
        with self._lock:
            shutil.rmtree(self._out, ignore_errors=True)

    def _build(self) -> None:
        # One process: the server's threads must not fork worker processes. No run
        # database: a live preview rebuilds on every save, which is not a run to follow up.
        result = aggregate([self.folder], self._out, self.options, jobs=1, site=SiteOptions(history=False))
        files = {path.relative_to(self._out).as_posix(): path for path in result.written}
        for case in result.collection.cases:
            if case.report:
                files[case.report] = self._out / case.report
        self._files = files
