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
import secrets
import stat
import tempfile
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable, Iterator

from kafka.errors import OutputError

_UNSAFE = re.compile(r"[^a-z0-9_-]+")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
TEMP_SUFFIX = ".tmp"  # every temporary file kafka writes: .NAME.RANDOM.tmp beside the output
# Those names (RANDOM: 12 hex digits; 8 characters from tempfile in older versions).
_TEMPORARY = re.compile(r"^\.(?P<name>.+)\.(?:[0-9a-f]{12}|[a-z0-9_]{8})\.tmp$")


def writable_text(text: str) -> str:
    """``text`` as it can be written in UTF-8.

    A file name that is not UTF-8 (``caf\\xe9.yaml`` from a Windows or an old
    Mac disk) reaches Python with its odd bytes as lone surrogates; no UTF-8
    file can hold those. In what kafka writes for people (pages, CSV,
    spreadsheets, messages) each becomes U+FFFD, the replacement character.
    Case texts never hold one: the loader reads only valid UTF-8.
    """
    return _LONE_SURROGATE.sub("\ufffd", text)


def one_line(text: str) -> str:
    """``text`` on one line, safe to put in a comment of a YAML (or any line-based) output:
    every line break (also NEL, U+2028, U+2029, which YAML 1.1 counts) and every other
    unprintable character becomes a space. A file name with a line break would otherwise
    end the comment and add its own lines to what kafka writes."""
    return " ".join("".join(c if c.isprintable() else " " for c in text).split())


def utf8(text: str) -> bytes:
    """``text`` encoded as UTF-8, lone surrogates written as U+FFFD (:func:`writable_text`)."""
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return writable_text(text).encode("utf-8")


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
    """``folder / name``, refusing any name that would leave ``folder``.

    A symbolic link there that points into the folder is returned as the link
    itself: writing replaces the link, never the file it points to (which may
    be one of the inputs, see :func:`refuse_input`).
    """
    folder = folder.resolve()
    candidate = folder / name
    target = candidate.resolve()
    if target.parent != folder and folder not in target.parents:
        if candidate.is_symlink():  # planted or left behind: never followed out of the folder
            raise OutputError(f"refusing to write {candidate}: it is a symbolic link to {target}, outside {folder}")
        raise OutputError(f"refusing to write '{name}' outside {folder}")
    return candidate if candidate.is_symlink() else target


class _InputFiles:
    """The files this process has read as inputs, so that no output is ever written onto one.

    Readers note what they read (:func:`note_input`); every writer asks
    (:func:`write_atomic`, :func:`move_into_place`). A file is known by its
    real path and by its device and inode, so a symbolic link, a hard link or
    another spelling of the path that leads to an input is seen. An entry is
    only trusted while the input still has that inode: a deleted input's inode
    number, reused by a new file, does not block that file.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_inode: dict[tuple[int, int], str] = {}  # (st_dev, st_ino) -> the input's real path
        self._shown: dict[str, str] = {}  # real path -> the path as the user gave it

    def note(self, path: str | os.PathLike[str]) -> None:
        try:
            info = os.stat(path)
            real = os.path.realpath(path)
        except (OSError, ValueError):  # absent or unreadable: there is nothing to protect
            return
        with self._lock:
            self._by_inode[(info.st_dev, info.st_ino)] = real
            self._shown[real] = os.fspath(path)

    def find(self, target: str | os.PathLike[str]) -> str | None:
        """The input that writing ``target`` would overwrite (as the user named it), or None."""
        try:
            real = os.path.realpath(target)
            info = os.stat(target)
        except (OSError, ValueError):
            return None  # nothing there yet (or not reachable): no input is overwritten
        with self._lock:
            if not self._by_inode and not self._shown:
                return None
            candidates = [self._by_inode.get((info.st_dev, info.st_ino)), real if real in self._shown else None]
        for candidate in filter(None, candidates):
            try:
                now = os.stat(candidate)
            except OSError:
                continue  # the input is gone: nothing to protect there any more
            if (now.st_dev, now.st_ino) == (info.st_dev, info.st_ino):
                with self._lock:
                    return self._shown.get(candidate, candidate)
        return None


_INPUTS = _InputFiles()


@contextmanager
def inputs_of_one_run() -> Iterator[None]:
    """The block is one run (one command): the inputs noted in it are those it guards, and
    they are forgotten after it. A program that runs several commands in one process (a
    test, a notebook) may write a file that an earlier command read."""
    global _INPUTS
    outer, _INPUTS = _INPUTS, _InputFiles()
    try:
        yield
    finally:
        _INPUTS = outer


def note_input(path: str | os.PathLike[str]) -> None:
    """Remember ``path`` as an input of this process: no writer of kafka will write onto it.

    Every reader of user files calls this (the loader, the spreadsheet import,
    aggregate for the files its workers read)."""
    _INPUTS.note(path)


def note_inputs(paths: Iterable[str | os.PathLike[str]]) -> None:
    for path in paths:
        _INPUTS.note(path)


def refuse_inputs(target: str | os.PathLike[str], inputs: Iterable[str | os.PathLike[str]]) -> None:
    """Note ``inputs`` and refuse ``target`` now, before the work (the check that every
    writer makes anyway, made early so that a long run does not fail at its end)."""
    note_inputs(inputs)
    refuse_input(target)


def refuse_input(target: str | os.PathLike[str]) -> None:
    """An OutputError when writing ``target`` would overwrite a file this process read
    (directly, through a symbolic link or a hard link)."""
    source = _INPUTS.find(target)
    if source is None:
        return
    how = ""
    if os.path.islink(target):
        how = f" (it is a symbolic link to {os.path.realpath(target)})"
    elif os.path.realpath(target) != os.path.realpath(source):
        how = " (it is a hard link to it)"
    raise OutputError(f"refusing to overwrite {source}, which this command reads: the output {target} leads to "
                      f"it{how}; choose another output, or remove the link")


def ensure_dir(folder: str | os.PathLike[str]) -> Path:
    path = Path(folder)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create the output folder {path}: {exc.strerror or exc}") from None
    if not path.is_dir():
        raise OutputError(f"{path} exists and is not a folder")
    return path


_REASONS = {
    errno.ENOSPC: "the disk is full",
    errno.EACCES: "permission denied (is the folder read-only?)",
    errno.EROFS: "the file system is read-only",
    errno.EDQUOT: "the disk quota is exceeded",
}


def _reason(exc: OSError) -> str:
    return _REASONS.get(exc.errno, exc.strerror or str(exc))


def _existing_mode(path: Path) -> int | None:
    """The permissions of the regular file at ``path``, which a new version keeps; None when there is none."""
    try:
        info = os.lstat(path)
    except OSError:
        return None
    return stat.S_IMODE(info.st_mode) & 0o777 if stat.S_ISREG(info.st_mode) else None


def current_umask() -> int:
    """The process's umask, read without changing it (other threads may be creating files meanwhile)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:  # Linux 4.7 and later
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)  # elsewhere: the only way is to set it and put it back
    os.umask(mask)
    return mask


def _create_temporary(folder: Path, name: str, mode: int | None) -> tuple[int, str]:
    """A new, empty temporary file beside the output.

    A new output gets the permissions a program's new files get (0666 less the
    umask: under ``umask 077`` only the user can read a report with clients'
    stories); a file that replaces one keeps that file's permissions. The
    permissions are set before any content is written.
    """
    for _ in range(100):
        tmp_name = str(folder / f".{name}.{secrets.token_hex(6)}{TEMP_SUFFIX}")
        try:
            fd = os.open(tmp_name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0),
                         0o666 if mode is None else mode)
        except FileExistsError:
            continue
        if mode is not None and hasattr(os, "fchmod"):  # not on Windows before Python 3.13
            try:
                os.fchmod(fd, mode)  # exactly the old mode, whatever the umask
            except BaseException:
                os.close(fd)
                os.unlink(tmp_name)
                raise
        return fd, tmp_name
    raise FileExistsError(errno.EEXIST, "no free temporary name", str(folder))


def write_atomic(path: str | os.PathLike[str], content: str | bytes | Iterable[str | bytes],
                 mode: int | None = None, *, edit_input: bool = False) -> Path:
    """Write ``content`` to ``path`` via a temporary file and an atomic rename.

    ``content`` may also be an iterable of pieces (str or bytes), written one
    after the other, so a large file never has to exist as one string. Text is
    written as UTF-8 (:func:`utf8`).

    ``mode``: the file's permissions; by default those of the file it replaces,
    or for a new file what the umask gives (0644 under the usual 022, 0600
    under 077).

    A path that leads to a file this process read as input is refused
    (:func:`refuse_input`), unless ``edit_input``: only where the user asked
    kafka to change that very file (the workshop editor of ``kafka serve``).
    """
    path = Path(path)
    if not edit_input:
        refuse_input(path)
    pieces = [content] if isinstance(content, (str, bytes)) else content
    tmp_name = None
    try:
        fd, tmp_name = _create_temporary(path.parent, path.name, mode if mode is not None else _existing_mode(path))
        with os.fdopen(fd, "wb") as handle:
            for piece in pieces:
                handle.write(utf8(piece) if isinstance(piece, str) else piece)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, path)
        tmp_name = None
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {_reason(exc)}") from None
    finally:
        if tmp_name is not None:
            try:
                os.unlink(tmp_name)
            except OSError:
                pass
    return path


def move_into_place(source: str | os.PathLike[str], target: str | os.PathLike[str]) -> Path:
    """Rename ``source`` (a finished file kafka wrote, e.g. a staged report) to ``target``, atomically.

    The same guarantees as :func:`write_atomic`: never onto an input, a file
    that is replaced keeps its permissions, a new one gets those of the umask
    of this process (``source`` may come from a worker process started earlier).
    """
    target = Path(target)
    refuse_input(target)
    try:
        mode = _existing_mode(target)
        os.chmod(source, 0o666 & ~current_umask() if mode is None else mode)
        os.replace(source, target)
    except OSError as exc:
        raise OutputError(f"cannot write {target}: {_reason(exc)}") from None
    return target


def remove_temporaries(folder: Path, suffixes: tuple[str, ...]) -> list[Path]:
    """Delete the temporary files that a write into ``folder`` left when its process was killed
    (``.index.html.RANDOM.tmp``), for outputs ending in one of ``suffixes``; the paths removed.

    Only call this while no other process may be writing there (kafka aggregate holds its
    folder's lock): a temporary file of a running write looks the same.
    """
    removed = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        match = _TEMPORARY.match(entry.name)
        if match and match.group("name").endswith(suffixes) and entry.is_file(follow_symlinks=False):
            try:
                os.unlink(entry.path)
                removed.append(Path(entry.path))
            except OSError:
                pass
    return removed


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

