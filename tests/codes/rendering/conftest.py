import io
import os

import pytest
import zxingcpp
from hypothesis import HealthCheck, settings
from PIL import Image

from codes.rendering import clear_caches
from codes.rendering.decoders import reads

# Bounded so the rendering suite stays well under a minute on a 2-core machine; inherits the
# replay-or-explore choice from the profile tests/conftest.py loads. `make soak` raises the count.
settings.register_profile(
    "rendering",
    max_examples=int(os.environ.get("RENDER_EXAMPLES", "60")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def decode(image: Image.Image | bytes, *, try_invert: bool = False) -> list[str]:
    """Every QR code zxing-cpp reads in the image, inversion off unless asked."""
    if isinstance(image, bytes):
        image = Image.open(io.BytesIO(image))
    if image.mode in ("RGBA", "LA", "P"):
        image = image.convert("RGBA")
        paper = Image.new("RGB", image.size, (255, 255, 255))
        paper.paste(image, mask=image.getchannel("A"))
        image = paper
    found = zxingcpp.read_barcodes(
        image,
        formats=zxingcpp.BarcodeFormat.QRCode,
        try_invert=try_invert,
        text_mode=zxingcpp.TextMode.Plain,
    )
    return [b.text for b in found]


def read_by_all(image: Image.Image | bytes, payload: str, *, inverted_ok: bool = False) -> bool:
    """Whether every decoder the guard uses reads exactly ``payload`` from the image."""
    if isinstance(image, bytes):
        image = Image.open(io.BytesIO(image))
    return all(reads(image, payload, inverted_ok=inverted_ok).values())


def png_bytes(size=(120, 80), color=(200, 30, 60, 255), fmt="PNG") -> bytes:
    image = Image.new(
        "RGBA" if fmt in ("PNG", "WEBP", "GIF") else "RGB",
        size,
        color[:3] if fmt == "JPEG" else color,
    )
    out = io.BytesIO()
    image.save(out, format=fmt)
    return out.getvalue()


@pytest.fixture
def logo() -> bytes:
    """A two-colour logo with transparent corners, like a real brand mark."""
    image = Image.new("RGBA", (160, 160), (0, 0, 0, 0))
    from PIL import ImageDraw

    draw = ImageDraw.Draw(image)
    draw.ellipse((0, 0, 159, 159), fill=(230, 60, 40, 255))
    draw.rectangle((50, 50, 110, 110), fill=(255, 255, 255, 255))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


@pytest.fixture(autouse=True)
def fresh_caches():
    clear_caches()
    return
