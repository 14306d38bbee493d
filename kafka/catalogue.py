"""The built-in catalogue of authentic sources (``kafka/data/sources.yaml``)."""

from __future__ import annotations

from functools import cache
from importlib import resources

import yaml

from kafka.model import Case, Source

# kafka's own data files: PyYAML's C loader when it is there (ten times faster; the
# catalogues were a fifth of a first report), the same safe loader otherwise.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@cache
def builtin_sources() -> dict[str, Source]:
    text = resources.files("kafka").joinpath("data/sources.yaml").read_text(encoding="utf-8")
    return {key: Source.model_validate(value) for key, value in yaml.load(text, Loader=_LOADER).items()}


def sources_for(case: Case) -> dict[str, Source]:
    """The sources a case can name: the catalogue, overridden by the case's own."""
    return {**builtin_sources(), **case.sources}


def catalogue_rows() -> list[dict]:
    """The built-in catalogue as plain rows, in catalogue order (for listings and JSON)."""
    return [
        {"key": key, "name": s.name, "what": s.what, "level": str(s.level), "via": s.via,
         "local_access": s.local_access}
        for key, s in builtin_sources().items()
    ]
