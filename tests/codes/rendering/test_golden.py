"""Golden files: each writer's output for a few designs, byte for byte (PNG: pixel for pixel).

A change to a writer shows up here as a diff to review. Regenerate after an intended change:

    UPDATE_GOLDEN=1 .venv/bin/pytest tests/codes/rendering/test_golden.py

and look at the new files (``docs/gallery.py`` renders the same designs for eyes).
"""

import io
import os
from pathlib import Path

import pytest
from PIL import Image, ImageChops

from codes.rendering import Gradient, Style, label_font_name, render

from .conftest import decode

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"
URL = "https://qr.example/r/Ab3dE7x"
LABEL_FONT = "DejaVu Sans Bold"


def _logo() -> bytes:
    image = Image.new("RGBA", (100, 100), (0, 0, 0, 0))
    image.paste((20, 110, 200, 255), (10, 10, 90, 90))
    image.paste((255, 255, 255, 255), (35, 35, 65, 65))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


CASES = {
    "plain": (Style(), None),
    "styled": (
        Style(
            module_shape="rounded",
            finder_frame_shape="rounded",
            finder_ball_shape="circle",
            gradient=Gradient("#1A3D7C", "#5B1A7C", angle=45),
            finder_ball_color="#C0392B",
            frame="badge",
            label="SCAN ME",
        ),
        None,
    ),
    "dots-logo": (Style(module_shape="dots", logo_size=0.25, foreground_color="#0B5D1E"), _logo()),
    "bars-banner": (
        Style(module_shape="vbars", frame="banner", label="Menu", background_color="transparent"),
        None,
    ),
}


def _compare(name: str, data: bytes) -> None:
    path = GOLDEN / name
    if UPDATE or not path.exists():
        if not UPDATE:
            pytest.fail(f"{path} is missing; run with UPDATE_GOLDEN=1 to create it")
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(data)
        return
    expected = path.read_bytes()
    if name.endswith(".png"):
        got, want = Image.open(io.BytesIO(data)), Image.open(io.BytesIO(expected))
        assert (got.mode, got.size) == (want.mode, want.size)
        assert ImageChops.difference(got, want).getbbox() is None, f"{name} pixels changed"
    else:
        assert data == expected, f"{name} changed; review it and regenerate with UPDATE_GOLDEN=1"


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("fmt", ["svg", "png", "pdf"])
def test_writer_output_matches_golden(case, fmt):
    style, logo = CASES[case]
    if style.label and label_font_name() != LABEL_FONT:
        pytest.skip(f"golden labels were drawn with {LABEL_FONT}; this machine lacks it")
    data = render(URL, style, format=fmt, size=300, logo=logo)
    _compare(f"{case}.{fmt}", data)
    if fmt == "png":
        assert decode(data) == [URL]
