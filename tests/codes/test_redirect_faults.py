"""The redirect when Redis misses a change: the change still reaches every scan, in bounded time.

The blip here is `CLIENT PAUSE ... WRITE` on a Redis of the test's own, what a failover does:
reads are answered (so scans keep getting the cached entry), writes wait, and the
invalidation after the change times out and is dropped with its connection.
"""

import time

import pytest

from codes import cache as redirect_cache
from codes import services
from codes.local_cache import TrackedLocalCache
from codes.models import PendingRedirectInvalidation
from codes.tasks import redirect_invalidations_retry_task
from qrsite.redis_io import forget_outages
from tests.codes.test_scan import scan
from tests.own_redis import own_redis_server


@pytest.fixture
def redirect_redis(settings):
    with own_redis_server() as server:
        settings.REDIRECT_CACHE_URL = server.url
        forget_outages()
        try:
            yield server.url, server.admin
        finally:
            redirect_cache._stores.pop(server.url, None)
            forget_outages()


def _wait_until(predicate, seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


def test_a_change_during_a_redis_write_pause_reaches_every_redirect_after_the_retry(
    client, acme, alice, redirect_redis, django_capture_on_commit_callbacks
):
    url, admin = redirect_redis
    with django_capture_on_commit_callbacks(execute=True):
        code = services.code_create(workspace=acme, actor=alice, destination="https://e.com/old")
    assert scan(client, code)["Location"] == "https://e.com/old"  # now cached in Redis
    # Another web process that has the entry in memory, kept current by client tracking.
    other = TrackedLocalCache(
        url,
        "qrsite:redirect",
        key_to_local=redirect_cache._slug_of_key,
        max_age=600,
        max_items=10,
    )
    assert _wait_until(other.is_live)
    other.put(code.slug, "old entry", other.generation())
    assert other.get(code.slug) == "old entry"

    admin.execute_command("CLIENT", "PAUSE", "20000", "WRITE")
    try:
        started = time.monotonic()
        with django_capture_on_commit_callbacks(execute=True):
            services.code_change_destination(
                code=code, destination="https://e.com/new", actor=alice
            )
        assert time.monotonic() - started < 2  # the write did not hang on the paused Redis
        assert PendingRedirectInvalidation.objects.filter(slug=code.slug).exists()
        # Nothing the paused Redis does reaches the queue: the retry fails and keeps it.
        assert redirect_invalidations_retry_task() == 0
    finally:
        admin.execute_command("CLIENT", "UNPAUSE")
    forget_outages()

    # What beat runs every REDIRECT_INVALIDATION_RETRY_SECONDS.
    assert redirect_invalidations_retry_task() == 1
    assert not PendingRedirectInvalidation.objects.exists()
    assert scan(client, code)["Location"] == "https://e.com/new"
    assert _wait_until(lambda: other.get(code.slug) is None, seconds=1)


def test_a_failure_queued_after_a_retry_read_the_queue_is_not_lost(db, redirect_redis):
    from django.utils import timezone

    PendingRedirectInvalidation.objects.create(slug="abc1234", failed_at=timezone.now())
    retried_row = PendingRedirectInvalidation.objects.get()
    # A second failure for the slug while the retry runs bumps failed_at.
    redirect_cache._queue_invalidations(["abc1234"])
    assert PendingRedirectInvalidation.objects.get().failed_at > retried_row.failed_at
    assert redirect_invalidations_retry_task() == 1
    assert not PendingRedirectInvalidation.objects.exists()


def test_the_retry_is_scheduled_within_the_stated_bound(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["redirect-invalidations-retry"]
    assert entry["task"] == "codes.redirect_invalidations_retry_task"
    assert entry["schedule"] == settings.REDIRECT_INVALIDATION_RETRY_SECONDS <= 5


def test_operators_see_waiting_invalidations_in_the_admin_and_can_retry_them(
    client, db, redirect_redis
):
    from django.utils import timezone

    from tests.factories import UserFactory

    client.force_login(UserFactory(email="root@example.com", is_staff=True, is_superuser=True))
    PendingRedirectInvalidation.objects.create(slug="abc1234", failed_at=timezone.now())
    url = "/admin/codes/pendingredirectinvalidation/"
    _, admin = redirect_redis

    assert b"abc1234" in client.get(url).content

    admin.execute_command("CLIENT", "PAUSE", "20000", "WRITE")
    try:
        form = {"action": "retry_all", "_selected_action": ["x"], "select_across": "1"}
        response = client.post(url, form, follow=True)
        assert b"still unavailable" in response.content
        assert PendingRedirectInvalidation.objects.exists()
    finally:
        admin.execute_command("CLIENT", "UNPAUSE")
    forget_outages()

    response = client.post(url, form, follow=True)
    assert b"1 invalidation(s) reached the redirect cache" in response.content
    assert not PendingRedirectInvalidation.objects.exists()
