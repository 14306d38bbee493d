"""Starter case files for ``kafka new``: commented examples a workshop fills in.

The starters are package data (``kafka/data/starters/<procedure>.yaml``) with a
few ``${name}`` placeholders. A procedure without its own starter gets the
generic one with its ``procedure:`` key filled in.
"""

from __future__ import annotations

import datetime as dt
import re
from importlib import resources
from string import Template

from kafka.errors import InputError
from kafka.model import ID_PATTERN
from kafka.output import one_line

GENERIC = "generic"
_ID = re.compile(ID_PATTERN)
# The generic starter's procedure line when no procedure is given: kept as a hint.
_PROCEDURE_LINE = "procedure: ${procedure}"
_PROCEDURE_HINT = "# procedure: leefloon  "


def is_id(text: str) -> bool:
    return bool(_ID.match(text)) and len(text) <= 100


def starter_names() -> list[str]:
    """The procedures that have their own starter, plus 'generic'."""
    folder = resources.files("kafka").joinpath("data/starters")
    return sorted(e.name.removesuffix(".yaml") for e in folder.iterdir() if e.name.endswith(".yaml"))


def starter_text(case_id: str, procedure: str | None = None, file_name: str | None = None,
                 today: dt.date | None = None, lang: str = "en") -> str:
    """The commented starter case file for ``case_id``, ready to write, its comments in ``lang``."""
    for what, value in (("case id", case_id), ("procedure", procedure)):
        if value is not None and not is_id(value):
            raise InputError(
                f"'{value}' is not a valid {what}: use lowercase letters, digits, '-' and '_', "
                "starting with a letter or digit"
            )
    name = procedure if procedure in starter_names() else GENERIC
    text = resources.files("kafka").joinpath(f"data/starters/{name}.yaml").read_text(encoding="utf-8")
    text = translate_comments(text, lang)
    if procedure is None:
        text = text.replace(_PROCEDURE_LINE, _PROCEDURE_HINT)
    return Template(text).safe_substitute(
        id=case_id,
        procedure=procedure or "",
        date=(today or dt.date.today()).isoformat(),
        file=one_line(file_name or f"{case_id}.yaml"),  # in a comment: one line
    )


_INLINE_COMMENT = re.compile(r"(?<=\s)#(?: |$)")


def translate_comments(text: str, lang: str) -> str:
    """``text`` (a starter, its comments in English) with its comments in ``lang``.

    The starters hold the English texts of kafka/locale/en/starters.yaml; each
    comment, or run of whole-line comments (a block), is put in the place of the
    same key's text in ``lang``. A comment without a text in the catalogue is a
    mistake in kafka, not in the user's input: KeyError (tests/test_starters_lang.py).
    """
    if lang == "en":
        return text
    from kafka.i18n import catalogue  # late: the starters are read without the catalogues otherwise

    english = {value: key for key, value in catalogue("en").items() if key.startswith("starters.")}
    said = catalogue(lang)

    def translated(comment: str) -> str:
        return said[english[comment]]

    out: list[str] = []
    block: list[str] = []
    indent = ""

    def flush() -> None:
        if block:
            out.extend(f"{indent}# {line}".rstrip() for line in translated("\n".join(block)).split("\n"))
            block.clear()

    for line in text.split("\n"):
        stripped = line.lstrip()
        if stripped.startswith("#"):
            if not block:
                indent = line[: len(line) - len(stripped)]
            block.append(stripped[1:].removeprefix(" "))
            continue
        flush()
        match = _INLINE_COMMENT.search(line)
        if match:
            line = line[: match.start()] + "# " + translated(line[match.end():])
        out.append(line)
    flush()
    return "\n".join(out)
