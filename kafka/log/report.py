"""The log report's page data: measures plus the words, numbers and drawings a reader sees.

:func:`build_log_report` is the only function that turns
:class:`~kafka.log.measure.LogMeasures` into something to show; the template
(``templates/log_report.html``) only reads the :class:`LogReportPage`. The
SVG fragments (map and plots) are :class:`markupsafe.Markup`, with every text
in them escaped where they are drawn.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from markupsafe import Markup

from kafka import __version__
from kafka.i18n import Translator
from kafka.log.formatting import Formatter
from kafka.log.measure import DeadlineMeasure, LogMeasures, Stats
from kafka.log.plots import BoxRow, Mark, boxes_svg, histogram_svg, shares_svg
from kafka.log.procmap import measured_map


@dataclass(frozen=True)
class Section:
    anchor: str
    title: str


@dataclass(frozen=True)
class Card:
    key: str
    label: str
    value: str
    note: str = ""
    alert: bool = False


@dataclass(frozen=True)
class DeadlineView:
    measure: DeadlineMeasure
    plot: Markup | None


@dataclass(frozen=True)
class LogReportPage:
    lang: str
    generator: str
    generated_on: str
    m: LogMeasures
    f: Formatter
    sections: list[Section]
    cards: list[Card]
    map_svg: Markup
    map_width: float
    map_note: str  # what the map left out, or ""
    lead_plot: Markup
    waits_plot: Markup
    work_plot: Markup | None
    deadlines: list[DeadlineView]
    rest_cases: int  # cases outside the variants shown


def build_log_report(m: LogMeasures, lang: str) -> LogReportPage:
    t = Translator(lang)
    f = Formatter(t)
    s = m.summary
    sections = [Section("figures", t("log.sections.figures")), Section("map", t("log.sections.map")),
                Section("lead", t("log.sections.lead")), Section("waits", t("log.sections.waits")),
                Section("transitions", t("log.sections.transitions")), Section("variants", t("log.sections.variants")),
                Section("rework", t("log.sections.rework"))]
    if s.has_org:
        sections.append(Section("handovers", t("log.sections.handovers")))
    if m.deadlines:
        sections.append(Section("deadlines", t("log.sections.deadlines")))
    if m.attributes:
        sections.append(Section("attributes", t("log.sections.attributes")))
    sections.append(Section("about", t("log.sections.about")))
    drawn = measured_map(m, days=f.days, times=f.times, start_label=t("log.map.start"), end_label=t("log.map.end"),
                         wait_word=t("log.map.wait"))
    note = ""
    if drawn.nodes_shown < drawn.nodes_total or drawn.edges_shown < drawn.edges_total:
        note = t("log.map.left_out", nodes=drawn.nodes_shown, nodes_total=drawn.nodes_total,
                 edges=drawn.edges_shown, edges_total=drawn.edges_total)
    return LogReportPage(
        lang=lang, generator=f"kafka {__version__}", generated_on=dt.date.today().isoformat(), m=m, f=f,
        sections=sections, cards=_cards(m, t, f), map_svg=Markup(drawn.svg), map_width=drawn.width, map_note=note,
        lead_plot=_lead_plot(m, t, f), waits_plot=_boxes(m, t, f, work=False),
        work_plot=_boxes(m, t, f, work=True) if s.has_start else None,
        deadlines=[DeadlineView(d, _deadline_plot(d, t, f)) for d in m.deadlines],
        rest_cases=s.cases - sum(v.cases for v in m.variants),
    )


def _cards(m: LogMeasures, t: Translator, f: Formatter) -> list[Card]:
    s = m.summary
    cards = [Card("cases", t("log.figures.cases"), f.count(s.cases),
                  t("log.figures.cases_note", events=f.count(s.events), first=f.date(s.first), last=f.date(s.last)))]
    if s.cases_per_year is not None:
        cards.append(Card("per_year", t("log.figures.per_year"), f.count(round(s.cases_per_year)),
                          t("log.figures.per_year_note", cases=f.count(s.cases), years=f.years(s.span_days))))
    cards.append(Card("lead", t("log.figures.lead"), f.days(m.lead.median),
                      t("log.figures.lead_note", p90=f.days(m.lead.p90), max=f.days(m.lead.max))))
    frequent = [tr for tr in m.transitions if tr.count >= 0.05 * s.cases] or list(m.transitions)
    if frequent:
        worst = max(frequent, key=lambda tr: (tr.wait.median or 0, tr.count))
        cards.append(Card("longest_wait", t("log.figures.longest_wait"), f.days(worst.wait.median),
                          t("log.figures.longest_wait_note", source=worst.source, target=worst.target,
                            n=f.cases(worst.cases)), (worst.wait.median or 0) >= 14))
    if m.variants:
        top = m.variants[0]
        cards.append(Card("variant", t("log.figures.variant"), f.share(top.share),
                          t("log.figures.variant_note", variants=f.count(m.variant_count), n=len(top.activities))))
    repeat = sum(r.repeat for r in m.rework)
    redo = sum(r.redo for r in m.rework)
    events = sum(r.events for r in m.rework)
    rework_note = (t("log.figures.rework_note", repeat=f.count(repeat), redo=f.count(redo)) if s.has_resource
                   else t("log.figures.rework_note_plain", events=f.count(events)))
    cards.append(Card("rework", t("log.figures.rework"), f.share(m.cases_with_rework / s.cases if s.cases else 0),
                      rework_note))
    if s.has_org:
        cards.append(Card("handovers", t("log.figures.handovers"),
                          f.share(m.cases_with_handover / s.cases if s.cases else 0),
                          t("log.figures.handovers_note", n=f.count(sum(h.count for h in m.handovers)))))
    for d in m.deadlines:
        cards.append(Card(f"deadline-{d.deadline.name}", t("log.figures.deadline", name=d.deadline.name), f.share(d.share),
                          t("log.figures.deadline_note", exceeding=f.count(d.exceeding), known=f.count(d.known),
                            open=f.count(d.open)), bool(d.exceeding)))
    return cards


def _lead_plot(m: LogMeasures, t: Translator, f: Formatter) -> Markup:
    marks = []
    if m.lead.median is not None:
        marks.append(Mark(m.lead.median, f"{t('log.lead.median')} {f.days(m.lead.median)}", "mark-median"))
        marks.append(Mark(m.lead.p90, f"{t('log.lead.p90')} {f.days(m.lead.p90)}", "mark-p90"))
    hist = m.lead_histogram
    return histogram_svg(hist, title=t("log.lead.plot"), x_label=lambda d: f.days(d) if d else "0",
                         count_label=f.count, overflow_label=f"≥ {f.days(hist.width * len(hist.counts))}", marks=marks)


def _boxes(m: LogMeasures, t: Translator, f: Formatter, work: bool) -> Markup:
    rows = []
    for a in m.activities[:40]:
        stats = a.work if work else a.wait
        empty = "" if stats and stats.n else t("log.waits.first")
        rows.append(BoxRow(a.name, stats or Stats(0), f.times(stats.n) if stats and stats.n else empty))
    legend = {"median": t("log.waits.median").lower(), "box": t("log.waits.box"), "p90": "p90"}
    return boxes_svg(rows, title=t("log.waits.work_plot" if work else "log.waits.plot"), x_label=f.days, legend=legend)


def _deadline_plot(d: DeadlineMeasure, t: Translator, f: Formatter) -> Markup | None:
    if not d.months:
        return None

    def tip(month) -> str:
        return t("log.deadlines.month_tip", month=f.month(month.month), exceeding=f.count(month.exceeding),
                 known=f.count(month.on_time + month.exceeding), share=f.share(month.share))

    return shares_svg(d.months, title=t("log.deadlines.plot", name=d.deadline.name),
                      month_label=lambda month: f.month(month.month), tip=tip, percent=f.share)


def stats_row(stats: Stats | None) -> dict:
    """A Stats as a plain dict (JSON, CSV)."""
    if stats is None:
        return {}
    return {"n": stats.n, "mean_days": _r(stats.mean), "p25_days": _r(stats.p25), "median_days": _r(stats.median),
            "p75_days": _r(stats.p75), "p90_days": _r(stats.p90), "min_days": _r(stats.min), "max_days": _r(stats.max)}


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 6)
