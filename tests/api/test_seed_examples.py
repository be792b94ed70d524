"""The seed's requests, sent verbatim: status, fields, and images that decode (zxing-cpp) to the
destination (static codes) or the short URL (dynamic codes)."""

import io
import json

import pytest
import zxingcpp
from PIL import Image

from codes.models import CampaignGroup, DestinationChange, QRCode
from tests.codes.rendering.vector import rasterize_svg

SIMPLE = """{
  "destination": "https://yoursite.com/product/123",
  "size": 400,
  "format": "png",
  "foreground_color": "#000000",
  "background_color": "#FFFFFF",
  "error_correction": "M"
}"""

DYNAMIC = """{
  "destination": "https://yoursite.com/product/123",
  "type": "dynamic",
  "name": "Product 123 - Label QR",
  "group": "product-labels",
  "size": 400,
  "format": "svg"
}"""

UPDATE = """{
  "destination": "https://yoursite.com/product/123/v2"
}"""

BULK = """{
  "codes": [
    {"destination": "https://yoursite.com/item/1", "name": "Item 1"},
    {"destination": "https://yoursite.com/item/2", "name": "Item 2"},
    {"destination": "https://yoursite.com/item/3", "name": "Item 3"}
  ],
  "defaults": {
    "type": "dynamic",
    "size": 400,
    "format": "svg",
    "group": "inventory-batch-march"
  }
}"""


def decode(data: bytes, content_type: str) -> str:
    # SVG: rasterise the vector paths, then read the pixels like a phone would.
    svg = content_type == "image/svg+xml"
    image = rasterize_svg(data) if svg else Image.open(io.BytesIO(data))
    found = zxingcpp.read_barcodes(image)
    assert len(found) == 1, "no QR code found in the image"
    return found[0].text


def fetch_image(client, image_url: str):
    response = client.get(image_url.removeprefix("http://testserver"))
    assert response.status_code == 200
    return response.content, response["Content-Type"]


def test_generating_a_simple_qr_code_returns_json_with_an_image_that_scans(client_write):
    response = client_write.post("/api/v1/codes", SIMPLE)

    assert response.status_code == 201
    body = response.json()
    assert body["id"].startswith("code_")
    assert body["destination"] == "https://yoursite.com/product/123"
    assert body["type"] == "static"
    assert body["short_url"] is None
    assert body["scans"] == 0
    assert body["style"]["error_correction"] == "M"
    assert response["Location"].endswith(f"/api/v1/codes/{body['id']}")
    data, content_type = fetch_image(client_write, body["image_url"])
    assert content_type == "image/png"
    assert Image.open(io.BytesIO(data)).width == 400
    assert decode(data, content_type) == "https://yoursite.com/product/123"


def test_generating_a_simple_qr_code_with_accept_png_returns_the_image(client_write):
    response = client_write.post("/api/v1/codes", SIMPLE, HTTP_ACCEPT="image/png")

    assert response.status_code == 201
    assert response["Content-Type"] == "image/png"
    assert "/api/v1/codes/code_" in response["Location"]
    assert decode(response.content, "image/png") == "https://yoursite.com/product/123"
    assert QRCode.objects.count() == 1


@pytest.mark.parametrize(
    ("accept", "content_type"),
    [("image/svg+xml", "image/svg+xml"), ("application/pdf", "application/pdf")],
)
def test_accept_header_picks_the_image_type(client_write, accept, content_type):
    response = client_write.post("/api/v1/codes", SIMPLE, HTTP_ACCEPT=accept)

    assert response.status_code == 201
    assert response["Content-Type"] == content_type
    assert response.content.startswith(b"<svg" if "svg" in accept else b"%PDF")


def test_creating_a_dynamic_managed_code(client_write, acme):
    response = client_write.post("/api/v1/codes", DYNAMIC)

    assert response.status_code == 201
    body = response.json()
    assert {"id", "short_url", "destination", "image_url", "created_at", "scans"} <= set(body)
    assert body["id"].startswith("code_")
    assert body["short_url"].startswith("http://127.0.0.1:8000/r/")
    assert body["destination"] == "https://yoursite.com/product/123"
    assert body["name"] == "Product 123 - Label QR"
    assert body["group"] == "product-labels"
    assert body["scans"] == 0
    assert body["created_at"].endswith("Z")
    assert "format=svg" in body["image_url"]
    data, content_type = fetch_image(client_write, body["image_url"])
    assert content_type == "image/svg+xml"
    assert decode(data, content_type) == body["short_url"]
    assert CampaignGroup.objects.get(workspace=acme).slug == "product-labels"


def test_updating_a_destination_keeps_the_image_and_redirects_at_once(client_write, client):
    created = client_write.post("/api/v1/codes", DYNAMIC).json()
    image_before, _ = fetch_image(client_write, created["image_url"])

    response = client_write.patch(f"/api/v1/codes/{created['id']}", UPDATE)

    assert response.status_code == 200
    assert response.json()["destination"] == "https://yoursite.com/product/123/v2"
    image_after, _ = fetch_image(client_write, created["image_url"])
    assert image_after == image_before
    slug = created["short_url"].rsplit("/", 1)[1]
    scan = client.get(f"/r/{slug}")
    assert scan.status_code == 302
    assert scan["Location"] == "https://yoursite.com/product/123/v2"
    assert DestinationChange.objects.filter(code__public_id=created["id"]).count() == 2


def test_patch_path_without_and_with_trailing_slash(client_write):
    created = client_write.post("/api/v1/codes", DYNAMIC).json()

    without = client_write.patch(f"/api/v1/codes/{created['id']}", UPDATE)
    with_slash = client_write.patch(f"/api/v1/codes/{created['id']}/", UPDATE)

    assert without.status_code == with_slash.status_code == 200


def test_bulk_generation(client_write, acme):
    response = client_write.post("/api/v1/codes/bulk", BULK)

    assert response.status_code == 201
    body = response.json()
    assert body["count"] == 3
    assert [c["name"] for c in body["codes"]] == ["Item 1", "Item 2", "Item 3"]
    assert all(
        c["type"] == "dynamic" and c["group"] == "inventory-batch-march" for c in body["codes"]
    )
    assert all("format=svg&size=400" in c["image_url"] for c in body["codes"])
    for item in body["codes"]:
        data, content_type = fetch_image(client_write, item["image_url"])
        assert decode(data, content_type) == item["short_url"]
    assert QRCode.objects.filter(workspace=acme, group__slug="inventory-batch-march").count() == 3


def test_bulk_generation_without_trailing_slash_and_with(client_write):
    assert client_write.post("/api/v1/codes/bulk", BULK).status_code == 201
    assert client_write.post("/api/v1/codes/bulk/", BULK).status_code == 201


def test_seed_requests_are_the_documented_examples():
    from codes.api import schema_docs

    documented = [e.value for e in schema_docs.CREATE["examples"] if e.request_only]
    assert json.loads(SIMPLE) in documented
    assert json.loads(DYNAMIC) in documented
    assert json.loads(BULK) == schema_docs.BULK_CREATE["examples"][0].value


def test_retrieving_scan_analytics_with_the_seeds_query(client_write, client):
    created = client_write.post("/api/v1/codes", DYNAMIC).json()
    slug = created["short_url"].rsplit("/", 1)[1]
    client.get(
        f"/r/{slug}", HTTP_USER_AGENT="Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X)"
    )

    response = client_write.get(
        f"/api/v1/codes/{created['id']}/analytics?start=2026-03-01&end=2026-03-08"
    )

    assert response.status_code == 200
    body = response.json()
    assert (body["start"], body["end"]) == ("2026-03-01", "2026-03-08")
    assert {"scans", "timeseries", "countries", "devices"} <= set(body)
