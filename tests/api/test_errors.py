"""Every failure under /api/ is the JSON envelope: unknown routes, wrong methods, crashes
(without a stack trace), and errors raised outside the API views."""

import pytest
from django.test import RequestFactory

from codes.models import QRCode
from qrsite.api import errors

BODY = {"destination": "https://example.com/e"}


@pytest.mark.parametrize(
    "url", ["/api/", "/api/v2/codes", "/api/v1/nothing", "/api/v1/codes/a/b/c"]
)
def test_unknown_routes_are_404_envelopes(client_read, url):
    response = client_read.get(url)

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_wrong_method_is_405_envelope(client_write):
    response = client_write.put("/api/v1/codes", BODY)

    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"


def test_a_crash_is_a_500_envelope_without_internals(client_write, monkeypatch):
    def explode(**kwargs):
        raise RuntimeError("secret internal detail")

    logged = []
    monkeypatch.setattr("codes.api.views.code_create_from_input", explode)
    monkeypatch.setattr(errors.logger, "exception", lambda *args, **kw: logged.append(args))

    response = client_write.post("/api/v1/codes", BODY)

    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]["code"] == "server_error"
    assert b"secret internal detail" not in response.content
    assert b"Traceback" not in response.content
    assert logged  # with the traceback, for the operators


def test_a_crash_frees_the_idempotency_key_for_the_retry(client_write, monkeypatch):
    from codes.api import views

    real = views.code_create_from_input
    calls = []

    def flaky(**kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("transient")
        return real(**kwargs)

    monkeypatch.setattr(views, "code_create_from_input", flaky)

    first = client_write.post("/api/v1/codes", BODY, HTTP_IDEMPOTENCY_KEY="flaky")
    retry = client_write.post("/api/v1/codes", BODY, HTTP_IDEMPOTENCY_KEY="flaky")

    assert (first.status_code, retry.status_code) == (500, 201)
    assert QRCode.objects.count() == 1


def test_a_crash_after_writing_leaves_nothing_half_written(client_write, monkeypatch):
    def broken_image(**kwargs):
        raise RuntimeError("renderer down")

    monkeypatch.setattr("codes.api.views.services.code_image", broken_image)

    response = client_write.post("/api/v1/codes", BODY, HTTP_ACCEPT="image/png")

    assert response.status_code == 500
    assert not QRCode.objects.exists()


@pytest.mark.parametrize(
    ("handler", "status", "code"),
    [
        (errors.server_error, 500, "server_error"),
        (errors.page_not_found, 404, "not_found"),
        (errors.bad_request, 400, "validation_error"),
        (errors.permission_denied, 403, "permission_denied"),
    ],
)
def test_django_level_errors_under_api_are_json(handler, status, code, db):
    request = RequestFactory().get("/api/v1/codes")
    response = handler(request) if handler is errors.server_error else handler(request, Exception())

    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    assert code.encode() in response.content


def test_django_level_errors_elsewhere_stay_html(db):
    request = RequestFactory().get("/settings/")

    response = errors.page_not_found(request, Exception())

    assert response.status_code == 404
    assert b"<html" in response.content.lower()


def test_oversized_request_body_outside_the_view_is_413(db):
    from django.core.exceptions import RequestDataTooBig

    response = errors.bad_request(RequestFactory().post("/api/v1/codes"), RequestDataTooBig())

    assert response.status_code == 413
    assert b"payload_too_large" in response.content
