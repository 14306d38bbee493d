"""Which case files there are under the served path, and whether they changed.

Plain polling of modification times and sizes: it works the same on every
platform and every editor (those that write in place and those that write a
temporary file and rename it), needs no dependency, and a few dozen
``stat`` calls every fiftieth of a second cost nothing.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from kafka.loader import iter_case_files

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Stamp:
    """What a file looked like when it was read: a different stamp means it changed."""

    mtime_ns: int
    size: int


def stamp(path: Path) -> Stamp | None:
    """The file's stamp, or None when it is missing (an editor may be replacing it)."""
    try:
        info = path.stat()
    except OSError:
        return None
    return Stamp(info.st_mtime_ns, info.st_size)


def case_files(target: Path) -> list[Path]:
    """The served file, or the case files under the served folder (as ``kafka validate`` finds them)."""
    if target.is_dir():
        return list(iter_case_files([target]))
    return [target]


def scan(target: Path) -> dict[Path, Stamp | None]:
    return {path: stamp(path) for path in case_files(target)}


class Poller(threading.Thread):
    """Calls ``check`` every ``interval`` seconds until ``stop`` is set.

    ``check`` may return the seconds it spent looking at the files; when that
    is long (a big folder), it is called less often. An exception in ``check`` is logged and polling goes on: a live preview
    must outlive any one bad file.
    """

    def __init__(self, check: Callable[[], float | None], interval: float, stop: threading.Event):
        super().__init__(name="kafka-serve-poller", daemon=True)
        self._check = check
        self._interval = interval
        self._halt = stop

    def run(self) -> None:
        pause = self._interval
        while not self._halt.wait(pause):
            try:
                looked = self._check()
            except Exception:  # noqa: BLE001 - keep watching whatever happened
                log.exception("checking the case files failed")
                continue
            # A big folder takes longer to look at: then look less often, so that
            # watching takes at most a fifth of a processor. Only looking counts
            # (not rendering a change), so an edit never slows down the next one.
            if isinstance(looked, float):
                pause = max(self._interval, 4 * looked)
