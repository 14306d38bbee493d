"""Presentation mode of the live page: the case for the projector, one section at a time.

``/view/present`` shows the served case's report data (the same as ``kafka
report``) as slides: the process map large, the client's voice, the findings,
the proposals and the to-be map. Arrow keys move between them; "focus" dims
everything but one organisation (a lane of the map) or one phase (the steps
up to and including a decision). The page follows the file like the report
does: the live page reloads it on every change, on the same slide.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from kafka.analysis import Analysis
from kafka.i18n import Translator
from kafka.model import StepKind
from kafka.processmap import lanes
from kafka.render import jinja_env
from kafka.run import CaseRun
from kafka.serve import pages

_cache_lock = threading.Lock()
_cache: tuple[object, str] | None = None  # (the case state, its page): one served case, one page


@dataclass(frozen=True)
class Focus:
    key: str  # "org-0", "phase-1": never a case text
    label: str
    group: str  # org | phase
    anchors: tuple[str, ...]  # the steps' map anchors


def present_page(site) -> str:
    """The presentation page of ``site``'s case (a served file), or its problems page while invalid."""
    global _cache
    states = site.states()
    if not states:
        site.refresh()
        states = site.states()
    state = states[0]
    with _cache_lock:
        if _cache is not None and _cache[0] is state:
            return _cache[1]
    if state.run is None:
        html = site.main_page()  # the errors, as on the report's place
    else:
        try:
            if state.report is None and not site.folder:
                site.main_page()  # the report's data, made once for both pages
            html = present_html(state.run, state.report)
        except Exception as exc:  # noqa: BLE001 - show it in the page and keep serving
            html = pages.render_failed_html(state.name, f"{type(exc).__name__}: {exc}", site.lang)
    with _cache_lock:
        _cache = (state, html)
    return html


def focuses(analysis: Analysis) -> list[Focus]:
    t = Translator(analysis.lang)
    out = [Focus(f"org-{i}", lane.name, "org", tuple(f"map-step-{s}" for s in lane.steps))
           for i, lane in enumerate(lanes(analysis))]
    phase: list[tuple[int, str]] = []
    phases: list[list[tuple[int, str]]] = []
    for number, step in enumerate(analysis.case.steps, start=1):
        phase.append((number, step.id))
        if step.kind is StepKind.DECISION:
            phases.append(phase)
            phase = []
    if phase:
        phases.append(phase)
    if len(phases) > 1:
        for i, steps in enumerate(phases):
            label = t("edit.present.phase_label", first=steps[0][0], last=steps[-1][0])
            out.append(Focus(f"phase-{i}", label, "phase", tuple(f"map-step-{s}" for _, s in steps)))
    return out


def present_html(run: CaseRun, report=None) -> str:
    """The presentation page of ``run``; ``report``: its report's data, when made already."""
    from kafka.report.data import build_case_report

    env = jinja_env(run.lang, run.options.template_dirs)
    if report is None:
        report = build_case_report(run)
    all_focuses = focuses(run.analysis)
    data = {f.key: list(f.anchors) for f in all_focuses}
    return env.get_template("serve_present.html").render(report=report, focuses=all_focuses, focus_data=data)
