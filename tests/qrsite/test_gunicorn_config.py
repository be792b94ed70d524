"""gunicorn started in the project directory reads gunicorn.conf.py, and neither its access log
nor its error log carries a client's IP address: a real server, a well-formed request (with a
forwarded address), and malformed ones that make gunicorn complain about the client."""

import contextlib
import os
import runpy
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.own_redis import free_port

ROOT = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"
# The client connects from another loopback address, so the server's own address (which it
# prints when it starts) is not mistaken for the client's.
CLIENT = "127.0.0.2"
FORWARDED = "192.0.2.99"
INHERITED = ("DATABASE_", "DB_", "REDIS_", "CELERY_", "SCAN_", "REDIRECT_", "HEALTH_", "GUNICORN")

CONFIG = runpy.run_path(str(ROOT / "gunicorn.conf.py"))


def test_access_log_format_names_no_address():
    log_format = CONFIG["access_log_format"]
    assert "%(h)s" not in log_format
    assert "forwarded" not in log_format.lower()
    assert "%(a)s" not in log_format  # nor the user agent


@pytest.mark.parametrize(
    "line",
    [
        "Invalid request from ip=203.0.113.9: Invalid HTTP request line: 'x'",
        "Invalid request from ip=2001:db8::9: Invalid HTTP request line: 'x'",
        "Invalid request from ip=::ffff:203.0.113.9: bad",
        "Proxy request from '198.51.100.4' not allowed",
    ],
)
def test_error_log_lines_have_addresses_masked(line):
    masked = CONFIG["mask_addresses"](line)
    assert "[address]" in masked
    for address in ("203.0.113.9", "2001:db8::9", "198.51.100.4"):
        assert address not in masked


def test_error_log_masking_leaves_times_and_pids_alone():
    line = "[2026-12-02 07:51:17 +0000] [4242] [INFO] Booting worker with pid: 4242"
    assert CONFIG["mask_addresses"](line) == line


def _send(port: int, payload: bytes) -> bytes:
    with socket.create_connection((HOST, port), timeout=10, source_address=(CLIENT, 0)) as conn:
        conn.sendall(payload)
        chunks = []
        with contextlib.suppress(TimeoutError, ConnectionResetError):
            while chunk := conn.recv(65536):
                chunks.append(chunk)
        return b"".join(chunks)


def test_a_running_gunicorn_logs_no_client_address(tmp_path):
    port = free_port()
    access_log, error_log = tmp_path / "access.log", tmp_path / "error.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith(INHERITED)}
    env.update(
        DJANGO_SETTINGS_MODULE="qrsite.settings_test",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        REDIS_URL="",
        LOG_LEVEL="WARNING",
    )
    # No -c: gunicorn must find gunicorn.conf.py in its working directory by itself.
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "qrsite.wsgi", f"--bind={HOST}:{port}",
         "--workers=1", f"--access-logfile={access_log}", f"--error-logfile={error_log}",
         "--log-level=debug"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, error_log.read_text()
            try:
                answer = _send(
                    port,
                    b"GET /healthz?email=someone@example.com HTTP/1.1\r\nHost: localhost\r\n"
                    b"X-Forwarded-For: " + FORWARDED.encode() + b"\r\n"
                    b"User-Agent: PrivacyProbe/1.0\r\nConnection: close\r\n\r\n",
                )
                if answer.startswith(b"HTTP/1.1 200"):
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, "gunicorn did not start in time"
            time.sleep(0.2)
        assert _send(port, b"GARBAGE\r\n\r\n").startswith(b"HTTP/1.1 400")
        assert _send(
            port, b"GET / HTTP/1.1\r\nHost: localhost\r\nBad Header: x\r\n\r\n"
        ).startswith(b"HTTP/1.1 400")
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=10)

    access, errors = access_log.read_text(), error_log.read_text()
    assert "/healthz" in access  # the access log was written...
    assert "Invalid request" in errors  # ...and so was gunicorn's complaint about the client
    for text in (access, errors):
        assert CLIENT not in text
        assert FORWARDED not in text
        assert "PrivacyProbe" not in text
        assert "someone@example.com" not in text
