"""Server-rendered SVG charts: no JavaScript, no CDN, the same markup in the page and the PDF.

Styling is in presentation attributes rather than the stylesheet, because WeasyPrint draws
inline SVG from its attributes; the page's CSS only adds hover highlights. Every chart has a
<title>/<desc> for screen readers and a <title> tooltip per data point, and the templates put
the same numbers in a table next to it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

BRAND = "#4f46e5"
BRAND_FILL = "#eef0ff"
PREVIOUS = "#9aa1b9"
GRID = "#e3e6ef"
AXIS_TEXT = "#6b7188"
TEXT = "#14172b"
FONT = "Inter, system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif"
_uid = 0


def _next_id(prefix: str) -> str:
    # Unique ids per render: several charts share one page and aria-labelledby must not clash.
    global _uid
    _uid += 1
    return f"{prefix}{_uid}"


def nice_ceiling(value: float) -> tuple[int, int]:
    """An axis maximum at or above `value` and its tick step, on a 1-2-5 scale."""
    if value <= 4:
        return 4, 1
    raw_step = value / 4
    magnitude = 10 ** math.floor(math.log10(raw_step))
    for factor in (1, 2, 2.5, 5, 10):
        step = factor * magnitude
        if step >= raw_step and float(step).is_integer():
            break
    step = int(step)
    return int(math.ceil(value / step) * step), step


def short_number(value: int) -> str:
    if value >= 1_000_000:
        return f"{value / 1_000_000:.1f}M".replace(".0M", "M")
    if value >= 10_000:
        return f"{value / 1000:.0f}k"
    if value >= 1000:
        return f"{value / 1000:.1f}k".replace(".0k", "k")
    return str(value)


def axis_label(point, interval: str) -> str:
    start = point.start
    if interval == "hour":
        return f"{start:%b} {start.day}" if start.hour == 0 else f"{start:%H}:00"
    if interval == "month":
        return f"{start:%b %Y}"
    return f"{start:%b} {start.day}"


def long_label(point, interval: str) -> str:
    start = point.start
    if interval == "hour":
        return f"{start:%a} {start.day} {start:%b %Y, %H}:00"
    if interval == "week":
        return f"Week of {start:%a} {start.day} {start:%b %Y}"
    if interval == "month":
        return f"{start:%B %Y}"
    return f"{start:%a} {start.day} {start:%b %Y}"


@dataclass
class _Frame:
    width: int = 720
    height: int = 260
    left: int = 48
    right: int = 16
    top: int = 14
    bottom: int = 34

    @property
    def plot_width(self) -> int:
        return self.width - self.left - self.right

    @property
    def plot_height(self) -> int:
        return self.height - self.top - self.bottom


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def time_series_chart(
    points, previous=None, *, interval: str, title: str, compare_label: str = "Previous period"
) -> SafeString:
    """Scans over time as an area line, the previous period as a dashed line."""
    frame = _Frame()
    previous = list(previous or [])[: len(points)]
    peak = max([p.scans for p in points] + [p.scans for p in previous] + [0])
    top, step = nice_ceiling(peak)
    count = len(points)
    slot = frame.plot_width / max(count, 1)

    def x(i: int) -> float:
        return frame.left + slot * (i + 0.5)

    def y(value: int) -> float:
        return frame.top + frame.plot_height * (1 - value / top)

    title_id, desc_id = _next_id("chart-title-"), _next_id("chart-desc-")
    total = sum(p.scans for p in points)
    busiest = max(points, key=lambda p: p.scans, default=None)
    description = f"{_plural(total, 'scan')} over {_plural(count, interval)}."
    if busiest is not None and busiest.scans:
        description += (
            f" Busiest: {long_label(busiest, interval)} with {_plural(busiest.scans, 'scan')}."
        )
    parts = [
        f'<svg class="chart chart-series" viewBox="0 0 {frame.width} {frame.height}" '
        f'width="100%" role="img" aria-labelledby="{title_id} {desc_id}" '
        f'font-family="{FONT}" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{title_id}">{escape(title)}</title><desc id="{desc_id}">{escape(description)}</desc>',
    ]
    for tick in range(0, top + 1, step):
        ty = y(tick)
        parts.append(
            f'<line x1="{frame.left}" x2="{frame.width - frame.right}" y1="{ty:.1f}" y2="{ty:.1f}" '
            f'stroke="{GRID}" stroke-width="1"/>'
            f'<text x="{frame.left - 8}" y="{ty + 4:.1f}" text-anchor="end" font-size="11" '
            f'fill="{AXIS_TEXT}">{short_number(tick)}</text>'
        )
    every = max(1, math.ceil(count / 8))
    for i, point in enumerate(points):
        if i % every == 0:
            parts.append(
                f'<text x="{x(i):.1f}" y="{frame.height - 12}" text-anchor="middle" font-size="11" '
                f'fill="{AXIS_TEXT}">{escape(axis_label(point, interval))}</text>'
            )
    if count:
        line = " ".join(f"{x(i):.1f},{y(p.scans):.1f}" for i, p in enumerate(points))
        baseline = y(0)
        parts.append(
            f'<polygon points="{x(0):.1f},{baseline:.1f} {line} {x(count - 1):.1f},{baseline:.1f}" '
            f'fill="{BRAND_FILL}" fill-opacity="0.9"/>'
        )
        if previous:
            dashed = " ".join(f"{x(i):.1f},{y(p.scans):.1f}" for i, p in enumerate(previous))
            parts.append(
                f'<polyline points="{dashed}" fill="none" stroke="{PREVIOUS}" stroke-width="1.5" '
                'stroke-dasharray="5 4" stroke-linejoin="round"/>'
            )
        parts.append(
            f'<polyline points="{line}" fill="none" stroke="{BRAND}" stroke-width="2.25" '
            'stroke-linejoin="round" stroke-linecap="round"/>'
        )
    dots = count <= 62
    for i, point in enumerate(points):
        tip = f"{long_label(point, interval)}: {_plural(point.scans, 'scan')}, {point.unique_scans:,} unique"
        if i < len(previous):
            tip += f" ({compare_label.lower()}: {previous[i].scans:,})"
        parts.append(
            f'<g class="hit"><title>{escape(tip)}</title>'
            f'<rect x="{x(i) - slot / 2:.1f}" y="{frame.top}" width="{slot:.1f}" '
            f'height="{frame.plot_height}" fill="{BRAND}" fill-opacity="0"/>'
            + (
                f'<circle cx="{x(i):.1f}" cy="{y(point.scans):.1f}" r="{3 if point.scans else 2}" '
                f'fill="#fff" stroke="{BRAND}" stroke-width="1.75"/>'
                if dots
                else ""
            )
            + "</g>"
        )
    parts.append(
        f'<line x1="{frame.left}" x2="{frame.width - frame.right}" y1="{y(0):.1f}" '
        f'y2="{y(0):.1f}" stroke="{AXIS_TEXT}" stroke-width="1"/></svg>'
    )
    return mark_safe("".join(parts))


def _truncate(text: str, length: int) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


def _city_short_label(row) -> str:
    # "London, GB" rather than a truncated "London, United K…"; the tooltip and the table
    # beside the chart give the country's name.
    if not row.value:
        return row.label
    country, _, city = row.value.partition(":")
    return f"{city}, {country}"


SHORT_LABELS = {"cities": _city_short_label}


def bar_chart(rows, *, title: str, color: str = BRAND, short_label=None) -> SafeString:
    """Horizontal bars, one per row, labelled with the count and share."""
    # Sized for a half-width card, so the text is drawn at about its nominal size.
    row_height, label_width, value_width, width = 28, 120, 76, 360
    height = max(row_height * len(rows), row_height) + 8
    bar_space = width - label_width - value_width
    peak = max((row.scans for row in rows), default=0) or 1
    title_id = _next_id("chart-title-")
    parts = [
        f'<svg class="chart chart-bars" viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-labelledby="{title_id}" font-family="{FONT}" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{title_id}">{escape(title)}</title>',
    ]
    for i, row in enumerate(rows):
        top = 4 + i * row_height
        length = max((bar_space - 8) * row.scans / peak, 2)
        tip = f"{row.label}: {_plural(row.scans, 'scan')} ({row.share:.1%}), {row.unique_scans:,} unique"
        muted = row.value is None
        parts.append(
            f'<g class="hit"><title>{escape(tip)}</title>'
            f'<rect x="0" y="{top}" width="{width}" height="{row_height - 4}" fill="#fff" fill-opacity="0"/>'
            f'<text x="0" y="{top + 16}" font-size="12.5" fill="{AXIS_TEXT if muted else TEXT}">'
            f"{escape(_truncate(short_label(row) if short_label else row.label, 17))}</text>"
            f'<rect x="{label_width}" y="{top + 6}" width="{bar_space - 8}" height="{row_height - 14}" '
            f'rx="4" fill="{GRID}" fill-opacity="0.45"/>'
            f'<rect x="{label_width}" y="{top + 6}" width="{length:.1f}" height="{row_height - 14}" '
            f'rx="4" fill="{PREVIOUS if muted else color}"/>'
            f'<text x="{width}" y="{top + 16}" font-size="12" text-anchor="end" fill="{TEXT}">'
            f'{row.scans:,} <tspan fill="{AXIS_TEXT}">· {row.share:.0%}</tspan></text></g>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))


def report_charts(report) -> dict:
    """Every chart of a report, for the page and the PDF alike."""
    from analytics.selectors import BREAKDOWN_TITLES
    from analytics.worldmap import legend, world_map_svg

    period = report.period
    return {
        "series": time_series_chart(
            report.series,
            report.previous_series,
            interval=period.interval,
            title=f"Scans per {period.interval}, {period.start:%d %b %Y} to {period.end:%d %b %Y}",
        ),
        "breakdowns": {
            name: bar_chart(
                rows, title=f"{BREAKDOWN_TITLES[name]} by scans", short_label=SHORT_LABELS.get(name)
            )
            for name, rows in report.shown_breakdowns.items()
        },
        # Safe: world_map_svg escapes every name it writes.
        "world_map": mark_safe(
            world_map_svg(
                {row.value: row.scans for row in report.countries if row.value},
                title="World map of scans by country; the table below lists every country",
            )
        ),
        "world_legend": legend(max((r.scans for r in report.countries if r.value), default=0)),
    }
