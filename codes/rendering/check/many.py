"""``check_many``: one design, many payloads (bulk creation)."""

import re
from collections.abc import Sequence

import segno

from ..color import TRANSPARENT, contrast, flatten, luminance
from ..spec import Style
from . import check
from .rules import WARN_BELOW

# Payloads a reader decodes back byte for byte from plain segno output whatever character set
# it guesses: printable ASCII. Backslash and tilde are left out (Shift_JIS, which zxing may
# guess for byte-mode data, maps them to ¥ and ‾), and non-ASCII text always gets the full check.
_PLAIN_PAYLOAD = re.compile(r"[ !-\[\]-}]+")


def _is_standard(style: Style, has_logo: bool) -> bool:
    """A design whose symbol is exactly segno's output on a clean, contrasted background:
    square modules and finders in one colour, no gradient, no frame, no logo, dark on an
    opaque light background at 4.5:1 or more, and the standard quiet zone of 4 modules."""
    if (
        has_logo
        or style.gradient is not None
        or style.module_shape != "square"
        or style.finder_frame_shape != "square"
        or style.finder_ball_shape != "square"
        or style.finder_frame_color
        or style.finder_ball_color
        or style.frame != "none"
        or style.margin < 4
        or style.background_color == TRANSPARENT
    ):
        return False
    paper = flatten(style.background_color)
    ink = flatten(style.foreground_color, paper)
    return luminance(ink) < luminance(paper) and contrast(ink, paper) >= WARN_BELOW


def _version(payload: str, error: str) -> int | None:
    """The symbol version ``payload`` needs at ``error`` (None: too long), without building it."""
    try:
        segments = segno.encoder.prepare_data(payload, None, None)
        return segno.encoder.find_version(
            segments, segno.encoder.normalize_errorlevel(error), eci=False, micro=False
        )
    except segno.DataOverflowError:
        return None


def _wide_enough(first, version: int, style: Style, size: int | None) -> bool:
    total = 17 + 4 * version + 2 * style.margin
    return size is None or size // total >= first.px_per_module


def check_many(
    payloads: Sequence[str], style: Style, *, logo: bytes | None = None, size: int | None = None
) -> dict[int, dict[str, str]]:
    """``check`` for many payloads in one design: the errors of each refused payload by its
    position (empty when every payload scans).

    The design's own rules (colours, quiet zone, logo budget, the decode of a real symbol) are
    judged on the first payload like ``check`` does. Each further payload is then rendered and
    decoded too, except in the standard design (``_is_standard``) when the payload is plain
    printable ASCII: its symbol is then segno's output unchanged, which decodes for every
    payload that fits (``tests/codes/rendering/test_check_many.py`` decodes thousands across
    versions and levels), so only the fit is checked, and ``size`` against the first payload's
    px per module. Anything else keeps the per-payload check.
    """
    if not payloads:
        return {}
    errors: dict[int, dict[str, str]] = {}
    first = check(payloads[0], style, logo=logo, size=size)
    if not first.ok:
        errors[0] = first.errors
    fast = first.ok and first.decodes and _is_standard(style, logo is not None)
    level = first.error_correction
    for index in range(1, len(payloads)):
        payload = payloads[index]
        if fast and _PLAIN_PAYLOAD.fullmatch(payload):
            version = _version(payload, level)
            if version is not None and _wide_enough(first, version, style, size):
                continue
        report = check(payload, style, logo=logo, size=size)
        if not report.ok:
            errors[index] = report.errors
    return errors
