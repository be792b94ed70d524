"""POST /logos: the dashboard's validation over the API, and logos/brand styles on create."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from codes import services as code_services
from codes.models import LogoAsset, QRCode
from tests.api.conftest import ApiClient, make_key


@pytest.fixture
def key(alice, acme):
    return make_key(alice, acme, "write")


def upload(key, filename, data, mime="image/png", **fields):
    client = Client(headers={"Authorization": f"Bearer {key}"})
    return client.post(
        "/api/v1/logos", {"file": SimpleUploadedFile(filename, data, mime), **fields}
    )


def png(size=(80, 80), color=(230, 57, 70), **save) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format="PNG", **save)
    return out.getvalue()


def test_a_png_is_stored_re_encoded_and_usable_by_id(key, acme):
    response = upload(key, "brand.png", png(), name="Brand")

    assert response.status_code == 201, response.content
    logo = response.json()
    assert logo["id"].startswith("logo_")
    assert (logo["width"], logo["height"], logo["name"]) == (80, 80, "Brand")
    code = ApiClient(key).post(
        "/api/v1/codes", {"destination": "https://example.com/l", "logo": logo["id"]}
    )
    assert code.status_code == 201, code.content
    assert code.json()["logo"] == logo["id"]
    assert ApiClient(key).get(f"/api/v1/logos/{logo['id']}").json()["id"] == logo["id"]


def test_an_svg_logo_is_refused(key):
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'

    response = upload(key, "logo.svg", svg, "image/svg+xml")

    assert response.status_code == 400
    assert "SVG" in response.json()["error"]["message"]
    assert not LogoAsset.objects.exists()


def test_a_decompression_bomb_is_refused(key):
    # A tiny file claiming 20,000 x 20,000 pixels.
    bomb = png(size=(20000, 20000), color=(0, 0, 0), optimize=True)

    response = upload(key, "bomb.png", bomb)

    assert response.status_code == 400
    assert "pixels" in response.json()["error"]["message"]
    assert not LogoAsset.objects.exists()


def test_a_20_mb_logo_is_refused_before_it_is_read(key):
    response = upload(key, "huge.png", b"\x89PNG" + b"0" * (20 * 1024 * 1024))

    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"
    assert not LogoAsset.objects.exists()


def test_a_png_html_polyglot_comes_back_as_a_clean_png(key):
    polyglot = png() + b"<html><script>alert(document.cookie)</script></html>"

    response = upload(key, "poly.png", polyglot)

    assert response.status_code == 201
    stored = LogoAsset.objects.get(public_id=response.json()["id"]).read_bytes()
    assert stored.startswith(b"\x89PNG")
    assert b"<script>" not in stored
    assert b"html" not in stored


def test_a_file_that_is_not_an_image_is_refused(key):
    response = upload(key, "notes.png", b"just some text")

    assert response.status_code == 400
    assert response.json()["error"]["field"] in ("logo", "file")


def test_a_brand_style_applies_by_id_and_top_level_options_win(alice, acme, key):
    logo = code_services.logo_create(workspace=acme, actor=alice, data=png())
    template = code_services.brand_template_create(
        workspace=acme,
        actor=alice,
        name="Acme primary",
        style={"foreground_color": "#1d3557", "module_shape": "rounded"},
        logo=logo,
    )
    client = ApiClient(key)

    listed = client.get("/api/v1/templates").json()["results"]
    response = client.post(
        "/api/v1/codes",
        {
            "destination": "https://example.com/t",
            "style": template.public_id,
            "module_shape": "square",
        },
    )

    assert [t["id"] for t in listed] == [template.public_id]
    assert listed[0]["style"]["foreground_color"].lower() == "#1d3557"
    assert response.status_code == 201, response.content
    code = QRCode.objects.get(public_id=response.json()["id"])
    assert code.style["foreground_color"].lower() == "#1d3557"
    assert code.style["module_shape"] == "square"
    assert code.logo == logo


@pytest.mark.parametrize("style", ["tpl_unknown", "rounded", 7])
def test_an_unknown_brand_style_is_a_400_on_style(key, style):
    response = ApiClient(key).post(
        "/api/v1/codes", {"destination": "https://example.com/t", "style": style}
    )

    assert response.status_code == 400
    assert response.json()["error"]["field"] == "style"
    assert not QRCode.objects.exists()
