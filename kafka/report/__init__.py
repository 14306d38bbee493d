"""The HTML report of a case: report data (``kafka.report.data``) rendered with
the shared environment of :mod:`kafka.render`."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from kafka.output import case_file_stem, ensure_dir, inside, write_atomic
from kafka.render import drawing, jinja_env
from kafka.run import CaseRun

if TYPE_CHECKING:
    from kafka.report.data import CaseReport
    from kafka.report.to_be import ToBeReport


def render_case_report(run: CaseRun, *, link_back: str | None = None) -> str:
    """The full HTML page of one case run.

    The page shows the to-be maps and the before/after table when the run has
    scenarios and its options ask for them (``RunOptions.to_be``).
    ``link_back`` is a relative link to an index page (the VVSG site), shown
    at the top.
    """
    from kafka.report.data import build_case_report

    env = jinja_env(run.lang, run.options.template_dirs)
    with drawing(run.loaded.path):
        data = build_case_report(run, link_back=link_back)
        return env.get_template("case_report.html").render(report=data)


def render_live_report(run: CaseRun, *, link_back: str | None = None,
                       earlier_to_be: "ToBeReport | None" = None) -> tuple[str, "CaseReport"]:
    """The page of :func:`render_case_report` for the live preview (kafka.serve), and the data it
    shows (the presentation mode shows it too).

    A run made without its to-be (an edit shown at once; the to-be is worked out a moment
    later) shows ``earlier_to_be``, the one of the version before, where the to-be stands, so
    that the page keeps its sections in place until the new to-be follows.
    """
    from kafka.i18n import Translator
    from kafka.report.data import Section, build_case_report

    env = jinja_env(run.lang, run.options.template_dirs)
    with drawing(run.loaded.path):
        data = build_case_report(run, link_back=link_back)
        if data.to_be is None and earlier_to_be is not None:
            sections = list(data.sections)
            at = next((i for i, s in enumerate(sections) if s.anchor == "appendix"), len(sections))
            sections.insert(at, Section("to-be", Translator(run.lang)("report.sections.to_be")))
            data = replace(data, to_be=earlier_to_be, sections=sections, to_be_pending=True)
        return env.get_template("case_report.html").render(report=data), data


def report_file_name(case_id: str) -> str:
    """``<case id>.html``, the id made safe for a file name (kafka.output.case_file_stem)."""
    return f"{case_file_stem(case_id)}.html"


def write_case_report(run: CaseRun, folder: str | Path, *, link_back: str | None = None) -> Path:
    """Render the report of ``run`` and write it atomically to ``folder/<case id>.html``."""
    target = inside(ensure_dir(folder), report_file_name(run.case.id))
    return write_atomic(target, render_case_report(run, link_back=link_back))
