"""The code editor: create and edit every content type, the live preview, logos, errors."""

import re

import pytest
from django.urls import reverse

from codes.models import LogoAsset, QRCode
from tests.codes.views_helpers import editor_data, htmx, logo_png, make_code

pytestmark = pytest.mark.django_db


def test_create_page_starts_with_a_dynamic_url_code_and_a_preview(alice_client):
    response = alice_client.get(reverse("codes:create"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'aria-current="page"' in html
    assert "Website" in html
    assert 'value="dynamic"' in html
    assert "checked" in html
    assert 'src="data:image/svg+xml;base64,' in html  # a preview before anything is typed
    assert "Scans reliably" in html


@pytest.mark.parametrize(
    ("content_type", "field"),
    [
        ("wifi", "content-ssid"),
        ("vcard", "content-first_name"),
        ("text", "content-text"),
        ("email", "content-to"),
        ("sms", "content-number"),
        ("phone", "content-number"),
        ("geo", "content-latitude"),
        ("event", "content-start"),
        ("mecard", "content-name"),
    ],
)
def test_each_content_type_has_its_own_form(alice_client, content_type, field):
    response = alice_client.get(reverse("codes:create"), {"type": content_type})
    assert response.status_code == 200
    html = response.content.decode()
    assert f'name="{field}"' in html
    assert 'name="destination"' not in html  # content codes are static: no destination
    assert "static" in html


def test_creating_a_dynamic_code_saves_it_and_opens_its_page(alice_client, acme):
    data = editor_data(module_shape="rounded", foreground_color="#1e1b4b")
    response = alice_client.post(reverse("codes:create"), data)
    code = QRCode.objects.get(workspace=acme)
    assert response.status_code == 302
    assert response["Location"] == reverse("codes:detail", args=[code.public_id])
    assert code.is_dynamic
    assert code.slug
    assert code.destination == "https://example.com/spring"
    assert code.style["module_shape"] == "rounded"
    assert code.style["foreground_color"] == "#1E1B4B"
    page = alice_client.get(response["Location"])
    assert "Your code is ready" in page.content.decode()


def test_a_bad_destination_is_shown_next_to_its_field_and_nothing_is_saved(alice_client):
    response = alice_client.post(
        reverse("codes:create"), editor_data(destination="javascript:alert(1)")
    )
    assert response.status_code == 422
    html = response.content.decode()
    field = re.search(
        r'<div class="field has-error">.*?</div>\s*</div>|<div class="field has-error">.*?</ul>',
        html,
        re.S,
    )
    assert field
    assert 'name="destination"' in field.group(0)
    assert "http" in field.group(0)
    assert not QRCode.objects.exists()


def test_a_design_that_would_not_scan_is_refused_with_the_reason(alice_client):
    response = alice_client.post(reverse("codes:create"), editor_data(foreground_color="#eeeeee"))
    assert response.status_code == 422
    html = response.content.decode()
    assert "This design will not scan" in html
    assert "contrast" in html.lower()
    assert not QRCode.objects.exists()


def test_a_refusal_from_the_engine_inside_the_service_shows_on_its_field(alice_client, monkeypatch):
    from codes.rendering import SpecError
    from codes.services import codes as code_services

    def refuse(*args, **kwargs):
        raise SpecError({"margin": "a quiet zone of 4 is too small for this print; use 6"})

    monkeypatch.setattr(code_services, "ensure_scannable", refuse)

    response = alice_client.post(reverse("codes:create"), editor_data())

    assert response.status_code == 422
    style_form = response.context["editor"].style_form
    assert style_form.errors["margin"] == ["A quiet zone of 4 is too small for this print; use 6"]
    assert not QRCode.objects.exists()


def test_a_static_wifi_code(alice_client, acme):
    data = editor_data(
        type="wifi",
        **{"content-ssid": "Guest", "content-password": "welcome-2026", "content-security": "WPA"},
    )
    data.pop("kind")
    data.pop("destination")
    response = alice_client.post(reverse("codes:create"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    code = QRCode.objects.get(workspace=acme)
    assert code.kind == "static"
    assert code.content_type == "wifi"
    assert code.content == {"ssid": "Guest", "password": "welcome-2026", "security": "WPA"}


def test_content_errors_come_from_the_engine_next_to_the_field(alice_client):
    data = editor_data(
        type="wifi",
        **{"content-ssid": "Guest", "content-password": "short", "content-security": "WPA"},
    )
    response = alice_client.post(reverse("codes:create"), data)
    assert response.status_code == 422
    assert "8 to 63 characters" in response.content.decode()
    assert not QRCode.objects.exists()


def test_an_event_code_stores_its_times_as_text(alice_client, acme):
    data = editor_data(
        type="event",
        **{
            "content-title": "Launch",
            "content-start": "2026-03-08T14:30",
            "content-end": "2026-03-08T16:00",
        },
    )
    response = alice_client.post(reverse("codes:create"), data)
    assert response.status_code == 302
    code = QRCode.objects.get(workspace=acme)
    assert code.content["start"] == "2026-03-08T14:30"


def test_preview_without_javascript_renders_the_page_and_saves_nothing(alice_client):
    response = alice_client.post(
        reverse("codes:create"), editor_data(foreground_color="#7e22ce", _preview="1")
    )
    assert response.status_code == 200
    assert 'src="data:image/svg+xml;base64,' in response.content.decode()
    assert not QRCode.objects.exists()


def test_live_preview_answers_with_the_fragment_only(alice_client):
    response = alice_client.post(
        reverse("codes:preview"), editor_data(module_shape="dots"), **htmx("preview")
    )
    assert response.status_code == 200
    html = response.content.decode()
    # The content of #preview only: the listening element itself stays in the page.
    assert html.lstrip().startswith('<div class="preview-stage')
    assert 'id="preview"' not in html
    assert "<html" not in html
    assert not QRCode.objects.exists()


def test_live_preview_changes_with_the_colour(alice_client):
    url = reverse("codes:preview")
    black = alice_client.post(url, editor_data(foreground_color="#000000"), **htmx()).content
    blue = alice_client.post(url, editor_data(foreground_color="#1d4ed8"), **htmx()).content
    image = re.compile(rb'src="(data:image/svg\+xml;base64,[^"]+)"')
    assert image.search(black).group(1) != image.search(blue).group(1)


def test_preview_explains_a_refusal(alice_client):
    response = alice_client.post(
        reverse("codes:preview"),
        editor_data(foreground_color="#ffffff", background_color="#111111"),
        **htmx(),
    )
    html = response.content.decode()
    assert "This design will not scan" in html
    assert "lighter than the background" in html


def test_logo_upload_answers_with_the_picker_and_refreshes_the_preview(alice_client, acme):
    response = alice_client.post(
        reverse("codes:logo_upload"),
        {**editor_data(), "logo_upload": _upload(logo_png())},
        **htmx("logo-picker"),
    )
    assert response.status_code == 200
    logo = LogoAsset.objects.get(workspace=acme)
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="logo-picker"')
    assert f'value="{logo.public_id}"' in html
    assert "checked" in html
    assert response["HX-Trigger-After-Settle"] == "preview-refresh"


def test_an_svg_logo_is_refused_next_to_the_upload_field(alice_client):
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    response = alice_client.post(
        reverse("codes:logo_upload"), {"logo_upload": _upload(svg, "logo.svg")}, **htmx()
    )
    assert "SVG logos are not accepted" in response.content.decode()
    assert not LogoAsset.objects.exists()


def test_creating_with_a_logo_without_javascript(alice_client, acme):
    data = {**editor_data(), "logo_upload": _upload(logo_png())}
    response = alice_client.post(reverse("codes:create"), data)
    assert response.status_code == 302
    code = QRCode.objects.get(workspace=acme)
    assert code.logo is not None
    assert code.logo.workspace == acme


def test_edit_page_shows_the_code_and_saves_changes(alice_client, acme, alice):
    code = make_code(acme, alice)
    url = reverse("codes:edit", args=[code.public_id])
    page = alice_client.get(url)
    assert page.status_code == 200
    assert "https://example.com/spring" in page.content.decode()
    response = alice_client.post(
        url,
        editor_data(
            name="Summer menu",
            destination="https://example.com/summer",
            frame="banner",
            label="SCAN ME",
        ),
    )
    assert response.status_code == 302
    code.refresh_from_db()
    assert code.name == "Summer menu"
    assert code.destination == "https://example.com/summer"
    assert code.style["frame"] == "banner"
    assert code.style["label"] == "SCAN ME"
    assert code.destination_changes.count() == 2  # creation + this change


def test_edit_preview_encodes_the_real_short_link(alice_client, acme, alice):
    code = make_code(acme, alice)
    response = alice_client.post(
        reverse("codes:preview"), {**editor_data(), "code": code.public_id}, **htmx()
    )
    assert response.status_code == 200
    assert "short link is made when you save" not in response.content.decode()


def test_create_can_start_from_a_brand_style(alice_client, acme, alice):
    from codes import services

    template = services.brand_template_create(
        workspace=acme,
        actor=alice,
        name="Acme",
        style={"foreground_color": "#1e1b4b", "module_shape": "dots"},
    )
    response = alice_client.get(reverse("codes:create"), {"style": template.public_id})
    html = response.content.decode()
    assert 'value="#1e1b4b"' in html
    assert re.search(r'value="dots"[^>]*checked', html)


def test_viewer_cannot_open_or_use_the_editor(carol_client, acme, alice):
    code = make_code(acme, alice)
    assert carol_client.get(reverse("codes:create")).status_code == 403
    assert carol_client.post(reverse("codes:create"), editor_data()).status_code == 403
    assert carol_client.get(reverse("codes:edit", args=[code.public_id])).status_code == 403
    assert carol_client.post(reverse("codes:preview"), editor_data()).status_code == 403
    assert QRCode.objects.count() == 1


def test_stranger_gets_404_for_the_edit_page(charlie_client, acme, alice):
    code = make_code(acme, alice)
    assert charlie_client.get(reverse("codes:edit", args=[code.public_id])).status_code == 404
    response = charlie_client.post(
        reverse("codes:preview"), {**editor_data(), "code": code.public_id}, **htmx()
    )
    assert response.status_code == 404


def test_htmx_posts_need_the_csrf_token(csrf_client_for, alice):
    client = csrf_client_for(alice)
    response = client.post(reverse("codes:preview"), editor_data(), **htmx())
    assert response.status_code == 403
    page = client.get(reverse("codes:create"))
    token = re.search(r'"X-CSRFToken": "([^"]+)"', page.content.decode()).group(1)
    response = client.post(
        reverse("codes:preview"), editor_data(), HTTP_X_CSRFTOKEN=token, **htmx()
    )
    assert response.status_code == 200


def _upload(data: bytes, name: str = "logo.png"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type="image/png")


def test_edit_can_try_on_a_brand_style(alice_client, acme, alice):
    from codes import services

    code = make_code(acme, alice, style={"module_shape": "square"})
    template = services.brand_template_create(
        workspace=acme, actor=alice, name="Dots", style={"module_shape": "dots"}
    )
    url = reverse("codes:edit", args=[code.public_id])
    html = alice_client.get(url, {"style": template.public_id}).content.decode()
    assert re.search(r'value="dots"[^>]*checked', html)
    assert "Design from the brand style “Dots”" in html
    code.refresh_from_db()
    assert code.style["module_shape"] == "square"  # nothing saved until the form is
