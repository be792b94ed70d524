"""The engine's SpecError becomes Django's ValidationError at the codes app's edges, with the
same field -> message pairs, so forms and the API's envelope show what the engine said."""

import pytest
from django.core.exceptions import ValidationError

from codes import services
from codes.models import QRCode
from codes.render_errors import engine_refusals, validation_error
from codes.rendering import SpecError, Style

SVG = b'<svg xmlns="http://www.w3.org/2000/svg"></svg>'


def _engine_fields(fn, *args) -> dict[str, str]:
    with pytest.raises(SpecError) as caught:
        fn(*args)
    return caught.value.fields


def test_validation_error_keeps_every_field_and_message():
    error = validation_error({"margin": "use at least 2", "label": "is too long"})

    assert error.message_dict == {"margin": ["use at least 2"], "label": ["is too long"]}


def test_engine_refusals_converts_and_keeps_the_engine_error_as_the_cause():
    with pytest.raises(ValidationError) as caught, engine_refusals():
        raise SpecError({"logo": "is not an image"})

    assert caught.value.message_dict == {"logo": ["is not an image"]}
    assert isinstance(caught.value.__cause__, SpecError)


def test_engine_refusals_leaves_other_errors_alone():
    own = ValidationError({"slug": "taken"})
    with pytest.raises(ValidationError) as caught, engine_refusals():
        raise own
    assert caught.value is own

    with pytest.raises(KeyError), engine_refusals():
        raise KeyError("a bug stays a bug")


@pytest.mark.django_db
def test_a_style_refused_by_the_engine_is_a_validation_error_with_its_message(acme, alice):
    engine = _engine_fields(Style.from_dict, {"margin": 0})

    with pytest.raises(ValidationError) as caught:
        services.code_create(
            workspace=acme, actor=alice, destination="https://example.com/", style={"margin": 0}
        )

    assert caught.value.message_dict == {"margin": [engine["margin"]]}
    assert not QRCode.objects.exists()


@pytest.mark.django_db
def test_a_logo_refused_by_the_engine_is_a_validation_error(acme, alice):
    with pytest.raises(ValidationError) as caught:
        services.logo_create(workspace=acme, actor=alice, data=SVG)

    assert list(caught.value.message_dict) == ["logo"]


@pytest.mark.django_db
def test_a_bulk_item_that_does_not_scan_is_refused_by_position(acme, alice):
    items = [
        {"destination": "https://example.com/1"},
        {"destination": "https://example.com/2", "style": {"foreground_color": "#eeeeee"}},
    ]

    with pytest.raises(services.ItemErrors) as caught:
        services.code_create_many(workspace=acme, actor=alice, items=items)

    assert list(caught.value.by_index) == [1]
    assert isinstance(caught.value.by_index[1], ValidationError)
    assert "1.foreground_color" in caught.value.message_dict


@pytest.mark.django_db
def test_the_image_of_stored_content_the_engine_refuses_is_a_validation_error(acme, alice):
    code = services.code_create(
        workspace=acme,
        actor=alice,
        kind="static",
        content_type="phone",
        content={"number": "+14155550100"},
    )
    QRCode.objects.filter(pk=code.pk).update(content={"number": "nope"})
    code.refresh_from_db()

    with pytest.raises(ValidationError) as caught:
        services.code_image(code=code)

    assert list(caught.value.message_dict) == ["number"]
