"""The flush lease: a flusher killed mid-flush holds flushing up for seconds, not minutes, and
a flusher that lost its lease changes nothing under the one that holds it now."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from analytics import buffer
from analytics.models import Scan
from analytics.services import scan_flush_buffer
from tests.analytics.scanning import scan

ROOT = Path(__file__).resolve().parents[2]
LEASE = 2.0

# The real drain in another process, stuck in its insert when it is killed (SIGKILL: no
# `finally` runs, nothing is released), as a Celery worker killed mid-flush is.
STUCK_FLUSHER = """
import sys, time
import django
django.setup()
from analytics import buffer
buffer.BUFFER_KEY, buffer.PROCESSING_KEY, buffer.LOCK_KEY = sys.argv[1:4]
buffer.LEASE_SECONDS = float(sys.argv[4])

def stuck(items):
    print("holding", len(items), flush=True)
    time.sleep(60)

buffer.drain(stuck, batch_size=5, max_seconds=50)
"""


@pytest.mark.redis
def test_a_flusher_killed_mid_flush_holds_flushing_up_only_for_its_lease(
    client, code, real_buffer, monkeypatch
):
    monkeypatch.setattr(buffer, "LEASE_SECONDS", LEASE)
    for _ in range(12):
        assert scan(client, code).status_code == 302
    keys = [buffer.BUFFER_KEY, buffer.PROCESSING_KEY, buffer.LOCK_KEY]
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "qrsite.settings_test"}
    flusher = subprocess.Popen(
        [sys.executable, "-c", STUCK_FLUSHER, *keys, str(LEASE)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert flusher.stdout.readline().startswith("holding 5")
    finally:
        flusher.kill()
        flusher.wait(timeout=10)
    killed_at = time.monotonic()
    while (handled := scan_flush_buffer()) == 0:
        waited = time.monotonic() - killed_at
        assert waited < LEASE + 2, f"no flush {waited:.1f} s after the flusher was killed"
        time.sleep(0.1)
    assert handled == 12  # the killed flusher's batch too: it never trimmed it
    code.refresh_from_db()
    assert Scan.objects.filter(code=code).count() == code.scan_count == 12
    assert buffer.pending() == 0


@pytest.mark.redis
def test_a_flusher_that_lost_its_lease_trims_nothing_and_nothing_is_doubled(
    client, code, real_buffer, settings, monkeypatch
):
    from analytics import services as recording

    monkeypatch.setattr(buffer, "LEASE_SECONDS", 0.3)
    settings.SCAN_FLUSH_BATCH_SIZE = 5
    for _ in range(12):
        assert scan(client, code).status_code == 302
    insert = recording._insert_batch
    seen = {}

    def paused_once(items):
        if "second" not in seen:
            seen["second"] = None
            time.sleep(0.6)  # paused past its lease (a long GC pause, a stopped VM)
            seen["second"] = scan_flush_buffer()  # meanwhile another flusher takes over
        insert(items)  # then the paused one inserts the batch it read: already there

    monkeypatch.setattr(recording, "_insert_batch", paused_once)
    first = scan_flush_buffer()
    assert seen["second"] == 12
    assert first == 0  # its trim was refused, so it stopped there
    code.refresh_from_db()
    assert Scan.objects.filter(code=code).count() == code.scan_count == 12
    assert buffer.pending() == 0
