"""The redirect's fast path: the scanner is answered first, known codes are looked up in
memory (kept current by Redis), buffered scans travel to Redis in batches, a dropped database
connection costs no scan."""

import os
import time
import uuid
from datetime import timedelta

import pytest
import time_machine
from django.core.signals import request_finished
from django.db import close_old_connections, connection
from django.test import RequestFactory
from django.utils import timezone

from analytics import buffer
from analytics.models import Scan
from analytics.services import scan_flush_buffer
from codes import services
from codes.models import QRCode
from codes.scan import ShortUrlMiddleware
from qrsite.redis_io import HotRedis
from tests.analytics.scanning import PHONE, scan


def test_the_redirect_is_answered_before_the_scan_is_written(code):
    def not_reached(request):
        raise AssertionError("a scan must not go down the middleware stack")

    request = RequestFactory().get(f"/r/{code.slug}", HTTP_USER_AGENT=PHONE)
    response = ShortUrlMiddleware(not_reached)(request)
    assert response.status_code == 302
    assert response["Content-Length"] == "0"
    assert not Scan.objects.exists()
    # What the WSGI server does once the answer is sent (without the test database's
    # connection being closed by request_finished, as Django's test client does too).
    request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        request_finished.connect(close_old_connections)
    assert Scan.objects.filter(code=code).count() == 1
    code.refresh_from_db()
    assert code.scan_count == 1


def test_a_code_with_a_scan_limit_is_counted_before_answering(code, alice):
    services.code_update(code=code, actor=alice, scan_limit=5)
    request = RequestFactory().get(f"/r/{code.slug}", HTTP_USER_AGENT=PHONE)
    response = ShortUrlMiddleware(lambda request: None)(request)
    assert response.status_code == 302
    # The limit decides the answer, so the scan is already in.
    assert Scan.objects.filter(code=code).count() == 1


# --- with the real Redis -----------------------------------------------------------------------


def _local():
    from codes.cache import _store

    local = _store().local
    deadline = time.monotonic() + 5
    while not local.is_live():  # the listener connects in the background
        assert time.monotonic() < deadline, "the redirect cache listener never connected"
        time.sleep(0.01)
    return local


def _warm(client, code):
    """Scan until this process keeps the code's entry in memory: the first scan after a change
    writes the shared entry, and Redis reports that write too, so it is kept from the next."""
    local = _local()
    for _ in range(5):
        scan(client, code)
        if local.get(code.slug) is not None:
            return local
        time.sleep(0.01)
    raise AssertionError("the entry was never kept in memory")


def _count_redis_commands(monkeypatch) -> list:
    sent = []
    original = HotRedis.execute

    def counting(self, *args):
        sent.append(args[0])
        return original(self, *args)

    monkeypatch.setattr(HotRedis, "execute", counting)
    return sent


@pytest.mark.redis
def test_a_known_code_is_redirected_without_asking_redis(client, code, real_buffer, monkeypatch):
    _warm(client, code)
    sent = _count_redis_commands(monkeypatch)
    assert scan(client, code).status_code == 302
    assert sent == ["RPUSH"]  # the scan itself; no lookup


@pytest.mark.redis
def test_a_change_made_by_another_process_reaches_this_one_at_once(client, code, real_buffer):
    local = _warm(client, code)
    assert scan(client, code)["Location"] == "https://example.com/"
    # Another web process changes the code: the row, then the shared cache, and never this
    # process's memory directly.
    QRCode.objects.filter(pk=code.pk).update(destination="https://example.com/moved")
    real_buffer.set(f"qrsite:redirect-token:{code.slug}", "another-process")
    real_buffer.delete(f"qrsite:redirect:{code.slug}")
    deadline = time.monotonic() + 1
    while local.get(code.slug) is not None:
        assert time.monotonic() < deadline, "Redis's invalidation never arrived"
        time.sleep(0.001)
    assert scan(client, code)["Location"] == "https://example.com/moved"


@pytest.mark.redis
def test_copies_are_not_used_while_the_listener_is_disconnected(client, code, real_buffer):
    local = _warm(client, code)
    for info in real_buffer.client_list():
        if info.get("name") == "qrsite-redirect-listener":
            real_buffer.client_kill_filter(_id=info["id"])
    deadline = time.monotonic() + 5
    while local.get(code.slug) is not None:
        assert time.monotonic() < deadline, "a lost listener left its copies in use"
        time.sleep(0.005)
    assert scan(client, code).status_code == 302  # from the shared cache meanwhile
    _local()  # and it reconnects by itself


def test_a_value_read_while_an_invalidation_arrived_is_not_kept():
    from codes.local_cache import TrackedLocalCache

    local = TrackedLocalCache("redis://unused", "p", key_to_local=str, max_age=60, max_items=10)
    local._pid, local._live = os.getpid(), True  # as if the listener were connected
    before = local.generation()
    local._on_invalidate([b"invalidate", [b"p:abc"]])
    local.put("abc", "stale", before)
    assert local.get("abc") is None
    local.put("abc", "fresh", local.generation())
    assert local.get("abc") == "fresh"


@pytest.mark.redis
def test_buffered_scans_land_on_the_right_code(client, code, acme, alice, real_buffer):
    other = services.code_create(workspace=acme, actor=alice, destination="https://example.org/")
    for _ in range(3):
        scan(client, code)
        scan(client, other)
    assert buffer.pending() == 6
    assert scan_flush_buffer() == 6
    for each in (code, other):
        each.refresh_from_db()
        assert each.scan_count == 3
        rows = Scan.objects.filter(code=each)
        assert rows.count() == 3
        assert {row.workspace_id for row in rows} == {acme.pk}
        assert {row.country for row in rows} == {"GB"}


@pytest.mark.redis
def test_a_code_that_expires_while_cached_is_refused(client, code, alice, real_buffer):
    services.code_update(code=code, actor=alice, expires_at=timezone.now() + timedelta(hours=1))
    assert scan(client, code).status_code == 302  # caches the entry, expiry included
    with time_machine.travel(timezone.now() + timedelta(hours=2)):
        response = scan(client, code)
    assert response.status_code == 410
    assert buffer.pending() == 1  # only the scan before the expiry
    scan_flush_buffer()
    assert Scan.objects.filter(code=code).count() == 1


@pytest.mark.redis
def test_a_scan_limit_is_enforced_in_buffered_mode_too(client, code, alice, real_buffer):
    services.code_update(code=code, actor=alice, scan_limit=2)
    assert [scan(client, code).status_code for _ in range(3)] == [302, 302, 410]
    assert buffer.pending() == 0  # counted directly, under the row lock
    code.refresh_from_db()
    assert code.scan_count == Scan.objects.filter(code=code).count() == 2


@pytest.mark.redis
def test_a_change_through_the_services_counts_every_scan_once(
    client, code, alice, real_buffer, django_capture_on_commit_callbacks
):
    scan(client, code)
    with django_capture_on_commit_callbacks(execute=True):
        services.code_change_destination(
            code=code, destination="https://example.com/new", actor=alice
        )
    assert scan(client, code)["Location"] == "https://example.com/new"
    assert scan_flush_buffer() == 2
    code.refresh_from_db()
    assert code.scan_count == Scan.objects.filter(code=code).count() == 2


@pytest.mark.redis
def test_buffered_scans_of_a_code_deleted_before_the_flush_are_dropped(
    client, code, acme, real_buffer, django_capture_on_commit_callbacks
):
    scan(client, code)
    scan(client, code)
    with django_capture_on_commit_callbacks(execute=True):
        acme.delete()
    assert scan_flush_buffer() == 2
    assert not Scan.objects.exists()
    assert buffer.pending() == 0


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_the_sender_thread_batches_scans_into_redis(
    client, acme, alice, real_buffer, settings, monkeypatch
):
    settings.SCAN_LINGER_SECONDS = 0.05
    code = services.code_create(workspace=acme, actor=alice, destination="https://example.com/")
    sent = _count_redis_commands(monkeypatch)
    for _ in range(20):
        assert scan(client, code).status_code == 302
    deadline = time.monotonic() + 5
    while real_buffer.llen(buffer.BUFFER_KEY) < 20:
        assert time.monotonic() < deadline, "queued scans never reached Redis"
        time.sleep(0.01)
    assert sent.count("RPUSH") < 20  # they travelled together
    assert scan_flush_buffer() == 20
    code.refresh_from_db()
    assert code.scan_count == 20


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_the_sender_thread_records_directly_when_redis_is_gone(
    client, acme, alice, real_buffer, settings
):
    settings.SCAN_LINGER_SECONDS = 0.01
    code = services.code_create(workspace=acme, actor=alice, destination="https://example.com/")
    scan(client, code)  # the lookup is cached and this scan sent; then the buffer's Redis goes
    deadline = time.monotonic() + 5
    while real_buffer.llen(buffer.BUFFER_KEY) < 1:
        assert time.monotonic() < deadline
        time.sleep(0.005)
    settings.SCAN_BUFFER_URL = "redis://127.0.0.1:1/0"
    for _ in range(5):
        assert scan(client, code).status_code == 302
    deadline = time.monotonic() + 5
    while Scan.objects.filter(code=code).count() < 5:
        assert time.monotonic() < deadline, "scans were lost with Redis gone"
        time.sleep(0.02)
    code.refresh_from_db()
    assert code.scan_count == 5  # the five recorded directly; the first waits in Redis
    assert real_buffer.llen(buffer.BUFFER_KEY) == 1


# --- with PostgreSQL: a connection the server dropped ------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_scan_on_a_connection_the_server_dropped_is_still_recorded(client, acme, alice):
    if connection.vendor != "postgresql":
        pytest.skip("needs DATABASE_URL pointing at PostgreSQL")
    import psycopg

    code = services.code_create(workspace=acme, actor=alice, destination="https://example.com/")
    # The thread now keeps a connection, and the lookup is cached: the next scan's first
    # query is its insert, on a connection the server is about to drop.
    assert scan(client, code).status_code == 302
    backend = connection.connection.info.backend_pid
    db = connection.settings_dict
    with psycopg.connect(
        host=db["HOST"], port=db["PORT"] or 5432, user=db["USER"], dbname=db["NAME"],
        password=db["PASSWORD"] or None, autocommit=True,
    ) as admin:  # fmt: skip
        admin.execute("SELECT pg_terminate_backend(%s)", [backend])
    assert scan(client, code).status_code == 302
    code.refresh_from_db()
    assert code.scan_count == 2
    assert QRCode.objects.filter(pk=code.pk).exists()
    assert Scan.objects.filter(code=code).count() == 2


def test_a_direct_fallback_for_a_scan_the_buffer_delivered_after_all_adds_nothing(code):
    from analytics.capture import ScanEvent
    from analytics.services import scan_record

    event = ScanEvent(
        scanned_at=timezone.now(),
        country="",
        device_type="mobile",
        os="iOS",
        browser="Mobile Safari",
        referrer_host="",
        language="",
        is_bot=False,
        visitor_hash="",
        event_id=uuid.uuid4().hex,
        code_id=code.pk,
        workspace_id=code.workspace_id,
    )
    scan_record(event=event)  # e.g. the flush of a push whose reply came too late
    scan_record(event=event)  # the sender's direct fallback for the "failed" push
    code.refresh_from_db()
    assert code.scan_count == Scan.objects.filter(code=code).count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_writer_thread_commits_queued_scans_together(
    client, acme, alice, settings, monkeypatch
):
    from analytics import services as recording

    batches = []
    write = recording._insert_batch
    monkeypatch.setattr(
        recording, "_insert_batch", lambda items: (batches.append(len(items)), write(items))
    )
    settings.SCAN_LINGER_SECONDS = 0.2
    code = services.code_create(workspace=acme, actor=alice, destination="https://example.com/")
    for _ in range(10):
        assert scan(client, code).status_code == 302
    deadline = time.monotonic() + 5
    while Scan.objects.filter(code=code).count() < 10:
        assert time.monotonic() < deadline, "queued scans were never written"
        time.sleep(0.01)
    code.refresh_from_db()
    assert code.scan_count == 10
    assert sum(batches) == 10
    assert len(batches) < 10  # written together, not one transaction per scan


@pytest.mark.django_db(transaction=True)
def test_scans_still_queued_at_exit_are_written_before_the_process_ends(
    client, acme, alice, settings
):
    from analytics.batching import send_all_queued

    settings.SCAN_LINGER_SECONDS = 30  # the thread would wait far longer than this test
    code = services.code_create(workspace=acme, actor=alice, destination="https://example.com/")
    for _ in range(3):
        assert scan(client, code).status_code == 302
    assert not Scan.objects.exists()  # queued in this process, not written yet
    send_all_queued()  # what the interpreter runs at a graceful exit (atexit)
    code.refresh_from_db()
    assert code.scan_count == Scan.objects.filter(code=code).count() == 3
