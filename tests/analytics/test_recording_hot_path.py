"""The redirect's fast recording: the scanner is answered first, the lookup pushes the scan
in buffered mode, a dropped database connection costs no scan, and the SQL flush."""

import uuid
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings as django_settings
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

PHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148 Safari/604.1"


@pytest.fixture
def code(acme, alice):
    return services.code_create(workspace=acme, actor=alice, destination="https://example.com/")


def scan(client, code, **extra):
    extra.setdefault("HTTP_USER_AGENT", PHONE)
    extra.setdefault("REMOTE_ADDR", "81.2.69.160")
    return client.get(f"/r/{code.slug}", **extra)


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


# --- with the real Redis: the lookup pushes the scan itself -----------------------------------


@pytest.fixture
def real_buffer(settings, monkeypatch):
    if not django_settings.REDIS_URL:
        pytest.skip("needs REDIS_URL pointing at a real Redis")
    settings.SCAN_RECORDING = "buffered"
    settings.SCAN_BUFFER_URL = django_settings.REDIS_URL
    settings.REDIRECT_CACHE_URL = django_settings.REDIS_URL
    prefix = f"qrsite-test:{uuid.uuid4().hex}"
    for name in ("BUFFER_KEY", "PROCESSING_KEY", "LOCK_KEY"):
        monkeypatch.setattr(buffer, name, f"{prefix}:{name.lower()}")
    buffer.reset()
    yield buffer.get_client()
    buffer.get_client().delete(buffer.BUFFER_KEY, buffer.PROCESSING_KEY, buffer.LOCK_KEY)


@pytest.mark.redis
def test_buffered_scans_pushed_by_the_lookup_land_on_the_right_code(
    client, code, acme, alice, real_buffer
):
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
def test_a_code_that_expires_while_cached_is_refused_and_not_pushed(
    client, code, alice, real_buffer
):
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
def test_a_stale_cached_entry_is_not_pushed_and_the_scan_counts_once(
    client, code, alice, real_buffer, django_capture_on_commit_callbacks
):
    scan(client, code)
    with django_capture_on_commit_callbacks(execute=True):
        services.code_change_destination(
            code=code, destination="https://example.com/new", actor=alice
        )
    response = scan(client, code)
    assert response["Location"] == "https://example.com/new"
    assert buffer.pending() == 2
    assert scan_flush_buffer() == 2
    code.refresh_from_db()
    assert code.scan_count == Scan.objects.filter(code=code).count() == 2


@pytest.mark.redis
def test_the_lookup_script_is_sent_again_after_redis_forgot_it(client, code, real_buffer):
    scan(client, code)
    real_buffer.script_flush()
    assert scan(client, code).status_code == 302
    assert scan(client, code).status_code == 302
    assert buffer.pending() == 3


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
