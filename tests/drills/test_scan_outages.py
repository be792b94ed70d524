"""Fault drills 1 and 2 (issue 20): Redis killed under buffered scan traffic, and the
PostgreSQL connections cut under direct scan traffic.

10,000 scans at 50 concurrent keep-alive connections through gunicorn (2 workers x 4
threads, SCAN_RECORDING=buffered) while the drill SIGKILLs its own redis-server (the buffer,
the redirect cache and the rate-limit store all on it) for 10 s and starts it again on the
same data directory. Every request must be answered 302, and once the buffer is drained the
scans stored must equal the requests sent: none lost, none counted twice. The drill's Redis
writes its append-only file on every write (`appendfsync always`): what is tested is the
application (fallback to direct inserts while Redis is gone, idempotent flushes of what it
held), not how many milliseconds of acknowledged writes a given fsync policy can lose
(benchmarks/redis_kill.py measures that for the documented `everysec`).

The second drill does the same in direct mode while the test terminates every PostgreSQL
backend of the web processes (`pg_terminate_backend`) again and again for 5 s: each scan
batch that loses its connection is retried on a new one, within one durable transaction, so
the rows and the code's counter stay equal.
"""

import asyncio
import concurrent.futures
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import redis
from django.db import connection

from accounts.models import Membership, User, Workspace
from analytics.models import Scan
from codes import services as code_services
from codes.models import QRCode
from tests.own_redis import free_port

ROOT = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"
SCANS = 10_000
CONNECTIONS = 50
# Paced so the load spans the whole outage: ~500 scans/s for ~20 s.
PAUSE_PER_REQUEST = 0.1
KILL_AFTER = 4.0
DOWN_FOR = 10.0
PHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Version/17.0 Mobile Safari/604.1"
FLUSH_LOOP = """
import signal, time
import django
django.setup()
from analytics.tasks import scan_flush_buffer_task
stop = []
signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
print("ready", flush=True)
while not stop:
    scan_flush_buffer_task()
    time.sleep(0.5)
"""

pytestmark = [pytest.mark.drill, pytest.mark.django_db(transaction=True)]


class DrillRedis:
    """A redis-server on its own port and data directory, to kill and restart."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.port = free_port()
        self.url = f"redis://{HOST}:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [shutil.which("redis-server"), "--port", str(self.port), "--bind", HOST,
             "--dir", str(self.directory), "--save", "", "--appendonly", "yes",
             "--appendfsync", "always"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        client = redis.Redis.from_url(self.url, socket_timeout=1)
        deadline = time.monotonic() + 20
        while True:
            try:
                client.ping()
                return
            except (redis.ConnectionError, redis.BusyLoadingError):
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def pending(self) -> int:
        client = redis.Redis.from_url(self.url, socket_timeout=2)
        return client.llen("qrsite:scans:buffer") + client.llen("qrsite:scans:processing")


def _dsn() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST'] or HOST}:{db['PORT'] or 5432}/{db['NAME']}"


def _server_env(port: int, redis_url: str, tmp_path: Path, recording: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SCAN_", "REDIS", "CELERY"))}
    env.update(
        DJANGO_SETTINGS_MODULE="qrsite.settings",
        DEBUG="false",
        SECRET_KEY="drill-only-secret-key-not-for-production",
        ALLOWED_HOSTS=HOST,
        SECURE_SSL_REDIRECT="false",
        DATABASE_URL=_dsn(),
        REDIS_URL=redis_url,
        SCAN_RECORDING=recording,
        CELERY_BROKER_URL="memory://",
        CELERY_TASK_ALWAYS_EAGER="true",
        SHORT_URL_BASE=f"http://{HOST}:{port}/r/",
        MEDIA_ROOT=str(tmp_path / "media"),
        LOG_LEVEL="ERROR",
    )
    return env


async def _scan_load(port: int, path: str) -> dict:
    request = (
        f"GET {path} HTTP/1.1\r\nHost: {HOST}\r\nUser-Agent: {PHONE}\r\n"
        "Accept-Language: en-GB\r\n\r\n"
    ).encode()
    figures = {"sent": 0, "answered_302": 0, "other": 0, "latencies": []}

    async def one_connection() -> None:
        reader, writer = await asyncio.open_connection(HOST, port)
        while figures["sent"] < SCANS:
            figures["sent"] += 1
            started = time.perf_counter()
            writer.write(request)
            await writer.drain()
            status = await reader.readline()
            length, close = 0, False
            while (line := await reader.readline()) not in (b"\r\n", b""):
                name, _, value = line.decode("latin-1").partition(":")
                if name.lower() == "content-length":
                    length = int(value)
                elif name.lower() == "connection" and "close" in value.lower():
                    close = True
            await reader.readexactly(length)
            figures["latencies"].append(time.perf_counter() - started)
            if b" 302 " in status:
                figures["answered_302"] += 1
            else:
                figures["other"] += 1
            if close:
                writer.close()
                reader, writer = await asyncio.open_connection(HOST, port)
            await asyncio.sleep(PAUSE_PER_REQUEST)
        writer.close()

    await asyncio.wait_for(asyncio.gather(*(one_connection() for _ in range(CONNECTIONS))), 240)
    return figures


def _ready(port: int) -> dict:
    try:
        with urllib.request.urlopen(f"http://{HOST}:{port}/healthz/ready", timeout=5) as answer:
            return {**json.load(answer), "http": answer.status}
    except urllib.error.HTTPError as refused:
        return {**json.load(refused), "http": refused.code}


def _backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def _terminate_backends(dsn: str, spare: int) -> int:
    """Cut every PostgreSQL connection to the test database (the web processes') but the
    test's own (`spare`), from a connection of its own."""
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as admin:
        return admin.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid NOT IN (pg_backend_pid(), %s)",
            [spare],
        ).fetchone()[0]


def _run_drill(tmp_path, *, recording: str, fault) -> tuple[dict, QRCode, dict]:
    """Start the servers, send the load with `fault(drill_redis, port)` running beside it,
    drain what is queued, and return the load's figures, the code and the fault's notes."""
    if connection.vendor != "postgresql":
        pytest.skip("the drill runs on PostgreSQL (CI's DATABASE_URL)")
    if shutil.which("redis-server") is None:
        pytest.skip("needs the redis-server binary")
    user = User.objects.create_user(email="drill@example.com", password="drill-password-123")
    workspace = Workspace.objects.create(name="Drill", slug="drill")
    Membership.objects.create(user=user, workspace=workspace, role="owner")
    code = code_services.code_create(
        workspace=workspace, actor=user, destination="https://example.com/drill"
    )
    drill_redis = DrillRedis(tmp_path)
    drill_redis.start()
    port = free_port()
    env = _server_env(port, drill_redis.url, tmp_path, recording)
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "qrsite.wsgi", f"--bind={HOST}:{port}",
         "--workers=2", "--threads=4", "--log-level=warning"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    flusher = subprocess.Popen(
        [sys.executable, "-c", FLUSH_LOOP], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True
    )
    try:
        assert flusher.stdout.readline().strip() == "ready"
        deadline = time.monotonic() + 60
        while _ready_or_none(port) is None:
            assert time.monotonic() < deadline, "gunicorn did not start"
            assert server.poll() is None, "gunicorn exited during start-up"
            time.sleep(0.2)

        async def drill() -> tuple[dict, dict]:
            load = asyncio.create_task(_scan_load(port, f"/r/{code.slug}"))
            notes = await fault(drill_redis, port)
            return await load, notes

        started = time.monotonic()
        # In a thread of its own: the browser tests' Playwright keeps an event loop running
        # in this one when they share the test process.
        with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
            figures, notes = pool.submit(asyncio.run, drill()).result()
        figures["seconds"] = time.monotonic() - started
        # SIGTERM: each web process writes what it has queued before it exits.
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
        deadline = time.monotonic() + 120
        while drill_redis.pending() and time.monotonic() < deadline:
            time.sleep(0.5)
    finally:
        if server.poll() is None:
            server.kill()
        flusher.send_signal(signal.SIGTERM)
        flusher.wait(timeout=60)
        if drill_redis.process and drill_redis.process.poll() is None:
            drill_redis.kill()
    return figures, code, notes


def _report_and_check(name: str, figures: dict, code: QRCode, notes: dict) -> None:
    recorded = Scan.objects.filter(code=code).count()
    counted = QRCode.objects.get(pk=code.pk).scan_count
    latencies = sorted(figures["latencies"])
    p99 = latencies[int(0.99 * (len(latencies) - 1))] * 1000
    print(
        f"\ndrill {name}: sent {figures['sent']}, answered 302 {figures['answered_302']}, "
        f"other {figures['other']}, recorded {recorded}, counter {counted}, "
        f"lost {max(figures['sent'] - recorded, 0)}, "
        f"duplicates {max(recorded - figures['sent'], 0)}, p99 {p99:.0f} ms, "
        f"{figures['seconds']:.1f} s; {notes}"
    )
    assert figures["sent"] == SCANS
    assert figures["answered_302"] == SCANS
    assert recorded == SCANS
    assert counted == SCANS


def test_scans_survive_a_redis_kill_in_buffered_mode(tmp_path):
    async def kill_redis(drill_redis, port):
        await asyncio.sleep(KILL_AFTER)
        drill_redis.kill()
        await asyncio.sleep(1)
        during = await asyncio.to_thread(_ready, port)
        await asyncio.sleep(DOWN_FOR - 1)
        drill_redis.start()
        await asyncio.sleep(2)
        return {"ready during": during, "ready after": await asyncio.to_thread(_ready, port)}

    figures, code, notes = _run_drill(tmp_path, recording="buffered", fault=kill_redis)
    _report_and_check("redis-kill (buffered)", figures, code, notes)
    # Drill 5 for this fault: readiness names Redis (the cache and the broker) and recovers.
    assert notes["ready during"]["http"] == 503
    assert "cache" in notes["ready during"]["down"]
    assert notes["ready after"]["http"] == 200
    assert notes["ready after"]["checks"]["cache"] == "ok"


def test_scans_survive_dropped_database_connections_in_direct_mode(tmp_path):
    dsn = _dsn()
    spare = _backend_pid()

    async def cut_connections(drill_redis, port):
        await asyncio.sleep(KILL_AFTER)
        terminated = []
        # Cut them again and again for 5 s: connections re-opened mid-batch are cut too.
        for _ in range(10):
            terminated.append(await asyncio.to_thread(_terminate_backends, dsn, spare))
            await asyncio.sleep(0.5)
        return {"backends terminated": sum(terminated)}

    figures, code, notes = _run_drill(tmp_path, recording="direct", fault=cut_connections)
    _report_and_check("pg_terminate_backend (direct)", figures, code, notes)
    assert notes["backends terminated"] > 0


def _ready_or_none(port: int) -> dict | None:
    try:
        return _ready(port)
    except OSError:
        return None
