"""Operators see endpoints, events and deliveries (never a secret) and change nothing but
through the actions."""

import pytest
from django.contrib.auth import get_user_model

from webhooks import services
from webhooks.models import WebhookEndpoint


@pytest.fixture
def admin_client(client, db):
    admin = get_user_model().objects.create_superuser(email="ops@example.com", password="pw")
    client.force_login(admin)
    return client


def test_lists_show_rows_and_no_secret(admin_client, make_endpoint, receiver, alice_admin):
    endpoint, secret = make_endpoint(receiver.url)
    delivery = services.endpoint_send_test(endpoint=endpoint, actor=alice_admin)

    for url in (
        "/admin/webhooks/webhookendpoint/",
        f"/admin/webhooks/webhookendpoint/{endpoint.pk}/change/",
        "/admin/webhooks/webhookevent/?type=webhook.test",
        "/admin/webhooks/webhookdelivery/?state=pending",
        f"/admin/webhooks/webhookdelivery/{delivery.pk}/change/",
    ):
        response = admin_client.get(url)
        assert response.status_code == 200, url
        assert secret.encode() not in response.content
    assert (
        delivery.public_id.encode() in admin_client.get("/admin/webhooks/webhookdelivery/").content
    )


def test_posting_a_change_page_writes_nothing_and_the_action_disables(
    admin_client, make_endpoint, receiver
):
    endpoint, _ = make_endpoint(receiver.url)

    admin_client.post(
        f"/admin/webhooks/webhookendpoint/{endpoint.pk}/change/", {"url": "https://evil.test/"}
    )
    assert WebhookEndpoint.objects.get().url == receiver.url

    admin_client.post(
        "/admin/webhooks/webhookendpoint/", {"action": "disable", "_selected_action": [endpoint.pk]}
    )
    endpoint.refresh_from_db()
    assert not endpoint.is_enabled
    assert endpoint.disabled_reason
