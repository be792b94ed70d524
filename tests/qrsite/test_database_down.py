"""A web process whose database cannot be reached, for real: gunicorn started with DATABASE_URL
pointing at a port that refuses connections, or at one that accepts them and never answers
(a host dropping packets). Scanners of a code it has never seen get the branded 503,
integrators a 503 in the error envelope, and the health endpoints answer in under a second
without telling anonymous callers where the database lives."""

import contextlib
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from qrsite.content_policy import SCAN_PAGE
from tests.own_redis import free_port
from tests.qrsite.test_health import timed

ROOT = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"
TOKEN = "health-token-for-tests"
# What the suite's own environment (CI: PostgreSQL, Redis) must not hand to the server.
INHERITED = ("DATABASE_", "DB_", "REDIS_", "CELERY_", "SCAN_", "REDIRECT_", "HEALTH_")


@contextlib.contextmanager
def _database_port(kind: str):
    with socket.socket() as listener:
        listener.bind((HOST, 0))
        port = listener.getsockname()[1]
        if kind == "silent":
            listener.listen(64)  # the kernel accepts connections; nobody ever answers them
            yield port
        else:
            listener.close()  # nothing listens: connections are refused
            yield port


@pytest.fixture(scope="module", params=["refused", "silent"])
def server(request, tmp_path_factory):
    log_path = tmp_path_factory.mktemp("db-down") / "gunicorn.log"
    with _database_port(request.param) as db_port, log_path.open("w") as log:
        port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith(INHERITED)}
        env.update(
            DJANGO_SETTINGS_MODULE="qrsite.settings_test",
            DATABASE_URL=f"postgres://qrsite:secret@{HOST}:{db_port}/qrsite",
            REDIS_URL="",
            HEALTH_TOKEN=TOKEN,
            LOG_LEVEL="WARNING",
        )
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "qrsite.wsgi", f"--bind={HOST}:{port}",
             "--worker-class=gthread", "--workers=1", "--threads=4", "--log-level=warning"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 60
            while True:
                assert process.poll() is None, log_path.read_text()
                try:
                    if _get(port, "/healthz")[0] == 200:
                        break
                except OSError:
                    pass
                assert time.monotonic() < deadline, "gunicorn did not start in time"
                time.sleep(0.2)
            yield port, str(db_port)
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def _get(port: int, path: str, headers=None):
    conn = http.client.HTTPConnection(HOST, port, timeout=20)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read().decode()
    finally:
        conn.close()


def test_an_uncached_slug_gets_the_branded_503(server):
    port, _ = server
    status, headers, body = _get(port, "/r/abc1234")
    assert status == 503
    assert headers["Retry-After"].isdigit()
    assert headers["Cache-Control"] == "private, no-store"
    assert headers["Content-Type"].startswith("text/html")
    assert "temporarily unavailable" in body
    # The look of the other scan pages, and nothing of a server error.
    assert "css/app.css" in body
    assert "auth-card" in body
    assert "Traceback" not in body
    assert headers["Content-Security-Policy"] == SCAN_PAGE


def test_the_api_answers_503_in_the_error_envelope(server):
    port, _ = server
    status, headers, body = _get(
        port, "/api/v1/codes", {"Authorization": "Bearer qrs_abcdefgh.not-a-real-secret"}
    )
    assert status == 503
    assert headers["Retry-After"].isdigit()
    error = json.loads(body)["error"]
    assert error["code"] == "service_unavailable"
    assert error["doc_url"].endswith("#service_unavailable")


def test_liveness_is_200_at_once(server):
    port, _ = server
    elapsed, (status, _, body) = timed(lambda: _get(port, "/healthz"))
    assert elapsed < 1
    assert status == 200
    assert json.loads(body) == {"status": "ok"}


def test_readiness_is_503_within_a_second_and_names_no_host_to_strangers(server):
    port, db_port = server
    elapsed, (status, _, body) = timed(lambda: _get(port, "/healthz/ready"))
    assert elapsed < 1
    assert status == 503
    assert json.loads(body) == {
        "status": "unavailable",
        "down": ["database"],
        "checks": {"database": "unavailable", "cache": "ok", "broker": "ok", "media": "ok"},
    }
    for secret in (db_port, HOST, "qrsite", "Error"):
        assert secret not in body


def test_monitoring_sees_why_the_database_is_unavailable(server):
    port, _ = server
    status, _, body = _get(port, "/healthz/ready", {"Authorization": f"Bearer {TOKEN}"})
    assert status == 503
    database = json.loads(body)["checks"]["database"]
    assert database["ok"] is False
    assert database["error"]
