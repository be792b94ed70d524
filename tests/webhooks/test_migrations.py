"""Upgrading keeps batched deliveries that were still pending when the storage changed: the
same `webhook-id` and the same events, now held by one event row."""

import json

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("webhooks", "0002_sandbox")]
AFTER = [("webhooks", "0003_batch_as_one_event")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_a_pending_batch_from_before_the_upgrade_keeps_its_id_and_events():
    apps = _migrate(BEFORE)
    Workspace = apps.get_model("accounts", "Workspace")
    Endpoint = apps.get_model("webhooks", "WebhookEndpoint")
    Event = apps.get_model("webhooks", "WebhookEvent")
    Delivery = apps.get_model("webhooks", "WebhookDelivery")
    workspace = Workspace.objects.create(name="Acme", slug="acme-upgrade", public_id="ws_up")
    endpoint = Endpoint.objects.create(
        workspace=workspace, url="https://hooks.example.com/", secret="whsec_x", events=["*"]
    )
    now = timezone.now()
    scans = [
        Event.objects.create(
            workspace=workspace,
            type="code.scanned",
            public_id=f"evt_old{i}",
            data={"scan": {"n": i}},
            created_at=now,
        )
        for i in range(3)
    ]
    delivery = Delivery.objects.create(
        endpoint=endpoint, event=scans[0], is_batch=True, public_id="dlv_old", message_id="dlv_old"
    )
    delivery.batch.set(scans)

    apps = _migrate(AFTER)

    from webhooks.delivery import body_for
    from webhooks.models import WebhookDelivery

    upgraded = WebhookDelivery.objects.select_related("event__workspace").get(public_id="dlv_old")
    body = json.loads(body_for(upgraded))
    assert body["id"] == "dlv_old"
    assert body["type"] == "code.scanned"
    assert [e["id"] for e in body["data"]["events"]] == ["evt_old0", "evt_old1", "evt_old2"]
    assert [e["data"]["scan"]["n"] for e in body["data"]["events"]] == [0, 1, 2]
    assert all(e["workspace"] == "ws_up" for e in body["data"]["events"])
