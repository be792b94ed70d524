"""The sandbox: test keys (qr_test_...) work beside the live data and never touch it.

What an integrator would notice: the key looks different, sandbox codes are not listed with
live ones in the dashboard, their scans are never counted in the live analytics (raw or rolled
up), their webhooks reach only test-mode endpoints, and one call wipes the sandbox.
"""

from datetime import UTC, datetime

import pytest
from django.core.management import call_command

from accounts.models import ApiKey
from analytics.rollups import rollup_day
from codes import services as code_services
from codes.models import CampaignGroup, LogoAsset, QRCode, SlugClaim
from jobs.models import Job
from tests.analytics.analytics_data import add_scan
from tests.api.conftest import ApiClient, make_key
from tests.api.test_permissions import png_bytes
from webhooks.models import WebhookDelivery, WebhookEndpoint


@pytest.fixture
def test_client(alice, acme):
    return ApiClient(make_key(alice, acme, "admin", test=True))


@pytest.fixture
def live_client(alice, acme):
    return ApiClient(make_key(alice, acme, "admin"))


def test_a_test_key_says_so_in_its_prefix(alice, acme):
    live, test = make_key(alice, acme, "read"), make_key(alice, acme, "read", test=True)

    assert live.startswith("qr_")
    assert not live.startswith("qr_test_")
    assert test.startswith("qr_test_")
    assert ApiKey.objects.get(prefix=test.split(".")[0]).is_test


def test_create_api_key_command_makes_a_test_key(alice, acme, capsys):
    call_command("create_api_key", "--workspace", acme.slug, "--scope", "write", "--test")

    key = capsys.readouterr().out.strip()
    assert key.startswith("qr_test_")
    response = ApiClient(key).post("/api/v1/codes", {"destination": "https://example.com/cli"})
    assert response.status_code == 201
    assert QRCode.objects.get(public_id=response.json()["id"]).is_test


def test_codes_made_with_a_test_key_stay_out_of_the_dashboard(alice_client, test_client):
    response = test_client.post("/api/v1/codes", {"destination": "https://example.com/sbx"})
    assert response.status_code == 201
    code_id = response.json()["id"]

    page = alice_client.get("/codes/")

    assert page.status_code == 200
    assert code_id.encode() not in page.content
    assert alice_client.get(f"/codes/{code_id}/").status_code == 404


def test_a_slug_given_to_the_sandbox_and_the_same_group_slug_live_do_not_clash(
    alice, acme, test_client, live_client
):
    live = live_client.post(
        "/api/v1/codes", {"destination": "https://example.com/a", "group": "launch"}
    )
    test = test_client.post(
        "/api/v1/codes", {"destination": "https://example.com/b", "group": "launch"}
    )

    assert live.status_code == test.status_code == 201
    groups = CampaignGroup.objects.filter(workspace=acme, slug="launch")
    assert sorted(groups.values_list("is_test", flat=True)) == [False, True]


def test_sandbox_scans_never_count_in_live_analytics(alice, acme, test_client, live_client):
    live = code_services.code_create(
        workspace=acme, actor=alice, destination="https://example.com/live"
    )
    test = code_services.code_create(
        workspace=acme, actor=alice, destination="https://example.com/test", sandbox=True
    )
    for hour in range(3):
        add_scan(test, datetime(2026, 3, 2, 9 + hour, tzinfo=UTC), visitor=f"t{hour}")
    add_scan(live, datetime(2026, 3, 2, 9, tzinfo=UTC), visitor="l0")
    query = "?start=2026-03-01&end=2026-03-03"

    raw_live = live_client.get(f"/api/v1/analytics{query}").json()
    raw_test = test_client.get(f"/api/v1/analytics{query}").json()
    rollup_day(day=datetime(2026, 3, 2).date())
    rolled_live = live_client.get(f"/api/v1/analytics{query}").json()
    rolled_test = test_client.get(f"/api/v1/analytics{query}").json()

    assert raw_live["scans"] == rolled_live["scans"] == 1
    assert raw_test["scans"] == rolled_test["scans"] == 3
    assert test_client.get(f"/api/v1/codes/{test.public_id}/analytics{query}").json()["scans"] == 3
    assert live_client.get(f"/api/v1/codes/{test.public_id}/analytics").status_code == 404


def test_webhooks_of_sandbox_codes_go_only_to_test_mode_endpoints(
    alice, acme, settings, test_client, live_client
):
    settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS = True
    settings.WEBHOOKS_ALLOW_HTTP = True
    hook = {"url": "http://127.0.0.1:9/hooks", "events": ["code.created"]}
    live_hook = live_client.post("/api/v1/webhooks", hook).json()["id"]
    test_hook = test_client.post("/api/v1/webhooks", hook).json()["id"]

    test_client.post("/api/v1/codes", {"destination": "https://example.com/t"})
    test_client.post("/api/v1/codes/bulk", {"codes": [{"destination": "https://example.com/tb"}]})
    live_client.post("/api/v1/codes", {"destination": "https://example.com/l"})

    def deliveries(endpoint_id):
        return WebhookDelivery.objects.filter(endpoint__public_id=endpoint_id).count()

    assert deliveries(test_hook) == 2
    assert deliveries(live_hook) == 1
    assert WebhookEndpoint.objects.get(public_id=test_hook).is_test


def test_wiping_the_sandbox_removes_only_sandbox_objects(alice, acme, settings, test_client):
    settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS = True
    settings.WEBHOOKS_ALLOW_HTTP = True
    live = code_services.code_create(
        workspace=acme, actor=alice, destination="https://example.com/live", group=None
    )
    live_logo = code_services.logo_create(workspace=acme, actor=alice, data=png_bytes())
    made = test_client.post(
        "/api/v1/codes",
        {"destination": "https://example.com/t", "type": "dynamic", "group": "sandbox-group"},
    ).json()
    test_client.post("/api/v1/webhooks", {"url": "http://127.0.0.1:9/h", "events": ["*"]})
    code_services.logo_create(workspace=acme, actor=alice, data=png_bytes(), sandbox=True)
    Job.objects.create(workspace=acme, kind="import", created_by=alice, is_test=True)
    slug = QRCode.objects.get(public_id=made["id"]).slug

    response = test_client.post("/api/v1/sandbox/wipe", {})

    assert response.status_code == 200, response.content
    assert response.json() == {"codes": 1, "groups": 1, "logos": 1, "events": 0}
    assert not QRCode.objects.filter(is_test=True).exists()
    assert not CampaignGroup.objects.filter(is_test=True).exists()
    assert not LogoAsset.objects.filter(is_test=True).exists()
    assert not Job.objects.filter(is_test=True).exists()
    assert not WebhookEndpoint.objects.filter(is_test=True).exists()
    assert QRCode.objects.filter(pk=live.pk).exists()
    assert LogoAsset.objects.filter(pk=live_logo.pk).exists()
    # The wiped code's short URL is never handed to anyone else, and stops redirecting.
    assert SlugClaim.objects.filter(slug=slug).exists()
    assert ApiClient().get(f"/r/{slug}").status_code == 410  # the "gone" page, no redirect


def test_wiping_with_a_live_key_is_refused_and_wipes_nothing(alice, acme, live_client):
    code_services.code_create(
        workspace=acme, actor=alice, destination="https://example.com/t", sandbox=True
    )

    response = live_client.post("/api/v1/sandbox/wipe", {})

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "test_mode_only"
    assert QRCode.objects.filter(is_test=True).count() == 1


def test_a_test_key_cannot_mint_a_live_key(test_client):
    response = test_client.post(
        "/api/v1/keys", {"name": "escape", "scope": "read", "test_mode": False}
    )

    assert response.status_code == 201
    assert response.json()["key"].startswith("qr_test_")
    assert response.json()["test_mode"] is True
