"""Scans while PostgreSQL is unreachable, against a real server: gunicorn reaches the database
through a TCP proxy this test stops (connections cut, new ones refused) and starts again, and
uses a redis-server of its own. Buffered mode keeps every scan in Redis through the outage,
hashed with the day's one salt, and the flush inserts them once the database is back; direct
mode cannot record them, but the person scanning is still redirected."""

import contextlib
import http.client
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import redis
from django.conf import settings as django_settings
from django.db import connection

from analytics.capture import SALT_KEY_PREFIX
from analytics.models import DailySalt, Scan
from codes import services
from tests.analytics.scanning import PHONE
from tests.own_redis import free_port

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"
BUFFER = "qrsite:scans:buffer"
FLUSH = "import django\ndjango.setup()\nfrom analytics.services import scan_flush_buffer\n"
FLUSH += "print(scan_flush_buffer())"


class DatabaseProxy:
    """Forwards a local port to PostgreSQL while up. Stopping it cuts every connection through
    it and refuses new ones, as a database that went away does."""

    def __init__(self, target: tuple[str, int]):
        self.target = target
        self.port = free_port()
        self._listener: socket.socket | None = None
        self._sockets: list[socket.socket] = []

    def start(self) -> None:
        self._listener = socket.create_server((HOST, self.port))
        threading.Thread(target=self._accept, args=(self._listener,), daemon=True).start()

    def stop(self) -> None:
        if self._listener is None:
            return
        # close() alone would leave a thread blocked in accept() accepting one more.
        self._listener.shutdown(socket.SHUT_RDWR)
        self._listener.close()
        self._listener = None
        for each in self._sockets:
            with contextlib.suppress(OSError):
                each.shutdown(socket.SHUT_RDWR)
            each.close()
        self._sockets.clear()
        with socket.socket() as probe:
            assert probe.connect_ex((HOST, self.port)) != 0, "the database is still reachable"

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # stopped
            upstream = socket.create_connection(self.target)
            self._sockets += [client, upstream]
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
            sink.shutdown(socket.SHUT_WR)
        except OSError:
            pass


@pytest.fixture
def own_redis(tmp_path):
    if not django_settings.REDIS_URL:
        pytest.skip("needs REDIS_URL pointing at a real Redis")
    port = free_port()
    server = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", HOST, "--save", "", "--appendonly", "no"],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
    )
    client = redis.Redis(host=HOST, port=port)
    deadline = time.monotonic() + 10
    while True:
        try:
            client.ping()
            break
        except redis.ConnectionError:
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.05)
    yield client
    server.kill()
    server.wait()


@pytest.fixture
def proxy():
    if connection.vendor != "postgresql":
        pytest.skip("needs DATABASE_URL pointing at PostgreSQL")
    db = connection.settings_dict
    found = DatabaseProxy((db["HOST"] or HOST, int(db["PORT"] or 5432)))
    found.start()
    yield found
    found.stop()


class App:
    """gunicorn serving the project on the proxied database; restarted, its processes start
    with nothing in memory, as they do after a deploy or, for the salt, at midnight."""

    def __init__(self, env: dict[str, str]):
        self.env = env
        self.port = free_port()
        self.env["SHORT_URL_BASE"] = f"http://{HOST}:{self.port}/r/"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                str(Path(sys.executable).with_name("gunicorn")),
                "qrsite.wsgi",
                f"--bind={HOST}:{self.port}",
                "--workers=1",
                "--worker-class=gthread",
                "--threads=2",
                "--log-level=warning",
            ],
            env=self.env,
            cwd=ROOT,
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                self.get("/healthz")  # any answer will do: the database may be down
                return
            except OSError:
                assert self.process.poll() is None, "gunicorn exited"
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.1)

    def stop(self) -> None:
        if self.process is not None:
            self.process.send_signal(signal.SIGTERM)  # graceful: queued scans are sent first
            self.process.wait(timeout=30)
            self.process = None

    def get(self, path: str) -> http.client.HTTPResponse:
        conn = http.client.HTTPConnection(HOST, self.port, timeout=10)
        try:
            conn.request("GET", path, headers={"User-Agent": PHONE})
            response = conn.getresponse()
            response.read()
            return response
        finally:
            conn.close()

    def flush(self) -> subprocess.CompletedProcess:
        """The Celery flush task's work, in a process of its own on the same database path."""
        return subprocess.run(
            [sys.executable, "-c", FLUSH],
            env=self.env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )


@pytest.fixture
def app_for(own_redis, proxy):
    port = own_redis.connection_pool.connection_kwargs["port"]
    db = connection.settings_dict
    apps = []

    def make(recording: str) -> App:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "qrsite.settings",
            "PYTHONPATH": str(ROOT),
            "DEBUG": "false",
            "SECRET_KEY": "outage-test-secret-key-not-for-production",
            "ALLOWED_HOSTS": HOST,
            "SECURE_SSL_REDIRECT": "false",
            "DATABASE_URL": f"postgres://{db['USER']}@{HOST}:{proxy.port}/{db['NAME']}",
            "REDIS_URL": f"redis://{HOST}:{port}/0",
            "SCAN_RECORDING": recording,
            "CELERY_TASK_ALWAYS_EAGER": "true",
            "LOG_LEVEL": "ERROR",
        }
        env.pop("SCAN_BUFFER_URL", None)
        env.pop("REDIRECT_CACHE_URL", None)
        apps.append(App(env))
        return apps[-1]

    yield make
    for each in apps:
        each.stop()


def _wait_for(condition, what: str, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.05)


@pytest.fixture
def code(acme, alice):
    return services.code_create(workspace=acme, actor=alice, destination="https://example.com/")


@pytest.mark.parametrize("salt_made", ["before the outage", "during the outage"])
def test_buffered_scans_are_kept_while_the_database_is_down_and_flushed_when_it_is_back(
    app_for, proxy, own_redis, code, salt_made
):
    app = app_for("buffered")
    app.start()
    # One scan while all is well puts the code's redirect entry (and the salt) in Redis.
    assert app.get(f"/r/{code.slug}").status == 302
    _wait_for(lambda: own_redis.llen(BUFFER) == 1, "the first scan never reached Redis")
    if salt_made == "during the outage":
        # The day begins with the database down: its salt exists nowhere yet.
        for key in own_redis.keys(f"{SALT_KEY_PREFIX}*"):
            own_redis.delete(key)
        DailySalt.objects.all().delete()

    proxy.stop()
    app.stop()
    app.start()  # new processes: nothing of the salt or the code in memory
    for _ in range(20):
        assert app.get(f"/r/{code.slug}").status == 302
    _wait_for(lambda: own_redis.llen(BUFFER) == 21, "scans were lost with the database down")
    failed = app.flush()
    assert failed.returncode != 0  # the flush cannot insert them yet; they stay in Redis
    assert own_redis.llen(BUFFER) + own_redis.llen("qrsite:scans:processing") == 21

    proxy.start()
    flushed = app.flush()
    assert flushed.returncode == 0, flushed.stderr
    assert flushed.stdout.split()[-1] == "21"
    code.refresh_from_db()
    assert Scan.objects.filter(code=code).count() == code.scan_count == 21
    # Same person, same code, same day: one visitor through the outage, hashed with the one
    # salt the database keeps now; and the same visitor as before it, when the day's salt
    # existed already.
    first, *during = Scan.objects.order_by("scanned_at").values_list("visitor_hash", flat=True)
    assert len(set(during)) == 1
    assert during[0]
    assert (first == during[0]) == (salt_made == "before the outage")
    day = Scan.objects.latest("scanned_at").scanned_at.date()
    shared = own_redis.get(f"{SALT_KEY_PREFIX}{day.isoformat()}")
    assert DailySalt.objects.get(day=day).secret == shared.decode()


def test_direct_mode_still_redirects_with_the_database_down(app_for, proxy, code):
    app = app_for("direct")
    app.start()
    assert app.get(f"/r/{code.slug}").status == 302
    _wait_for(lambda: Scan.objects.filter(code=code).count() == 1, "the scan was not written")
    proxy.stop()
    for _ in range(5):
        response = app.get(f"/r/{code.slug}")
        assert response.status == 302
        assert response.getheader("Location") == "https://example.com/"
