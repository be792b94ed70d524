"""The API keys page: test keys, usage per key, a ready curl line, and the sandbox wipe."""

import uuid

import pytest
from django.urls import reverse

from accounts import services
from accounts.models import ApiKey, Membership
from codes import services as code_services
from codes.models import QRCode
from qrsite.api import usage
from tests.api.conftest import ApiClient


@pytest.fixture(autouse=True)
def _fresh_usage(monkeypatch):
    monkeypatch.setattr(usage, "KEY_PREFIX", f"api:usage:test-{uuid.uuid4().hex}")


def member(user):
    return Membership.objects.select_related("workspace", "user").get(user=user)


def test_the_page_makes_a_test_key_and_shows_a_curl_line_with_it(alice_client):
    response = alice_client.post(
        reverse("settings:api_key_create"), {"name": "Sandbox", "scope": "write", "test": "on"}
    )

    secret = response.context["new_secret"]
    assert secret.startswith("qr_test_")
    assert ApiKey.objects.get().is_test
    assert f"Authorization: Bearer {secret}".encode() in response.content
    assert b"curl -s -X POST" in response.content
    assert b"/api/v1/redoc/" in response.content
    created = ApiClient(secret).post("/api/v1/codes", {"destination": "https://example.com/x"})
    assert created.status_code == 201


def test_the_page_shows_each_keys_usage(alice_client, alice, acme):
    _, secret = services.api_key_create(
        workspace=acme, actor=member(alice), name="Busy", scope="read"
    )
    client = ApiClient(secret)
    for _ in range(3):
        client.get("/api/v1/codes")
    client.get("/api/v1/codes/code_missing")

    page = alice_client.get(reverse("settings:api_keys"))

    assert page.status_code == 200
    (row,) = page.context["api_keys"]
    assert (row.usage.requests_24h, row.usage.errors_24h, row.usage.requests_30d) == (4, 1, 4)
    assert b"4 / 4" in page.content


def test_the_wipe_button_clears_the_sandbox_and_keeps_live_codes(alice_client, alice, acme):
    live = code_services.code_create(workspace=acme, actor=alice, destination="https://a.example")
    code_services.code_create(
        workspace=acme, actor=alice, destination="https://b.example", sandbox=True
    )

    response = alice_client.post(reverse("codes:sandbox_wipe"), follow=True)

    assert response.status_code == 200
    assert b"Sandbox wiped: 1 test code" in response.content
    assert list(QRCode.objects.values_list("pk", flat=True)) == [live.pk]


@pytest.mark.parametrize(("persona", "left"), [("bob_client", 0), ("carol_client", 1)])
def test_editors_wipe_and_viewers_cannot(request, persona, left, alice, acme):
    code_services.code_create(
        workspace=acme, actor=alice, destination="https://b.example", sandbox=True
    )

    response = request.getfixturevalue(persona).post(reverse("codes:sandbox_wipe"))

    assert response.status_code == (302 if left == 0 else 403)
    assert QRCode.objects.filter(is_test=True).count() == left


def test_a_stranger_wipes_only_their_own_sandbox(charlie_client, alice, acme):
    code_services.code_create(
        workspace=acme, actor=alice, destination="https://b.example", sandbox=True
    )

    charlie_client.post(reverse("codes:sandbox_wipe"))

    assert QRCode.objects.filter(workspace=acme, is_test=True).count() == 1


def test_wipe_needs_post(alice_client):
    assert alice_client.get(reverse("codes:sandbox_wipe")).status_code == 405


def test_admin_shows_usage_and_the_test_flag(alice, acme, admin_client):
    services.api_key_create(workspace=acme, actor=member(alice), name="T", scope="read", test=True)

    page = admin_client.get("/admin/accounts/apikey/")

    assert page.status_code == 200
    assert b"Requests 24 h" in page.content
    assert b"qr_test_" in page.content
