"""``render()``: payload + style -> image bytes, deterministic and cached."""

import hashlib

from .cache import LRU
from .errors import SpecError
from .logo import prepare_logo
from .pdf import write_pdf
from .png import write_raster
from .scene import Scene, build_scene
from .spec import Style
from .svg import write_svg

CONTENT_TYPES_BY_FORMAT = {
    "png": "image/png",
    "svg": "image/svg+xml",
    "pdf": "application/pdf",
    "jpeg": "image/jpeg",
    "webp": "image/webp",
}
MIN_SIZE, MAX_SIZE = 64, 4096
MIN_DPI, MAX_DPI = 72, 1200
RASTER = ("png", "jpeg", "webp")

renders = LRU(max_entries=512, max_bytes=64 * 1024 * 1024)
_digests = LRU(max_entries=16)


def content_type_for(format: str) -> str:
    """MIME type of a render format."""
    try:
        return CONTENT_TYPES_BY_FORMAT[format]
    except (KeyError, TypeError):
        raise SpecError({"format": _format_message(format)}) from None


def _format_message(fmt: object) -> str:
    return f"{fmt!r} is not a format; use one of {', '.join(CONTENT_TYPES_BY_FORMAT)}"


def logo_digest(logo: bytes | None) -> str | None:
    """sha256 of the logo bytes, remembered per bytes object so cache hits stay cheap."""
    if logo is None:
        return None
    if not isinstance(logo, bytes):
        raise SpecError({"logo": "must be the image file's bytes"})
    entry = _digests.get(id(logo))
    # The entry keeps the bytes object alive, so its id cannot be reused while cached.
    if entry is not None and entry[0] is logo:
        return entry[1]
    digest = hashlib.sha256(logo).hexdigest()
    _digests.put(id(logo), (logo, digest))
    return digest


def validate_output(format: str, size: int, dpi: int) -> None:
    errors = {}
    if format not in CONTENT_TYPES_BY_FORMAT:
        errors["format"] = _format_message(format)
    if isinstance(size, bool) or not isinstance(size, int) or not MIN_SIZE <= size <= MAX_SIZE:
        errors["size"] = (
            f"{size!r} px is out of range; use a whole number from {MIN_SIZE} to {MAX_SIZE}"
        )
    if isinstance(dpi, bool) or not isinstance(dpi, int) or not MIN_DPI <= dpi <= MAX_DPI:
        errors["dpi"] = f"{dpi!r} is out of range; use a whole number from {MIN_DPI} to {MAX_DPI}"
    if errors:
        raise SpecError(errors)


def render(
    payload: str,
    style: Style,
    *,
    format: str = "png",
    size: int = 400,
    logo: bytes | None = None,
    dpi: int = 300,
) -> bytes:
    """Draw ``payload`` in ``style``.

    ``size`` is the output width in px; a frame with a label makes the image taller. Rasters
    snap modules to whole pixels and centre the symbol (spare pixels widen the quiet zone).
    SVG gets ``width=size`` over a viewBox in modules; PDF pages are ``size`` px at ``dpi``
    (400 px at 300 dpi = 33.9 mm). PNG and JPEG carry ``dpi``; WebP has no DPI field.
    """
    validate_output(format, size, dpi)
    if not isinstance(style, Style):
        raise SpecError({"style": "must be a Style; build one with Style.from_dict()"})
    if format in ("svg", "webp"):
        dpi = 0  # not written, so not part of the identity of the output
    key = (payload, style, format, size, dpi, logo_digest(logo))
    cached = renders.get(key)
    if cached is not None:
        return cached
    scene = build_scene(payload, style, prepare_logo(logo) if logo is not None else None)
    data = write_scene(scene, format, size, dpi)
    renders.put(key, data, len(data))
    return data


def write_scene(scene: Scene, format: str, size: int, dpi: int) -> bytes:
    """The bytes of one format of a built scene (``render`` and ``batch`` both write here)."""
    if format == "svg":
        return write_svg(scene, size)
    if format == "pdf":
        return write_pdf(scene, size, dpi)
    return write_raster(scene, size, format, dpi)
