import json

import pytest

from codes.rendering import MODULE_SHAPES, Gradient, SpecError, Style


def test_defaults_are_a_plain_code():
    style = Style()
    assert style.foreground_color == "#000000"
    assert style.background_color == "#FFFFFF"
    assert style.error_correction == "M"
    assert style.margin == 4
    assert style.module_shape == "square"
    assert style.frame == "none"
    assert style.allow_inverted is False


def test_colours_are_stored_canonically():
    style = Style(foreground_color="#abc", background_color="#ffffffff", frame_color="#11223344")
    assert style.foreground_color == "#AABBCC"
    assert style.background_color == "#FFFFFF"
    assert style.frame_color == "#11223344"
    assert Style(foreground_color="#abc") == Style(foreground_color="#AABBCC")


def test_to_dict_is_json_and_round_trips():
    style = Style(
        gradient=Gradient(start_color="#102030", end_color="#405060", kind="radial"),
        module_shape="dots",
        frame="badge",
        label="Scan me",
        logo_size=0.25,
        background_color="transparent",
    )
    data = json.loads(json.dumps(style.to_dict()))
    assert Style.from_dict(data) == style


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"module_shape": "hexagon"}, "module_shape"),
        ({"finder_frame_shape": "star"}, "finder_frame_shape"),
        ({"finder_ball_shape": 3}, "finder_ball_shape"),
        ({"foreground_color": "#12345"}, "foreground_color"),
        ({"foreground_color": "transparent"}, "foreground_color"),
        ({"background_color": "blue"}, "background_color"),
        ({"error_correction": "X"}, "error_correction"),
        ({"margin": 1}, "margin"),
        ({"margin": 2.5}, "margin"),
        ({"margin": True}, "margin"),
        ({"logo_size": 0.5}, "logo_size"),
        ({"frame": "circle"}, "frame"),
        ({"label": "x" * 41}, "label"),
        ({"label": "漢字"}, "label"),
        ({"label_font_size": 200}, "label_font_size"),
        ({"allow_inverted": "yes"}, "allow_inverted"),
        ({"gradient": {"start_color": "#000"}}, "gradient"),
        ({"gradient": {"start_color": "#000", "end_color": "#00000080"}}, "gradient"),
        ({"gradient": {"start_color": "#000", "end_color": "#111", "kind": "conic"}}, "gradient"),
        ({"gradient": "red"}, "gradient"),
        ({"shape": "dots"}, "shape"),
    ],
)
def test_bad_values_are_refused_per_field(data, field):
    with pytest.raises(SpecError) as exc:
        Style.from_dict(data)
    assert field in exc.value.fields
    assert exc.value.fields[field]


def test_every_problem_is_reported_at_once():
    with pytest.raises(SpecError) as exc:
        Style.from_dict({"module_shape": "hexagon", "foreground_color": "#12345", "size": 3})
    assert set(exc.value.fields) == {"module_shape", "foreground_color", "size"}


def test_the_message_says_what_to_change():
    with pytest.raises(SpecError) as exc:
        Style(foreground_color="#12345")
    assert "#RRGGBB" in exc.value.fields["foreground_color"]
    with pytest.raises(SpecError) as exc:
        Style(margin=1)
    assert "at least 2" in exc.value.fields["margin"]
    with pytest.raises(SpecError) as exc:
        Style(module_shape="hexagon")
    assert all(shape in exc.value.fields["module_shape"] for shape in MODULE_SHAPES)


def test_choices_are_case_insensitive_and_labels_are_tidied():
    style = Style(error_correction="h", module_shape="Dots", label="  Scan   me ")
    assert (style.error_correction, style.module_shape, style.label) == ("H", "dots", "Scan me")


def test_a_logo_forces_error_correction_h():
    assert Style(error_correction="L").effective_error(has_logo=True) == "H"
    assert Style(error_correction="L").effective_error(has_logo=False) == "L"


def test_label_colour_defaults_to_the_readable_one():
    assert Style(frame="box", frame_color="#111111").resolved_label_color() == "#FFFFFF"
    assert Style(frame="box", frame_color="#F5E050").resolved_label_color() == "#000000"


def test_from_dict_needs_a_mapping():
    with pytest.raises(SpecError) as exc:
        Style.from_dict(["square"])
    assert "style" in exc.value.fields
