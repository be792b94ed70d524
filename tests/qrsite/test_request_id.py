"""X-Request-ID: kept from the proxy or generated, on every response, in API error bodies, on
every log line of the request, and carried into the Celery tasks the request queues."""

import io
import json
import logging
import os
import re
import subprocess
import uuid
from pathlib import Path

import pytest
from celery.result import allow_join_result
from django.test import Client

from qrsite import logs
from tests.celery_worker import celery_worker_command

ROOT = Path(__file__).resolve().parents[2]
GENERATED = re.compile(r"[0-9a-f]{32}")


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/accounts/login/", "/r/nosuchcode", "/api/v1/codes", "/healthz"])
def test_every_response_gets_a_generated_id(path):
    response = Client().get(path)
    assert GENERATED.fullmatch(response["X-Request-ID"])
    assert Client().get(path)["X-Request-ID"] != response["X-Request-ID"]


@pytest.mark.django_db
def test_a_proxys_id_is_kept_and_a_malformed_one_replaced():
    given = "5f0c8e2a1b3d4c6e8f9a0b1c2d3e4f5a"
    assert Client().get("/healthz", HTTP_X_REQUEST_ID=given)["X-Request-ID"] == given
    for bad in ("short", "has space in it", "x" * 65, "line\nbreak-injected"):
        kept = Client().get("/healthz", HTTP_X_REQUEST_ID=bad)["X-Request-ID"]
        assert GENERATED.fullmatch(kept), bad


@pytest.mark.django_db
def test_an_api_error_names_the_request_id_of_its_response():
    response = Client().get("/api/v1/codes", HTTP_AUTHORIZATION="Bearer qr_nope.nope")
    assert response.status_code == 401
    assert response.json()["error"]["request_id"] == response["X-Request-ID"]


def _console_handler() -> logging.StreamHandler:
    """The handler LOGGING configured (the one with the masking filter)."""
    return next(
        h
        for h in logging.getLogger().handlers
        if any(isinstance(f, logs.MaskSecrets) for f in h.filters)
    )


@pytest.mark.django_db
def test_a_requests_log_lines_carry_its_id_and_no_address_or_key(settings):
    handler = _console_handler()
    stream = io.StringIO()
    previous = handler.setStream(stream)
    try:
        secret = "qr_AbCd1234.0123456789abcdefghijABCDEFGHIJ0123456789"
        response = Client().get(
            "/api/v1/no-such-endpoint",
            HTTP_AUTHORIZATION=f"Bearer {secret}",
            REMOTE_ADDR="203.0.113.9",
        )
        logging.getLogger("qrsite.test").warning(
            "client 203.0.113.9 and 2001:db8::1 sent %s", secret
        )
    finally:
        handler.setStream(previous)
    text = stream.getvalue()
    assert "203.0.113.9" not in text
    assert "2001:db8::1" not in text
    assert "0123456789abcdefghij" not in text
    assert "qr_AbCd1234.[secret]" in text
    lines = [line for line in text.splitlines() if line.strip()]
    assert lines
    request_line = next(line for line in lines if "no-such-endpoint" in line)
    if settings.LOG_FORMAT == "json":
        assert json.loads(request_line)["request_id"] == response["X-Request-ID"]
    else:
        assert f"[{response['X-Request-ID']}]" in request_line


def test_masking_keeps_what_is_not_a_secret():
    line = "GET /api/v1/codes 200 at 07:51:17 took 12.5 ms key qr_AbCd1234"
    assert logs.mask_secrets(line) == line
    assert logs.mask_secrets("Authorization: Bearer abc.def") == "Authorization: Bearer [secret]"


@pytest.mark.redis
def test_a_task_logs_with_the_id_of_the_request_that_queued_it():
    if not os.environ.get("REDIS_URL"):
        pytest.skip("REDIS_URL is not set: no real Redis to run a worker against")
    from qrsite.celery import app, ping

    queue = f"test-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "qrsite.settings",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "LOG_FORMAT": "json",
        "LOG_LEVEL": "INFO",
    }
    worker = subprocess.Popen(
        celery_worker_command(queue, loglevel="INFO"),
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    request_id = f"req{uuid.uuid4().hex}"
    token = logs.request_id.set(request_id)
    try:
        result = ping.apply_async(queue=queue)
        with allow_join_result():
            assert result.get(timeout=60) == "pong"
    finally:
        logs.request_id.reset(token)
        app.conf.task_always_eager = eager
        worker.terminate()
        try:
            output, _ = worker.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            output, _ = worker.communicate()
    records = []
    for line in output.splitlines():
        try:
            records.append(json.loads(line))
        except ValueError:
            continue
    succeeded = [r for r in records if "succeeded" in r.get("message", "")]
    assert succeeded, output[-2000:]
    assert succeeded[0]["request_id"] == request_id
    # Lines written outside any task have no request id.
    assert any(r.get("request_id") is None for r in records)
