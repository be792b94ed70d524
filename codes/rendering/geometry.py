"""One geometry model from segno's matrix; the SVG, PNG and PDF writers all draw from it.

Coordinates are in modules, (0, 0) being the symbol's top-left module (quiet zone excluded).
``layout()`` places the symbol, its quiet zone, the frame and the label on a canvas, either in
module units (vector writers) or snapped to whole pixels per module (raster writers: crisp
module edges, and any leftover pixels widen the quiet zone rather than blur every module).
"""

import functools
import math
from dataclasses import dataclass

import segno

from . import fonts, qr
from .errors import SpecError
from .spec import FONT_REFERENCE_WIDTH, Style

FINDER = 7
# Space kept clear around a logo, in modules: the logo never sits on a half-covered module.
LOGO_PAD = 0.5
FRAME_WIDTH = 1  # modules of frame colour around the quiet zone
BAND_PER_FONT = 1.7  # label band height as a multiple of the font size
BADGE_RADIUS = 2.5  # modules


@functools.lru_cache(maxsize=512)
def encode(payload: str, error: str) -> tuple[int, tuple[bytes, ...]]:
    """``(version, matrix rows)`` of the symbol; cached because encoding dominates a render."""
    if not isinstance(payload, str) or not payload:
        raise SpecError({"content": "is empty; give something to encode"})
    # Always UTF-8: segno would otherwise pick Shift_JIS (Kanji mode) for Cyrillic and Latin-1
    # for accents, which phone readers decode as the wrong characters.
    encoding = None if payload.isascii() else "utf-8"
    try:
        return qr.make_matrix(payload, error, encoding)
    except segno.DataOverflowError:
        raise SpecError(
            {
                "content": f"is {len(payload.encode())} bytes, too long for a QR code at "
                f"error correction {error}; shorten it or lower error_correction"
            }
        ) from None


@dataclass(frozen=True)
class Geometry:
    version: int
    error: str
    n: int  # modules per side
    dark: tuple[bytes, ...]  # modules drawn in the module shape (finders and logo area removed)
    finders: tuple[tuple[int, int], ...]  # top-left (col, row) of each finder pattern
    logo_box: tuple[float, float, float, float] | None  # x, y, w, h in modules
    cleared: tuple[int, int, int, int] | None  # c0, r0, c1, r1 (exclusive) of cleared modules

    @property
    def logo_coverage(self) -> float:
        if self.cleared is None:
            return 0.0
        c0, r0, c1, r1 = self.cleared
        return (c1 - c0) * (r1 - r0) / (self.n * self.n)


@functools.lru_cache(maxsize=64)
def _function_rows(n: int, version: int) -> tuple[bytes, ...]:
    """Modules a logo must never cover: finders, separators, timing, format and version info
    (cached: the same for every symbol of a size, and a sheet has thousands)."""
    keep = [bytearray(n) for _ in range(n)]
    for r in range(n):
        for c in range(n):
            near = (r < 9 and (c < 9 or c >= n - 8)) or (r >= n - 8 and c < 9)
            if near or r == 6 or c == 6:
                keep[r][c] = 1
            if version >= 7 and (
                (r < 6 and n - 11 <= c < n - 8) or (c < 6 and n - 11 <= r < n - 8)
            ):
                keep[r][c] = 1
    return tuple(bytes(row) for row in keep)


def logo_rect(n: int, logo_size: float, aspect: float) -> tuple[tuple, tuple]:
    side = logo_size * n
    w, h = (side, side / aspect) if aspect >= 1 else (side * aspect, side)
    x, y = (n - w) / 2, (n - h) / 2
    c0, c1 = math.floor(x - LOGO_PAD), math.ceil(x + w + LOGO_PAD)
    r0, r1 = math.floor(y - LOGO_PAD), math.ceil(y + h + LOGO_PAD)
    return (x, y, w, h), (c0, r0, c1, r1)


@functools.lru_cache(maxsize=512)
def build(
    payload: str, error: str, logo_size: float | None = None, aspect: float = 1.0
) -> Geometry:
    """Geometry for ``payload``; ``logo_size`` (fraction of width) clears a centred area."""
    version, matrix = encode(payload, error)
    n = len(matrix)
    rows = [bytearray(row) for row in matrix]
    finders = ((0, 0), (n - FINDER, 0), (0, n - FINDER))
    for fc, fr in finders:
        for r in range(fr, fr + FINDER):
            rows[r][fc : fc + FINDER] = bytes(FINDER)
    logo_box = cleared = None
    if logo_size:
        logo_box, cleared = logo_rect(n, logo_size, aspect)
        c0, r0, c1, r1 = cleared
        protected = _function_rows(n, version)
        if c0 < 0 or r0 < 0 or any(any(protected[r][c0:c1]) for r in range(r0, r1)):
            raise SpecError(
                {
                    "logo_size": f"a {logo_size:.0%} logo would cover the finder or timing "
                    f"patterns of this {n}x{n} code; make the logo smaller"
                }
            )
        for r in range(r0, r1):
            rows[r][c0:c1] = bytes(c1 - c0)
    return Geometry(
        version=version,
        error=error,
        n=n,
        dark=tuple(bytes(row) for row in rows),
        finders=finders,
        logo_box=logo_box,
        cleared=cleared,
    )


@dataclass(frozen=True)
class Layout:
    """Where everything goes on the canvas, in canvas units (px for rasters)."""

    width: float
    height: float
    unit: float  # canvas units per module
    x0: float  # top-left of module (0, 0)
    y0: float
    code_box: tuple[float, float, float, float]  # background area incl. quiet zone: x, y, w, h
    frame: str
    radius: float  # outer corner radius (badge)
    band: tuple[float, float, float, float] | None  # label band: x, y, w, h
    font_size: float  # label font size, fitted to the band


def _band_modules(style: Style, total: float) -> float:
    if style.frame == "none":
        return 0.0
    font = style.label_font_size / FONT_REFERENCE_WIDTH * total
    # Whole modules keep every vector coordinate below the band an integer (short paths).
    return float(max(round(font * BAND_PER_FONT), FRAME_WIDTH)) if style.label else FRAME_WIDTH


def layout(geom: Geometry, style: Style, size: int | None = None) -> Layout:
    """Vector layout in modules when ``size`` is None, else whole-pixel raster layout."""
    framed = style.frame != "none"
    fw = FRAME_WIDTH if framed else 0
    total = geom.n + 2 * style.margin + 2 * fw  # canvas width in modules
    band_mod = _band_modules(style, total)
    if size is None:
        unit, width, pad = 1.0, float(total), 0.0
        frame_px, band_px = float(fw), band_mod
    else:
        unit = size // total
        if unit < 1:
            raise SpecError(
                {"size": f"this code is {total} modules wide; use a size of at least {total} px"}
            )
        width, frame_px = size, fw * unit
        pad = (size - unit * total) // 2
        band_px = round(band_mod * size / total) if style.label else frame_px
    inner = width - 2 * frame_px
    band_top = style.frame == "banner"
    code_y = band_px if band_top else frame_px
    height = code_y + inner + (frame_px if band_top else band_px)
    if not framed:
        height = width
    band = None
    font = 0.0
    if framed and style.label:
        band_y = 0 if band_top else code_y + inner
        band = (frame_px, band_y, inner, band_px)
        nominal = style.label_font_size / FONT_REFERENCE_WIDTH * width
        font = fonts.fitted_size(style.label, nominal, inner - 2 * unit)
    quiet = style.margin * unit + pad
    return Layout(
        width=width,
        height=height,
        unit=unit,
        x0=frame_px + quiet,
        y0=code_y + quiet,
        code_box=(frame_px, code_y, inner, inner),
        frame=style.frame,
        radius=BADGE_RADIUS * unit if style.frame == "badge" else 0.0,
        band=band,
        font_size=font,
    )
