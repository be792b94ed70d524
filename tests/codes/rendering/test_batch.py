"""Batches of payloads in one design (ZIP exports): the same files as `render`, the guard once
per symbol size, and every image read back from the raster it was written from."""

import io

import pytest
from PIL import Image

from codes.rendering import Gradient, SpecError, Style, render
from codes.rendering.batch import Batch
from codes.rendering.check import _reports

from .conftest import decode

STYLED = Style(
    module_shape="rounded",
    finder_frame_shape="rounded",
    finder_ball_shape="circle",
    gradient=Gradient("#1A3D7C", "#5B1A7C", angle=45),
    logo_size=0.2,
)


def _logo() -> bytes:
    image = Image.new("RGBA", (120, 120), (0, 0, 0, 0))
    image.paste((230, 60, 40, 255), (0, 0, 120, 120))
    image.paste((255, 255, 255, 255), (40, 40, 80, 80))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _urls(count: int, start: int = 0) -> list[str]:
    return [f"https://qr.example.com/r/{i:07d}" for i in range(start, start + count)]


def test_a_batch_writes_the_same_files_as_render():
    logo = _logo()
    batch = Batch(STYLED, formats=["png", "svg", "pdf"], size=400, logo=logo)
    for payload in _urls(3):
        files = batch.render(payload).files
        for fmt in ("png", "svg", "pdf"):
            assert files[fmt] == render(payload, STYLED, format=fmt, size=400, logo=logo), fmt


def test_each_styled_image_is_read_back_and_really_decodes():
    batch = Batch(STYLED, size=400, logo=_logo())
    for payload in _urls(5):
        rendered = batch.render(payload)
        assert rendered.decoded is True
        assert decode(rendered.files["png"]) == [payload]


def test_the_guard_judges_a_design_once_per_symbol_size():
    batch = Batch(STYLED, size=400, logo=_logo())
    batch.render(_urls(1)[0])
    judged = len(_reports)
    for payload in _urls(30, start=1):
        batch.render(payload)
    assert len(_reports) == judged  # same length: the same symbol size
    batch.render("https://qr.example.com/r/" + "x" * 60)  # a larger symbol is judged anew
    assert len(_reports) == judged + 1


def test_plain_payloads_in_the_standard_design_rest_on_the_guards_proof():
    batch = Batch(Style(), size=300)
    rendered = batch.render("https://qr.example.com/r/abc1234")
    assert rendered.decoded is None
    assert decode(rendered.files["png"]) == ["https://qr.example.com/r/abc1234"]
    # Outside the plain set (a tilde may read back differently), the image is read.
    assert batch.render("https://qr.example.com/~me").decoded is True


def test_a_design_the_guard_refuses_is_refused_for_the_whole_batch():
    faint = Style(foreground_color="#DDDDDD")
    with pytest.raises(SpecError) as refused:
        Batch(faint, size=400).render("https://qr.example.com/r/abc1234")
    assert "foreground_color" in refused.value.fields


def test_colour_pngs_carry_their_dpi_and_the_composed_pixels():
    data = render("https://qr.example.com/r/abc1234", STYLED, size=400, dpi=150)
    image = Image.open(io.BytesIO(data))
    assert image.mode == "RGB"
    assert tuple(round(v) for v in image.info["dpi"]) == (150, 150)
    assert decode(image) == ["https://qr.example.com/r/abc1234"]
