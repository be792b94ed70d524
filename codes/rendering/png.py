"""Raster writer (PNG, and JPEG/WebP from the same canvas) with Pillow.

Modules are snapped to whole pixels (``layout`` gives ``unit`` px per module) so square codes
stay crisp; curved shapes are pre-rendered once per (shape, variant, unit) as antialiased tiles
(drawn 4x larger and box-filtered down) and a code is assembled row by row from tile rows,
which costs a few byte joins instead of hundreds of draw calls.
"""

import dataclasses
import functools
import io
import math
import operator
import struct
import zlib

from PIL import Image, ImageChops, ImageDraw
from zlib_ng import zlib_ng

from . import fonts, shapes
from .cache import LRU
from .color import TRANSPARENT, flatten, is_grey, to_rgba
from .geometry import Layout, layout
from .logo import resized
from .scene import Paint, Scene
from .spec import Gradient

SUPERSAMPLE = 4


def _draw_contours(contours, k: float, size: tuple[int, int]) -> Image.Image:
    """Antialiased coverage mask of ``contours`` scaled by ``k`` px per unit."""
    s = SUPERSAMPLE
    big = Image.new("L", (size[0] * s, size[1] * s), 0)
    draw = ImageDraw.Draw(big)
    steps = max(4, min(24, int(k)))
    # Pillow fills pixels whose centres lie inside; shifting by half a pixel makes the
    # edges land on pixel boundaries, so touching tiles leave no seam.
    for contour in contours:
        pts = [(x * k * s - 0.5, y * k * s - 0.5) for x, y in shapes.flatten(contour, steps)]
        draw.polygon(pts, fill=0 if shapes.is_hole(contour) else 255)
    return big.reduce(s)


@functools.lru_cache(maxsize=64)
def _tile_rows(shape: str, unit: int) -> list[list[bytes]]:
    """``rows[y][key]``: pixel row ``y`` of the tile for variant ``key`` (0 = light)."""
    tiles = [bytes(unit * unit)]
    for key in range(1, shapes.variant_count(shape) + 1):
        mask = _draw_contours(shapes.module_variant(shape, key), unit, (unit, unit))
        tiles.append(mask.tobytes())
    return [[t[y * unit : (y + 1) * unit] for t in tiles] for y in range(unit)]


def module_mask(scene: Scene, unit: int) -> Image.Image:
    geom, shape = scene.geom, scene.style.module_shape
    side = geom.n * unit
    if shape == "square":
        # One pixel per module, scaled up without filtering: exact and fast.
        small = Image.frombytes("L", (geom.n, geom.n), b"".join(geom.dark))
        return small.point(lambda v: 255 if v else 0).resize((side, side), Image.Resampling.NEAREST)
    rows = _tile_rows(shape, unit)
    out = []
    for keys in shapes.cell_variants(geom.dark, shape):
        # One getter per module row picks that row's tiles out of every pixel row of tiles.
        pick = operator.itemgetter(*keys) if len(keys) > 1 else lambda row, k=keys[0]: (row[k],)
        out += [b"".join(pick(tile_row)) for tile_row in rows]
    return Image.frombytes("L", (side, side), b"".join(out))


@functools.lru_cache(maxsize=64)
def _finder_tile(part: str, shape: str, unit: int) -> Image.Image:
    contours = shapes.finder_frame(shape) if part == "frames" else shapes.finder_ball(shape)
    return _draw_contours(contours, unit, (7 * unit, 7 * unit))


@functools.lru_cache(maxsize=64)
def _rounded_mask(w: int, h: int, r: int) -> Image.Image:
    mask = Image.new("L", (w, h), 255)
    if r <= 0:
        return mask
    full = _draw_contours([shapes.circle(r, r, r)], 1, (r, r))
    mask.paste(full, (0, 0))
    mask.paste(full.transpose(Image.Transpose.FLIP_LEFT_RIGHT), (w - r, 0))
    mask.paste(full.transpose(Image.Transpose.ROTATE_180), (w - r, h - r))
    mask.paste(full.transpose(Image.Transpose.FLIP_TOP_BOTTOM), (0, h - r))
    return mask


@functools.lru_cache(maxsize=32)
def _gradient_mask(kind: str, angle: float, side: int) -> Image.Image:
    """0 at the start colour, 255 at the end, over a ``side`` px square (see svg.py)."""
    if kind == "radial":
        reach = max(1, round(side * math.sqrt(2)))
        grad = Image.radial_gradient("L").resize((reach, reach), Image.Resampling.BILINEAR)
        off = (reach - side) // 2
        return grad.crop((off, off, off + side, off + side))
    a = math.radians(angle)
    span = max(1, math.ceil(side * (abs(math.cos(a)) + abs(math.sin(a)))))
    grad = Image.linear_gradient("L").resize((span, span), Image.Resampling.BILINEAR)
    grad = grad.rotate(90 - angle, resample=Image.Resampling.BILINEAR)
    off = (span - side) // 2
    return grad.crop((off, off, off + side, off + side))


@functools.lru_cache(maxsize=32)
def _gradient_image(grad: Gradient, side: int, mode: str) -> Image.Image:
    mask = _gradient_mask(grad.kind, grad.angle, side)
    start = Image.new(mode, (side, side), _color(grad.start_color, mode))
    end = Image.new(mode, (side, side), _color(grad.end_color, mode))
    return Image.composite(end, start, mask)


def _color(color: str, mode: str):
    rgba = to_rgba(color)
    return {"L": rgba[0], "RGB": rgba[:3], "RGBA": rgba}[mode]


def _fill(canvas: Image.Image, paint: Paint, mask: Image.Image, xy: tuple[int, int]) -> None:
    """Lay ``paint`` over the canvas through ``mask`` (coverage x the colour's own alpha)."""
    w, h = mask.size
    if isinstance(paint, Gradient):
        mode = "RGB" if canvas.mode == "RGBA" else canvas.mode
        src, alpha = _gradient_image(paint, w, mode), 255
    else:
        src, alpha = None, to_rgba(paint)[3]
    if alpha < 255:
        mask = mask.point(lambda v: v * alpha // 255)
    if canvas.mode != "RGBA":
        if src is None:
            canvas.paste(_color(paint, canvas.mode), (*xy, xy[0] + w, xy[1] + h), mask)
        else:
            canvas.paste(src, xy, mask)
        return
    layer = src.convert("RGBA") if src is not None else Image.new("RGBA", (w, h), to_rgba(paint))
    layer.putalpha(mask)
    canvas.alpha_composite(layer, xy)


def _mode(scene: Scene) -> str:
    """L for greys, RGB for colour, RGBA only when the background itself is see-through.

    A badge on an opaque background is drawn in L/RGB and gets its rounded alpha at the end:
    compositing whole layers in RGBA costs several times more than pasting through masks.
    """
    style = scene.style
    bg = style.background_color
    if bg == TRANSPARENT or to_rgba(bg)[3] < 255:
        return "RGBA"
    colors = [
        style.foreground_color,
        style.background_color,
        style.finder_frame_color,
        style.finder_ball_color,
    ]
    if style.frame != "none":
        colors += [style.resolved_frame_color(), style.resolved_label_color()]
    grey = all(c is None or is_grey(c) for c in colors)
    return "L" if grey and style.gradient is None and scene.logo is None else "RGB"


def _two_tone(scene: Scene) -> tuple[str, str] | None:
    """(ink, paper) when the design has exactly one ink on an opaque paper (palette PNG)."""
    style = scene.style
    ink, paper = style.foreground_color, style.background_color
    if style.gradient or scene.logo or paper == TRANSPARENT or to_rgba(paper)[3] < 255:
        return None
    if any(c not in (None, ink) for c in (style.finder_frame_color, style.finder_ball_color)):
        return None
    if style.frame != "none" and (
        style.frame == "badge"
        or style.resolved_frame_color() != ink
        or (style.label and style.resolved_label_color() != paper)
    ):
        return None
    return ink, paper


def _frame(canvas: Image.Image, scene: Scene, lay: Layout) -> None:
    style = scene.style
    W, H = canvas.size
    bg = style.background_color
    if lay.frame == "none":
        if bg != TRANSPARENT:
            canvas.paste(_color(bg, canvas.mode), (0, 0, W, H))
        return
    cx, cy, cw, ch = (int(v) for v in lay.code_box)
    inner = _rounded_mask(cw, ch, max(round(lay.radius) - cx, 0))
    frame = style.resolved_frame_color()
    if canvas.mode != "RGBA":
        canvas.paste(_color(bg, canvas.mode), (0, 0, W, H))
        _fill(canvas, frame, Image.new("L", (W, H), 255), (0, 0))
        canvas.paste(_color(bg, canvas.mode), (cx, cy, cx + cw, cy + ch), inner)
        return
    _fill(canvas, frame, _rounded_mask(W, H, round(lay.radius)), (0, 0))
    hole = Image.new("L", (W, H), 0)
    hole.paste(inner, (cx, cy))
    canvas.putalpha(ImageChops.subtract(canvas.getchannel("A"), hole))
    if bg != TRANSPARENT:
        _fill(canvas, bg, inner, (cx, cy))


# The guard reads the very raster that is then encoded and delivered: keeping the last few
# composed images lets a checked download compose once. Nothing mutates a composed image.
_composed = LRU(max_entries=16, max_bytes=48 * 1024 * 1024)


def compose(scene: Scene, size: int) -> Image.Image:
    """The finished raster at ``size`` px wide."""
    key = (scene, size)
    image = _composed.get(key)
    if image is None:
        tones = _two_tone(scene)
        if tones is not None and not all(is_grey(c) for c in tones):
            image = _palette(scene, size, *tones)
        else:
            image = _compose(scene, size, _mode(scene))
        _composed.put(key, image, image.width * image.height * len(image.getbands()))
    return image


def _palette(scene: Scene, size: int, ink: str, paper: str) -> Image.Image:
    """One ink on one paper: draw coverage in grey, then map it to a 256-step ink palette.

    A palette PNG compresses as fast and as small as a grey one; RGB would cost 3-4x.
    """
    style = scene.style
    coverage = dataclasses.replace(
        style,
        foreground_color="#FFFFFF",
        background_color="#000000",
        finder_frame_color=None,
        finder_ball_color=None,
        frame_color="#FFFFFF" if style.frame != "none" else None,
        label_color="#000000" if style.frame != "none" else None,
    )
    grey = _compose(dataclasses.replace(scene, style=coverage), size, "L")
    out = Image.frombytes("P", grey.size, grey.tobytes())
    fg, bg = flatten(ink, flatten(paper)), flatten(paper)
    out.putpalette(
        [round(b + (f - b) * i / 255) for i in range(256) for f, b in zip(fg, bg, strict=True)]
    )
    return out


# What every symbol of one design, size and symbol size shares (background, frame, finder
# eyes, logo, label): drawn once and copied, so a batch of 10,000 codes in one design draws
# only each code's modules. Every part sits in cells of its own (the finders' 7x7 squares, the
# logo's cleared area, the band), so painting the modules afterwards gives the same pixels as
# painting everything in order.
_bases = LRU(max_entries=16, max_bytes=32 * 1024 * 1024)


def _base(scene: Scene, lay: Layout, mode: str) -> Image.Image:
    style, geom = scene.style, scene.geom
    key = (style, scene.logo, geom.n, geom.logo_box, lay, mode)
    canvas = _bases.get(key)
    if canvas is not None:
        return canvas
    unit, x0, y0 = int(lay.unit), int(lay.x0), int(lay.y0)
    canvas = Image.new(mode, (int(lay.width), int(lay.height)), 0)
    _frame(canvas, scene, lay)
    side = geom.n * unit
    for paint, parts in scene.paint_groups():
        eyes = [part for part in parts if part != "modules"]
        if not eyes:
            continue
        mask = Image.new("L", (side, side), 0)
        for part in eyes:
            shape = style.finder_frame_shape if part == "frames" else style.finder_ball_shape
            tile = _finder_tile(part, shape, unit)
            for fc, fr in geom.finders:
                box = (fc * unit, fr * unit)
                mask.paste(
                    ImageChops.lighter(
                        mask.crop((*box, box[0] + 7 * unit, box[1] + 7 * unit)), tile
                    ),
                    box,
                )
        _fill(canvas, paint, mask, (x0, y0))
    if scene.logo is not None and geom.logo_box is not None:
        lx, ly, lw, lh = geom.logo_box
        w, h = round(lw * unit), round(lh * unit)
        image = resized(scene.logo, w, h)
        xy = (
            round(x0 + lx * unit + (lw * unit - w) / 2),
            round(y0 + ly * unit + (lh * unit - h) / 2),
        )
        if canvas.mode == "RGBA":
            canvas.alpha_composite(image, xy)
        else:
            canvas.paste(image.convert(canvas.mode), xy, image.getchannel("A"))
    if lay.band is not None:
        bx, by, bw, bh = lay.band
        draw = ImageDraw.Draw(canvas)
        draw.text(
            (bx + bw / 2, by + bh / 2),
            style.label,
            font=fonts.pil_font(max(1, round(lay.font_size))),
            fill=_color(style.resolved_label_color(), canvas.mode),
            anchor="mm",
        )
    _bases.put(key, canvas, canvas.width * canvas.height * len(canvas.getbands()))
    return canvas


def _compose(scene: Scene, size: int, mode: str) -> Image.Image:
    lay = layout(scene.geom, scene.style, size)
    canvas = _base(scene, lay, mode).copy()
    for paint, parts in scene.paint_groups():
        if "modules" in parts:
            _fill(canvas, paint, module_mask(scene, int(lay.unit)), (int(lay.x0), int(lay.y0)))
    if lay.frame == "badge" and canvas.mode != "RGBA":
        canvas = canvas.convert("RGBA")
        canvas.putalpha(_rounded_mask(canvas.width, canvas.height, round(lay.radius)))
    return canvas


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _png_truecolor(image: Image.Image, dpi: int) -> bytes:
    """RGB or RGBA as PNG with filter type 0 on every row.

    Pillow tries all five PNG filters on every row of a colour image, which costs twice the
    compression itself; these images are flat colours and smooth gradients that deflate finds
    as repeats without filtering (measured on a styled 400 px code: 1.7 ms and 27.6 KB against
    3.4 ms and 28.9 KB for Pillow at level 3; zlib-ng's encoder then took it to 0.8 ms and
    25.0 KB). The rows go to the compressor one by one, each after its filter byte, as views of
    the pixel bytes: assembling the filtered image first (a wider image pasted into, then
    copied out) cost half as much again as the compression."""
    bands = len(image.getbands())
    w, h = image.size
    pixels = memoryview(image.tobytes())
    stride = w * bands
    deflate = zlib_ng.compressobj(3)
    filter_none = b"\x00"
    idat = []
    for start in range(0, len(pixels), stride):
        idat.append(deflate.compress(filter_none))
        idat.append(deflate.compress(pixels[start : start + stride]))
    idat.append(deflate.flush())
    ppm = int(dpi / 0.0254 + 0.5)
    return b"".join(
        (
            b"\x89PNG\r\n\x1a\n",
            _chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 6 if bands == 4 else 2, 0, 0, 0)),
            _chunk(b"pHYs", struct.pack(">IIB", ppm, ppm, 1)),
            _chunk(b"IDAT", b"".join(idat)),
            _chunk(b"IEND", b""),
        )
    )


def encode_raster(image: Image.Image, fmt: str, dpi: int) -> bytes:
    out = io.BytesIO()
    if fmt == "png":
        # Grey and palette images are cheap to squeeze, so they get the smaller file.
        if image.mode in ("RGB", "RGBA"):
            return _png_truecolor(image, dpi)
        image.save(out, format="PNG", dpi=(dpi, dpi), compress_level=6)
        return out.getvalue()
    if image.mode == "P":
        image = image.convert("RGB")
    if fmt == "jpeg":
        if image.mode == "RGBA":
            flat = Image.new("RGB", image.size, (255, 255, 255))
            flat.paste(image, mask=image.getchannel("A"))
            image = flat
        # 4:4:4 chroma: subsampling smears coloured module edges.
        image.save(out, format="JPEG", quality=92, subsampling=0, dpi=(dpi, dpi))
    else:
        # Lossless keeps module edges exact; WebP carries no DPI field.
        image.save(out, format="WEBP", lossless=True, quality=80, method=2, exact=False)
    return out.getvalue()


def write_raster(scene: Scene, size: int, fmt: str, dpi: int) -> bytes:
    return encode_raster(compose(scene, size), fmt, dpi)
