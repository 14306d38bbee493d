"""A private folder for what kafka can make again but need not: compiled templates and
its own data files already parsed.

Every ``kafka report`` reads kafka's catalogues and texts (a dozen YAML files) and its
templates. Parsing and compiling them is the same work every time, and was most of what a
first report costs beyond its case (PyYAML's constructor alone, 10 ms of a 70 ms report of
30 steps). This module keeps the results between runs.

The folder is ``<temporary folder>/kafka-cache-<uid>``: created for this user only (0700)
and refused when anyone else owns it or others may write in it, as jinja does for its own
cache, since what is read from it is trusted. Nothing of a case is ever put there: only
kafka's own files. A cache that cannot be read or written is no error; the work is done as
it would have been without one.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import stat
import sys
import tempfile
from functools import cache
from pathlib import Path
from typing import Any, Callable


@cache
def private_folder() -> Path | None:
    """The cache folder, made if needed; None when there is no safe one to be had."""
    folder = Path(tempfile.gettempdir()) / f"kafka-cache-{os.getuid()}"
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
        info = folder.lstat()
    except OSError:
        return None
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o077:
        return None  # a link, or a folder someone else made or can write in: not ours to trust
    return folder


def parsed(text: str, parse: Callable[[str], Any], kind: str) -> Any:
    """``parse(text)``, kept in the private folder under a digest of ``text`` and ``kind``.

    ``kind`` names the parser and its version (the same text parsed by another
    parser is another entry). The result must be plain data (dicts, lists, text,
    numbers, booleans, None): it is stored with :mod:`marshal`, whose format is
    the interpreter's own, so the interpreter's version is part of the key.
    """
    folder = private_folder()
    if folder is None:
        return parse(text)
    key = hashlib.blake2b(f"{kind}\0{sys.version}\0{marshal.version}\0{text}".encode("utf-8", "surrogatepass"),
                          digest_size=16).hexdigest()
    path = folder / f"data-{key}.marshal"
    try:
        with open(path, "rb") as handle:
            return marshal.loads(handle.read())  # marshal.load(handle) reads piece by piece: 4x slower
    except (OSError, EOFError, ValueError, TypeError):  # not there yet, or damaged: parse again
        pass
    value = parse(text)
    try:
        _write_atomically(path, marshal.dumps(value))
    except (OSError, ValueError):  # a full disk, a read-only folder, or a value marshal cannot store
        pass
    return value


def _write_atomically(path: Path, data: bytes) -> None:
    """Another kafka running at the same time reads the old file or the new one, never half of one."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".marshal")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
