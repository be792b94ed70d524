"""Designs whose symbol is segno's output unchanged, on a clean contrasted background: what
the guard may trust without decoding each payload (see ``check.check_many``)."""

import re

import segno

from .color import TRANSPARENT, contrast, flatten, luminance
from .spec import Style

# Below this contrast the guard warns; the standard design is above it.
WARN_BELOW = 4.5

# Payloads a reader decodes back byte for byte from plain segno output whatever character set
# it guesses: printable ASCII. Backslash and tilde are left out (Shift_JIS, which zxing may
# guess for byte-mode data, maps them to ¥ and ‾), and non-ASCII text always gets the full check.
PLAIN_PAYLOAD = re.compile(r"[ !-\[\]-}]+")


def is_standard(style: Style, has_logo: bool) -> bool:
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


# Bytes a version 40 symbol holds in byte mode, by error level. Every mode segno may choose
# is at least as dense as UTF-8 bytes, so a payload within this always fits.
_BYTE_CAPACITY_V40 = {"L": 2953, "M": 2331, "Q": 1663, "H": 1273}


def fits(payload: str, error: str) -> bool:
    """Whether ``payload`` fits in a QR symbol at ``error``, without building the symbol."""
    if len(payload.encode("utf-8")) <= _BYTE_CAPACITY_V40.get(str(error).upper(), 0):
        return True
    try:
        segments = segno.encoder.prepare_data(payload, None, None)
        segno.encoder.find_version(
            segments, segno.encoder.normalize_errorlevel(error), eci=False, micro=False
        )
    except segno.DataOverflowError:
        return False
    return True
