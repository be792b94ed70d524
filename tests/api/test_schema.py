"""The OpenAPI schema, and a bounded schemathesis run against it: generated requests to every
operation never get a 5xx, and every response (errors included) matches the schema."""

import pytest
import schemathesis
import yaml
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from qrsite.api.errors import ERROR_CODES
from tests.api.conftest import make_key

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]


@pytest.fixture
def api_schema(db):
    # Like Django's test client: a request must not close the test's database connection
    # (with PostgreSQL's CONN_MAX_AGE and health checks it would, ending the test transaction).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/v1/schema/", get_wsgi_application())
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


schema = schemathesis.pytest.from_fixture("api_schema")


@pytest.fixture
def generous_limits(settings):
    settings.API_RATE_LIMITS = {
        "read": 10_000,
        "write": 10_000,
        "admin": 10_000,
        "anonymous": 10_000,
    }


@schema.parametrize()
@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_generated_requests_get_no_5xx_and_match_the_schema(case, alice, acme, generous_limits):
    key = make_key(alice, acme, "admin", name="schemathesis")
    case.call_and_validate(headers={"Authorization": f"Bearer {key}"}, checks=CHECKS)


def test_schema_documents_every_endpoint_with_examples(client):
    response = client.get("/api/v1/schema/")

    assert response.status_code == 200
    document = yaml.safe_load(response.content)
    operations = [
        (path, method, op)
        for path, item in document["paths"].items()
        for method, op in item.items()
        if method in ("get", "post", "patch", "delete")
    ]
    assert len(operations) >= 20
    for path, method, operation in operations:
        has_example = any(
            "example" in media or "examples" in media
            for part in [operation.get("requestBody", {}), *operation["responses"].values()]
            for media in part.get("content", {}).values()
        )
        binary_only = (
            all(
                media.get("schema", {}).get("format") == "binary"
                for media in operation["responses"].get("200", {}).get("content", {}).values()
            )
            and method == "get"
        )
        assert has_example or binary_only, f"{method.upper()} {path} has no example"
        assert "429" in operation["responses"], f"{method.upper()} {path}"
    error_enum = document["components"]["schemas"]["Error"]["properties"]["error"]["properties"][
        "code"
    ]["enum"]
    assert set(error_enum) == set(ERROR_CODES)
    assert document["components"]["securitySchemes"]["apiKey"]["scheme"] == "bearer"


@pytest.mark.parametrize("url", ["/api/v1/docs/", "/api/v1/redoc/"])
def test_docs_pages_are_served_locally_without_a_cdn(client, url):
    response = client.get(url)

    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/drf_spectacular_sidecar/" in html
    assert "cdn." not in html
    assert "unpkg" not in html
    assert "jsdelivr" not in html


@pytest.mark.parametrize("url", ["/api/v1/docs/", "/api/v1/redoc/"])
def test_docs_pages_forbid_other_origins_and_framing_by_header(client, url):
    policy = client.get(url)["Content-Security-Policy"]

    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["connect-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert "http" not in policy  # no other origin is allowed anywhere


def test_error_reference_lists_every_code(client):
    response = client.get("/api/v1/docs/errors/")

    assert response.status_code == 200
    for code in ERROR_CODES:
        assert f'id="{code}"'.encode() in response.content


def test_docs_api_md_documents_every_error_code():
    from pathlib import Path

    text = (Path(__file__).resolve().parents[2] / "docs" / "api.md").read_text()
    for code in ERROR_CODES:
        assert f"`{code}`" in text, code


def test_schema_generates_without_warnings(tmp_path):
    from django.core.management import call_command

    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml")
    )


@pytest.mark.parametrize("url", ["/api/v1/schema/", "/api/v1/docs/", "/api/v1/redoc/"])
def test_schema_and_docs_are_public_and_rate_limited(client, db, url):
    response = client.get(url)

    assert response.status_code == 200
    assert response["RateLimit-Policy"].startswith('"anonymous"')
