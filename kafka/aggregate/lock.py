"""One ``kafka aggregate`` at a time writes into a site folder.

Two runs into one folder would delete each other's staged reports and mix
their manifests. The lock is the operating system's: ``flock`` on the file
``.kafka-aggregate.lock`` in the folder (``msvcrt.locking`` on Windows), held
for the whole run. Taking it is atomic, so several runs that start at the
same moment get exactly one holder, and it is released by the kernel when
its process ends in any way, even ``kill -9``: a lock file left behind is
simply taken by the next run. The file holds the holder's process id, only
to name it in the message of a run that is refused.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from kafka.errors import OutputError
from kafka.output import inside

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]
    import msvcrt

LOCK_NAME = ".kafka-aggregate.lock"
_ATTEMPTS = 20  # a holder that unlinks the file as we open it: try again with the new file


@contextmanager
def site_lock(folder: Path) -> Iterator[None]:
    """Hold the folder's lock for the block; an OutputError when another run holds it."""
    lock = inside(folder, LOCK_NAME)
    for _ in range(_ATTEMPTS):
        handle = _open(lock, folder)
        if not _try_lock(handle):
            owner = _owner(handle)
            os.close(handle)
            who = f" (process {owner})" if owner else ""
            raise OutputError(f"another 'kafka aggregate'{who} is writing into {folder}; wait until it has finished")
        if _same_file(handle, lock):
            break
        # The run that held it removed the file between our open and our lock: ours is
        # a lock on a file nobody else will open. Start again with the file at that name.
        os.close(handle)
    else:
        raise OutputError(f"cannot lock {folder} for writing; try again")
    try:
        os.ftruncate(handle, 0)
        os.write(handle, str(os.getpid()).encode("ascii"))
        yield
    finally:
        # Removed while still held, so that a run that opens it meanwhile sees the
        # file gone (_same_file) instead of locking a stale one.
        try:
            lock.unlink(missing_ok=True)
        finally:
            os.close(handle)


def _open(lock: Path, folder: Path) -> int:
    flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOFOLLOW", 0)
    try:
        return os.open(lock, flags, 0o644)
    except OSError as exc:
        raise OutputError(f"cannot write into {folder}: {exc.strerror or exc}") from None


def _try_lock(handle: int) -> bool:
    try:
        if fcntl is not None:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        else:  # pragma: no cover - Windows
            msvcrt.locking(handle, msvcrt.LK_NBLCK, 1)
    except (BlockingIOError, PermissionError):
        return False
    except OSError as exc:
        if fcntl is None:  # pragma: no cover - Windows says "deadlock avoided" for a held lock
            return False
        raise OutputError(f"cannot lock the output folder: {exc.strerror or exc}") from None
    return True


def _same_file(handle: int, lock: Path) -> bool:
    try:
        here, there = os.fstat(handle), os.stat(lock, follow_symlinks=False)
    except OSError:
        return False
    return (here.st_dev, here.st_ino) == (there.st_dev, there.st_ino)


def _owner(handle: int) -> int | None:
    try:
        text = os.pread(handle, 32, 0).decode("ascii").strip()
        return int(text) if text else None
    except (OSError, ValueError, AttributeError):
        return None
