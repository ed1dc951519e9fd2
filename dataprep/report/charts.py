"""Inline SVG charts for the HTML report: histograms (with a limit line), overlaid distributions, share bars.

Each chart is an `<svg role="img">` with a title and a description (its text alternative); each bar carries
its figures as data-* attributes and a <title>, so a reader, a screen reader and a test see the same numbers.
Series are told apart by fill and outline (solid, hatched, dashed), never by colour alone.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from html import escape

from dataprep.report.model import Histogram

WIDTH, HEIGHT = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 60, 16, 30, 42  # the top margin holds the limit's label and legends
PLOT_W, PLOT_H = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
LIMIT_IN_VIEW = 1.5  # draw the limit on the axis when it is at most this far past the longest example


def num(value: float) -> str:
    """1234 -> `1,234`; 12.5 -> `12.5`."""
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.1f}"


def nice_step(span: float, ticks: int = 5) -> float:
    """A round tick step (1, 2 or 5 times a power of ten) giving about `ticks` ticks over `span`."""
    if span <= 0:
        return 1.0
    raw = span / ticks
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if raw <= factor * power:
            return float(factor * power)
    return float(10 * power)  # pragma: no cover - the loop always returns


@dataclass(frozen=True)
class Axis:
    """A linear scale from 0..top onto 0..length pixels."""

    top: float
    length: float

    def at(self, value: float) -> float:
        return 0.0 if self.top <= 0 else value / self.top * self.length


def _ticks(top: float, count: int = 5, integer: bool = True) -> list[float]:
    step = nice_step(top, count)
    if integer:
        step = max(1.0, step)
    return [i * step for i in range(int(top // step) + 1)]


def _r(value: float) -> str:
    """Coordinates with one decimal: small files, no visible loss."""
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _open(chart_id: str, title: str, desc: str) -> list[str]:
    return [
        f'<svg class="chart" id="{chart_id}" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="{chart_id}-t {chart_id}-d" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{chart_id}-t">{escape(title)}</title><desc id="{chart_id}-d">{escape(desc)}</desc>',
        f'<defs><pattern id="{chart_id}-hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><rect width="6" height="6" class="hatch-bg"/>'
        '<line x1="0" y1="0" x2="0" y2="6" class="hatch-line"/></pattern></defs>',
    ]


def _axes(out: list[str], x: Axis, y: Axis, x_label: str, y_label: str, y_format: str = "") -> None:
    base = TOP + PLOT_H
    for value in _ticks(y.top, 4, integer=not y_format):
        py = base - y.at(value)
        label = f"{value:g}{y_format}" if y_format else num(value)
        out.append(
            f'<line class="grid" x1="{LEFT}" x2="{LEFT + PLOT_W}" y1="{_r(py)}" y2="{_r(py)}"/>'
            f'<text class="tick" x="{LEFT - 6}" y="{_r(py + 4)}" text-anchor="end">{label}</text>'
        )
    for value in _ticks(x.top, 6):
        px = LEFT + x.at(value)
        out.append(
            f'<line class="axis" x1="{_r(px)}" x2="{_r(px)}" y1="{base}" y2="{base + 4}"/>'
            f'<text class="tick" x="{_r(px)}" y="{base + 16}" text-anchor="middle">{num(value)}</text>'
        )
    out.append(
        f'<line class="axis" x1="{LEFT}" x2="{LEFT + PLOT_W}" y1="{base}" y2="{base}"/>'
        f'<line class="axis" x1="{LEFT}" x2="{LEFT}" y1="{TOP}" y2="{base}"/>'
        f'<text class="label" x="{LEFT + PLOT_W / 2:.0f}" y="{HEIGHT - 6}" text-anchor="middle">'
        f"{escape(x_label)}</text>"
        f'<text class="label" transform="translate(14 {TOP + PLOT_H / 2:.0f}) rotate(-90)" '
        f'text-anchor="middle">{escape(y_label)}</text>'
    )


def histogram_svg(
    hist: Histogram,
    *,
    chart_id: str,
    title: str,
    desc: str,
    unit: str,
    limit: int | None = None,
    limit_label: str = "limit",
) -> str:
    """Bars of `hist` (examples per bin), and `limit` as a dashed vertical line when it is in view.

    Bins at or past the limit are hatched. A limit far past the longest example would squash the bars
    against the left edge, so it is then named in a note at the right edge instead of drawn.
    """
    data_top = len(hist.counts) * hist.width
    limit_in_view = limit is not None and limit <= data_top * LIMIT_IN_VIEW
    x_top = max(data_top, math.ceil(limit * 1.04)) if limit is not None and limit_in_view else data_top
    x = Axis(x_top, PLOT_W)
    biggest = max(hist.counts)
    y = Axis(_round_up(biggest), PLOT_H)
    out = _open(chart_id, title, desc)
    _axes(out, x, y, unit, "examples")
    base = TOP + PLOT_H
    for i, count in enumerate(hist.counts):
        if not count:
            continue
        lo, hi = i * hist.width, (i + 1) * hist.width
        over = limit is not None and hi > limit
        px, pw, ph = LEFT + x.at(lo), max(x.at(hi) - x.at(lo) - 0.5, 0.5), y.at(count)
        span = f"{num(lo)}" if hist.width == 1 else f"{num(lo)}–{num(hi - 1)}"
        fill = f' fill="url(#{chart_id}-hatch)"' if over else ""
        out.append(
            f'<rect class="bar{" over" if over else ""}" x="{_r(px)}" y="{_r(base - ph)}" width="{_r(pw)}" '
            f'height="{_r(ph)}" data-lo="{lo}" data-hi="{hi}" data-count="{count}"{fill}>'
            f"<title>{span} {escape(unit)}: {num(count)} examples</title></rect>"
        )
    if limit is not None and limit_in_view:
        lx = LEFT + x.at(limit)
        out.append(
            f'<line class="limit" x1="{_r(lx)}" x2="{_r(lx)}" y1="{TOP}" y2="{base}" data-limit="{limit}"/>'
            f'<text class="limit-label" x="{_r(lx)}" y="{TOP - 10}" '
            f'text-anchor="{"end" if lx > LEFT + PLOT_W / 2 else "start"}">{escape(limit_label)} {num(limit)}</text>'
        )
    elif limit is not None:
        out.append(
            f'<text class="limit-label" x="{LEFT + PLOT_W}" y="{TOP - 10}" text-anchor="end" '
            f'data-limit="{limit}">{escape(limit_label)} {num(limit)} →</text>'
        )
    out.append("</svg>")
    return "".join(out)


def _round_up(value: float) -> float:
    """The first tick at or above `value`, so the tallest bar ends under a labelled line."""
    if value <= 0:
        return 1.0
    step = max(1.0, nice_step(value, 4))
    return math.ceil(value / step) * step


@dataclass(frozen=True)
class Series:
    name: str
    hist: Histogram


def overlay_svg(series: list[Series], *, chart_id: str, title: str, desc: str, unit: str) -> str:
    """Distributions on one axis as shares of each series' examples: the first filled, the others outlined
    with dashes, so different sizes compare and the series tell apart without colour."""
    width = max(s.hist.width for s in series)
    binned = [Series(s.name, s.hist.rebinned(width)) for s in series]
    bins = max(len(s.hist.counts) for s in binned)
    shares = [[100 * c / s.hist.total for c in s.hist.counts] for s in binned]
    x = Axis(bins * width, PLOT_W)
    y = Axis(_round_up(max(max(s) for s in shares)), PLOT_H)
    out = _open(chart_id, title, desc)
    _axes(out, x, y, unit, "share of examples", y_format="%")
    base = TOP + PLOT_H
    for n, (s, share) in enumerate(zip(binned, shares, strict=True)):
        style = "train" if n == 0 else "other"
        for i, (count, pct) in enumerate(zip(s.hist.counts, share, strict=True)):
            if not count:
                continue
            lo, hi = i * width, (i + 1) * width
            px, pw, ph = LEFT + x.at(lo), max(x.at(hi) - x.at(lo) - 0.5, 0.5), y.at(pct)
            out.append(
                f'<rect class="bar {style}" x="{_r(px)}" y="{_r(base - ph)}" width="{_r(pw)}" '
                f'height="{_r(ph)}" data-series="{escape(s.name)}" data-lo="{lo}" data-hi="{hi}" '
                f'data-count="{count}" data-share="{pct:.3f}">'
                f"<title>{escape(s.name)}, {num(lo)}–{num(hi - 1)} {escape(unit)}: {num(count)} examples "
                f"({pct:.1f}%)</title></rect>"
            )
    for n, s in enumerate(binned):  # the legend: a swatch in each series' style and its name
        lx, style = LEFT + 240 * n, "train" if n == 0 else "other"
        ly = TOP - 22
        out.append(
            f'<rect class="bar {style} legend" x="{lx}" y="{ly}" width="14" height="10"/>'
            f'<text class="tick" x="{lx + 20}" y="{ly + 9}">{escape(s.name)} '
            f"({num(s.hist.total)} examples)</text>"
        )
    out.append("</svg>")
    return "".join(out)


@dataclass(frozen=True)
class Part:
    name: str
    value: int
    style: str  # "solid", "hatched" or "light"


def share_bar_svg(parts: list[Part], *, chart_id: str, title: str, desc: str) -> str:
    """One horizontal bar split into parts, each labelled with its share (patterns, not colour, apart)."""
    total = sum(p.value for p in parts)
    height = 64
    out = [
        f'<svg class="chart share" id="{chart_id}" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-labelledby="{chart_id}-t {chart_id}-d" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{chart_id}-t">{escape(title)}</title><desc id="{chart_id}-d">{escape(desc)}</desc>',
        f'<defs><pattern id="{chart_id}-hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><rect width="6" height="6" class="hatch-bg"/>'
        '<line x1="0" y1="0" x2="0" y2="6" class="hatch-line"/></pattern></defs>',
    ]
    x = 0.0
    span = WIDTH - 2
    for part in parts:
        share = part.value / total if total else 0.0
        w = share * span
        fill = f' fill="url(#{chart_id}-hatch)"' if part.style == "hatched" else ""
        out.append(
            f'<rect class="part {part.style}" x="{_r(1 + x)}" y="4" width="{_r(w)}" height="26" '
            f'data-name="{escape(part.name)}" data-value="{part.value}" data-share="{100 * share:.3f}"{fill}>'
            f"<title>{escape(part.name)}: {num(part.value)} tokens ({100 * share:.1f}%)</title></rect>"
        )
        x += w
    label_x = 1.0
    for part in parts:  # labels under the bar, one after the other, each with its swatch
        share = 100 * part.value / total if total else 0.0
        fill = f' fill="url(#{chart_id}-hatch)"' if part.style == "hatched" else ""
        text = f"{part.name} {share:.1f}%"
        out.append(
            f'<rect class="part {part.style} legend" x="{_r(label_x)}" y="42" width="12" height="12"{fill}/>'
            f'<text class="tick" x="{_r(label_x + 16)}" y="52">{escape(text)}</text>'
        )
        label_x += 24 + 6.4 * len(text)
    out.append("</svg>")
    return "".join(out)
