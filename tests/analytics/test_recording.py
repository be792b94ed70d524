"""Direct and buffered recording: every scan ends up as exactly one row, counted once."""

import pytest
from django.conf import settings as django_settings

from analytics import buffer
from analytics.capture import ScanEvent
from analytics.models import Scan
from analytics.services import scan_count_reconcile, scan_flush_buffer, scan_record
from analytics.tasks import scan_flush_buffer_task
from codes import services
from codes.models import QRCode
from tests.analytics.scanning import PHONE, scan

UNREACHABLE = "redis://127.0.0.1:1/0"  # nothing listens on port 1


def test_direct_mode_inserts_and_counts_each_scan(client, code):
    for _ in range(4):
        assert scan(client, code).status_code == 302
    scan(client, code, HTTP_USER_AGENT="Googlebot/2.1")
    code.refresh_from_db()
    assert Scan.objects.filter(code=code).count() == 5
    assert code.scan_count == Scan.objects.filter(code=code, is_bot=False).count() == 4


@pytest.mark.django_db(transaction=True)
def test_direct_record_outside_a_transaction_counts_too(client, acme, alice):
    # Outside a test transaction: each scan commits on its own, as in production.
    code = services.code_create(workspace=acme, actor=alice, destination="https://example.com/")
    for _ in range(3):
        assert scan(client, code).status_code == 302
    code.refresh_from_db()
    assert code.scan_count == Scan.objects.filter(code=code).count() == 3


@pytest.mark.django_db(transaction=True)
def test_a_scan_of_a_code_deleted_meanwhile_is_skipped_and_recording_goes_on(acme, alice):
    from django.utils import timezone

    code = services.code_create(workspace=acme, actor=alice, destination="https://example.com/")
    orphan = ScanEvent(
        code_id=code.pk + 1000,
        workspace_id=code.workspace_id,
        scanned_at=timezone.now(),
        country="",
        device_type="mobile",
        os="",
        browser="",
        referrer_host="",
        language="",
        is_bot=False,
        visitor_hash="",
    )
    scan_record(event=orphan)  # its code is gone: nothing to keep it on
    assert not Scan.objects.exists()
    orphan.code_id, orphan.event_id = code.pk, ""
    scan_record(event=orphan)
    code.refresh_from_db()
    assert code.scan_count == Scan.objects.count() == 1


def test_reconcile_recounts_from_the_rows(client, code):
    scan(client, code)
    scan(client, code, HTTP_USER_AGENT="Googlebot/2.1")
    QRCode.objects.filter(pk=code.pk).update(scan_count=99)
    assert scan_count_reconcile(code_ids=[code.pk]) == 1
    code.refresh_from_db()
    assert code.scan_count == 1


def test_buffered_mode_with_redis_unreachable_still_redirects_and_records_every_scan(
    client, code, settings
):
    settings.SCAN_RECORDING = "buffered"
    settings.SCAN_BUFFER_URL = UNREACHABLE
    settings.REDIRECT_CACHE_URL = UNREACHABLE
    # The cache is on the same dead Redis: the lookup must fall back to the database too.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": UNREACHABLE,
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    buffer.reset()
    for _ in range(25):
        response = scan(client, code)
        assert response.status_code == 302
        assert response["Location"] == "https://example.com/"
    code.refresh_from_db()
    assert Scan.objects.filter(code=code).count() == 25
    assert code.scan_count == 25


def test_flush_without_a_buffer_configured_does_nothing(settings, db):
    settings.SCAN_BUFFER_URL = ""
    assert scan_flush_buffer() == 0


def test_flush_task_survives_an_unreachable_redis(settings, db):
    settings.SCAN_BUFFER_URL = UNREACHABLE
    buffer.reset()
    assert scan_flush_buffer_task() == 0


def test_direct_record_of_a_bot_stores_but_does_not_count(code):
    from django.utils import timezone

    event = ScanEvent(
        code_id=code.pk,
        workspace_id=code.workspace_id,
        scanned_at=timezone.now(),
        country="",
        device_type="bot",
        os="",
        browser="",
        referrer_host="",
        language="",
        is_bot=True,
        visitor_hash="",
    )
    scan_record(event=event)
    code.refresh_from_db()
    assert code.scan_count == 0
    assert Scan.objects.get().is_bot


# --- with the real Redis ------------------------------------------------------------------------


@pytest.mark.redis
def test_buffered_scans_wait_in_redis_until_the_flush(client, code, real_buffer):
    for _ in range(30):
        assert scan(client, code).status_code == 302
    client.head(f"/r/{code.slug}", HTTP_USER_AGENT=PHONE)
    assert not Scan.objects.exists()
    assert buffer.pending() == 31
    assert scan_flush_buffer_task() == 31
    code.refresh_from_db()
    assert Scan.objects.filter(code=code).count() == 31
    assert code.scan_count == 30
    assert buffer.pending() == 0


@pytest.mark.redis
def test_flush_is_idempotent_when_a_batch_is_replayed(
    client, code, real_buffer, settings, monkeypatch
):
    from analytics import services as recording

    settings.SCAN_FLUSH_BATCH_SIZE = 10
    for _ in range(15):
        scan(client, code)
    # Simulate a crash after the first batch committed but before it was trimmed from Redis.
    insert = recording._insert_batch

    def commit_then_crash(items):
        insert(items)
        raise RuntimeError("worker died")

    monkeypatch.setattr(recording, "_insert_batch", commit_then_crash)
    with pytest.raises(RuntimeError):
        scan_flush_buffer()
    monkeypatch.setattr(recording, "_insert_batch", insert)
    assert Scan.objects.count() == 10
    assert scan_flush_buffer() == 15  # the replayed batch is recognised, not inserted twice
    code.refresh_from_db()
    assert Scan.objects.count() == 15
    assert code.scan_count == 15


@pytest.mark.redis
def test_only_one_flusher_runs_at_a_time(code, real_buffer):
    lock = real_buffer.lock(buffer.LOCK_KEY, timeout=30)
    assert lock.acquire(blocking=False)
    try:
        buffer.push("{}")
        assert scan_flush_buffer() == 0
    finally:
        lock.release()


@pytest.mark.redis
def test_a_malformed_buffered_event_is_dropped_without_blocking_the_rest(client, code, real_buffer):
    buffer.push("not json")
    scan(client, code)
    assert scan_flush_buffer() == 2
    assert Scan.objects.count() == 1
    assert buffer.pending() == 0


@pytest.mark.redis
def test_redis_going_away_mid_traffic_loses_nothing(client, code, real_buffer, settings):
    for _ in range(10):
        assert scan(client, code).status_code == 302
    assert buffer.pending() == 10
    # Redis "stops" for the web process: pushes fail, scans are inserted directly.
    settings.SCAN_BUFFER_URL = UNREACHABLE
    settings.REDIRECT_CACHE_URL = UNREACHABLE
    for _ in range(7):
        assert scan(client, code).status_code == 302
    assert Scan.objects.filter(code=code).count() == 7
    # It comes back; the buffered scans are flushed and nothing was lost or doubled.
    settings.SCAN_BUFFER_URL = django_settings.REDIS_URL
    buffer.reset()
    assert scan_flush_buffer() == 10
    code.refresh_from_db()
    assert Scan.objects.filter(code=code).count() == code.scan_count == 17
