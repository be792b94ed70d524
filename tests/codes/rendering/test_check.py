import importlib

import pytest

from codes.rendering import (
    ERROR_LEVELS,
    FINDER_FRAME_SHAPES,
    MODULE_SHAPES,
    Gradient,
    SpecError,
    Style,
    check,
    ensure_scannable,
    render,
)

from .conftest import decode

URL = "https://qr.example/r/Ab3dE7x"
# The package exports the check() function under the module's name.
check_module = importlib.import_module("codes.rendering.check")


def test_a_plain_code_passes_with_a_full_report():
    report = check(URL, Style())
    assert report.ok
    assert report.decodes
    assert report.errors == {}
    assert report.contrast_ratio == 21.0
    assert (report.version, report.modules, report.quiet_zone) == (3, 29, 4)
    assert report.error_correction == "M"
    assert report.logo_coverage == 0
    # 0.3 m away: 1.2 mm modules x (29 + 8) modules.
    assert report.min_print_size_mm == pytest.approx(44.4)


def test_print_size_grows_with_scan_distance():
    near = check(URL, Style(), scan_distance_m=0.3).min_print_size_mm
    far = check(URL, Style(), scan_distance_m=3).min_print_size_mm
    assert far == pytest.approx(near * 10)


def test_low_contrast_is_refused_with_what_to_change():
    report = check(URL, Style(foreground_color="#AAAAAA", background_color="#FFFFFF"))
    assert not report.ok
    assert "below 3:1" in report.errors["foreground_color"]
    assert "darker" in report.errors["foreground_color"]


def test_middling_contrast_only_warns():
    report = check(URL, Style(foreground_color="#808080"))
    assert report.ok
    assert any("below 4.5:1" in w for w in report.warnings)


def test_light_on_dark_is_refused_unless_allowed():
    inverted = {"foreground_color": "#FFFFFF", "background_color": "#102040"}
    refused = check(URL, Style(**inverted))
    assert not refused.ok
    assert "allow_inverted" in refused.errors["foreground_color"]
    allowed = check(URL, Style(**inverted, allow_inverted=True))
    assert allowed.ok
    png = render(URL, Style(**inverted, allow_inverted=True))
    assert decode(png) == []  # a reader that does not invert sees nothing
    assert decode(png, try_invert=True) == [URL]


def test_every_gradient_stop_and_finder_colour_is_checked():
    report = check(URL, Style(gradient=Gradient("#000000", "#DDDDDD")))
    assert "gradient" in report.errors
    report = check(URL, Style(finder_frame_color="#EEEEEE"))
    assert "finder_frame_color" in report.errors
    report = check(URL, Style(finder_ball_color="#F0F0F0"))
    assert "finder_ball_color" in report.errors


def test_unreadable_label_is_refused():
    report = check(
        URL, Style(frame="box", label="Scan", frame_color="#000000", label_color="#111111")
    )
    assert "label_color" in report.errors


def test_transparent_background_warns_about_the_surface():
    report = check(URL, Style(background_color="transparent"))
    assert report.ok
    assert any("light surface" in w for w in report.warnings)


def test_small_quiet_zone_warns():
    report = check(URL, Style(margin=2))
    assert report.ok
    assert any("quiet zone" in w for w in report.warnings)


def test_logo_within_budget_scans_at_h(logo):
    report = check(URL, Style(logo_size=0.25), logo=logo)
    assert report.ok
    assert report.error_correction == "H"
    assert 0 < report.logo_coverage <= report.logo_budget


def test_logo_over_budget_is_refused_with_a_size_that_fits(logo):
    payload = URL + "/a-longer-path-to-reach-a-higher-version"
    report = check(payload, Style(logo_size=0.38), logo=logo)
    assert not report.ok
    message = report.errors["logo_size"]
    assert "at most" in message
    suggested = float(message.rsplit(" ", 1)[1])
    assert check(payload, Style(logo_size=suggested), logo=logo).logo_coverage <= 0.15


def test_logo_never_covers_a_finder(logo):
    report = check("hi", Style(logo_size=0.38), logo=logo)
    assert not report.ok
    assert "finder" in report.errors["logo_size"]


def test_ensure_scannable_raises_the_report_errors():
    with pytest.raises(SpecError) as exc:
        ensure_scannable(URL, Style(foreground_color="#EEEEEE"))
    assert "foreground_color" in exc.value.fields
    assert ensure_scannable(URL, Style()).ok


def test_bad_logo_bytes_are_a_report_error_not_a_crash():
    report = check(URL, Style(), logo=b"not an image")
    assert not report.ok
    assert "logo" in report.errors


def test_overlong_content_is_a_report_error():
    report = check("x" * 3000, Style(error_correction="H"))
    assert "content" in report.errors


def test_bad_scan_distance_is_refused():
    with pytest.raises(SpecError) as exc:
        check(URL, Style(), scan_distance_m=0)
    assert "scan_distance_m" in exc.value.fields


def test_check_is_cached():
    style = Style(module_shape="rounded")
    first = check(URL, style)
    hits = check_module._reports.hits
    assert check(URL, style) is first
    assert check_module._reports.hits == hits + 1


@pytest.mark.parametrize("shape", MODULE_SHAPES)
@pytest.mark.parametrize("finder", FINDER_FRAME_SHAPES)
@pytest.mark.parametrize("level", ERROR_LEVELS)
def test_every_shape_finder_and_level_passes_and_scans(shape, finder, level):
    style = Style(
        module_shape=shape,
        finder_frame_shape=finder,
        finder_ball_shape=finder,
        error_correction=level,
    )
    report = check(URL, style)
    assert report.ok, report.errors
    assert decode(render(URL, style, size=300)) == [URL]
