"""Settings of a kafka process (a command, an aggregate worker), not of the library.

kafka allocates many small, short-lived objects (parsed YAML, models, graphs,
report data) and makes few reference cycles, while Python's cyclic garbage
collector runs after every 700 allocations by default and, on a big case,
keeps walking the same long-lived objects. :func:`tune_gc` makes the
collector run less often and leaves out what the imports created; memory
stays the same, since nearly everything is freed by reference counting.

Measured (CPU): both to-be scenarios of a 3,000-step case 1.20 -> 0.97 s,
of a 10,000-step case 5.1 -> 3.4 s (see benchmarks/). A library user keeps
Python's defaults: only kafka's own processes call this.
"""

from __future__ import annotations

import gc

GC_THRESHOLDS = (10_000, 10, 10)


def tune_gc() -> None:
    gc.freeze()  # what exists now (the imports) lives for the whole process
    gc.set_threshold(*GC_THRESHOLDS)
