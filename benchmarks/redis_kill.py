"""Kill Redis (SIGKILL) under buffered scan traffic and count what survives.

    .venv/bin/python benchmarks/redis_kill.py [--scans 12000] [--kill-at 1000] [--down 2]

For each Redis set-up (the documented one: AOF with appendfsync everysec; and no persistence,
for comparison) it starts a redis-server of its own on a free port with its own data
directory, gunicorn (2 workers x 4 threads, SCAN_RECORDING=buffered) on PostgreSQL (database
qrsite_redis_kill on 127.0.0.1:5432, user postgres) and a flusher that runs the Celery flush
task every --flush-interval seconds, as beat would. It sends --scans requests for one code
over keep-alive connections; once the buffer holds --kill-at scans it kills redis-server with
SIGKILL, waits --down seconds and starts it again on the same data directory (the flusher is
paused for the moment it takes to count what Redis reloaded). When the load is done the
buffer is drained and the scans recorded for the code are counted against the 302 answers.
Prints one table.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time

import redis

# The redirect benchmark's server helpers (this script's directory is on the path).
from redirect import (
    HOST,
    PYTHON,
    ROOT,
    bench_env,
    django,
    send_exact,
    start_gunicorn,
    wait_until_up,
)

DB_NAME = "qrsite_redis_kill"
PG_ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres"
BUFFER_KEYS = ("qrsite:scans:buffer", "qrsite:scans:processing")
PERSISTENCE = {
    "AOF, appendfsync everysec (documented)": ["--appendonly", "yes", "--appendfsync", "everysec"],
    "none (no AOF, no RDB)": ["--appendonly", "no"],
}

SETUP = """
from accounts.models import Membership, User, Workspace
from codes import services
user, _ = User.objects.get_or_create(email="bench@example.com")
ws, _ = Workspace.objects.get_or_create(slug="bench", defaults={"name": "Bench"})
Membership.objects.get_or_create(user=user, workspace=ws, defaults={"role": "owner"})
code = services.code_create(workspace=ws, actor=user, destination="https://example.com/landing")
print(code.slug)
"""
# The flush task itself (it logs and returns when Redis is down), on beat's cadence.
FLUSH_LOOP = """
import signal, sys, time
from analytics.tasks import scan_flush_buffer_task
stop = []
signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
print("ready", flush=True)
while not stop:
    scan_flush_buffer_task()
    time.sleep(float(sys.argv[1]))
"""
DRAIN = """
from analytics import buffer
from analytics.services import scan_flush_buffer
while buffer.pending():
    scan_flush_buffer()
"""
COUNT = """
from analytics.models import Scan
from codes.models import QRCode
code = QRCode.objects.get(slug={slug!r})
print(Scan.objects.filter(code=code, is_bot=False).count(), code.scan_count)
"""


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def create_database() -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB_NAME}"')


class RedisServer:
    def __init__(self, port: int, data_dir: str, persistence: list[str]):
        self.args = ["redis-server", "--port", str(port), "--bind", HOST, "--dir", data_dir]
        self.args += ["--save", "", *persistence]
        self.client = redis.Redis(host=HOST, port=port, socket_timeout=2)
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(self.args, stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while True:
            try:
                self.client.ping()
                return
            except redis.RedisError:
                if time.monotonic() > deadline:
                    sys.exit("redis-server did not start")
                time.sleep(0.02)

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def buffered(self) -> int:
        return sum(self.client.llen(key) for key in BUFFER_KEYS)


def killer(server: RedisServer, flusher: int, args, report: dict, done: threading.Event) -> None:
    """Kill Redis once the buffer holds --kill-at scans, then start it on the same files."""
    while not done.is_set():
        try:
            waiting = server.buffered()
        except redis.RedisError:
            waiting = 0
        if waiting >= args.kill_at:
            server.kill()
            report["at_kill"] = waiting
            time.sleep(args.down)
            # The flusher waits while what Redis reloaded is counted, or it may drain it first.
            os.kill(flusher, signal.SIGSTOP)
            try:
                server.start()
                report["after_restart"] = server.buffered()
            finally:
                os.kill(flusher, signal.SIGCONT)
            return
        time.sleep(0.005)


def run(name: str, persistence: list[str], args) -> dict:
    web_port, redis_port = free_port(), free_port()
    env = bench_env(web_port, "buffered")
    env.update(
        DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{DB_NAME}",
        REDIS_URL=f"redis://{HOST}:{redis_port}/0",
        TRUSTED_PROXY_COUNT="1",
    )
    with tempfile.TemporaryDirectory(prefix="redis-kill-") as data_dir:
        server = RedisServer(redis_port, data_dir, persistence)
        server.start()
        slug = django(env, SETUP)
        web = start_gunicorn(env, web_port, args.workers, args.threads)
        flusher = subprocess.Popen(
            [
                PYTHON,
                "-c",
                "import django\ndjango.setup()\n" + FLUSH_LOOP,
                str(args.flush_interval),
            ],
            env=env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        report: dict = {"name": name}
        try:
            flusher.stdout.readline()  # "ready"
            wait_until_up(f"http://{HOST}:{web_port}/r/{slug}")
            done = threading.Event()
            watch = threading.Thread(target=killer, args=(server, flusher.pid, args, report, done))
            watch.start()
            started = time.monotonic()
            sent, answered = asyncio.run(
                send_exact(web_port, f"/r/{slug}", args.scans, args.connections)
            )
            report["seconds"] = time.monotonic() - started
            done.set()
            watch.join()
        finally:
            web.send_signal(signal.SIGTERM)  # graceful: queued scans are sent first
            web.wait(timeout=60)
            flusher.send_signal(signal.SIGTERM)
            flusher.wait(timeout=120)
        django(env, DRAIN)
        server.kill()
    recorded, counted = (int(n) for n in django(env, COUNT.format(slug=slug)).split())
    # The readiness probe's scan is a bot's (urllib's user agent): stored, not counted here.
    report.update(sent=sent, answered=answered, recorded=recorded, counted=counted)
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scans", type=int, default=12_000)
    parser.add_argument("--kill-at", type=int, default=1000, help="buffered scans at the kill")
    parser.add_argument("--down", type=float, default=2.0, help="seconds Redis stays down")
    parser.add_argument("--flush-interval", type=float, default=5.0)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()

    create_database()
    env = bench_env(free_port(), "direct")
    env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{DB_NAME}"
    subprocess.run(
        [PYTHON, "manage.py", "migrate", "-v0"], env=env, cwd=ROOT, check=True, timeout=300
    )
    rows = [run(name, persistence, args) for name, persistence in PERSISTENCE.items()]
    print(
        f"\n{args.scans:,} scans of one code, {args.connections} keep-alive connections; gunicorn "
        f"{args.workers} x {args.threads} (gthread), SCAN_RECORDING=buffered, PostgreSQL; "
        f"flush every {args.flush_interval:g} s; redis-server SIGKILLed once the buffer held "
        f"{args.kill_at:,} scans, restarted {args.down:g} s later on the same data directory\n"
    )
    print(
        "| Redis persistence | scans answered 302 | in the buffer at the kill "
        "| in the buffer after the restart | recorded | lost | counted on the code |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        print(
            f"| {row['name']} | {row['answered']:,} | {row.get('at_kill', 'not killed'):,} "
            f"| {row.get('after_restart', '—'):,} | {row['recorded']:,} "
            f"| {row['answered'] - row['recorded']:,} | {row['counted']:,} |"
        )


if __name__ == "__main__":
    main()
