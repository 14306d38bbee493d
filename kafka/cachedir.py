"""A private folder for what kafka can make again but need not: its own data files, parsed.

Every ``kafka report`` reads kafka's catalogues and texts (a dozen YAML files inside the
package). Parsing them is the same work every time, and was a seventh of what a first report
costs beyond its case (PyYAML's constructor: 10 ms of a 70 ms report of 30 steps). This
module keeps the results between runs (the compiled templates are kept likewise, in jinja's
own folder: kafka.render).

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

from kafka.errors import OutputError
from kafka.output import write_atomic


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
        data = marshal.dumps(value)
    except ValueError:  # a value marshal cannot store (a date): parsed again next time
        return value
    try:
        # Another kafka running at the same time reads the old file or the new one, never half of one.
        write_atomic(path, data, mode=0o600)
        _prune(folder)
    except (OutputError, OSError):  # a full disk or a read-only folder: parsed again next time
        pass
    return value


MOST_ENTRIES = 256  # every version of kafka's data files leaves its own entries (a dozen files each)


def _prune(folder: Path) -> None:
    """Past :data:`MOST_ENTRIES`, remove the oldest half: what an older kafka or an edited
    catalogue left. Only after a new entry was written, so a run that finds what it needs
    never lists the folder."""
    entries = list(folder.glob("data-*.marshal"))
    if len(entries) <= MOST_ENTRIES:
        return
    by_age = sorted(entries, key=lambda entry: entry.stat().st_mtime)
    for entry in by_age[: len(entries) - MOST_ENTRIES // 2]:
        entry.unlink(missing_ok=True)
