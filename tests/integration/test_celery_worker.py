"""A real Celery worker process consumes a task from the real Redis broker."""

import os
import subprocess
import uuid
from pathlib import Path

import pytest
from celery.result import allow_join_result

from tests.celery_worker import celery_worker_command

pytestmark = pytest.mark.redis

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def redis_url():
    url = os.environ.get("REDIS_URL")
    if not url:
        pytest.skip("REDIS_URL is not set: no real Redis to run a worker against")
    return url


def test_worker_process_consumes_a_task_from_redis(redis_url):
    from qrsite.celery import app, ping

    queue = f"test-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "qrsite.settings",
        "DEBUG": "true",
        "CELERY_TASK_ALWAYS_EAGER": "false",
    }
    worker = subprocess.Popen(
        celery_worker_command(queue),
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        result = ping.apply_async(queue=queue)
        # Celery's "am I inside a task" flag is one per process: an eager task running in
        # another thread of this test process (a scan writer delivering a webhook) sets it.
        with allow_join_result():
            assert result.get(timeout=60) == "pong"
        assert result.successful()
    finally:
        app.conf.task_always_eager = eager
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
