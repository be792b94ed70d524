"""The daily salt in buffered mode: Redis holds the copy scans are hashed with, the database
the durable one, and neither is kept much past its day."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from analytics import capture
from analytics.capture import salt_for_day
from analytics.models import DailySalt
from analytics.services import scan_salt_prepare

pytestmark = [pytest.mark.redis, pytest.mark.django_db]

NIGHT = datetime(2026, 3, 8, 23, 0, tzinfo=UTC)


def test_tomorrows_salt_is_ready_before_midnight_so_its_first_scan_needs_no_database(
    real_buffer, django_assert_num_queries
):
    with time_machine.travel(NIGHT, tick=False):
        scan_salt_prepare()  # what the flush does every few seconds
    tomorrow = NIGHT.date() + timedelta(days=1)
    with time_machine.travel(NIGHT + timedelta(hours=1, seconds=1), tick=False):
        capture.forget_cached_salts()  # a process's first scan of the new day
        with django_assert_num_queries(0):
            salt = salt_for_day(tomorrow)
    assert salt.hex() == DailySalt.objects.get(day=tomorrow).secret


def test_the_redis_copy_of_a_salt_expires_shortly_after_its_day(real_buffer):
    with time_machine.travel(NIGHT, tick=False):
        salt_for_day(NIGHT.date())
    ttl = real_buffer.ttl(f"{capture.SALT_KEY_PREFIX}{NIGHT.date().isoformat()}")
    assert 3600 < ttl <= 3600 + capture.SALT_GRACE_SECONDS


def test_a_salt_made_in_redis_while_the_database_was_down_becomes_the_database_copy(
    real_buffer,
):
    today = datetime.now(UTC).date()
    DailySalt.objects.create(day=today, secret="11" * 32)  # a stale copy
    real_buffer.set(f"{capture.SALT_KEY_PREFIX}{today.isoformat()}", "22" * 32)
    assert salt_for_day(today) == bytes.fromhex("22" * 32)  # scans use the shared one
    scan_salt_prepare()
    assert DailySalt.objects.get(day=today).secret == "22" * 32


def test_a_salt_lost_by_redis_comes_back_from_the_database(real_buffer):
    today = datetime.now(UTC).date()
    DailySalt.objects.create(day=today, secret="33" * 32)
    assert salt_for_day(today) == bytes.fromhex("33" * 32)
    assert real_buffer.get(f"{capture.SALT_KEY_PREFIX}{today.isoformat()}") == b"33" * 32
