"""Two independent QR readers, and the real-world conditions every design is judged under.

A design is only as good as the weakest phone that scans it, and phones run many different
readers. zxing-cpp (a C++ port of ZXing, what most Android apps use) and ZBar (its own C
implementation, from a different lineage: a linear scanner and its own finder search) fail in
different ways, so a design passes only when both read back exactly the payload.

ZBar needs the system library (Debian's libzbar0); without it the guard falls back to
zxing-cpp alone and says so (`SECOND_DECODER` is None, and the Django system check warns).

The conditions are a small, fixed set of degradations, each standing for something that
happens between the file and a phone: out of focus, far away, held at an angle, re-shared as
a JPEG, poor light on a glossy print. The fraction a design survives is its score.
"""

from __future__ import annotations

import ctypes
import io
import math
from collections.abc import Callable
from dataclasses import dataclass

import zxingcpp
from PIL import Image, ImageFilter

try:  # the library is loaded through ctypes; a missing libzbar is an ImportError
    from pyzbar import pyzbar as _pyzbar
    from pyzbar import wrapper as _zbar
except ImportError:  # pragma: no cover - exercised on machines without libzbar0
    _pyzbar = _zbar = None

FIRST_DECODER = "zxing-cpp"
SECOND_DECODER = "zbar" if _pyzbar is not None else None


def decoders() -> tuple[str, ...]:
    return (FIRST_DECODER, SECOND_DECODER) if SECOND_DECODER else (FIRST_DECODER,)


def flatten_on_white(image: Image.Image) -> Image.Image:
    """What a camera sees of a transparent image: the paper it is printed on (white)."""
    if image.mode in ("RGBA", "LA", "P"):
        rgba = image.convert("RGBA")
        paper = Image.new("RGB", rgba.size, (255, 255, 255))
        paper.paste(rgba, mask=rgba.getchannel("A"))
        return paper
    return image if image.mode in ("RGB", "L") else image.convert("RGB")


def read_zxing(image: Image.Image, *, inverted_ok: bool = False) -> list[str]:
    found = zxingcpp.read_barcodes(
        image,
        formats=zxingcpp.BarcodeFormat.QRCode,
        try_invert=inverted_ok,
        try_rotate=False,
        text_mode=zxingcpp.TextMode.Plain,
    )
    return [result.text for result in found]


def read_zbar(image: Image.Image, *, inverted_ok: bool = False) -> list[str]:
    grey = image.convert("L")
    texts = _zbar_scan(grey)
    if not texts and inverted_ok:
        texts = _zbar_scan(_inverted(grey))
    return texts


def _zbar_scan(grey: Image.Image) -> list[str]:
    # pyzbar's decode() turns each other symbology off with a call of its own; this scanner
    # turns them all off at once. It scans every line, as ZBar does by default: a thinned scan
    # (every 3rd line) read designs that the full scan does not (circle eyes at EC L with a
    # logo, found by `make soak`), so the verdict would not be ZBar's.
    scanner = _zbar.zbar_image_scanner_create()
    try:
        _zbar.zbar_image_scanner_set_config(scanner, 0, _zbar.ZBarConfig.CFG_ENABLE, 0)
        _zbar.zbar_image_scanner_set_config(scanner, _QRCODE, _zbar.ZBarConfig.CFG_ENABLE, 1)
        pixels = grey.tobytes()
        image = _zbar.zbar_image_create()
        try:
            _zbar.zbar_image_set_format(image, _pyzbar._FOURCC["L800"])
            _zbar.zbar_image_set_size(image, grey.width, grey.height)
            _zbar.zbar_image_set_data(
                image, ctypes.cast(pixels, ctypes.c_void_p), len(pixels), None
            )
            if _zbar.zbar_scan_image(scanner, image) < 0:
                return []
            return [
                _zbar_text(found.data)
                for found in _pyzbar._decode_symbols(_pyzbar._symbols_for_image(image))
            ]
        finally:
            _zbar.zbar_image_destroy(image)
    finally:
        _zbar.zbar_image_scanner_destroy(scanner)


_QRCODE = _pyzbar.ZBarSymbol.QRCODE if _pyzbar is not None else None


def _zbar_text(data: bytes) -> str:
    # ZBar hands back its text as UTF-8 bytes whatever character set it guessed.
    return data.decode("utf-8", errors="replace")


def _inverted(grey: Image.Image) -> Image.Image:
    return Image.eval(grey, lambda v: 255 - v)


def reads(image: Image.Image, payload: str, *, inverted_ok: bool = False) -> dict[str, bool]:
    """For each decoder: did it find exactly one code, reading exactly ``payload``?"""
    flat = flatten_on_white(image)
    verdict = {FIRST_DECODER: read_zxing(flat, inverted_ok=inverted_ok) == [payload]}
    if SECOND_DECODER:
        verdict[SECOND_DECODER] = read_zbar(flat, inverted_ok=inverted_ok) == [payload]
    return verdict


# --- conditions -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Condition:
    name: str
    stands_for: str
    apply: Callable[[Image.Image, float], Image.Image]  # (flat image, px per module) -> image


def _blur(image: Image.Image, unit: float) -> Image.Image:
    # Out of focus: a blur of a third of a module (at least one pixel), the point where
    # neighbouring modules start to run together.
    return image.filter(ImageFilter.GaussianBlur(max(1.0, unit / 3)))


DISTANT_PX_PER_MODULE = 2.5


def _distant(image: Image.Image, unit: float) -> Image.Image:
    # Far away: what a phone's sensor gets of a code at the edge of its range.
    if unit <= DISTANT_PX_PER_MODULE:
        return image
    scale = DISTANT_PX_PER_MODULE / unit
    small = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    return image.resize(small, Image.Resampling.BOX)


def _rotated(image: Image.Image, unit: float) -> Image.Image:
    fill = 255 if image.mode == "L" else (255, 255, 255)
    return image.rotate(10, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=fill)


def _tilted(image: Image.Image, unit: float) -> Image.Image:
    # Held at an angle: the far edge 15 % narrower than the near one.
    w, h = image.size
    pad = round(w * 0.075)
    coeffs = _perspective_coefficients(
        [(pad, 0), (w - pad, 0), (w, h), (0, h)], [(0, 0), (w, 0), (w, h), (0, h)]
    )
    fill = 255 if image.mode == "L" else (255, 255, 255)
    return image.transform(
        (w, h), Image.Transform.PERSPECTIVE, coeffs, Image.Resampling.BICUBIC, fillcolor=fill
    )


def _perspective_coefficients(target, source) -> list[float]:
    """The 8 coefficients PIL's PERSPECTIVE transform wants, mapping ``target`` corners (in
    the output) back to ``source`` corners (in the input)."""
    rows, rhs = [], []
    for (x, y), (u, v) in zip(target, source, strict=True):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
        rhs.extend([u, v])
    return _solve(rows, rhs)


def _solve(a: list[list[float]], b: list[float]) -> list[float]:
    n = len(b)
    m = [[*row, b[i]] for i, row in enumerate(a)]
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(m[r][col]))
        m[col], m[pivot] = m[pivot], m[col]
        for r in range(n):
            if r != col and m[r][col]:
                f = m[r][col] / m[col][col]
                m[r] = [x - f * y for x, y in zip(m[r], m[col], strict=True)]
    return [m[i][n] / m[i][i] for i in range(n)]


def _jpeg(image: Image.Image, unit: float) -> Image.Image:
    # Re-shared: messengers and social networks recompress at about quality 60, with 4:2:0
    # chroma subsampling.
    out = io.BytesIO()
    image.convert("RGB").save(out, format="JPEG", quality=60, subsampling=2)
    out.seek(0)
    return Image.open(out).convert("RGB")


def _dim(image: Image.Image, unit: float) -> Image.Image:
    # Poor light on a glossy print: everything pulled halfway to a mid grey, then a glare
    # that fades across the code.
    rgb = image.convert("RGB")
    grey = Image.new("RGB", rgb.size, (128, 128, 128))
    dim = Image.blend(rgb, grey, 0.5)
    glare = Image.linear_gradient("L").rotate(-45, expand=False).resize(rgb.size)
    glare = glare.point(lambda v: round(v * 0.35))
    return Image.composite(Image.new("RGB", rgb.size, (255, 255, 255)), dim, glare)


CONDITIONS: tuple[Condition, ...] = (
    Condition("blur", "out of focus", _blur),
    Condition("distance", f"far away ({DISTANT_PX_PER_MODULE} px per module)", _distant),
    Condition("rotation", "held at 10°", _rotated),
    Condition("tilt", "held at an angle (perspective)", _tilted),
    Condition("jpeg", "re-shared as a quality-60 JPEG", _jpeg),
    Condition("low_contrast", "poor light on a glossy print", _dim),
)
CONDITION_NAMES = tuple(c.name for c in CONDITIONS)


def conditions_read(
    image: Image.Image, payload: str, unit: float, *, inverted_ok: bool = False
) -> dict[str, dict[str, bool]]:
    """Each condition applied to ``image`` (``unit`` px per module), read by each decoder."""
    flat = flatten_on_white(image)
    return {
        c.name: reads(c.apply(flat, unit), payload, inverted_ok=inverted_ok) for c in CONDITIONS
    }


def score_of(results: dict[str, dict[str, bool]]) -> float:
    """The share of conditions both decoders survive, rounded to what a person reads."""
    if not results:
        return 0.0
    passed = sum(all(by_decoder.values()) for by_decoder in results.values())
    return math.floor(passed / len(results) * 100) / 100
