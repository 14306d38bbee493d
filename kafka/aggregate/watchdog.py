"""Worker processes end when the run that started them is gone.

``kafka aggregate`` renders in worker processes that a forkserver starts. When
the run ends normally it stops them; when it is killed (``kill -9``, the
terminal closed, out of memory) nobody does: each worker waits for work on a
pipe that it holds open itself, and the forkserver and the resource tracker
wait for the workers. They lived on for minutes (issue 18).

So each worker watches the run's process: on Linux through a pidfd (the
kernel says when that very process has ended; a reused process id cannot
fool it), elsewhere by asking every second whether the process id still
exists. When it is gone the worker exits at once; the forkserver and the
resource tracker then see their last client leave and end too.
"""

from __future__ import annotations

import os
import select
import threading
import time

POLL_SECONDS = 1.0


def exit_when_gone(pid: int) -> threading.Thread:
    """Start a daemon thread that ends this process as soon as process ``pid`` has ended."""
    watcher = threading.Thread(target=_watch, args=(pid,), name="kafka-parent-watchdog", daemon=True)
    watcher.start()
    return watcher


def _watch(pid: int) -> None:
    try:
        fd = os.pidfd_open(pid)
    except (AttributeError, OSError):  # not Linux 5.3+, or the process is already gone
        fd = None
    if fd is not None:
        select.select([fd], [], [])  # readable once the process has ended
    else:
        while _alive(pid):
            time.sleep(POLL_SECONDS)
    os._exit(1)  # noqa: SLF001 - at once: no clean-up of a run that no longer exists


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except PermissionError:
        return True  # it exists, under another user
    except OSError:
        return False
    return True
