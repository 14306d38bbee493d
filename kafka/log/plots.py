"""Distribution plots as inline SVG, drawn here (no plotting library, no script, no request).

Each function returns a :class:`markupsafe.Markup` SVG fragment sized by its
``viewBox`` (it scales with the page and prints sharp). Every text in it is
escaped; colours are CSS classes of ``_log_report.css`` so dark mode and print
only swap the palette. Each plot has a ``<title>`` for screen readers and a
table beside it in the report with the same numbers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from html import escape
from typing import Callable, Sequence

from markupsafe import Markup

from kafka.log.measure import DeadlineMonth, Histogram, Stats

WIDTH = 1000.0


def _text(value: object) -> str:
    return escape(str(value), quote=True)


DAY_STEPS = (1 / 1440, 5 / 1440, 15 / 1440, 1 / 24, 2 / 24, 6 / 24, 12 / 24, 1, 2, 5, 7, 14, 21, 30, 60, 90, 180, 365,
             730, 1825, 3650)


def day_ticks(high: float, count: int = 5) -> tuple[float, float]:
    """(step, top) for an axis in days: a step a reader counts in (1 hour, 1 day, 1 week, 30 days...)
    and the first multiple of it at or above ``high``, in at most ``count`` steps."""
    high = max(high, 1 / 1440)
    step = next((s for s in DAY_STEPS if high / s <= count), DAY_STEPS[-1])
    return step, step * math.ceil(high / step - 1e-9)


def _nice_max(value: float) -> float:
    """The smallest of 1, 2, 2.5, 5 x 10^k at or above value."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power


@dataclass(frozen=True)
class Mark:
    """A vertical line on a plot, e.g. the median or the deadline."""

    days: float
    label: str
    css: str  # mark-median, mark-p90, mark-deadline


def histogram_svg(hist: Histogram, *, title: str, x_label: Callable[[float], str], count_label: Callable[[int], str],
                  overflow_label: str, marks: Sequence[Mark] = ()) -> Markup:
    """Bars of cases per lead-time bin, with vertical marks (median, p90, a deadline)."""
    left, right, top, bottom = 56.0, 16.0, 28.0, 40.0
    height = 260.0
    bins = list(hist.counts) + ([hist.overflow] if hist.overflow else [])
    plot_w, plot_h = WIDTH - left - right, height - top - bottom
    y_max = _nice_max(max(bins) if bins else 1)
    bar_w = plot_w / max(1, len(bins))
    span = hist.width * len(hist.counts)
    out = [f'<svg class="plot histogram" viewBox="0 0 {WIDTH:.0f} {height:.0f}" role="img" '
           f'preserveAspectRatio="xMidYMid meet"><title>{_text(title)}</title>']
    for i in range(5):  # horizontal grid with counts
        value = y_max * i / 4
        y = top + plot_h - plot_h * i / 4
        out.append(f'<line class="grid" x1="{left}" x2="{WIDTH - right}" y1="{y:.1f}" y2="{y:.1f}"/>')
        out.append(f'<text class="axis" x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{_text(count_label(int(value)))}</text>')
    for i, count in enumerate(bins):
        h = plot_h * count / y_max if y_max else 0
        x = left + i * bar_w
        overflow = i == len(hist.counts)
        lo = i * hist.width
        label = overflow_label if overflow else f"{x_label(lo)} – {x_label(lo + hist.width)}"
        out.append(f'<rect class="bar{" overflow" if overflow else ""}" x="{x + 1:.1f}" y="{top + plot_h - h:.1f}" '
                   f'width="{max(bar_w - 2, 1):.1f}" height="{h:.1f}"><title>{_text(label)}: '
                   f'{_text(count_label(count))}</title></rect>')
    ticks = max(1, math.ceil(len(hist.counts) / 10))
    for i in range(0, len(hist.counts) + (0 if hist.overflow else 1), ticks):
        x = left + i * bar_w
        out.append(f'<text class="axis" x="{x:.1f}" y="{height - bottom + 16:.1f}" text-anchor="middle">'
                   f'{_text(x_label(i * hist.width))}</text>')
    if hist.overflow:
        x = left + len(hist.counts) * bar_w + bar_w / 2
        out.append(f'<text class="axis" x="{x:.1f}" y="{height - bottom + 16:.1f}" text-anchor="middle">'
                   f'{_text(overflow_label)}</text>')
    for n, mark in enumerate(marks):
        if span <= 0 or mark.days > span:
            continue
        x = left + plot_w * (mark.days / span) * (len(hist.counts) / len(bins))
        y_text = top - 8 - (n % 2) * 0  # labels stagger horizontally instead, by anchor
        anchor = "start" if x < WIDTH * 0.75 else "end"
        dx = 4 if anchor == "start" else -4
        out.append(f'<line class="{mark.css}" x1="{x:.1f}" x2="{x:.1f}" y1="{top - 4 + 12 * n:.1f}" y2="{top + plot_h:.1f}"/>')
        out.append(f'<text class="mark-label {mark.css}" x="{x + dx:.1f}" y="{y_text + 12 * n + 6:.1f}" '
                   f'text-anchor="{anchor}">{_text(mark.label)}</text>')
    out.append(f'<line class="axis-line" x1="{left}" x2="{WIDTH - right}" y1="{top + plot_h}" y2="{top + plot_h}"/>')
    out.append("</svg>")
    return Markup("".join(out))


@dataclass(frozen=True)
class BoxRow:
    label: str
    stats: Stats
    note: str = ""  # e.g. "120 x"
    marker: float | None = None  # a value to show against the box, e.g. the wait told in a workshop


def boxes_svg(rows: Sequence[BoxRow], *, title: str, x_label: Callable[[float], str], legend: dict[str, str],
              limit: float | None = None, limit_label: str = "") -> Markup:
    """One horizontal box per row: the middle half (p25 to p75), the median, a whisker to p90;
    a row's marker as a diamond (``legend['marker']`` names it in the tooltip)."""
    label_w, right, top, row_h = 330.0, 24.0, 34.0, 26.0
    height = top + row_h * len(rows) + 34
    plot_w = WIDTH - label_w - right
    step, x_max = day_ticks(max([r.stats.p90 or 0 for r in rows] + [r.marker or 0 for r in rows] + [limit or 0]))

    def x(days: float) -> float:
        return label_w + plot_w * min(days, x_max) / x_max

    out = [f'<svg class="plot boxes" viewBox="0 0 {WIDTH:.0f} {height:.0f}" role="img"><title>{_text(title)}</title>']
    for i in range(round(x_max / step) + 1):
        value = step * i
        out.append(f'<line class="grid" x1="{x(value):.1f}" x2="{x(value):.1f}" y1="{top - 6}" y2="{height - 30:.1f}"/>')
        out.append(f'<text class="axis" x="{x(value):.1f}" y="{top - 12}" text-anchor="middle">{_text(x_label(value))}</text>')
    for i, row in enumerate(rows):
        y = top + i * row_h
        mid = y + row_h / 2
        out.append(f'<text class="row-label" x="{label_w - 10}" y="{mid + 4:.1f}" text-anchor="end">{_text(_cut(row.label))}'
                   f'<title>{_text(row.label)}</title></text>')
        s = row.stats
        if s.n and s.median is not None:
            tip = (f"{row.label}: {legend['median']} {x_label(s.median)}, {legend['box']} {x_label(s.p25)} – "
                   f"{x_label(s.p75)}, {legend['p90']} {x_label(s.p90)}" + (f" ({row.note})" if row.note else ""))
            out.append(f'<g><title>{_text(tip)}</title>')
            out.append(f'<line class="whisker" x1="{x(s.p75):.1f}" x2="{x(s.p90):.1f}" y1="{mid:.1f}" y2="{mid:.1f}"/>')
            out.append(f'<line class="whisker" x1="{x(s.p90):.1f}" x2="{x(s.p90):.1f}" y1="{mid - 6:.1f}" y2="{mid + 6:.1f}"/>')
            out.append(f'<rect class="box" x="{x(s.p25):.1f}" y="{mid - 8:.1f}" '
                       f'width="{max(x(s.p75) - x(s.p25), 1.5):.1f}" height="16"/>')
            out.append(f'<line class="median" x1="{x(s.median):.1f}" x2="{x(s.median):.1f}" y1="{mid - 9:.1f}" '
                       f'y2="{mid + 9:.1f}"/>')
            out.append("</g>")
        elif row.note:
            note_x = label_w + 6 if row.marker is None or x(row.marker) > label_w + 200 else x(row.marker) + 12
            out.append(f'<text class="axis" x="{note_x:.1f}" y="{mid + 4:.1f}">{_text(row.note)}</text>')
        if row.marker is not None:  # drawn last: on top of the box
            mx = x(row.marker)
            out.append(f'<path class="told" d="M{mx:.1f} {mid - 7:.1f} L{mx + 7:.1f} {mid:.1f} L{mx:.1f} {mid + 7:.1f} '
                       f'L{mx - 7:.1f} {mid:.1f} Z"><title>{_text(row.label)}: {_text(legend.get("marker", ""))} '
                       f'{_text(x_label(row.marker))}</title></path>')
    if limit is not None and limit <= x_max:
        out.append(f'<line class="mark-deadline" x1="{x(limit):.1f}" x2="{x(limit):.1f}" y1="{top - 6}" y2="{height - 30:.1f}"/>')
        out.append(f'<text class="mark-label mark-deadline" x="{x(limit) + 4:.1f}" y="{height - 16:.1f}">{_text(limit_label)}</text>')
    out.append("</svg>")
    return Markup("".join(out))


def shares_svg(months: Sequence[DeadlineMonth], *, title: str, month_label: Callable[[DeadlineMonth], str],
               tip: Callable[[DeadlineMonth], str], percent: Callable[[float], str]) -> Markup:
    """Per month: the share of cases exceeding a deadline, as bars on a 0-100% scale."""
    left, right, top, bottom = 56.0, 16.0, 16.0, 40.0
    height = 220.0
    plot_w, plot_h = WIDTH - left - right, height - top - bottom
    bar_w = plot_w / max(1, len(months))
    out = [f'<svg class="plot shares" viewBox="0 0 {WIDTH:.0f} {height:.0f}" role="img"><title>{_text(title)}</title>']
    for i in range(5):
        y = top + plot_h - plot_h * i / 4
        out.append(f'<line class="grid" x1="{left}" x2="{WIDTH - right}" y1="{y:.1f}" y2="{y:.1f}"/>')
        out.append(f'<text class="axis" x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{_text(percent(i / 4))}</text>')
    ticks = max(1, math.ceil(len(months) / 12))
    for i, month in enumerate(months):
        x = left + i * bar_w
        share = month.share
        if share is not None:
            h = plot_h * share
            out.append(f'<rect class="bar share" x="{x + 1:.1f}" y="{top + plot_h - h:.1f}" '
                       f'width="{max(bar_w - 2, 1):.1f}" height="{h:.1f}"><title>{_text(tip(month))}</title></rect>')
        if i % ticks == 0:
            out.append(f'<text class="axis" x="{x + bar_w / 2:.1f}" y="{height - bottom + 16:.1f}" '
                       f'text-anchor="middle">{_text(month_label(month))}</text>')
    out.append(f'<line class="axis-line" x1="{left}" x2="{WIDTH - right}" y1="{top + plot_h}" y2="{top + plot_h}"/>')
    out.append("</svg>")
    return Markup("".join(out))


def bar_svg(share: float, css: str = "") -> Markup:
    """A small inline bar for a share (0..1) in a table cell."""
    share = max(0.0, min(1.0, share))
    return Markup(f'<svg class="share-bar {escape(css)}" viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true">'
                  f'<rect class="track" x="0" y="0" width="100" height="10"/>'
                  f'<rect class="fill" x="0" y="0" width="{share * 100:.1f}" height="10"/></svg>')


def _cut(text: str, width: int = 44) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
