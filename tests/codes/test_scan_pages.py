"""The pages people see when a scanned code does not redirect: in their browser's language,
with the workspace's own logo and colour."""

import base64
import hashlib
import re

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from codes import services
from tests.codes.views_helpers import logo_png, make_code

pytestmark = pytest.mark.django_db

PAUSED = {
    "en": "This code has been switched off by its owner.",
    "de": "Dieser Code wurde von seinem Inhaber abgeschaltet.",
    "fr": "Ce code a été désactivé par son propriétaire.",
    "es": "Su propietario ha desactivado este código.",
    "it": "Questo codice è stato disattivato dal suo proprietario.",
    "pt": "Este código foi desativado pelo seu proprietário.",
    "nl": "Deze code is door de eigenaar uitgeschakeld.",
}


@pytest.fixture
def paused(acme, alice):
    code = make_code(acme, alice)
    services.code_deactivate(code=code, actor=alice)
    return code


@pytest.mark.parametrize("language", sorted(PAUSED))
def test_a_paused_code_speaks_the_scanners_language(client, paused, language):
    response = client.get(f"/r/{paused.slug}", headers={"Accept-Language": f"{language},en;q=0.5"})
    html = response.content.decode()
    assert response.status_code == 410
    assert PAUSED[language] in html
    assert f'<html lang="{language}">' in html
    assert response["Content-Language"] == language
    assert "Accept-Language" in response["Vary"]


def test_a_regional_variant_gets_its_language_and_an_unknown_one_english(client, paused):
    swiss = client.get(f"/r/{paused.slug}", headers={"Accept-Language": "de-CH"})
    assert PAUSED["de"] in swiss.content.decode()
    japanese = client.get(f"/r/{paused.slug}", headers={"Accept-Language": "ja-JP"})
    assert PAUSED["en"] in japanese.content.decode()


def test_an_unknown_slug_is_translated_too(client):
    response = client.get("/r/nosuchslug", headers={"Accept-Language": "nl"})
    assert response.status_code == 404
    assert "Deze QR-code bestaat niet" in response.content.decode()


def test_a_deleted_code_says_it_no_longer_exists_in_german(client, acme, alice):
    code = make_code(acme, alice)
    services.code_delete(code=code, actor=alice)
    response = client.get(f"/r/{code.slug}", headers={"Accept-Language": "de"})
    assert "Diesen QR-Code gibt es nicht mehr" in response.content.decode()


def test_the_workspaces_logo_and_colour_are_on_its_scan_pages(client, paused, acme, alice):
    logo = services.logo_create(workspace=acme, actor=alice, data=logo_png())
    services.scan_page_brand_set(workspace=acme, actor=alice, color="#0F766E", logo=logo)
    response = client.get(f"/r/{paused.slug}")
    html = response.content.decode()
    assert "<style>.scan-page{--scan-accent:#0f766e}</style>" in html
    assert re.search(r'<img class="scan-logo" src="data:image/png;base64,[A-Za-z0-9+/=]+"', html)
    # The one inline rule is allowed by its hash, nothing else inline is.
    digest = base64.b64encode(
        hashlib.sha256(b".scan-page{--scan-accent:#0f766e}").digest()
    ).decode()
    assert f"style-src 'self' 'sha256-{digest}';" in response["Content-Security-Policy"]
    assert "script-src" not in response["Content-Security-Policy"]


def test_another_workspaces_brand_does_not_leak_onto_these_pages(client, paused, globex, charlie):
    services.scan_page_brand_set(workspace=globex, actor=charlie, color="#b91c1c", logo=None)
    html = client.get(f"/r/{paused.slug}").content.decode()
    assert "#b91c1c" not in html
    assert "scan-logo" not in html


def test_only_owners_and_admins_set_the_scan_pages(acme, bob):
    with pytest.raises(PermissionDenied):
        services.scan_page_brand_set(workspace=acme, actor=bob, color="#000000", logo=None)


def test_a_colour_that_is_not_hex_is_refused_on_the_form(alice_client):
    response = alice_client.post(
        reverse("codes:scan_page_brand"), {"use_color": "on", "color": "red;}body{x"}
    )
    assert response.status_code == 200
    assert "Give the colour as #rrggbb" in response.content.decode()


def test_the_settings_page_saves_the_colour(alice_client, paused, client):
    response = alice_client.post(
        reverse("codes:scan_page_brand"), {"use_color": "on", "color": "#1e40af"}
    )
    assert response.status_code == 302
    assert "--scan-accent:#1e40af" in client.get(f"/r/{paused.slug}").content.decode()
