"""Idempotency-Key on POST: same key and body → the first response byte for byte; same key,
other body → 422; in flight → 409; two concurrent requests with one key → one object."""

import json
import threading
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from codes.models import QRCode
from qrsite.api.models import IdempotencyRecord
from tests.api.conftest import ApiClient, make_key

BODY = {"destination": "https://example.com/once", "type": "dynamic", "name": "Once"}


def test_retry_with_same_key_and_body_replays_the_first_response(client_write):
    first = client_write.post("/api/v1/codes", BODY, HTTP_IDEMPOTENCY_KEY="order-1")
    second = client_write.post("/api/v1/codes", BODY, HTTP_IDEMPOTENCY_KEY="order-1")

    assert first.status_code == second.status_code == 201
    assert second.content == first.content
    assert second["Location"] == first["Location"]
    assert second["Content-Type"] == first["Content-Type"]
    assert second["Idempotent-Replayed"] == "true"
    assert QRCode.objects.count() == 1


def test_replayed_image_is_byte_for_byte(client_write):
    first = client_write.post(
        "/api/v1/codes", BODY, HTTP_IDEMPOTENCY_KEY="img-1", HTTP_ACCEPT="image/png"
    )
    second = client_write.post(
        "/api/v1/codes", BODY, HTTP_IDEMPOTENCY_KEY="img-1", HTTP_ACCEPT="image/png"
    )

    assert first["Content-Type"] == second["Content-Type"] == "image/png"
    assert second.content == first.content
    assert QRCode.objects.count() == 1


def test_same_key_with_another_body_is_422(client_write):
    client_write.post("/api/v1/codes", BODY, HTTP_IDEMPOTENCY_KEY="order-2")

    response = client_write.post(
        "/api/v1/codes", {**BODY, "name": "Other"}, HTTP_IDEMPOTENCY_KEY="order-2"
    )

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "idempotency_key_reused"
    assert response.json()["error"]["field"] == "Idempotency-Key"
    assert QRCode.objects.count() == 1


def test_a_refused_request_is_replayed_too(client_write):
    bad = {"destination": "javascript:alert(1)"}
    first = client_write.post("/api/v1/codes", bad, HTTP_IDEMPOTENCY_KEY="bad-1")
    second = client_write.post("/api/v1/codes", bad, HTTP_IDEMPOTENCY_KEY="bad-1")

    assert first.status_code == second.status_code == 400
    assert second.content == first.content


def test_without_a_key_every_post_creates(client_write):
    client_write.post("/api/v1/codes", BODY)
    client_write.post("/api/v1/codes", BODY)

    assert QRCode.objects.count() == 2


def test_keys_are_per_caller(alice, bob, acme, client_write):
    other = ApiClient(make_key(alice, acme, "write", name="second system"))

    client_write.post("/api/v1/codes", BODY, HTTP_IDEMPOTENCY_KEY="shared")
    other.post("/api/v1/codes", BODY, HTTP_IDEMPOTENCY_KEY="shared")

    assert QRCode.objects.count() == 2


def test_a_request_still_running_gets_409(client_write, acme):
    IdempotencyRecord.objects.create(
        principal="key:" + client_write_key_id(acme),
        key="busy",
        fingerprint="will-be-overwritten",
    )
    # Same fingerprint as the request below, computed the way the API does.
    record = IdempotencyRecord.objects.get(key="busy")
    record.fingerprint = _fingerprint_of(client_write, BODY)
    record.save()

    response = client_write.post("/api/v1/codes", BODY, HTTP_IDEMPOTENCY_KEY="busy")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "idempotency_in_progress"
    assert response["Retry-After"] == "1"
    assert not QRCode.objects.exists()


def test_a_claim_left_by_a_dead_request_is_taken_over(client_write, acme, settings):
    test_a_request_still_running_gets_409(client_write, acme)
    with time_machine.travel(
        timezone.now() + timedelta(seconds=settings.API_IDEMPOTENCY_LOCK_SECONDS + 1)
    ):
        response = client_write.post("/api/v1/codes", BODY, HTTP_IDEMPOTENCY_KEY="busy")

    assert response.status_code == 201
    assert QRCode.objects.count() == 1


def test_after_24_hours_the_key_is_free_again(client_write):
    client_write.post("/api/v1/codes", BODY, HTTP_IDEMPOTENCY_KEY="daily")
    with time_machine.travel(timezone.now() + timedelta(hours=25)):
        response = client_write.post(
            "/api/v1/codes", {**BODY, "name": "Tomorrow"}, HTTP_IDEMPOTENCY_KEY="daily"
        )

    assert response.status_code == 201
    assert QRCode.objects.count() == 2


def test_new_api_key_secret_is_never_stored_or_replayed(client_admin):
    body = {"name": "Printer", "scope": "write"}
    first = client_admin.post("/api/v1/keys", body, HTTP_IDEMPOTENCY_KEY="key-1")
    second = client_admin.post("/api/v1/keys", body, HTTP_IDEMPOTENCY_KEY="key-1")

    secret = first.json()["key"]
    assert secret.startswith("qr_")
    assert second.status_code == 201
    assert second.json()["key"] is None
    assert second.json()["id"] == first.json()["id"]
    assert secret.encode() not in bytes(IdempotencyRecord.objects.get(key="key-1").body)


def test_purge_deletes_expired_records(client_write):
    from qrsite.api.idempotency import purge_expired

    client_write.post("/api/v1/codes", BODY, HTTP_IDEMPOTENCY_KEY="old")
    with time_machine.travel(timezone.now() + timedelta(hours=25)):
        assert purge_expired() == 1
    assert not IdempotencyRecord.objects.exists()


def client_write_key_id(acme):
    from accounts.models import ApiKey

    return ApiKey.objects.get(workspace=acme, name="write key").public_id


def _fingerprint_of(client, body):
    import json

    from django.test import RequestFactory

    from qrsite.api.idempotency import fingerprint

    request = RequestFactory().post(
        "/api/v1/codes", data=json.dumps(body), content_type="application/json"
    )
    return fingerprint(request)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_with_one_key_create_one_code(alice, acme):
    if connection.vendor != "postgresql":
        pytest.skip("needs DATABASE_URL pointing at PostgreSQL")
    key = make_key(alice, acme, "write")
    results = []
    barrier = threading.Barrier(6)

    def send():
        from django.db import connection as thread_connection

        client = ApiClient(key)
        barrier.wait()
        try:
            response = client.post("/api/v1/codes", BODY, HTTP_IDEMPOTENCY_KEY="race")
            results.append(response.status_code)
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=send) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert QRCode.objects.filter(workspace=acme).count() == 1
    assert results.count(201) >= 1
    assert set(results) <= {201, 409}
    retry = ApiClient(key).post("/api/v1/codes", BODY, HTTP_IDEMPOTENCY_KEY="race")
    assert retry.status_code == 201
    assert retry["Idempotent-Replayed"] == "true"
    assert QRCode.objects.filter(workspace=acme).count() == 1


def test_purge_task_is_scheduled_and_runs(client_write, settings):
    from qrsite.api.tasks import idempotency_purge_task

    client_write.post("/api/v1/codes", BODY, HTTP_IDEMPOTENCY_KEY="old-task")
    schedule = settings.CELERY_BEAT_SCHEDULE["api-idempotency-purge"]
    with time_machine.travel(timezone.now() + timedelta(hours=25)):
        assert idempotency_purge_task() == 1

    assert schedule["task"] == "api.idempotency_purge_task"


def test_deleting_a_workspace_deletes_its_stored_responses_and_no_one_elses(
    write_key, globex_key, alice_client, acme, globex
):
    ApiClient(write_key).post("/api/v1/codes", BODY, HTTP_IDEMPOTENCY_KEY="acme-key")
    alice_client.post(
        "/api/v1/codes",
        json.dumps({**BODY, "name": "From the dashboard session"}),
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="acme-session",
    )
    ApiClient(globex_key).post("/api/v1/codes", BODY, HTTP_IDEMPOTENCY_KEY="globex-key")
    assert set(IdempotencyRecord.objects.values_list("key", flat=True)) == {
        "acme-key",
        "acme-session",
        "globex-key",
    }

    acme.delete()

    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["globex-key"]
