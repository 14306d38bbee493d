"""Earlier versions of a case file, kept in a hidden folder beside it.

Before the workshop editor writes a case file, the version on disk is copied
to ``.kafka-history/<file name>/<UTC time>-<hash>.yaml`` next to the file
(also a version someone saved from a text editor in between). Only the
newest :data:`MAX_VERSIONS` are kept. The folder is readable by its owner
only: the file holds a client's story. kafka's own commands never read it
(folders whose name starts with a dot are skipped when looking for cases).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

from kafka.output import write_atomic

FOLDER = ".kafka-history"
MAX_VERSIONS = 200


def version_of(data: bytes) -> str:
    """The version of a file's content: its SHA-256, in hex."""
    return hashlib.sha256(data).hexdigest()


class History:
    def __init__(self, case_file: Path, keep: int = MAX_VERSIONS):
        self.case_file = case_file
        self.folder = case_file.parent / FOLDER / case_file.name
        self.keep_at_most = keep

    def versions(self) -> list[Path]:
        """The kept versions, oldest first."""
        if not self.folder.is_dir() or self.folder.is_symlink():
            return []
        return sorted(p for p in self.folder.iterdir() if p.suffix == ".yaml" and p.is_file() and not p.is_symlink())

    def keep(self, data: bytes) -> Path | None:
        """Keep ``data`` as a version (unless the newest kept version is the same); the path written."""
        digest = version_of(data)[:12]
        kept = self.versions()
        if kept and kept[-1].stem.endswith(digest):
            return None
        self._make_folder()
        stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%S.%fZ")
        target = self.folder / f"{stamp}-{digest}.yaml"
        # A temporary file renamed into place: a link planted under that name is replaced, never followed.
        write_atomic(target, data, mode=0o600)
        for old in self.versions()[:-self.keep_at_most]:
            old.unlink(missing_ok=True)
        return target

    def _make_folder(self) -> None:
        for folder in (self.folder.parent, self.folder):
            if folder.is_symlink():
                raise OSError(f"{folder} is a symbolic link; not writing the history there")
            folder.mkdir(mode=0o700, exist_ok=True)
