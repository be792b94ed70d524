"""Bad input → 400 (413 for oversized bodies, 415 for non-JSON) in the envelope, naming the
field at fault, and not a single row written."""

import json

import pytest

from codes.models import CampaignGroup, DestinationChange, QRCode, SlugClaim
from qrsite.api.models import IdempotencyRecord

OK = "https://example.com/ok"

CASES = [
    ("colour not hex", {"destination": OK, "foreground_color": "#12345G"}, "foreground_color"),
    ("colour word", {"destination": OK, "background_color": "blueish"}, "background_color"),
    ("colour wrong type", {"destination": OK, "foreground_color": ["#000"]}, "foreground_color"),
    ("unreadable contrast", {"destination": OK, "foreground_color": "#EEEEEE"}, "foreground_color"),
    (
        "inverted",
        {"destination": OK, "foreground_color": "#FFFFFF", "background_color": "#000000"},
        "foreground_color",
    ),
    ("size too small", {"destination": OK, "size": 10}, "size"),
    ("size too large", {"destination": OK, "size": 100_000}, "size"),
    ("size not a number", {"destination": OK, "size": "big"}, "size"),
    ("format unknown", {"destination": OK, "format": "gif"}, "format"),
    ("error correction unknown", {"destination": OK, "error_correction": "X"}, "error_correction"),
    ("margin too small", {"destination": OK, "margin": 0}, "margin"),
    ("label too long", {"destination": OK, "frame": "banner", "label": "x" * 80}, "label"),
    ("javascript destination", {"destination": "javascript:alert(1)"}, "destination"),
    ("ftp destination", {"destination": "ftp://example.com/file"}, "destination"),
    ("not a url", {"destination": "not a url"}, "destination"),
    ("empty destination", {"destination": ""}, "destination"),
    ("missing destination", {"name": "No target"}, "destination"),
    (
        "own short url",
        {"destination": "http://127.0.0.1:8000/r/abcdefg", "type": "dynamic"},
        "destination",
    ),
    ("type unknown", {"destination": OK, "type": "semi"}, "type"),
    (
        "dynamic vcard",
        {"type": "dynamic", "content_type": "vcard", "content": {"first_name": "A"}},
        "content_type",
    ),
    ("unknown field", {"destinaton": OK}, "destinaton"),
    ("read-only id", {"destination": OK, "id": "code_mine"}, "id"),
    ("read-only scans", {"destination": OK, "scans": 1000}, "scans"),
    (
        "read-only short_url",
        {"destination": OK, "short_url": "https://evil.example/r/x"},
        "short_url",
    ),
    (
        "read-only created_at",
        {"destination": OK, "created_at": "2020-01-01T00:00:00Z"},
        "created_at",
    ),
    ("read-only workspace", {"destination": OK, "workspace": "ws_other"}, "workspace"),
    ("style twice", {"destination": OK, "margin": 4, "style": {"margin": 5}}, "margin"),
    ("unknown style option", {"destination": OK, "style": {"sparkle": True}}, "sparkle"),
    ("missing group id", {"destination": OK, "group": "grp_doesnotexist"}, "group"),
    ("missing logo", {"destination": OK, "logo": "logo_doesnotexist"}, "logo"),
    ("metadata not an object", {"destination": OK, "metadata": [1, 2]}, "metadata"),
    ("scan limit zero", {"destination": OK, "type": "dynamic", "scan_limit": 0}, "scan_limit"),
    ("expiry in the past", {"destination": OK, "expires_at": "2001-01-01T00:00:00Z"}, "expires_at"),
    ("bad custom slug", {"destination": OK, "type": "dynamic", "slug": "a b"}, "slug"),
]


def nothing_written():
    return not (
        QRCode.objects.exists()
        or CampaignGroup.objects.exists()
        or DestinationChange.objects.exists()
        or SlugClaim.objects.exists()
    )


def assert_envelope(response, status, code, field=None):
    assert response.status_code == status, response.content[:400]
    assert response["Content-Type"] == "application/json"
    error = response.json()["error"]
    assert error["code"] == code
    assert error["message"]
    assert error["doc_url"].endswith(f"/api/v1/docs/errors/#{code}")
    if field is not None:
        assert error["field"] == field, error
        assert any(e["field"] == field for e in error["errors"])
    return error


@pytest.mark.parametrize(("case", "body", "field"), CASES, ids=[c[0] for c in CASES])
def test_bad_code_is_refused_with_the_field_and_nothing_written(client_write, case, body, field):
    response = client_write.post("/api/v1/codes", body)

    assert_envelope(response, 400, "validation_error", field)
    assert nothing_written()


@pytest.mark.parametrize("accept", ["image/png", "image/svg+xml", "application/pdf"])
def test_errors_are_json_even_when_an_image_was_asked_for(client_write, accept):
    response = client_write.post("/api/v1/codes", {"destination": "nope"}, HTTP_ACCEPT=accept)

    assert_envelope(response, 400, "validation_error", "destination")


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ('{"destination": ', "malformed_json"),
        ("{'destination': 'https://example.com'}", "malformed_json"),
        ("[1, 2, 3]", "validation_error"),
        ('"just a string"', "validation_error"),
        ("null", "validation_error"),
    ],
)
def test_malformed_json_is_refused(client_write, body, code):
    response = client_write.post("/api/v1/codes", body)

    assert_envelope(response, 400, code)
    assert nothing_written()


def test_form_encoded_body_is_unsupported_media_type(write_key):
    from django.test import Client

    response = Client(headers={"Authorization": f"Bearer {write_key}"}).post(
        "/api/v1/codes", {"destination": OK}
    )

    assert_envelope(response, 415, "unsupported_media_type")
    assert nothing_written()


def test_oversized_body_is_refused_before_parsing(client_write, settings):
    settings.API_MAX_BODY_BYTES = 10_000
    body = json.dumps({"destination": OK, "name": "x" * 20_000})

    response = client_write.post("/api/v1/codes", body)

    assert_envelope(response, 413, "payload_too_large")
    assert "RateLimit" in response
    assert nothing_written()


def test_bulk_of_1001_codes_becomes_a_job(client_write):
    # Issue 14: above 1,000 codes the request is answered 202 with a job (tests/jobs).
    body = {"codes": [{"destination": f"https://example.com/{i}"} for i in range(1001)]}

    response = client_write.post("/api/v1/codes/bulk", body)

    assert response.status_code == 202
    assert "/api/v1/jobs/job_" in response["Location"]


def test_bulk_over_the_job_limit_is_refused(client_write, settings):
    settings.JOBS_IMPORT_MAX_ROWS = 1000
    body = {"codes": [{"destination": f"https://example.com/{i}"} for i in range(1001)]}

    response = client_write.post("/api/v1/codes/bulk", body)

    error = assert_envelope(response, 400, "validation_error", "codes")
    assert "1,000" in error["message"]
    assert nothing_written()


def test_bulk_with_one_bad_item_creates_nothing_and_names_its_index(client_write):
    body = {
        "codes": [
            {"destination": "https://example.com/1"},
            {"destination": "https://example.com/2"},
            {"destination": "javascript:alert(1)"},
            {"destination": "https://example.com/4", "size": 1},
        ],
        "defaults": {"type": "dynamic", "group": "batch"},
    }

    response = client_write.post("/api/v1/codes/bulk", body)

    error = assert_envelope(response, 400, "validation_error")
    assert [(e["index"], e["field"]) for e in error["errors"]] == [(2, "destination"), (3, "size")]
    assert error["field"] == "codes[2].destination"
    assert nothing_written()


def test_bulk_refused_by_a_service_rolls_back_every_earlier_item(client_write):
    body = {
        "codes": [
            {"destination": "https://example.com/1", "type": "dynamic"},
            {"destination": "http://127.0.0.1:8000/r/loop123", "type": "dynamic"},
        ],
        "defaults": {"group": "batch"},
    }

    response = client_write.post("/api/v1/codes/bulk", body)

    error = assert_envelope(response, 400, "validation_error")
    assert error["errors"][0]["index"] == 1
    assert nothing_written()


@pytest.mark.parametrize(
    "body",
    [{"codes": []}, {"codes": "all"}, {"codes": [1, 2]}, {}, {"codes": [{}], "extra": 1}],
)
def test_bulk_with_malformed_shape_is_refused(client_write, body):
    response = client_write.post("/api/v1/codes/bulk", body)

    assert_envelope(response, 400, "validation_error")
    assert nothing_written()


def test_patch_with_bad_fields_changes_nothing(client_write):
    code = client_write.post("/api/v1/codes", {"destination": OK, "type": "dynamic"}).json()

    response = client_write.patch(
        f"/api/v1/codes/{code['id']}",
        {"destination": "javascript:alert(1)", "name": "Should not stick"},
    )

    assert_envelope(response, 400, "validation_error", "destination")
    stored = QRCode.objects.get(public_id=code["id"])
    assert stored.destination == OK
    assert stored.name == ""
    assert DestinationChange.objects.count() == 1


@pytest.mark.parametrize("field", ["type", "short_url", "scans", "id", "slug"])
def test_patch_refuses_fields_that_cannot_change(client_write, field):
    code = client_write.post("/api/v1/codes", {"destination": OK, "type": "dynamic"}).json()

    response = client_write.patch(f"/api/v1/codes/{code['id']}", {field: "x"})

    assert_envelope(response, 400, "validation_error", field)
    assert QRCode.objects.get(public_id=code["id"]).kind == "dynamic"


@pytest.mark.parametrize("query", ["format=gif", "size=5", "size=abc", "size=99999"])
def test_bad_image_parameters(client_write, query):
    code = client_write.post("/api/v1/codes", {"destination": OK}).json()

    response = client_write.get(f"/api/v1/codes/{code['id']}/image?{query}")

    assert_envelope(response, 400, "validation_error", query.split("=")[0])


@pytest.mark.parametrize(
    "query",
    [
        "created_after=yesterday",
        "active=maybe",
        "type=semi",
        "page_size=0",
        "page_size=10000",
        "cursor=cD1ub3RhZGF0ZQ%3D%3D",
        "metadata=nocolon",
    ],
)
def test_bad_list_filters(client_read, query):
    response = client_read.get(f"/api/v1/codes?{query}")

    assert_envelope(response, 400, "validation_error")


def test_invalid_idempotency_key_is_refused(client_write):
    response = client_write.post(
        "/api/v1/codes", {"destination": OK}, HTTP_IDEMPOTENCY_KEY="x" * 300
    )

    assert_envelope(response, 400, "validation_error", "Idempotency-Key")
    assert nothing_written()
    assert not IdempotencyRecord.objects.exists()


def test_a_refusal_from_the_engine_inside_a_service_names_its_field(client_write, monkeypatch):
    from codes.rendering import SpecError
    from codes.services import codes as code_services

    def refuse(*args, **kwargs):
        raise SpecError({"logo_size": "use a logo_size of at most 0.2"})

    monkeypatch.setattr(code_services, "ensure_scannable", refuse)

    response = client_write.post("/api/v1/codes", {"destination": OK})

    error = assert_envelope(response, 400, "validation_error", "logo_size")
    assert error["message"] == "logo_size: use a logo_size of at most 0.2"
    assert error["errors"] == [
        {"field": "logo_size", "code": "invalid", "message": "use a logo_size of at most 0.2"}
    ]
    assert nothing_written()


def test_patch_with_a_design_that_does_not_scan_changes_nothing(client_write):
    code = client_write.post("/api/v1/codes", {"destination": OK}).json()

    response = client_write.patch(f"/api/v1/codes/{code['id']}", {"foreground_color": "#EEEEEE"})

    assert_envelope(response, 400, "validation_error", "foreground_color")
    assert QRCode.objects.get(public_id=code["id"]).style["foreground_color"] == "#000000"


def test_render_with_content_the_engine_refuses_names_the_content_field(client_read):
    response = client_read.post(
        "/api/v1/render", {"content_type": "phone", "content": {"number": "nope"}}
    )

    assert_envelope(response, 400, "validation_error", "number")


def test_image_of_a_code_whose_stored_content_became_invalid_is_a_400(client_write):
    body = {"content_type": "phone", "content": {"number": "+14155550100"}}
    code = client_write.post("/api/v1/codes", body).json()
    # Written around the services (a raw UPDATE, a restored backup): the engine now refuses it.
    QRCode.objects.filter(public_id=code["id"]).update(content={"number": "nope"})

    response = client_write.get(f"/api/v1/codes/{code['id']}/image")

    assert_envelope(response, 400, "validation_error", "number")
