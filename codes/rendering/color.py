"""Colour parsing and WCAG contrast maths shared by the style spec, the writers and the guard."""

import re

TRANSPARENT = "transparent"
_HEX = re.compile(r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})")
WHITE = (255, 255, 255)

RGBA = tuple[int, int, int, int]


def normalize_color(value: object, *, allow_transparent: bool = False) -> str:
    """Canonical ``#RRGGBB`` / ``#RRGGBBAA``; raises ``ValueError`` with the reason."""
    if not isinstance(value, str):
        raise ValueError("must be a colour string like #1A2B3C")
    text = value.strip()
    if text.lower() == TRANSPARENT:
        if allow_transparent:
            return TRANSPARENT
        raise ValueError("cannot be transparent; use a hex colour like #000000")
    if not _HEX.fullmatch(text):
        raise ValueError(f"{value!r} is not a colour; use #RGB, #RRGGBB or #RRGGBBAA")
    digits = text[1:].upper()
    if len(digits) == 3:
        digits = "".join(ch * 2 for ch in digits)
    if len(digits) == 8 and digits.endswith("FF"):
        digits = digits[:6]
    return "#" + digits


def to_rgba(color: str) -> RGBA:
    if color == TRANSPARENT:
        return (0, 0, 0, 0)
    digits = color[1:]
    alpha = int(digits[6:8], 16) if len(digits) == 8 else 255
    return (int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16), alpha)


def hex_rgb(color: str) -> str:
    """``#RRGGBB`` without alpha, for writers that carry opacity separately."""
    return color[:7]


def opacity(color: str) -> float:
    return to_rgba(color)[3] / 255


def flatten(color: str, under: tuple[int, int, int] = WHITE) -> tuple[int, int, int]:
    """What the eye sees: the colour laid over ``under`` (white paper by default)."""
    r, g, b, a = to_rgba(color)
    k = a / 255
    return (
        round(r * k + under[0] * (1 - k)),
        round(g * k + under[1] * (1 - k)),
        round(b * k + under[2] * (1 - k)),
    )


def luminance(rgb: tuple[int, int, int]) -> float:
    """WCAG 2 relative luminance."""

    def channel(v: int) -> float:
        c = v / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    la, lb = luminance(a), luminance(b)
    hi, lo = max(la, lb), min(la, lb)
    return (hi + 0.05) / (lo + 0.05)


def is_grey(color: str) -> bool:
    r, g, b, _ = to_rgba(color)
    return r == g == b
