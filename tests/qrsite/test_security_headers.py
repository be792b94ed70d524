"""The headers that say what a page may load, run and use (issue 20 "Headers")."""

import pytest
from django.urls import reverse

from codes import services as code_services
from tests.codes.views_helpers import logo_png
from tests.tickets.conftest import event  # noqa: F401  (a fixture)

pytestmark = pytest.mark.django_db


def directives(policy: str) -> dict[str, list[str]]:
    parts = (part.strip().split() for part in policy.split(";") if part.strip())
    return {name: values for name, *values in parts}


DASHBOARD_PAGES = [
    "/",
    "/codes/",
    "/codes/new/",
    "/analytics/",
    "/jobs/",
    "/settings/",
    "/settings/members/",
    "/settings/api-keys/",
    "/groups/",
    "/styles/",
    "/settings/webhooks/",
    "/tickets/",
]


@pytest.mark.parametrize("url", DASHBOARD_PAGES)
def test_dashboard_pages_run_only_our_own_scripts(alice_client, url):
    response = alice_client.get(url)

    assert response.status_code == 200
    policy = directives(response["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]  # <style> elements refused; attributes allowed
    assert policy["style-src-attr"] == ["'unsafe-inline'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert b"<script>" not in response.content  # nothing inline for the policy to refuse


def test_the_sign_in_page_has_the_policy_and_the_other_headers(client):
    response = client.get(reverse("login"))

    assert directives(response["Content-Security-Policy"])["script-src"] == ["'self'"]
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]


def test_htmx_is_told_not_to_eval_or_inject_styles(alice_client):
    html = alice_client.get("/").content.decode()

    assert '"allowEval": false' in html
    assert '"includeIndicatorStyles": false' in html


def test_only_the_door_page_may_use_the_camera(alice_client, event):  # noqa: F811
    door = alice_client.get(reverse("tickets:door", args=[event.public_id]))
    detail = alice_client.get(reverse("tickets:event_detail", args=[event.public_id]))

    assert "camera=(self)" in door["Permissions-Policy"]
    assert "microphone=()" in door["Permissions-Policy"]
    # The barcode reader is WebAssembly; nothing else is loosened.
    assert directives(door["Content-Security-Policy"])["script-src"] == [
        "'self'",
        "'wasm-unsafe-eval'",
    ]
    assert "camera=()" in detail["Permissions-Policy"]
    assert directives(detail["Content-Security-Policy"])["script-src"] == ["'self'"]


def test_an_uploaded_logo_is_served_as_inert_data(alice_client, acme, alice):
    logo = code_services.logo_create(workspace=acme, actor=alice, data=logo_png())

    response = alice_client.get(reverse("codes:logo_image", args=[logo.public_id]))

    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    policy = directives(response["Content-Security-Policy"])
    assert policy["default-src"] == ["'none'"]
    assert "sandbox" in policy


@pytest.mark.parametrize("url", ["/api/v1/docs/", "/api/v1/redoc/"])
def test_the_api_docs_run_no_inline_script(client, url):
    response = client.get(url)

    assert directives(response["Content-Security-Policy"])["script-src"] == ["'self'"]
    assert b"<script>" not in response.content


def test_swagger_ui_starts_from_a_script_file(client):
    page = client.get("/api/v1/docs/").content.decode()
    script = client.get("/api/v1/docs/?script=")

    assert 'src="/api/v1/docs/?script="' in page
    assert script["Content-Type"].startswith("application/javascript")
    assert b"SwaggerUIBundle(" in script.content


def test_api_answers_are_data_that_may_run_and_load_nothing(alice, acme):
    from tests.api.conftest import ApiClient, make_key

    client = ApiClient(make_key(alice, acme, "write"))
    made = client.post("/api/v1/codes", {"destination": "https://example.com/data"})
    image = client.get(f"/api/v1/codes/{made.json()['id']}/image?format=svg")
    refused = client.get("/api/v1/codes/code_doesnotexist")

    for response in (made, image, refused):
        policy = directives(response["Content-Security-Policy"])
        assert policy["default-src"] == ["'none'"]
        assert policy["frame-ancestors"] == ["'none'"]
        assert "sandbox" in policy
