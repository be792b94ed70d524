"""Scannability as delivered: two decoders, the real-world conditions, the score and its fix.

Every design here is rendered and read for real (no decoder is stubbed): the numbers are what
zxing-cpp and ZBar make of the images a user downloads.
"""

import io

import pytest
from PIL import Image, ImageDraw

from codes.rendering import (
    Style,
    check,
    encode_content,
    ensure_deliverable,
    refused_combinations,
    render,
)
from codes.rendering.check import MIN_SCORE
from codes.rendering.decoders import CONDITIONS, SECOND_DECODER, decoders, flatten_on_white, reads
from codes.rendering.errors import SpecError

from .conftest import read_by_all
from .test_properties import FOUND

URL = "https://qr.example.com/r/Ab3dE9x"
# A contact card dense enough that small rasters of it do not scan.
DENSE_CARD = {
    "first_name": "Jane",
    "last_name": "Doe",
    "organization": "Acme Corporation",
    "title": "Head of Partnerships",
    "phone": "+1 555 123 4567",
    "email": "jane.doe@example.com",
    "website": "https://example.com/jane",
    "street": "1 Main Street",
    "city": "Springfield",
    "postal_code": "62701",
    "country": "USA",
}
VCARD = encode_content("vcard", DENSE_CARD)


@pytest.mark.skipif(SECOND_DECODER is None, reason="ZBar needs Debian's libzbar0")
def test_every_verdict_is_read_by_two_independent_decoders():
    report = check(URL, Style())

    assert decoders() == ("zxing-cpp", "zbar")
    assert report.decoders == ("zxing-cpp", "zbar")
    assert report.read_by == {"zxing-cpp": True, "zbar": True}
    assert set(report.conditions) == {c.name for c in CONDITIONS}
    assert all(
        set(by_decoder) == {"zxing-cpp", "zbar"} for by_decoder in report.conditions.values()
    )


def test_the_dense_vcard_at_256px_is_refused_with_the_smallest_size_that_scans(logo):
    kind, content, style_kwargs, logo_index, size = FOUND[0].values
    payload, style = encode_content(kind, content), Style(**style_kwargs)
    from .test_properties import LOGOS

    report = check(payload, style, logo=LOGOS[logo_index], size=size)

    assert not report.ok
    message = report.errors["size"]
    smallest = int(message.rsplit("at least ", 1)[1].split(" px")[0])
    assert smallest > size
    at_smallest = check(payload, style, logo=LOGOS[logo_index], size=smallest)
    assert at_smallest.ok, at_smallest.errors
    png = render(payload, style, size=smallest, logo=LOGOS[logo_index])
    assert read_by_all(png, payload)


def test_a_raster_is_judged_at_its_size_and_vector_output_at_the_print_size():
    with pytest.raises(SpecError) as refused:
        ensure_deliverable(VCARD, Style(), format="png", size=96)
    assert "size" in refused.value.fields
    # The same code as SVG is judged at the minimum print size the report states.
    report = ensure_deliverable(VCARD, Style(), format="svg", size=96)
    assert report.ok
    assert report.size is None
    assert report.min_print_size_mm


def test_a_plain_code_scores_above_a_dotted_gradient_with_a_large_logo(logo):
    plain = check(URL, Style())
    busy = check(
        URL,
        Style.from_dict(
            {
                "module_shape": "dots",
                "finder_frame_shape": "circle",
                "finder_ball_shape": "circle",
                "gradient": {"kind": "linear", "start_color": "#111827", "end_color": "#2563eb"},
                "logo_size": 0.25,
            }
        ),
        logo=logo,
    )

    assert plain.score == 1.0
    assert plain.robust
    assert MIN_SCORE <= busy.score < plain.score
    assert busy.ok
    assert not busy.robust


def test_a_design_between_passing_and_robust_is_allowed_with_a_warning_naming_its_fix():
    style = Style(module_shape="dots", finder_frame_shape="circle", finder_ball_shape="circle")

    report = check(URL, style)

    assert report.ok
    assert MIN_SCORE <= report.score < 1
    assert report.fix_field == "finder_frame_shape"
    assert any("use square finder eyes" in w for w in report.warnings)
    fixed = check(URL, Style(module_shape="dots"))
    assert fixed.score > report.score
    assert all(fixed.conditions[report.weakest].values())


def _badge_logo() -> bytes:
    image = Image.new("RGBA", (240, 240), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((8, 8, 232, 232), radius=48, fill=(220, 38, 38, 255))
    draw.ellipse((70, 70, 170, 170), fill=(255, 255, 255, 255))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def test_a_design_below_the_score_is_refused_naming_the_field_and_the_fix():
    logo = _badge_logo()
    style = Style(finder_frame_shape="circle", finder_ball_shape="circle", logo_size=0.3)

    report = check(VCARD, style, logo=logo)

    assert not report.ok
    assert "real-world conditions" in report.errors["logo_size"]
    assert "make the logo smaller" in report.errors["logo_size"]
    assert check(VCARD, Style(finder_frame_shape="circle", finder_ball_shape="circle",
                              logo_size=0.2), logo=logo).ok  # fmt: skip


@pytest.mark.parametrize("size", [160, 400])
def test_every_condition_a_report_claims_is_passed_by_the_delivered_image(size):
    style = Style(module_shape="rounded", finder_frame_shape="rounded", finder_ball_shape="rounded")
    report = check(URL, style, size=size)
    delivered = flatten_on_white(Image.open(io.BytesIO(render(URL, style, size=size))))

    for condition in CONDITIONS:
        claimed = report.conditions[condition.name]
        actual = reads(condition.apply(delivered, report.px_per_module), URL)
        assert actual == claimed, condition.name


def test_eye_combinations_that_never_hold_up_are_refused_and_listed_for_the_editor():
    assert refused_combinations() == {"finder_frame_shape": {"circle": ["square", "rounded"]}}
    for ball in ("square", "rounded"):
        report = check(URL, Style(finder_frame_shape="circle", finder_ball_shape=ball))
        assert not report.ok
        assert "circle ball" in report.errors["finder_ball_shape"]


def test_a_size_under_one_pixel_per_module_names_the_size():
    report = check(VCARD, Style(), size=64)
    assert not report.ok
    assert "size" in report.errors


@pytest.mark.parametrize("size", [400, 1024, 2048, 4096])
def test_large_downloads_are_read_by_both_decoders(size):
    # ZBar scans a large image sparser; it must still find the code at every size offered.
    report = check(URL, Style(), size=size)
    assert report.ok, report.errors
    assert report.read_by == dict.fromkeys(report.decoders, True)
