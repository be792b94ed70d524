"""The real `manage.py runserver` on a port of its own: the codes it makes encode that port, and
scan. Runs on a SQLite file of its own, never the suite's database."""

import http.client
import json
import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
# Variables the suite's settings or CI set, which the fresh processes must not inherit.
INHERITED_PREFIXES = ("DJANGO_", "SECRET_", "DEBUG", "SECURE_", "SESSION_", "CSRF_", "ALLOWED_")
NOT_INHERITED = {
    "SITE_URL",
    "SHORT_URL_BASE",
    "DATABASE_URL",
    "REDIS_URL",
    "CELERY_BROKER_URL",
    "CELERY_RESULT_BACKEND",
    "CELERY_TASK_ALWAYS_EAGER",
    "SCAN_RECORDING",
    "SCAN_BUFFER_URL",
    "REDIRECT_CACHE_URL",
}
COMMAND_TIMEOUT = 180
START_TIMEOUT = 120
REQUEST_TIMEOUT = 30
DESTINATION = "https://example.com/spring-menu"


def _env(database: Path, **extra: str) -> dict[str, str]:
    clean = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(INHERITED_PREFIXES) and name not in NOT_INHERITED
    }
    return {
        **clean,
        # Empty, not absent: a developer's .env must not set them either (it never overrides
        # a variable the environment has), and empty counts as unset.
        **dict.fromkeys(("SITE_URL", "SHORT_URL_BASE", "REDIS_URL", "SCAN_BUFFER_URL"), ""),
        "DJANGO_SETTINGS_MODULE": "qrsite.settings",
        "DEBUG": "true",
        "DATABASE_URL": f"sqlite:///{database}",
        "PYTHONUNBUFFERED": "1",
        **extra,
    }


def _manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=COMMAND_TIMEOUT,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


@pytest.fixture(scope="module")
def database(tmp_path_factory):
    """A migrated SQLite file with a workspace and a write key: (path, key)."""
    path = tmp_path_factory.mktemp("devserver") / "db.sqlite3"
    env = _env(path)
    _manage(env, "migrate", "--noinput")
    _manage(env, "create_workspace", "acme", "--owner", "ops@acme.example")
    key = _manage(env, "create_api_key", "--workspace", "acme", "--scope", "write")
    return path, key.strip().splitlines()[-1]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def _runserver(env: dict[str, str], log: Path):
    """Start the real development server; yield its port once it accepts connections."""
    port = _free_port()
    with log.open("w") as out:
        server = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            assert server.poll() is None, f"runserver exited:\n{log.read_text()}"
            assert time.monotonic() < deadline, f"runserver did not start:\n{log.read_text()}"
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        yield port
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)


def _request(url: str, method: str = "GET", body: dict | None = None, key: str = ""):
    parts = urlsplit(url)
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    if body is not None:
        headers["Content-Type"] = "application/json"
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=REQUEST_TIMEOUT)
    try:
        connection.request(
            method,
            parts.path,
            body=json.dumps(body) if body is not None else None,
            headers=headers,
        )
        response = connection.getresponse()
        return response.status, response.getheader("Location"), response.read()
    finally:
        connection.close()


def _create_dynamic_code(port: int, key: str) -> dict:
    status, _, content = _request(
        f"http://127.0.0.1:{port}/api/v1/codes",
        "POST",
        {"destination": DESTINATION, "type": "dynamic", "name": "Spring menu"},
        key=key,
    )
    assert status == 201, content
    return json.loads(content)


def test_a_code_made_on_a_port_encodes_that_port_and_scans(database, tmp_path):
    path, key = database

    with _runserver(_env(path), tmp_path / "runserver.log") as port:
        code = _create_dynamic_code(port, key)
        # Scanned as a phone would: the URL the code encodes, as it is.
        status, location, _ = _request(code["short_url"])

    assert code["short_url"].startswith(f"http://127.0.0.1:{port}/r/")
    assert status == 302
    assert location == DESTINATION
    assert (
        f"Dynamic codes encode http://127.0.0.1:{port}/r/"
        in (tmp_path / "runserver.log").read_text()
    )


def test_an_explicit_short_url_base_wins_over_the_served_port(database, tmp_path):
    path, key = database
    env = _env(path, SHORT_URL_BASE="https://qr.example.com/r/")

    with _runserver(env, tmp_path / "runserver.log") as port:
        code = _create_dynamic_code(port, key)

    assert code["short_url"].startswith("https://qr.example.com/r/")


def test_a_site_url_alone_gives_the_short_url_base_and_the_hosts_a_debug_server_answers(
    tmp_path,
):
    env = _env(tmp_path / "db.sqlite3", SITE_URL="http://192.168.1.20:8011")

    out = _manage(
        env,
        "shell",
        "-c",
        "from django.conf import settings; "
        "print(settings.SHORT_URL_BASE); print('192.168.1.20' in settings.ALLOWED_HOSTS)",
    )

    assert out.split()[-2:] == ["http://192.168.1.20:8011/r/", "True"]
