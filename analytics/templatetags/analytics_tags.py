from django import template

from analytics.selectors import BREAKDOWN_TITLES, scan_summary_for_code

register = template.Library()


@register.filter
def get_item(mapping, key):
    return mapping.get(key)


@register.filter
def breakdown_title(name: str) -> str:
    return BREAKDOWN_TITLES.get(name, name)


@register.filter
def percent(share) -> str:
    """0.4213 -> "42.1 %" (whole numbers from 10 % up, where a decimal adds nothing)."""
    value = (share or 0) * 100
    return f"{value:.0f} %" if value >= 10 or value == 0 else f"{value:.1f} %"


@register.filter
def change(value: int, before: int) -> str:
    """The relative change from `before` to `value`, signed: "+25 %", "−10 %"."""
    if not before:
        return ""
    delta = (value - before) / before * 100
    sign = "+" if delta > 0 else ("−" if delta < 0 else "±")
    return f"{sign}{abs(delta):.0f} %"


@register.inclusion_tag("analytics/partials/_code_scans.html")
def code_scan_summary(code):
    """The code page's scans card: totals and a 30-day sparkline (analytics subscribes to the
    codes page through this tag; codes does not read scans)."""
    summary = scan_summary_for_code(code=code)
    return {"summary": summary, "chart": _sparkline(summary["series"])}


def _sparkline(series, height: int = 64) -> dict:
    """Geometry of a small bar chart of (day, count) for a server-rendered SVG."""
    peak = max((count for _, count in series), default=0) or 1
    width = 8
    gap = 2
    bars = []
    for index, (day, count) in enumerate(series):
        h = 0 if not count else max(2, round(count / peak * (height - 4)))
        bars.append(
            {"x": index * (width + gap), "y": height - h, "h": h, "day": day, "count": count}
        )
    return {
        "bars": bars,
        "width": len(series) * (width + gap) - gap,
        "height": height,
        "bar": width,
        "peak": peak,
    }
