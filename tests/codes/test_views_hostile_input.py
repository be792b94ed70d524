"""The dashboard refuses what no database stores, next to the field and saving nothing: NUL
characters and unpaired surrogates (typed as JSON escapes into the metadata box), JSON nested
deeper than the parser goes, invisible characters in destinations."""

import re

import pytest
from django.urls import reverse

from codes.models import BrandTemplate, CampaignGroup, QRCode
from tests.codes.views_helpers import editor_data, htmx, make_code

pytestmark = pytest.mark.django_db

METADATA = [
    ("value NUL", '{"k": "a\\u0000b"}'),
    ("key NUL", '{"k\\u0000": "v"}'),
    ("value surrogate", '{"k": "\\ud800"}'),
    ("key surrogate", '{"\\udfff": "v"}'),
    ("nested surrogate", '{"k": [{"x": "\\ud800"}]}'),
    ("5000 deep", '{"k": ' + "[" * 5000 + "]" * 5000 + "}"),
    ("30 deep", '{"k": ' + "[" * 30 + "]" * 30 + "}"),
]
DESTINATIONS = [
    ("right-to-left override", "https://example.com/\u202egpj.exe"),
    ("zero-width space", "https://exa\u200bmple.com/"),
    ("byte order mark", "https://example.com/\ufeff"),
]


def error_on(html: str, name: str) -> str:
    """The error text shown beside the field `name`, or ""."""
    for block in re.findall(r'<div class="field has-error">.*?</div>\s*</div>', html, re.S):
        if f'name="{name}"' in block:
            return block
    return ""


@pytest.mark.parametrize(("case", "metadata"), METADATA, ids=[c[0] for c in METADATA])
def test_create_with_unstorable_metadata_shows_the_error_and_saves_nothing(
    alice_client, case, metadata
):
    response = alice_client.post(reverse("codes:create"), editor_data(metadata=metadata))

    assert response.status_code == 422
    assert error_on(response.content.decode(), "metadata")
    assert not QRCode.objects.exists()


@pytest.mark.parametrize(("case", "metadata"), METADATA, ids=[c[0] for c in METADATA])
def test_edit_with_unstorable_metadata_shows_the_error_and_changes_nothing(
    alice_client, acme, alice, case, metadata
):
    code = make_code(acme, alice, metadata={"campaign": "spring"})
    url = reverse("codes:edit", args=[code.public_id])

    response = alice_client.post(url, editor_data(name="Changed", metadata=metadata))

    assert response.status_code == 422
    assert error_on(response.content.decode(), "metadata")
    code.refresh_from_db()
    assert (code.name, code.metadata) == ("Spring menu", {"campaign": "spring"})


@pytest.mark.parametrize(("case", "metadata"), METADATA, ids=[c[0] for c in METADATA])
def test_live_preview_with_unstorable_metadata_still_answers(alice_client, case, metadata):
    response = alice_client.post(
        reverse("codes:preview"), editor_data(metadata=metadata), **htmx("preview")
    )

    assert response.status_code == 200


@pytest.mark.parametrize(("case", "destination"), DESTINATIONS, ids=[c[0] for c in DESTINATIONS])
def test_invisible_characters_in_a_destination_are_refused(alice_client, case, destination):
    response = alice_client.post(reverse("codes:create"), editor_data(destination=destination))

    assert response.status_code == 422
    assert "invisible" in error_on(response.content.decode(), "destination")
    assert not QRCode.objects.exists()


@pytest.mark.parametrize(("case", "destination"), DESTINATIONS, ids=[c[0] for c in DESTINATIONS])
def test_changing_the_destination_to_invisible_characters_is_refused(
    alice_client, acme, alice, case, destination
):
    code = make_code(acme, alice, kind="dynamic")
    url = reverse("codes:destination", args=[code.public_id])

    response = alice_client.post(url, {"destination": destination}, **htmx("destination"))

    assert response.status_code < 500
    code.refresh_from_db()
    assert code.destination == "https://example.com/spring"
    assert code.destination_changes.count() == 1


@pytest.mark.parametrize("field", ["name", "external_id"])
def test_a_nul_character_in_a_code_field_is_refused(alice_client, field):
    response = alice_client.post(reverse("codes:create"), editor_data(**{field: "a\x00b"}))

    assert response.status_code == 422
    assert error_on(response.content.decode(), field)
    assert not QRCode.objects.exists()


@pytest.mark.parametrize("field", ["name", "description"])
def test_a_nul_character_in_a_group_field_is_refused(alice_client, field):
    data = {"name": "Trade show", "slug": "", "description": "", "color": "#c2293b"}
    data[field] = "a\x00b"

    response = alice_client.post(reverse("codes:group_create"), data)

    assert response.status_code == 422
    assert error_on(response.content.decode(), field)
    assert not CampaignGroup.objects.exists()


def test_a_nul_character_in_a_brand_style_name_is_refused(alice_client):
    data = editor_data(**{"template-name": "Event\x00dark"})

    response = alice_client.post(reverse("codes:template_create"), data, **htmx("save-style"))

    assert response.status_code < 500
    assert not BrandTemplate.objects.exists()
