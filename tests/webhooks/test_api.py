"""The webhooks API as an integrator uses it: the secret once, clear 400s naming the field,
the delivery log, redelivery."""

import pytest

from tests.api.conftest import ApiClient, make_key
from webhooks.models import WebhookEndpoint


@pytest.fixture
def admin_client(alice, acme):
    return ApiClient(make_key(alice, acme, "admin"))


def _create(client, receiver_url, **body):
    return client.post("/api/v1/webhooks", {"url": receiver_url, "events": ["*"], **body})


def test_create_shows_the_secret_once(admin_client, receiver):
    created = _create(admin_client, receiver.url, scan_thresholds=[1000, 100])

    assert created.status_code == 201, created.content
    body = created.json()
    assert body["secret"].startswith("whsec_")
    assert body["scan_thresholds"] == [100, 1000]
    assert body["status"] == "active"
    again = admin_client.get(f"/api/v1/webhooks/{body['id']}").json()
    assert "secret" not in again
    assert body["secret"] not in admin_client.get("/api/v1/webhooks").content.decode()


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({"events": ["code.exploded"]}, "events", "Unknown event type"),
        ({"events": []}, "events", "at least one"),
        ({"scan_thresholds": [0]}, "scan_thresholds", "at least 1"),
        ({"scan_thresholds": [-5]}, "scan_thresholds", "at least 1"),
        ({"scan_thresholds": ["many"]}, "scan_thresholds", "whole number"),
        ({"url": "http://169.254.169.254/"}, "url", "metadata"),
        ({"url": "http://2130706433/"}, "url", "dotted decimal"),
        ({"url": "ftp://example.com/"}, "url", "http and https"),
        ({"group": "no-such-group"}, "group", "No group"),
        ({"scan_batch_size": 0}, "scan_batch_size", "Choose from 1"),
        ({"colour": "red"}, "colour", "Unknown field"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(admin_client, receiver, body, field, words):
    response = _create(admin_client, receiver.url, **body)

    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    fields = {item["field"]: item["message"] for item in error["errors"]}
    assert words in fields[field], fields
    assert not WebhookEndpoint.objects.exists()


def test_more_endpoints_than_the_limit_are_refused(admin_client, receiver, settings):
    settings.WEBHOOKS_MAX_ENDPOINTS_PER_WORKSPACE = 2
    assert _create(admin_client, receiver.url).status_code == 201
    assert _create(admin_client, receiver.url).status_code == 201

    third = _create(admin_client, receiver.url)

    assert third.status_code == 400
    assert "at most 2 webhook endpoints" in third.json()["error"]["message"]
    assert WebhookEndpoint.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_test_event_is_delivered_and_logged_then_redelivered(alice, acme, receiver):
    client = ApiClient(make_key(alice, acme, "admin"))
    endpoint = _create(client, receiver.url).json()

    sent = client.post(f"/api/v1/webhooks/{endpoint['id']}/test", {})
    assert sent.status_code == 202
    receiver.wait_for(1)

    log = client.get(f"/api/v1/webhooks/{endpoint['id']}/deliveries").json()["results"]
    (delivery,) = log
    assert delivery["event_type"] == "webhook.test"
    assert delivery["state"] == "succeeded"
    assert delivery["attempt_log"][0]["status_code"] == 200
    assert delivery["attempt_log"][0]["response_snippet"] == "ok"

    again = client.post(
        f"/api/v1/webhooks/{endpoint['id']}/deliveries/{delivery['id']}/redeliver", {}
    )
    assert again.status_code == 202
    receiver.wait_for(2)
    assert {r.headers["webhook-id"] for r in receiver.requests} == {delivery["webhook_id"]}


def test_rotate_secret_answers_the_new_secret_and_the_overlap(admin_client, receiver):
    endpoint = _create(admin_client, receiver.url).json()

    rotated = admin_client.post(f"/api/v1/webhooks/{endpoint['id']}/rotate-secret", {})

    assert rotated.status_code == 200
    assert rotated.json()["secret"] != endpoint["secret"]
    assert rotated.json()["secret_rotation_ends_at"] is not None


def test_disabling_and_enabling_through_patch(admin_client, receiver):
    endpoint = _create(admin_client, receiver.url).json()
    url = f"/api/v1/webhooks/{endpoint['id']}"

    off = admin_client.patch(url, {"is_enabled": False}).json()
    assert off["status"] == "disabled"
    refused = admin_client.post(url + "/test", {})
    assert refused.status_code == 400
    assert "disabled" in refused.json()["error"]["message"]

    on = admin_client.patch(url, {"is_enabled": True}).json()
    assert on["status"] == "active"
    assert on["disabled_reason"] == ""


def test_per_code_thresholds_name_codes_of_this_workspace(admin_client, receiver, acme, alice):
    from codes import services as code_services

    code = code_services.code_create(workspace=acme, actor=alice, destination="https://e.com/")

    ok = _create(admin_client, receiver.url, code_scan_thresholds={code.public_id: [50, 5]})
    assert ok.status_code == 201, ok.content
    assert ok.json()["code_scan_thresholds"] == {code.public_id: [5, 50]}

    for bad, words in (
        ({"code_nope": [5]}, "No code"),
        ({code.public_id: [0]}, "at least 1"),
        ([5], "dictionary"),
    ):
        refused = _create(admin_client, receiver.url, code_scan_thresholds=bad)
        assert refused.status_code == 400
        assert words in refused.json()["error"]["message"]
