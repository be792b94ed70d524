"""The embedded default under load: gunicorn (2 workers x 4 threads) on a SQLite file.

Scans (written in batches by each worker's writer thread) and API edits of the same codes run
at once from many client threads. SQLite has one writer at a time, so without the right
settings a write that has to wait for the lock fails with "database is locked": a 500 for the
API, a lost batch of scans for the redirect. The server runs on its own file with the
project's embedded defaults, whatever database the rest of the suite uses.
"""

import contextlib
import http.client
import itertools
import json
import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from analytics.models import Scan
from codes.models import DestinationChange, QRCode

ROOT = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"
CODES = 4
SCANS = 400
PATCHES = 100
CLIENT_THREADS = 16
PHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1"
)
# What the suite's own environment (CI: PostgreSQL, Redis) must not hand to the server.
INHERITED = (
    "DJANGO_", "SECRET_", "DEBUG", "SECURE_", "SESSION_", "CSRF_", "ALLOWED_", "DATABASE_",
    "DB_", "REDIS_", "CELERY_", "SCAN_", "REDIRECT_", "API_", "EMAIL_", "GEOIP_", "TRUSTED_",
)  # fmt: skip


def _embedded_env(tmp_path: Path, db_file: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(INHERITED)}
    env.update(
        DJANGO_SETTINGS_MODULE="qrsite.settings",
        DEBUG="true",
        DATABASE_URL=f"sqlite:///{db_file}",
        # Empty rather than absent: a developer's .env must not bring Redis back.
        REDIS_URL="",
        SCAN_BUFFER_URL="",
        REDIRECT_CACHE_URL="",
        SCAN_RECORDING="direct",
        MEDIA_ROOT=str(tmp_path / "media"),
        # The limits are per process here (in-memory cache); the test is about the database.
        API_RATE_LIMIT_READ="100000",
        API_RATE_LIMIT_WRITE="100000",
        LOG_LEVEL="WARNING",
    )
    return env


# The project's own commands, in one child process: Django starts once, not three times.
PREPARE = """
import io, sys
import django
django.setup()
from django.core.management import call_command
call_command("migrate", "--noinput", verbosity=0)
call_command("create_workspace", "load", "--owner", "load@example.com", stdout=io.StringIO())
key = io.StringIO()
call_command("create_api_key", "--workspace", "load", "--scope", "write", stdout=key)
sys.stdout.write(key.getvalue())
"""


def _prepare(env: dict[str, str]) -> str:
    """Migrate the database and create a workspace; returns an API key for it."""
    done = subprocess.run(
        [sys.executable, "-c", PREPARE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout.strip()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


class Api:
    def __init__(self, port: int, key: str):
        self.port = port
        self.key = key

    def request(self, method: str, path: str, body=None, *, auth: bool = True):
        headers = {"User-Agent": PHONE}
        if auth:
            headers["Authorization"] = f"Bearer {self.key}"
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        conn = http.client.HTTPConnection(HOST, self.port, timeout=20)
        try:
            conn.request(method, path, body=data, headers=headers)
            response = conn.getresponse()
            return response.status, response.read(), response.getheader("Location")
        finally:
            conn.close()


def _wait_until_up(api: Api, server: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert server.poll() is None, "gunicorn exited during start-up"
        try:
            api.request("GET", "/healthz", auth=False)
            return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("gunicorn did not answer in time")


def _stop(server: subprocess.Popen) -> None:
    # SIGTERM is gunicorn's graceful stop: each worker finishes its requests and exits
    # normally, and the scan writer sends its queue at exit (analytics.batching).
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            server.wait(timeout=30)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(server.pid, signal.SIGKILL)  # whatever did not stop in time
    server.wait(timeout=10)


def _start(env: dict[str, str], port: int, log) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "qrsite.wsgi", f"--bind={HOST}:{port}",
         "--worker-class=gthread", "--workers=2", "--threads=4",
         "--graceful-timeout=20", "--log-level=warning"],
        cwd=ROOT,
        env={**env, "SHORT_URL_BASE": f"http://{HOST}:{port}/r/"},
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group, so the workers can be killed too
    )  # fmt: skip


def _rows(db_file: Path, sql: str) -> list[tuple]:
    with contextlib.closing(sqlite3.connect(db_file)) as db:
        return db.execute(sql).fetchall()


def test_scans_and_api_edits_at_once_never_fail_on_sqlite(tmp_path):
    db_file = tmp_path / "embedded.sqlite3"
    env = _embedded_env(tmp_path, db_file)
    key = _prepare(env)
    port = _free_port()
    log_file = tmp_path / "gunicorn.log"
    with log_file.open("w") as log:
        server = _start(env, port, log)
    try:
        api = Api(port, key)
        _wait_until_up(api, server)
        codes = []
        for i in range(CODES):
            body = {"destination": f"https://example.com/{i}/0", "type": "dynamic"}
            status, answer, _ = api.request("POST", "/api/v1/codes", body)
            assert status == 201, answer
            created = json.loads(answer)
            codes.append((created["id"], "/r/" + created["short_url"].rsplit("/", 1)[1]))

        # Edits of one code race each other as well as the scans.
        work = [(i % CODES, None) for i in range(SCANS)]
        work += [(i % CODES, f"https://example.com/{i % CODES}/{i + 1}") for i in range(PATCHES)]
        random.Random(7).shuffle(work)

        def run(item):
            index, destination = item
            code_id, path = codes[index]
            if destination is None:
                return (index, None, *api.request("GET", path, auth=False))
            body = {"destination": destination}
            return (index, destination, *api.request("PATCH", f"/api/v1/codes/{code_id}", body))

        with ThreadPoolExecutor(CLIENT_THREADS) as pool:
            results = list(pool.map(run, work, timeout=120))

        errors = [(dest, status, answer[:200]) for _, dest, status, answer, _ in results if status >= 500]  # fmt: skip
        log_tail = log_file.read_text()[-2000:]
        assert not errors, f"{len(errors)} server errors, e.g. {errors[:2]}\n{log_tail}"
        scans = [r for r in results if r[1] is None]
        patches = [r for r in results if r[1] is not None]
        for _, _, status, _, location in scans:
            assert status == 302
            assert location.startswith("https://example.com/")
        for _, destination, status, answer, _ in patches:
            assert status == 200, answer
            assert json.loads(answer)["destination"] == destination
        final = []
        for code_id, _ in codes:
            status, answer, _ = api.request("GET", f"/api/v1/codes/{code_id}")
            assert status == 200, answer
            final.append(json.loads(answer)["destination"])
    finally:
        _stop(server)

    codes_table = QRCode._meta.db_table
    pks = dict(_rows(db_file, f"SELECT public_id, id FROM {codes_table}"))  # noqa: S608
    counted = dict(_rows(db_file, f"SELECT id, scan_count FROM {codes_table}"))  # noqa: S608
    recorded = Counter(
        code
        for (code,) in _rows(db_file, f"SELECT code_id FROM {Scan._meta.db_table}")  # noqa: S608
    )
    history = _rows(
        db_file,
        "SELECT code_id, old_destination, new_destination "  # noqa: S608
        f"FROM {DestinationChange._meta.db_table} ORDER BY id",
    )
    sent = Counter(index for index, *_ in scans)
    assert sum(recorded.values()) == SCANS, log_file.read_text()[-2000:]
    for index, (code_id, _) in enumerate(codes):
        pk = pks[code_id]
        assert recorded[pk] == sent[index]
        assert counted[pk] == sent[index]
        changes = [(old, new) for code, old, new in history if code == pk]
        written = [dest for i, dest, *_ in patches if i == index]
        # Each edit is in the history once and starts from the one before it (none read a
        # stale destination); the code ends on the last one written.
        assert sorted(new for _, new in changes[1:]) == sorted(written)
        assert all(old == new for (_, new), (old, _) in itertools.pairwise(changes))
        assert final[index] == changes[-1][1]
