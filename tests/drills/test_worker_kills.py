"""Fault drill 3 (issue 20): a Celery worker SIGKILLed in the middle of its work, then started
again, loses nothing and doubles nothing.

This file drills the scan-buffer flush: 20,000 scans wait in a Redis buffer of the drill's own
(a redis-server on another port, also the broker), a real `celery -A qrsite worker` with its
embedded beat flushes them in batches of 100, and it is SIGKILLed once some batches are in
the database and most are not. A second worker, started on the same broker, takes the
buffer over once the dead worker's lease has run out; afterwards the rows, the code's counter
and the scans sent are the same number.

The other two parts of the drill run where their machinery is tested:
tests/jobs/test_worker_kill.py (a worker killed half way through a 3,000-row import: every
row gets exactly one code) and tests/integration/test_webhook_worker.py (a worker killed
while a delivery waits for its answer: every event arrives, at least once, with its id).
"""

import os
import signal
import subprocess
import time
import uuid
from datetime import UTC, datetime

import pytest
import redis
from django.db import connection

from accounts.models import Membership, User, Workspace
from analytics.buffer import BUFFER_KEY, LEASE_SECONDS, LOCK_KEY, PROCESSING_KEY
from analytics.capture import ScanEvent
from analytics.models import Scan
from codes import services as code_services
from codes.models import QRCode
from tests.celery_worker import celery_worker_command
from tests.jobs.test_worker_kill import ROOT, _database_url, _wait
from tests.own_redis import own_redis_server

SCANS = 20_000
BATCH = 100

pytestmark = [pytest.mark.drill, pytest.mark.django_db(transaction=True)]


def _buffered_scans(code: QRCode, count: int) -> list[str]:
    now = datetime.now(UTC)
    return [
        ScanEvent(
            code_id=code.pk,
            workspace_id=code.workspace_id,
            scanned_at=now,
            country="GB",
            device_type="mobile",
            os="iOS",
            browser="Mobile Safari",
            referrer_host="",
            language="en",
            is_bot=False,
            visitor_hash=uuid.uuid4().hex,
            event_id=uuid.uuid4().hex,
        ).to_json()
        for _ in range(count)
    ]


def _worker_env(redis_url: str, queue: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CELERY_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="qrsite.settings",
        DEBUG="true",
        DATABASE_URL=_database_url(),
        REDIS_URL=redis_url,
        CELERY_TASK_DEFAULT_QUEUE=queue,
        SCAN_RECORDING="buffered",
        SCAN_FLUSH_BATCH_SIZE=str(BATCH),
        # The embedded beat asks for a flush every second, as the production beat does every 5.
        SCAN_FLUSH_INTERVAL_SECONDS="1",
    )
    return env


def _worker(env: dict, tmp_path, log) -> subprocess.Popen:
    command = celery_worker_command(
        env["CELERY_TASK_DEFAULT_QUEUE"], "--beat", f"--schedule={tmp_path / 'beat'}",
        loglevel="INFO",
    )  # fmt: skip
    return subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip


def _stop(worker: subprocess.Popen, sig=signal.SIGTERM) -> None:
    if worker.poll() is None:
        os.killpg(worker.pid, sig)
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(timeout=10)


def test_a_worker_killed_mid_flush_loses_and_doubles_no_scan(tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("the drill runs on PostgreSQL (CI's DATABASE_URL)")
    user = User.objects.create_user(email="drill@example.com", password="drill-password-123")
    workspace = Workspace.objects.create(name="Drill", slug="drill")
    Membership.objects.create(user=user, workspace=workspace, role="owner")
    code = code_services.code_create(
        workspace=workspace, actor=user, destination="https://example.com/drill"
    )
    log = tmp_path / "worker.log"
    with own_redis_server() as drill_redis:
        buffer = redis.Redis.from_url(drill_redis.url)
        scans = _buffered_scans(code, SCANS)
        for start in range(0, SCANS, 1000):
            buffer.rpush(BUFFER_KEY, *scans[start : start + 1000])
        env = _worker_env(drill_redis.url, f"drill-{uuid.uuid4().hex[:8]}")
        started = time.monotonic()

        def recorded() -> int:
            return Scan.objects.filter(code=code).count()

        worker = _worker(env, tmp_path, log)
        try:
            _wait(lambda: recorded() >= 5 * BATCH, 120, "the first flushed batches", log)
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(timeout=10)
        finally:
            _stop(worker, signal.SIGKILL)
        at_kill = recorded()
        left_at_kill = buffer.llen(BUFFER_KEY) + buffer.llen(PROCESSING_KEY)
        lease_held = buffer.exists(LOCK_KEY)

        worker = _worker(env, tmp_path, log)
        try:
            _wait(
                lambda: (
                    buffer.llen(BUFFER_KEY) + buffer.llen(PROCESSING_KEY) == 0
                    and recorded() == SCANS
                ),
                180,
                "the restarted worker to flush the rest",
                log,
            )
        finally:
            _stop(worker)
        seconds = time.monotonic() - started
        buffer.close()

    stored = recorded()
    counted = QRCode.objects.get(pk=code.pk).scan_count
    distinct = Scan.objects.filter(code=code).values("event_id").distinct().count()
    print(
        f"\ndrill worker-kill (scan flush): sent {SCANS}, recorded at kill {at_kill}, "
        f"left in Redis at kill {left_at_kill}, lease held at kill {bool(lease_held)} "
        f"({LEASE_SECONDS:.0f} s), recorded {stored}, counter {counted}, "
        f"lost {max(SCANS - stored, 0)}, duplicates {stored - distinct}, {seconds:.1f} s"
    )
    assert 0 < at_kill < SCANS  # killed mid-flush, not before or after it
    assert left_at_kill > 0
    assert stored == counted == distinct == SCANS
