"""Work done by a copy of this process while it goes on with other work: the site on two cores.

After the tables are made, the exports (findings.csv, proposals.csv,
summary.xlsx and the blocks kept for the next run) and the pages draw on the
same tables but not on each other: a copy of the process (``fork``: it has
the tables already, nothing is sent to it) writes the exports while this one
writes the pages and the database. Only the copy's answer comes back (the
paths it wrote, or its error).

Where a copy cannot be made safely (not Linux, or another thread is running:
the live preview of ``kafka serve`` aggregates from a thread) the work is
simply done here, when its result is asked for.
"""

from __future__ import annotations

import signal
import sys
import threading
from typing import Callable, Generic, TypeVar

T = TypeVar("T")


def can_fork() -> bool:
    """Whether this process can be copied safely: on Linux, and with no other thread running
    (a copy would find the locks such a thread holds taken for ever)."""
    return sys.platform == "linux" and threading.active_count() == 1


class Beside(Generic[T]):
    """``work()`` started in a copy of this process (or, where none can be made, run by :meth:`result`)."""

    def __init__(self, work: Callable[[], T], *, parallel: bool = True) -> None:
        self._work = work
        self._process = None
        if parallel and can_fork():
            import multiprocessing

            context = multiprocessing.get_context("fork")
            self._answer, send = context.Pipe(duplex=False)
            self._process = context.Process(target=_answer, args=(work, send), daemon=True)
            self._process.start()
            send.close()

    def result(self) -> T:
        """What ``work()`` returned; its error is raised here."""
        if self._process is None:
            return self._work()
        try:
            ok, value = self._answer.recv()
        except (EOFError, OSError):
            ok, value = None, None
        finally:
            self._answer.close()
            self._process.join()
        if ok is None:  # the copy ended without an answer (killed): the work is done here after all
            return self._work()
        if not ok:
            raise value
        return value


    def abandon(self) -> None:
        """End the copy without waiting for its answer (the run failed; what it was writing is a
        temporary file that the next run removes)."""
        if self._process is not None:
            self._process.terminate()
            self._process.join()
            self._answer.close()
            self._process = None


def _answer(work: Callable[[], T], send) -> None:
    """In the copy: do the work and send back its result, or its error."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the run's to handle, not the copy's
    try:
        reply = (True, work())
    except BaseException as exc:  # noqa: BLE001 - every error goes back to the run, which raises it
        reply = (False, exc)
    try:
        send.send(reply)
    except Exception:  # noqa: BLE001 - an error that cannot be pickled: its text then
        send.send((False, RuntimeError(f"{type(reply[1]).__name__}: {reply[1]}")))
    finally:
        send.close()


__all__ = ["Beside", "can_fork"]
