"""The label font: one font file, read as outlines for SVG/PDF and by FreeType for rasters.

DejaVu Sans Bold (Debian's ``fonts-dejavu-core``) covers Latin, Greek and Cyrillic; when it
is missing we fall back to the Aileron font bundled inside Pillow, so a fresh machine still
renders labels. Labels become paths in SVG and PDF, so viewers never substitute a font.
"""

import functools
import io
import threading
from pathlib import Path

from fontTools.pens.basePen import BasePen
from fontTools.ttLib import TTFont
from PIL import ImageFont

DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")

Op = tuple


@functools.cache
def _font_bytes() -> tuple[str, bytes]:
    if DEJAVU.is_file():
        return "DejaVu Sans Bold", DEJAVU.read_bytes()
    bundled = ImageFont.load_default(size=10)
    return "Aileron (Pillow bundled)", bundled.font_bytes


def font_name() -> str:
    return _font_bytes()[0]


# fontTools decodes tables lazily and is not thread-safe while doing so; threaded web
# workers share this font, so every read goes through the lock.
_LOCK = threading.RLock()


@functools.cache
def _ttfont() -> TTFont:
    return TTFont(io.BytesIO(_font_bytes()[1]), lazy=True)


@functools.cache
def _metrics() -> tuple[float, dict[int, str], float, float]:
    with _LOCK:
        font = _ttfont()
        hhea = font["hhea"]
        return font["head"].unitsPerEm, font.getBestCmap(), hhea.ascent, hhea.descent


@functools.cache
def _advances() -> dict[str, int]:
    with _LOCK:
        hmtx = _ttfont()["hmtx"]
        return {name: hmtx[name][0] for name in _metrics()[1].values()}


def missing_characters(text: str) -> str:
    cmap = _metrics()[1]
    return "".join(sorted({ch for ch in text if ord(ch) not in cmap}))


def text_width_em(text: str) -> float:
    upem, cmap, _, _ = _metrics()
    advances = _advances()
    return sum(advances[cmap[ord(ch)]] for ch in text if ord(ch) in cmap) / upem


def fitted_size(text: str, size: float, max_width: float) -> float:
    """Shrink the font so the label fits the frame rather than overflow it."""
    width = text_width_em(text) * size
    return size if width <= max_width else size * max_width / width


def middle_offset_em() -> float:
    """Baseline distance below the text's vertical middle (Pillow's ``"mm"`` anchor)."""
    upem, _, ascent, descent = _metrics()
    return (ascent + descent) / 2 / upem


class _RecordingPen(BasePen):
    def __init__(self, glyphset):
        super().__init__(glyphset)
        self.ops: list[Op] = []

    def _moveTo(self, pt):
        self.ops.append(("M", *pt))

    def _lineTo(self, pt):
        self.ops.append(("L", *pt))

    def _qCurveToOne(self, pt1, pt2):
        self.ops.append(("Q", *pt1, *pt2))

    def _curveToOne(self, pt1, pt2, pt3):
        self.ops.append(("C", *pt1, *pt2, *pt3))

    def _closePath(self):
        self.ops.append(("Z",))


@functools.cache
def _glyph_ops(glyph_name: str) -> tuple[Op, ...]:
    with _LOCK:
        glyphset = _ttfont().getGlyphSet()
        pen = _RecordingPen(glyphset)
        glyphset[glyph_name].draw(pen)
        return tuple(pen.ops)


def outline(text: str, *, center_x: float, middle_y: float, size: float) -> list[Op]:
    """Path ops (y down) for ``text`` centred on ``(center_x, middle_y)`` at ``size`` units/em."""
    upem, cmap, _, _ = _metrics()
    advances = _advances()
    k = size / upem
    pen_x = center_x - text_width_em(text) * size / 2
    baseline = middle_y + middle_offset_em() * size
    ops: list[Op] = []
    for ch in text:
        name = cmap.get(ord(ch))
        if name is None:
            continue
        for op in _glyph_ops(name):
            coords = op[1:]
            moved = [
                pen_x + v * k if i % 2 == 0 else baseline - v * k for i, v in enumerate(coords)
            ]
            ops.append((op[0], *moved))
        pen_x += advances[name] * k
    return ops


@functools.lru_cache(maxsize=32)
def pil_font(px: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(
        io.BytesIO(_font_bytes()[1]), size=px, layout_engine=ImageFont.Layout.BASIC
    )
