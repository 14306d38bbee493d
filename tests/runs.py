"""Case runs for tests: a case file, a loaded case or a case model, run as the commands run it."""

from __future__ import annotations

from pathlib import Path

from kafka.loader import LoadedCase, load_case
from kafka.model import Case
from kafka.run import CaseRun, RunOptions, run_case


def case_run(source: str | Path | LoadedCase | Case, lang: str = "nl", *, to_be: bool = False, **options) -> CaseRun:
    """``source`` analysed with ``RunOptions.of(lang, **options)``; with ``to_be``, the
    to-be scenarios are worked out too (and a report draws them)."""
    if isinstance(source, Case):
        loaded = LoadedCase(Path(f"{source.id}.yaml"), source)
    elif isinstance(source, LoadedCase):
        loaded = source
    else:
        loaded = load_case(source)
    assert loaded.ok, [str(p) for p in loaded.problems]
    return run_case(loaded, RunOptions.of(lang, **options), simulate=to_be)
