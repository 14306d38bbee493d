"""Settings of a kafka process (a command, an aggregate worker), not of the library.

kafka allocates many small, short-lived objects (parsed YAML, models, graphs,
report data) and makes few reference cycles, while Python's cyclic garbage
collector runs after every 700 allocations by default and, on a big case,
keeps walking the same long-lived objects. :func:`tune_gc` makes the
collector run less often and leaves out what the imports created; memory
stays the same, since nearly everything is freed by reference counting.

Measured (CPU): both to-be scenarios of a 3,000-step case 1.20 -> 0.97 s,
of a 10,000-step case 5.1 -> 3.4 s (see benchmarks/). A report holds a few
tens of thousands of young objects at its peak: with the first threshold at
50,000 instead of 10,000 a 100-step report meets no collection instead of
three (about 10 ms of its 0.2 s: next render 0.200 -> 0.188 s, least of
eight, same process, alternately); peak memory of a 1,000-step report the
same (166 MiB). A library user keeps Python's defaults: only kafka's own
processes call this.
"""

from __future__ import annotations

import gc

GC_THRESHOLDS = (50_000, 10, 10)


def tune_gc() -> None:
    gc.freeze()  # what exists now (the imports) lives for the whole process
    gc.set_threshold(*GC_THRESHOLDS)
