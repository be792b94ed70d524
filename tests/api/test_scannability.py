"""The one rule through the API: every image is judged at the size it is delivered, read by
two decoders; POST /check returns the report the rule is made of."""

import io

from PIL import Image

from codes.rendering import encode_content
from codes.rendering.decoders import reads
from tests.api.test_bad_input import assert_envelope
from tests.codes.rendering.test_scannability import DENSE_CARD

CIRCLE_EYES = {
    "module_shape": "rounded",
    "finder_frame_shape": "circle",
    "finder_ball_shape": "circle",
}


def _smallest(message: str) -> int:
    return int(message.rsplit("at least ", 1)[1].split(" px")[0])


def test_check_reports_the_score_the_weakest_condition_and_its_fix(client_read):
    body = {"destination": "https://yoursite.com/product/123", "size": 256, **CIRCLE_EYES}

    report = client_read.post("/api/v1/check", body).json()

    assert report["ok"] is True
    assert report["decoders"] == ["zxing-cpp", "zbar"]
    assert report["read_by"] == {"zxing-cpp": True, "zbar": True}
    assert 0.5 <= report["score"] < 1
    assert report["robust"] is False
    assert report["weakest"] in report["conditions"]
    assert report["fix"] == "use square finder eyes"
    assert report["size"] == 256
    assert report["min_size"] <= 256


def test_check_of_a_plain_code_is_robust(client_read):
    report = client_read.post("/api/v1/check", {"destination": "https://e.com/x"}).json()

    assert report["robust"] is True
    assert report["score"] == 1.0
    assert report["weakest"] is None


def test_check_says_which_size_a_dense_card_needs(client_read):
    body = {"content_type": "vcard", "content": DENSE_CARD, "size": 120}

    report = client_read.post("/api/v1/check", body).json()

    assert report["ok"] is False
    assert _smallest(report["errors"]["size"]) == report["min_size"] > 120


def test_an_image_too_small_for_its_code_is_a_400_naming_the_smallest_size(client_write):
    code = client_write.post(
        "/api/v1/codes", {"content_type": "vcard", "content": DENSE_CARD, "type": "static"}
    ).json()

    refused = client_write.get(f"/api/v1/codes/{code['id']}/image?format=png&size=120")

    error = assert_envelope(refused, 400, "validation_error", "size")
    smallest = _smallest(error["message"])
    image = client_write.get(f"/api/v1/codes/{code['id']}/image?format=png&size={smallest}")
    assert image.status_code == 200
    decoded = reads(Image.open(io.BytesIO(image.content)), encode_content("vcard", DENSE_CARD))
    assert decoded == {"zxing-cpp": True, "zbar": True}
    # The same code as SVG is judged for print, not at a pixel size.
    svg = client_write.get(f"/api/v1/codes/{code['id']}/image?format=svg&size=120")
    assert svg.status_code == 200


def test_render_judges_the_raster_at_its_size(client_read):
    body = {"content_type": "vcard", "content": DENSE_CARD, "format": "png", "size": 120}

    assert_envelope(client_read.post("/api/v1/render", body), 400, "validation_error", "size")
    assert client_read.post("/api/v1/render", {**body, "format": "svg"}).status_code == 200


def test_create_refuses_an_eye_combination_that_never_holds_up(client_write):
    response = client_write.post(
        "/api/v1/codes",
        {
            "destination": "https://e.com/x",
            "finder_frame_shape": "circle",
            "finder_ball_shape": "square",
        },
    )

    error = assert_envelope(response, 400, "validation_error", "finder_ball_shape")
    assert "circle ball" in error["message"]
