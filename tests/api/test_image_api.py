"""GET /codes/{id}/image: formats, options, the guard, and caching headers a client relies on."""

import io

import pytest
import zxingcpp
from PIL import Image

from tests.api.conftest import ApiClient, make_key


@pytest.fixture
def client(alice, acme):
    return ApiClient(make_key(alice, acme, "write"))


@pytest.fixture
def code(client):
    response = client.post(
        "/api/v1/codes",
        {"destination": "https://example.com/menu", "format": "svg", "size": 600},
    )
    assert response.status_code == 201
    return response.json()


def test_image_url_remembers_the_format_and_size_of_the_create(client, code):
    later = client.get(f"/api/v1/codes/{code['id']}").json()

    assert "format=svg&size=600" in later["image_url"]
    response = client.get(later["image_url"])
    assert response["Content-Type"] == "image/svg+xml"
    assert b'width="600"' in response.content


@pytest.mark.parametrize(
    ("fmt", "mime"),
    [
        ("png", "image/png"),
        ("jpeg", "image/jpeg"),
        ("webp", "image/webp"),
        ("pdf", "application/pdf"),
        ("svg", "image/svg+xml"),
    ],
)
def test_every_format_is_served_and_rasters_scan(client, code, fmt, mime):
    response = client.get(f"/api/v1/codes/{code['id']}/image?format={fmt}&size=300")

    assert response.status_code == 200
    assert response["Content-Type"] == mime
    if fmt in ("png", "jpeg", "webp"):
        image = Image.open(io.BytesIO(response.content))
        assert image.width == 300
        assert [r.text for r in zxingcpp.read_barcodes(image)] == ["https://example.com/menu"]


def test_dpi_margin_and_transparency_reach_the_image(client, code):
    base = f"/api/v1/codes/{code['id']}/image?format=png&size=400"

    plain = Image.open(io.BytesIO(client.get(base).content))
    options = Image.open(io.BytesIO(client.get(f"{base}&dpi=600&transparent=true").content))
    wide = client.get(f"{base}&margin=10")

    assert round(options.info["dpi"][0]) == 600
    assert options.mode == "RGBA"
    assert options.getpixel((0, 0))[3] == 0  # the quiet zone is see-through
    assert plain.getpixel((0, 0)) in ((255, 255, 255), 255, (255, 255, 255, 255))
    assert wide.status_code == 200
    assert wide["ETag"] != client.get(base)["ETag"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("size=0", "size"),
        ("size=100000", "size"),
        ("format=gif", "format"),
        ("dpi=0", "dpi"),
        ("margin=0", "margin"),
        ("format=jpeg&transparent=true", "transparent"),
    ],
)
def test_bad_image_options_are_a_400_naming_the_field(client, code, query, field):
    response = client.get(f"/api/v1/codes/{code['id']}/image?{query}")

    assert response.status_code == 400, response.content
    assert response.json()["error"]["field"] == field


def test_a_size_the_guard_cannot_read_is_refused_with_a_reason(client):
    dense = client.post(
        "/api/v1/codes",
        {"destination": "https://example.com/" + "x" * 600, "type": "static"},
    ).json()

    response = client.get(f"/api/v1/codes/{dense['id']}/image?format=png&size=64")

    assert response.status_code == 400
    assert response.json()["error"]["field"] == "size"


def test_etag_revalidation_answers_304_without_a_body(client, code):
    url = f"/api/v1/codes/{code['id']}/image?format=png&size=300"
    first = client.get(url)
    etag = first["ETag"]

    again = client.get(url, HTTP_IF_NONE_MATCH=etag)
    listed = client.get(url, HTTP_IF_NONE_MATCH=f'"other", W/{etag}')
    changed = client.patch(f"/api/v1/codes/{code['id']}", {"foreground_color": "#1d3557"})
    after = client.get(url, HTTP_IF_NONE_MATCH=etag)

    assert etag.startswith('"')
    assert not etag.startswith("W/")  # strong: equal tags mean equal bytes
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag
    assert listed.status_code == 304
    assert changed.status_code == 200
    assert after.status_code == 200
    assert after["ETag"] != etag


def test_versioned_image_url_may_be_cached_for_a_year(client, code):
    versioned = client.get(code["image_url"])
    unversioned = client.get(f"/api/v1/codes/{code['id']}/image")
    client.patch(f"/api/v1/codes/{code['id']}", {"foreground_color": "#1d3557"})
    stale = client.get(code["image_url"])
    fresh_url = client.get(f"/api/v1/codes/{code['id']}").json()["image_url"]

    assert versioned["Cache-Control"] == "private, max-age=31536000, immutable"
    assert unversioned["Cache-Control"] == "private, no-cache"
    # After a restyle the old URL is no longer the current design: revalidate, new URL.
    assert stale["Cache-Control"] == "private, no-cache"
    assert fresh_url != code["image_url"]


def test_a_destination_change_keeps_the_dynamic_codes_etag(client):
    made = client.post(
        "/api/v1/codes", {"destination": "https://example.com/a", "type": "dynamic"}
    ).json()
    url = f"/api/v1/codes/{made['id']}/image"
    etag = client.get(url)["ETag"]

    client.patch(f"/api/v1/codes/{made['id']}", {"destination": "https://example.com/b"})

    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_a_warm_image_is_served_from_memory_and_a_restyle_is_never_stale(client, code, monkeypatch):
    from django.core.cache import cache

    from codes.models import QRCode
    from codes.services import codes as code_services

    url = f"/api/v1/codes/{code['id']}/image?format=png&size=300"
    first = client.get(url).content
    obj = QRCode.objects.get(public_id=code["id"])
    # The shared cache loses the image: this process still answers it, without a render.
    cache.delete("codes:img:" + code_services.code_image_digest(code=obj, format="png", size=300))

    def render_again(*args, **kwargs):
        raise AssertionError("a warm image was rendered again")

    with monkeypatch.context() as patched:
        patched.setattr(code_services, "render", render_again)
        again = client.get(url).content
    client.patch(f"/api/v1/codes/{code['id']}", {"foreground_color": "#1d3557"})
    restyled = client.get(url).content

    assert again == first
    assert restyled != first  # a new design is a new digest, never the remembered image
