"""Logo intake: accept only real raster images, refuse bombs, re-encode to a clean PNG.

Uploaded bytes never reach a writer: ``prepare_logo`` decodes them with Pillow (after checking
the declared dimensions, before any pixel is decompressed), drops metadata and animation,
applies the EXIF orientation, caps the size and re-encodes to PNG. The codes app stores that
PNG as the logo asset; ``render`` accepts it (or any raw upload, which it prepares the same way).
"""

import functools
import hashlib
import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from .cache import LRU
from .errors import SpecError

MAX_BYTES = 5 * 1024 * 1024
# Declared dimensions above this are refused before decoding: a small file can claim
# gigapixels (a decompression bomb). 4096 x 4096 is far more than any logo needs.
MAX_PIXELS = 4096 * 4096
MAX_SIDE = 1024  # stored logos are downscaled to this; a logo covers under 40 % of a code
MIN_SIDE = 8
FORMATS = ("PNG", "JPEG", "WEBP", "GIF")
_prepared = LRU(max_entries=64, max_bytes=64 * 1024 * 1024)


@dataclass(frozen=True)
class Logo:
    png: bytes
    width: int
    height: int
    sha256: str

    @property
    def aspect(self) -> float:
        return self.width / self.height


def _refuse(message: str):
    raise SpecError({"logo": message})


def _looks_like_svg(data: bytes) -> bool:
    head = data[:1024].lstrip().lower()
    return head.startswith((b"<?xml", b"<svg", b"<!doctype svg")) or b"<svg" in head


def prepare_logo(data: bytes) -> Logo:
    """Validate an uploaded logo and return it re-encoded as PNG with its checksum."""
    if not isinstance(data, bytes | bytearray | memoryview):
        _refuse("must be the image file's bytes")
    data = bytes(data)
    digest = hashlib.sha256(data).hexdigest()
    logo = _prepared.get(digest)
    if logo is None:
        logo = _prepare(data)
        _prepared.put(digest, logo, len(logo.png))
    return logo


def _prepare(data: bytes) -> Logo:
    if not data:
        _refuse("is empty; upload a PNG, JPEG, WebP or GIF image")
    if len(data) > MAX_BYTES:
        _refuse(f"is {len(data) / 1024 / 1024:.1f} MB; the limit is 5 MB, use a smaller image")
    if _looks_like_svg(data):
        _refuse("SVG logos are not accepted (they can carry scripts); upload PNG, JPEG or WebP")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=FORMATS)
            width, height = image.size
            if width * height > MAX_PIXELS:
                _refuse(
                    f"claims {width}x{height} pixels; the limit is {MAX_PIXELS // 1_000_000} "
                    "megapixels, use a smaller image"
                )
            # WeasyPrint sets ImageFile.LOAD_TRUNCATED_IMAGES process-wide when imported, which
            # would make load() pad a damaged file silently; verify() refuses it regardless.
            image.verify()
            image = Image.open(io.BytesIO(data), formats=FORMATS)
            image.seek(0)
            image.load()
    except SpecError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        _refuse(
            f"claims more than {MAX_PIXELS // 1_000_000} megapixels (a decompression bomb?); "
            "use a smaller image"
        )
    except UnidentifiedImageError:
        _refuse("is not a PNG, JPEG, WebP or GIF image; upload one of those")
    except (OSError, ValueError, SyntaxError, EOFError):
        _refuse("could not be read; the file is damaged or truncated, upload it again")
    if min(width, height) < MIN_SIDE:
        _refuse(f"is {width}x{height} pixels; use at least {MIN_SIDE}x{MIN_SIDE}")
    image = ImageOps.exif_transpose(image).convert("RGBA")
    image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=False, compress_level=6)
    png = out.getvalue()
    return Logo(
        png=png, width=image.width, height=image.height, sha256=hashlib.sha256(png).hexdigest()
    )


@functools.lru_cache(maxsize=64)
def decoded(logo: Logo) -> Image.Image:
    image = Image.open(io.BytesIO(logo.png))
    image.load()
    return image


@functools.lru_cache(maxsize=128)
def resized(logo: Logo, width: int, height: int) -> Image.Image:
    return decoded(logo).resize((max(width, 1), max(height, 1)), Image.Resampling.LANCZOS)
