"""Writing outputs safely.

Every file is written to a temporary file in the same folder and renamed into
place, so an interrupted run leaves the previous version intact. File names
derived from case ids go through :func:`safe_name`, and :func:`inside` checks
that a path stays inside the chosen output folder whatever a case file says.
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import tempfile
from pathlib import Path
from typing import Iterable

from kafka.errors import OutputError

_UNSAFE = re.compile(r"[^a-z0-9_-]+")


def safe_name(text: str, fallback: str = "case") -> str:
    """A file-name stem made only of [a-z0-9_-]; never empty, never '.' or '..'."""
    stem = _UNSAFE.sub("-", str(text).lower()).strip("-_")[:100]
    return stem or fallback


def case_file_stem(case_id: str) -> str:
    """The file-name stem of a case's outputs: the id itself when it is a safe
    name, else the safe name plus a hash of the id.

    Two valid ids only share a safe name when one ends in '-' or '_' (which
    safe_name strips): "abc" and "abc-" must not overwrite each other's report.
    """
    stem = safe_name(case_id)
    if stem != case_id:
        stem = f"{stem[:90]}-{hashlib.sha256(case_id.encode()).hexdigest()[:8]}"
    return stem


def inside(folder: Path, name: str) -> Path:
    """``folder / name``, refusing any name that would leave ``folder``."""
    folder = folder.resolve()
    candidate = folder / name
    target = candidate.resolve()
    if target.parent != folder and folder not in target.parents:
        if candidate.is_symlink():  # planted or left behind: never followed out of the folder
            raise OutputError(f"refusing to write {candidate}: it is a symbolic link to {target}, outside {folder}")
        raise OutputError(f"refusing to write '{name}' outside {folder}")
    return target


def refuse_inputs(target: str | os.PathLike[str], inputs: Iterable[str | os.PathLike[str]]) -> None:
    """An OutputError when ``target`` is one of the command's ``inputs``: the same file,
    also through a symlink or a hard link. A command never overwrites what it read."""
    for source in inputs:
        try:
            same = os.path.samefile(target, source)
        except OSError:  # one of them does not exist: nothing to overwrite
            continue
        if same:
            raise OutputError(f"refusing to overwrite {source}, which this command reads; choose another output")


def ensure_dir(folder: str | os.PathLike[str]) -> Path:
    path = Path(folder)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create the output folder {path}: {exc.strerror or exc}") from None
    if not path.is_dir():
        raise OutputError(f"{path} exists and is not a folder")
    return path


def write_atomic(path: str | os.PathLike[str], content: str | bytes | Iterable[str | bytes],
                 mode: int = 0o644) -> Path:
    """Write ``content`` to ``path`` via a temporary file and an atomic rename.

    ``content`` may also be an iterable of pieces (str or bytes), written one
    after the other, so a large file never has to exist as one string.
    ``mode``: the new file's permissions (the workshop editor keeps a case file's own).
    """
    path = Path(path)
    pieces = [content] if isinstance(content, (str, bytes)) else content
    tmp_name = None
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "wb") as handle:
            for piece in pieces:
                handle.write(piece.encode("utf-8") if isinstance(piece, str) else piece)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp_name, mode)
        os.replace(tmp_name, path)
        tmp_name = None
    except OSError as exc:
        reason = {
            errno.ENOSPC: "the disk is full",
            errno.EACCES: "permission denied (is the folder read-only?)",
            errno.EROFS: "the file system is read-only",
            errno.EDQUOT: "the disk quota is exceeded",
        }.get(exc.errno, exc.strerror or str(exc))
        raise OutputError(f"cannot write {path}: {reason}") from None
    finally:
        if tmp_name is not None:
            try:
                os.unlink(tmp_name)
            except OSError:
                pass
    return path


def create_private(path: str | os.PathLike[str], content: str) -> Path:
    """Create ``path`` for a secret (a pseudonymisation key): readable by its owner only (0600),
    written whole or not at all, and never over an existing file (FileExistsError).

    The content goes to a temporary file (mkstemp makes it 0600) that is then hard-linked
    into place: the link is both atomic and exclusive.
    """
    path = Path(path)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content.encode("utf-8"))
            handle.flush()
            os.fsync(handle.fileno())
        os.link(tmp_name, path)
    finally:
        os.unlink(tmp_name)
    return path

