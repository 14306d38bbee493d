"""kafka.aggregate.beside: work done by a copy of the process comes back as if done here."""

from __future__ import annotations

import os
import threading

import pytest

from kafka.aggregate.beside import Beside, can_fork
from kafka.errors import OutputError

needs_fork = pytest.mark.skipif(not can_fork(), reason="no copy of the process can be made here")


@needs_fork
def test_the_work_is_done_by_a_copy_and_its_result_comes_back():
    parent = os.getpid()
    work = Beside(lambda: (os.getpid(), [1, "twee"]))
    pid, value = work.result()
    assert pid != parent and value == [1, "twee"]


@needs_fork
def test_an_error_of_the_copy_is_raised_here():
    def fail():
        raise OutputError("cannot write x.csv: disk full")

    with pytest.raises(OutputError, match="disk full"):
        Beside(fail).result()


@needs_fork
def test_a_copy_that_dies_without_an_answer_has_its_work_done_here():
    parent = os.getpid()

    def work():
        if os.getpid() != parent:
            os._exit(9)  # as if killed
        return "done here"

    assert Beside(work).result() == "done here"


def test_without_parallel_or_beside_another_thread_the_work_is_done_here():
    parent = os.getpid()
    assert Beside(os.getpid, parallel=False).result() == parent
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert not can_fork()
        assert Beside(os.getpid).result() == parent
    finally:
        stop.set()
        other.join()
