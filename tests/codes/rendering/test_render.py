import io
import struct
import zlib

import pytest
from PIL import Image

from codes.rendering import (
    FINDER_BALL_SHAPES,
    FINDER_FRAME_SHAPES,
    FORMATS,
    FRAMES,
    MODULE_SHAPES,
    Gradient,
    SpecError,
    Style,
    content_type_for,
    prepare_logo,
    render,
)
from codes.rendering.engine import renders

from .conftest import decode, png_bytes
from .vector import rasterize_pdf, rasterize_svg

URL = "https://qr.example/r/Ab3dE7x"


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def bomb_png(width=100_000, height=100_000) -> bytes:
    """A few hundred bytes that claim ten gigapixels."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", ihdr)
        + _chunk(b"IDAT", zlib.compress(b"\0" * 1000))
        + _chunk(b"IEND", b"")
    )


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_renders_with_its_mime_type(fmt):
    data = render(URL, Style(), format=fmt)
    signatures = {
        "png": b"\x89PNG",
        "jpeg": b"\xff\xd8",
        "webp": b"RIFF",
        "svg": b"<svg",
        "pdf": b"%PDF-1.4",
    }
    assert data.startswith(signatures[fmt])
    assert content_type_for(fmt).split("/")[0] in ("image", "application")


@pytest.mark.parametrize("fmt", ["png", "jpeg", "webp"])
def test_rasters_decode_to_the_payload(fmt):
    assert decode(render(URL, Style(), format=fmt)) == [URL]


def test_png_width_is_size_and_carries_dpi():
    image = Image.open(io.BytesIO(render(URL, Style(), size=333, dpi=600)))
    assert image.size == (333, 333)
    assert tuple(round(v) for v in image.info["dpi"]) == (600, 600)


def test_a_labelled_frame_is_taller_than_wide():
    image = Image.open(io.BytesIO(render(URL, Style(frame="box", label="SCAN ME"), size=400)))
    assert image.width == 400
    assert image.height > 400


def test_svg_scales_to_size_over_a_module_viewbox():
    svg = render(URL, Style(), format="svg", size=512).decode()
    assert 'width="512"' in svg
    assert 'viewBox="0 0 37 37"' in svg  # version 3: 29 modules + 2 x 4 quiet zone


def test_pdf_page_is_size_at_dpi():
    pdf = render(URL, Style(), format="pdf", size=300, dpi=300)
    assert b"/MediaBox [0 0 72 72]" in pdf  # 300 px at 300 dpi = 1 inch


@pytest.mark.parametrize("shape", MODULE_SHAPES)
def test_svg_and_pdf_geometry_decode(shape):
    style = Style(module_shape=shape, finder_frame_shape="rounded", finder_ball_shape="circle")
    assert decode(rasterize_svg(render(URL, style, format="svg"))) == [URL]
    assert decode(rasterize_pdf(render(URL, style, format="pdf"))) == [URL]


def test_same_inputs_give_the_same_bytes_even_without_the_cache():
    style = Style(
        module_shape="rounded", frame="badge", label="Hi", gradient=Gradient("#123456", "#654321")
    )
    for fmt in FORMATS:
        first = render(URL, style, format=fmt)
        renders.clear()
        assert render(URL, style, format=fmt) == first


def test_repeated_renders_come_from_the_cache():
    style = Style(module_shape="dots")
    first = render(URL, style)
    hits = renders.hits
    assert render(URL, style) is first
    assert renders.hits == hits + 1


def test_different_logos_are_different_cache_entries(logo):
    other = png_bytes((90, 90), (20, 120, 60, 255))
    assert render(URL, Style(), logo=logo) != render(URL, Style(), logo=other)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"size": 0}, "size"),
        ({"size": 100_000}, "size"),
        ({"size": "400"}, "size"),
        ({"format": "gif"}, "format"),
        ({"dpi": 5}, "dpi"),
    ],
)
def test_bad_output_options_are_refused(kwargs, field):
    with pytest.raises(SpecError) as exc:
        render(URL, Style(), **kwargs)
    assert field in exc.value.fields


def test_a_size_too_small_for_the_code_says_how_big():
    long_text = "x" * 1500
    with pytest.raises(SpecError) as exc:
        render(long_text, Style(error_correction="L"), size=64)
    assert "at least" in exc.value.fields["size"]


def test_content_too_long_is_refused():
    with pytest.raises(SpecError) as exc:
        render("x" * 3000, Style(error_correction="H"))
    assert "lower error_correction" in exc.value.fields["content"]


def test_style_must_be_a_style():
    with pytest.raises(SpecError) as exc:
        render(URL, {"module_shape": "dots"})
    assert "style" in exc.value.fields


def test_transparent_background_png_has_alpha_and_jpeg_is_white():
    style = Style(background_color="transparent")
    image = Image.open(io.BytesIO(render(URL, style)))
    assert image.mode == "RGBA"
    assert image.getpixel((0, 0))[3] == 0
    jpeg = Image.open(io.BytesIO(render(URL, style, format="jpeg")))
    assert jpeg.getpixel((0, 0)) == (255, 255, 255)


@pytest.mark.parametrize("frame", FRAMES)
@pytest.mark.parametrize("finder", FINDER_FRAME_SHAPES)
def test_frames_and_finders_scan(frame, finder):
    style = Style(frame=frame, label="SCAN ME", finder_frame_shape=finder, finder_ball_shape=finder)
    assert decode(render(URL, style)) == [URL]


def test_finder_ball_shapes_are_covered():
    assert set(FINDER_BALL_SHAPES) == set(FINDER_FRAME_SHAPES)


# -- logos ---------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP", "GIF"])
def test_raster_logos_are_reencoded_as_png(fmt):
    prepared = prepare_logo(png_bytes(fmt=fmt))
    assert prepared.png.startswith(b"\x89PNG")
    assert (prepared.width, prepared.height) == (120, 80)
    assert len(prepared.sha256) == 64


def test_large_logos_are_downscaled():
    prepared = prepare_logo(png_bytes((3000, 1500)))
    assert (prepared.width, prepared.height) == (1024, 512)


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"definitely not an image", "not a PNG"),
        (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>', "SVG"),
        (b"  <svg onload='alert(1)'></svg>", "SVG"),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * (50 * 1024 * 1024), "5 MB"),
        (bomb_png(), "megapixels"),
        (bomb_png(5000, 5000), "megapixels"),
        (png_bytes()[:60], "damaged"),
        (b"", "empty"),
        (png_bytes((4, 4)), "at least"),
    ],
    ids=["text", "svg", "svg-script", "50mb", "bomb", "bomb-25mp", "truncated", "empty", "tiny"],
)
def test_bad_logos_are_refused_not_crashed(data, words):
    with pytest.raises(SpecError) as exc:
        prepare_logo(data)
    assert words in exc.value.fields["logo"]
    with pytest.raises(SpecError):
        render(URL, Style(), logo=data)


def test_logo_must_be_bytes():
    with pytest.raises(SpecError) as exc:
        render(URL, Style(), logo="logo.png")
    assert "logo" in exc.value.fields


def test_a_logo_code_scans_in_every_writer(logo):
    style = Style(logo_size=0.25)
    assert decode(render(URL, style, logo=logo)) == [URL]
    svg = render(URL, style, logo=logo, format="svg")
    assert b"data:image/png;base64," in svg
    assert decode(rasterize_svg(svg)) == [URL]
    pdf = render(URL, style, logo=logo, format="pdf")
    assert b"/SMask" in pdf
    assert decode(rasterize_pdf(pdf)) == [URL]


def test_truncated_logo_is_refused_even_after_weasyprint_is_imported():
    # WeasyPrint turns on PIL's LOAD_TRUNCATED_IMAGES for the whole process when imported.
    import weasyprint  # noqa: F401
    from PIL import ImageFile

    assert ImageFile.LOAD_TRUNCATED_IMAGES
    with pytest.raises(SpecError) as exc:
        prepare_logo(png_bytes()[:60])
    assert "damaged" in exc.value.fields["logo"]
