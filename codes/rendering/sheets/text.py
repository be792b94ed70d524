"""Text on labels: an embedded TrueType font (subset by reportlab), fitted to its box.

DejaVu Sans (Debian's ``fonts-dejavu-core``) covers Latin, Greek and Cyrillic. A line with
characters it lacks is set in the first fallback font present that has them all (CJK: Debian's
``fonts-wqy-zenhei`` or ``fonts-droid-fallback``); docs/printing.md says what to install.
Scripts that need shaping (Arabic, Indic) are not shaped by reportlab: their letters would print
unjoined, so such text is refused rather than printed wrong.

A line that is too wide is shrunk down to ``MIN_FONT_PT``, then cut with an ellipsis: text never
leaves its label.
"""

from __future__ import annotations

import functools
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from ..errors import SpecError

FONT_DIR = Path("/usr/share/fonts/truetype")
MAIN = ("LabelSans", FONT_DIR / "dejavu/DejaVuSans.ttf")
FALLBACKS = (
    ("LabelCJK", FONT_DIR / "wqy/wqy-zenhei.ttc"),
    ("LabelCJK2", FONT_DIR / "droid/DroidSansFallbackFull.ttf"),
)
MIN_FONT_PT = 5.0
LINE_HEIGHT = 1.2  # line pitch as a multiple of the font size
ELLIPSIS = "…"
_SHAPED = ("ARABIC", "HEBREW", "DEVANAGARI", "BENGALI", "TAMIL", "THAI", "SYRIAC")


@functools.cache
def _fonts() -> tuple[tuple[str, frozenset[int]], ...]:
    """(name, covered code points) of every usable font, the main one first."""
    found = []
    for name, path in (MAIN, *FALLBACKS):
        if not path.is_file():
            continue
        font = (
            TTFont(name, str(path), subfontIndex=0)
            if path.suffix == ".ttc"
            else TTFont(name, str(path))
        )
        pdfmetrics.registerFont(font)
        found.append((name, frozenset(font.face.charToGlyph)))
    if not found:
        raise RuntimeError(f"no label font: install fonts-dejavu-core ({MAIN[1]})")
    return tuple(found)


def main_font() -> str:
    return _fonts()[0][0]


def font_for(text: str) -> str:
    """The first font that has every character of ``text`` (the main font when none has)."""
    fonts = _fonts()
    needed = {ord(ch) for ch in text if not ch.isspace()}
    for name, covered in fonts:
        if needed <= covered:
            return name
    return fonts[0][0]


def check_text(field: str, text: str) -> None:
    """Refuse text that would print wrong: scripts needing shaping, or glyphs no font has."""
    for ch in text:
        if ch.isspace():
            continue
        script = unicodedata.name(ch, "").split(" ")[0]
        if script in _SHAPED:
            raise SpecError(
                {field: f"{script.title()} text needs shaping that label PDFs do not do yet; "
                 "put it in a code's image label instead"}
            )  # fmt: skip
    name = font_for(text)
    covered = dict(_fonts())[name]
    missing = sorted({ch for ch in text if not ch.isspace() and ord(ch) not in covered})
    if missing:
        shown = "".join(missing[:10])
        raise SpecError(
            {field: f"no installed font has {shown!r}; install fonts for it (docs/printing.md)"}
        )


def width(text: str, font: str, size: float) -> float:
    """Width in points."""
    return pdfmetrics.stringWidth(text, font, size)


@dataclass(frozen=True)
class FittedLine:
    text: str
    font: str
    size: float  # points
    width: float  # points


def fit_line(text: str, max_width: float, size: float, min_size: float = MIN_FONT_PT) -> FittedLine:
    """``text`` at ``size`` pt, shrunk until it is at most ``max_width`` pt wide, and cut with
    an ellipsis when even ``min_size`` is too wide."""
    font = font_for(text)
    w = width(text, font, size)
    if w <= max_width:
        return FittedLine(text, font, size, w)
    size = max(min_size, size * max_width / w)
    w = width(text, font, size)
    if w <= max_width + 1e-6:
        return FittedLine(text, font, size, w)
    low, high = 0, len(text)  # the longest prefix that fits with the ellipsis
    while low < high:
        mid = (low + high + 1) // 2
        if width(text[:mid].rstrip() + ELLIPSIS, font, size) <= max_width:
            low = mid
        else:
            high = mid - 1
    cut = text[:low].rstrip() + ELLIPSIS if low else ""
    return FittedLine(cut, font, size, width(cut, font, size))


def fit_block(
    lines: list[str], max_width: float, max_height: float, size: float
) -> list[FittedLine]:
    """Lines stacked in a box (points): shrunk together to fit its height, down to the
    minimum; lines that still do not fit are left out (the last kept line shows it ends)."""
    lines = [line for line in lines if line]
    if not lines or max_width <= 0 or max_height <= 0:
        return []
    size = min(size, max_height / (len(lines) * LINE_HEIGHT))
    if size < MIN_FONT_PT:
        size = MIN_FONT_PT
        keep = int(max_height // (MIN_FONT_PT * LINE_HEIGHT))
        if keep < len(lines) and keep:
            lines = [*lines[: keep - 1], lines[keep - 1] + ELLIPSIS] if keep else []
        lines = lines[:keep]
    return [fit_line(line, max_width, size) for line in lines]
