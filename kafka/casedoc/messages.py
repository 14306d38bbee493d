"""A loader problem as the editor shows it, in the page's language.

The loader's messages are English today (issue 14 translates them). This is
the one place the editor asks for a problem's text, with the language, so a
translated message drops in here: when the ``edit`` catalogue (or a later
``problems`` catalogue) has a text for the problem's kind, that is used.
"""

from __future__ import annotations

from kafka.diagnostics import Problem
from kafka.i18n import Translator


def problem_message(problem: Problem, lang: str) -> str:
    t = Translator(lang)
    key = f"problems.{problem.kind}"  # the catalogue issue 14 adds; its messages take the problem's fields
    if t.has(key):
        try:
            return t(key, path=problem.path, message=problem.message)
        except (KeyError, IndexError):
            pass
    return problem.message
