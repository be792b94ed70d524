from django import template

from analytics.selectors import BREAKDOWN_TITLES

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
