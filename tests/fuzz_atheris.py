"""Coverage-guided fuzzing of the loader and the analysis with atheris (libFuzzer).

Run by ``make fuzz`` (tests/test_fuzz.py::test_atheris_campaign), or by hand:

    .venv/bin/python tests/fuzz_atheris.py CORPUS_DIR -max_total_time=600

Each input is fed as bytes to :func:`kafka.loader.load_text`; valid cases are
analysed. The oracle is tests/fuzzlib.py: anything but a valid case or a list
of problems -- an exception, a hang (``-timeout``), runaway memory
(``-rss_limit_mb``) -- is a crash, and libFuzzer saves the input. The
normalised messages reached are appended, once each, to the file named by
``KAFKA_FUZZ_MESSAGES`` when set.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import atheris

sys.path.insert(0, str(Path(__file__).resolve().parent))

with atheris.instrument_imports(include=["kafka", "yaml"]):
    import fuzzlib
    from kafka.analysis import analyze
    from kafka.loader import load_text

_SEEN: set[str] = set()
_OUT = os.environ.get("KAFKA_FUZZ_MESSAGES")


def one_input(data: bytes) -> None:
    loaded = load_text(data, "fuzz.yaml")
    fuzzlib.check_loaded(loaded)
    if loaded.ok:
        fuzzlib.check_analysis(analyze(loaded.case))
    if _OUT:
        new = {fuzzlib.normalise(p.message) for p in loaded.problems} - _SEEN
        if new:
            _SEEN.update(new)
            with open(_OUT, "a", encoding="utf-8") as handle:
                handle.writelines(m + "\n" for m in sorted(new))


def main() -> None:
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
