"""The built-in catalogue of authentic sources (``kafka/data/sources.yaml``)."""

from __future__ import annotations

from functools import cache
from importlib import resources

from kafka.model import Case, Source
from kafka.yamlsource import load_data


@cache
def builtin_sources() -> dict[str, Source]:
    text = resources.files("kafka").joinpath("data/sources.yaml").read_text(encoding="utf-8")
    return {key: Source.model_validate(value) for key, value in load_data(text).items()}


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
