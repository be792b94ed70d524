"""Scan events come from the scan-recording batch: every scan, a code's first scan, and each
threshold exactly once per code, also when 50 threads scan past it at once."""

import json
import threading
import uuid

import pytest
from django.db import connection
from django.utils import timezone

from analytics import services as recording
from analytics.capture import ScanEvent
from codes import services as code_services
from tests.analytics.scanning import scan
from webhooks.models import WebhookDelivery, WebhookEvent


@pytest.fixture
def code(acme, alice):
    return code_services.code_create(
        workspace=acme, actor=alice, destination="https://example.com/", name="Poster"
    )


def _event(code, *, is_bot=False):
    return ScanEvent(
        code_id=code.pk,
        workspace_id=code.workspace_id,
        scanned_at=timezone.now(),
        country="DE",
        device_type="mobile",
        os="iOS",
        browser="Mobile Safari",
        referrer_host="news.example.com",
        language="de-DE",
        is_bot=is_bot,
        visitor_hash="0" * 32,
        event_id=uuid.uuid4().hex,
    )


def test_a_scan_sends_scanned_and_first_scan_with_what_analytics_stores(
    client, code, make_endpoint, receiver, django_capture_on_commit_callbacks
):
    make_endpoint(receiver.url, events=["code.scanned", "code.first_scan"])

    with django_capture_on_commit_callbacks(execute=True):
        assert scan(client, code).status_code == 302
        assert scan(client, code).status_code == 302

    payloads = [json.loads(r.body) for r in receiver.wait_for(3)]
    assert [p["type"] for p in payloads] == ["code.scanned", "code.first_scan", "code.scanned"]
    first = payloads[0]["data"]
    assert first["code"]["id"] == code.public_id
    assert first["scan"]["country"] == "GB"
    assert first["scan"]["device_type"] == "mobile"
    assert set(first["scan"]) == {
        "scanned_at", "country", "device_type", "os", "browser", "referrer_host", "language",
        "is_bot",
    }  # fmt: skip
    for request in receiver.requests:
        assert b"81.2.69.160" not in request.body  # never the scanner's IP
        assert b"visitor" not in request.body


def test_bots_are_reported_but_do_not_count_towards_thresholds(code, make_endpoint, receiver):
    make_endpoint(receiver.url, events=["*"], scan_thresholds=[1])

    recording.scan_record(event=_event(code, is_bot=True))

    assert list(WebhookEvent.objects.values_list("type", flat=True)) == ["code.scanned"]
    assert json.loads(json.dumps(WebhookEvent.objects.get().data))["scan"]["is_bot"] is True


def test_thresholds_fire_once_each_when_a_batch_passes_several(code, make_endpoint, receiver):
    make_endpoint(receiver.url, events=["code.scan_threshold_reached"], scan_thresholds=[2, 3, 9])

    recording.scan_record_many(payloads=[_event(code).to_json() for _ in range(4)])
    recording.scan_record_many(payloads=[_event(code).to_json() for _ in range(4)])

    reached = WebhookEvent.objects.filter(type="code.scan_threshold_reached").order_by("id")
    assert [(e.data["threshold"], e.data["scans"]) for e in reached] == [(2, 4), (3, 4)]


def test_a_replayed_batch_sends_nothing_again(code, make_endpoint, receiver):
    make_endpoint(receiver.url, events=["*"], scan_thresholds=[1])
    batch = [_event(code).to_json() for _ in range(3)]

    recording.scan_record_many(payloads=batch)
    recording.scan_record_many(payloads=batch)  # a flush that ran again after a crash

    assert WebhookEvent.objects.filter(type="code.scanned").count() == 3
    assert WebhookEvent.objects.filter(type="code.first_scan").count() == 1
    assert WebhookEvent.objects.filter(type="code.scan_threshold_reached").count() == 1


def test_a_batching_endpoint_gets_up_to_n_scans_per_request(
    code, make_endpoint, receiver, django_capture_on_commit_callbacks
):
    _, secret = make_endpoint(receiver.url, events=["code.scanned"], scan_batch_size=3)

    with django_capture_on_commit_callbacks(execute=True):
        recording.scan_record_many(payloads=[_event(code).to_json() for _ in range(7)])

    requests = receiver.wait_for(3)
    sizes = [len(json.loads(r.body)["data"]["events"]) for r in requests]
    assert sizes == [3, 3, 1]
    assert WebhookDelivery.objects.filter(is_batch=True).count() == 3
    # One stored message per request, not a row per scan.
    assert WebhookEvent.objects.filter(type="code.scanned").count() == 3
    from standardwebhooks import Webhook

    inner_ids = []
    for request in requests:
        body = Webhook(secret).verify(request.body, request.headers)
        assert body["id"] == request.headers["webhook-id"]
        assert body["type"] == "code.scanned"
        for event in body["data"]["events"]:
            assert event["type"] == "code.scanned"
            assert event["workspace"] == code.workspace.public_id
            assert event["data"]["code"]["id"] == code.public_id
            assert event["data"]["scan"]["country"] == "DE"
            inner_ids.append(event["id"])
    assert len(set(inner_ids)) == 7
    assert all(i.startswith("evt_") for i in inner_ids)
    assert not {r.headers["webhook-id"] for r in requests} & set(inner_ids)


def test_a_scan_has_the_same_event_id_batched_and_alone(
    code, make_endpoint, receiver, django_capture_on_commit_callbacks
):
    make_endpoint(receiver.url + "?batched", events=["code.scanned"], scan_batch_size=10)
    make_endpoint(receiver.url + "?single", events=["code.scanned"])

    with django_capture_on_commit_callbacks(execute=True):
        recording.scan_record_many(payloads=[_event(code).to_json() for _ in range(2)])

    requests = receiver.wait_for(3)
    batch = [json.loads(r.body) for r in requests if "events" in json.loads(r.body)["data"]]
    alone = [json.loads(r.body)["id"] for r in requests if "scan" in json.loads(r.body)["data"]]
    assert len(batch) == 1
    assert [e["id"] for e in batch[0]["data"]["events"]] == alone


def test_a_redelivered_batch_is_the_same_message(
    code, make_endpoint, receiver, alice_admin, django_capture_on_commit_callbacks
):
    from webhooks import services as webhook_services
    from webhooks.delivery import endpoint_drain

    endpoint, _ = make_endpoint(receiver.url, events=["code.scanned"], scan_batch_size=5)
    with django_capture_on_commit_callbacks(execute=True):
        recording.scan_record_many(payloads=[_event(code).to_json() for _ in range(4)])
    first = receiver.wait_for(1)[0]
    delivery = WebhookDelivery.objects.get()

    webhook_services.delivery_redeliver(delivery=delivery, actor=alice_admin)
    endpoint_drain(endpoint_id=endpoint.pk)

    again = receiver.wait_for(2)[1]
    assert again.headers["webhook-id"] == first.headers["webhook-id"]
    assert again.body == first.body


def test_a_scan_limited_code_reports_its_scans_too(acme, alice, make_endpoint, receiver):
    limited = code_services.code_create(
        workspace=acme, actor=alice, destination="https://example.com/", scan_limit=5
    )
    make_endpoint(receiver.url, events=["*"], scan_thresholds=[2])

    for _ in range(3):
        assert recording.scan_record_within_limit(event=_event(limited))

    types = list(WebhookEvent.objects.order_by("id").values_list("type", flat=True))
    assert types.count("code.scanned") == 3
    assert types.count("code.first_scan") == 1
    assert types.count("code.scan_threshold_reached") == 1


# --- 50 threads on PostgreSQL, in both recording modes ------------------------------------------


def _in_threads(count, work):
    barrier = threading.Barrier(count)
    errors = []

    def run():
        from django.db import connection as thread_connection

        try:
            barrier.wait()
            work()
        except Exception as exc:  # surfaced below: a thread's failure must fail the test
            errors.append(exc)
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


def _require_postgres():
    if connection.vendor != "postgresql":
        pytest.skip("needs DATABASE_URL pointing at PostgreSQL")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_50_threads_scanning_past_a_threshold_fire_it_once_direct_mode(
    code, make_endpoint, receiver, settings
):
    _require_postgres()
    settings.CELERY_TASK_ALWAYS_EAGER = False  # no sender: only the outbox is counted here
    make_endpoint(receiver.url, events=["*"], scan_thresholds=[10, 25, 50])

    _in_threads(50, lambda: recording.scan_record(event=_event(code)))

    code.refresh_from_db()
    assert code.scan_count == 50
    reached = WebhookEvent.objects.filter(type="code.scan_threshold_reached")
    assert sorted(e.data["threshold"] for e in reached) == [10, 25, 50]
    assert WebhookEvent.objects.filter(type="code.first_scan").count() == 1
    assert WebhookEvent.objects.filter(type="code.scanned").count() == 50


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_50_threads_scanning_past_a_threshold_fire_it_once_buffered_mode(
    code, make_endpoint, receiver, settings, real_buffer
):
    _require_postgres()
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.SCAN_FLUSH_BATCH_SIZE = 7  # many small batches, from several flushers at once
    make_endpoint(receiver.url, events=["*"], scan_thresholds=[10, 25, 50])

    _in_threads(50, lambda: recording.scan_submit(event=_event(code)))
    _in_threads(4, lambda: [recording.scan_flush_buffer(max_seconds=5) for _ in range(5)])
    recording.scan_flush_buffer(max_seconds=5)

    code.refresh_from_db()
    assert code.scan_count == 50
    reached = WebhookEvent.objects.filter(type="code.scan_threshold_reached")
    assert sorted(e.data["threshold"] for e in reached) == [10, 25, 50]
    assert WebhookEvent.objects.filter(type="code.first_scan").count() == 1
    assert WebhookEvent.objects.filter(type="code.scanned").count() == 50


def test_a_code_of_its_own_threshold_fires_for_that_code_only(
    acme, alice, code, make_endpoint, receiver
):
    other = code_services.code_create(workspace=acme, actor=alice, destination="https://e.com/")
    make_endpoint(
        receiver.url,
        events=["code.scan_threshold_reached"],
        scan_thresholds=[5],
        code_scan_thresholds={code.public_id: [2]},
    )

    for each in (code, other):
        recording.scan_record_many(payloads=[_event(each).to_json() for _ in range(3)])

    reached = WebhookEvent.objects.filter(type="code.scan_threshold_reached")
    assert [(e.data["code"]["id"], e.data["threshold"]) for e in reached] == [(code.public_id, 2)]


def test_a_batch_carries_quotes_backslashes_and_non_latin_text_exactly(
    acme, alice, make_endpoint, receiver, django_capture_on_commit_callbacks
):
    # The batch is bulk-inserted as JSON and sent as the database's own text of it: nothing
    # may be escaped twice or lost on the way.
    name = 'Poster "Ω" \\ back\\slash — 海报 🎉'
    code = code_services.code_create(
        workspace=acme, actor=alice, destination="https://example.com/", name=name
    )
    make_endpoint(receiver.url, events=["code.scanned"], scan_batch_size=10)

    with django_capture_on_commit_callbacks(execute=True):
        recording.scan_record_many(payloads=[_event(code).to_json() for _ in range(3)])

    (request,) = receiver.wait_for(1)
    body = json.loads(request.body)
    assert [e["data"]["code"]["name"] for e in body["data"]["events"]] == [name] * 3
    assert body["id"] == request.headers["webhook-id"]


def test_a_batch_stores_each_code_once_and_sends_every_event_in_full(
    acme, alice, code, make_endpoint, receiver, django_capture_on_commit_callbacks
):
    other = code_services.code_create(
        workspace=acme, actor=alice, destination="https://example.com/b", name="Flyer"
    )
    make_endpoint(receiver.url, events=["code.scanned"], scan_batch_size=50)

    with django_capture_on_commit_callbacks(execute=True):
        recording.scan_record_many(
            payloads=[_event(c).to_json() for c in [code, other, code, code, other]]
        )

    stored = WebhookEvent.objects.get(type="code.scanned").data
    assert sorted(stored["codes"]) == sorted([code.public_id, other.public_id])
    assert len(stored["scans"]) == 5
    (request,) = receiver.wait_for(1)
    events = json.loads(request.body)["data"]["events"]
    assert [e["data"]["code"]["name"] for e in events] == [
        "Poster", "Flyer", "Poster", "Poster", "Flyer",
    ]  # fmt: skip
    assert [e["id"] for e in events] == [s["id"] for s in stored["scans"]]
    for event in events:
        assert set(event) == {"id", "type", "created_at", "workspace", "data"}
        assert event["data"]["scan"]["country"] == "DE"
