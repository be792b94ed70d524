"""Benchmark GET /r/<slug> under gunicorn + PostgreSQL with wrk on loopback.

    .venv/bin/python benchmarks/redirect.py [--duration 10] [--connections 32] [--workers 16 --threads 2]

Creates its own database (qrsite_bench on 127.0.0.1:5432, user postgres) and uses Redis
database 13 on 127.0.0.1:6379. For each scenario it starts gunicorn, warms up, drives the URL
with wrk for a fixed time (the load stops by itself and targets only 127.0.0.1), and counts
scans. Scenarios: a bare Django 302 view on the same server and middleware (the ceiling), our
redirect with direct recording, and with buffered recording (a flusher process drains the
buffer every second during the run, as Celery beat would; a final flush runs after it).
Prints one table: req/s, p50, p99, share of the ceiling, the app's CPU per request (gunicorn
processes only, so it holds on a busy machine), and a counted pass: a fixed number of requests,
each answered before scans are counted (wrk stops mid-flight), with the scans recorded.
Needs: wrk (apt-get install wrk), PostgreSQL and Redis running locally.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
HOST = "127.0.0.1"
DB_NAME = "qrsite_bench"
PG_ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres"
REDIS_URL = "redis://127.0.0.1:6379/13"
PHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1"
)
RESULT_RE = re.compile(r"RESULT (.*)")


def bench_env(port: int, recording: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="redirect_bench_settings",
        PYTHONPATH=f"{ROOT}{os.pathsep}{ROOT / 'benchmarks'}",
        DEBUG="false",
        SECRET_KEY="benchmark-only-secret-key-not-for-production",  # noqa: S106 - local run
        ALLOWED_HOSTS=HOST,
        SECURE_SSL_REDIRECT="false",
        DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{DB_NAME}",
        REDIS_URL=REDIS_URL,
        CELERY_TASK_ALWAYS_EAGER="true",
        SHORT_URL_BASE=f"http://{HOST}:{port}/r/",
        SCAN_RECORDING=recording,
        # wrk sends a public client address in X-Forwarded-For, so the country lookup runs.
        TRUSTED_PROXY_COUNT="1",
        LOG_LEVEL="WARNING",
    )
    return env


def django(env: dict[str, str], code: str) -> str:
    """Run Python with Django set up in a child process; returns its stdout."""
    script = f"import django\ndjango.setup()\n{code}"
    done = subprocess.run(
        [PYTHON, "-c", script], env=env, cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    if done.returncode:
        sys.exit(f"child failed:\n{done.stderr}")
    return done.stdout.strip()


def create_database() -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB_NAME}"')


SETUP = """
from accounts.models import Membership, User, Workspace
from codes import services
user = User.objects.create_user(email="bench@example.com", password=None)
ws = Workspace.objects.create(name="Bench", slug="bench")
Membership.objects.create(user=user, workspace=ws, role="owner")
code = services.code_create(workspace=ws, actor=user, destination="https://example.com/landing")
print(code.slug)
"""

COUNT = "from analytics.models import Scan\nprint(Scan.objects.count())"
FLUSH = """
from analytics import buffer
from analytics.services import scan_flush_buffer
while buffer.pending():
    scan_flush_buffer()
print(buffer.pending())
"""
# Runs like Celery beat's flush task: every second until told to stop (SIGTERM), which it
# takes between flushes. It says "ready" once Django is set up, so its start-up is not
# measured as part of the load.
FLUSH_LOOP = """
import signal, sys, time
from django.conf import settings
from analytics.services import scan_flush_buffer
stop = []
signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
print("ready", flush=True)
while not stop:
    scan_flush_buffer()
    time.sleep(settings.SCAN_FLUSH_INTERVAL_SECONDS)  # as the beat schedule runs it
"""
CLEAR_BUFFER = """
from analytics import buffer
client = buffer.get_client()
client.delete(buffer.BUFFER_KEY, buffer.PROCESSING_KEY, buffer.LOCK_KEY)
"""


def start_gunicorn(env: dict[str, str], port: int, workers: int, threads: int) -> subprocess.Popen:
    return subprocess.Popen(
        [
            str(Path(PYTHON).with_name("gunicorn")),
            "qrsite.wsgi",
            f"--bind={HOST}:{port}",
            f"--workers={workers}",
            # Threads keep connections alive and overlap the waits on PostgreSQL and Redis.
            "--worker-class=gthread",
            f"--threads={threads}",
            "--backlog=2048",
            "--log-level=warning",
        ],
        env=env,
        cwd=ROOT,
    )


def server_cpu_seconds(master: int) -> float:
    """CPU time (user + system) used so far by gunicorn's master and workers."""
    try:
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    except OSError:
        return 0.0
    ticks = 0
    for pid in [str(master), *children]:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def wait_until_up(url: str, seconds: float = 180) -> None:
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            opener.open(url, timeout=2)
        except urllib.error.HTTPError as exc:
            if exc.code == 302:
                return
        except OSError:
            pass
        time.sleep(0.3)
    sys.exit(f"server did not answer {url}")


def wrk(url: str, *, seconds: float, connections: int) -> dict[str, int]:
    done = subprocess.run(
        [
            "wrk",
            "--threads=2",
            f"--connections={connections}",
            f"--duration={int(seconds)}s",
            "--timeout=5s",
            f"--script={ROOT / 'benchmarks' / 'redirect.lua'}",
            "--header",
            f"User-Agent: {PHONE}",
            "--header",
            "X-Forwarded-For: 81.2.69.160",
            "--header",
            "Accept-Language: en-GB,en;q=0.8",
            url,
        ],
        capture_output=True,
        text=True,
        timeout=seconds + 60,
    )
    match = RESULT_RE.search(done.stdout)
    if not match:
        sys.exit(f"wrk failed:\n{done.stdout}\n{done.stderr}")
    return {k: int(v) for k, v in (pair.split("=") for pair in match.group(1).split())}


async def send_exact(port: int, path: str, total: int, connections: int) -> tuple[int, int]:
    """Send exactly `total` requests over `connections` keep-alive connections and wait for
    every answer; returns (sent, answered with 302)."""
    request = (
        f"GET {path} HTTP/1.1\r\nHost: {HOST}\r\nUser-Agent: {PHONE}\r\n"
        "X-Forwarded-For: 81.2.69.160\r\nAccept-Language: en-GB\r\n\r\n"
    ).encode()
    counts = {"sent": 0, "ok": 0}

    async def connection() -> None:
        reader, writer = await asyncio.open_connection(HOST, port)
        while counts["sent"] < total:
            counts["sent"] += 1
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
            counts["ok"] += b" 302 " in status
            if close:
                writer.close()
                reader, writer = await asyncio.open_connection(HOST, port)
        writer.close()

    await asyncio.wait_for(asyncio.gather(*(connection() for _ in range(connections))), 300)
    return counts["sent"], counts["ok"]


def run_scenario(name, path, recording, args, slug_port) -> dict:
    port = slug_port
    env = bench_env(port, recording)
    url = f"http://{HOST}:{port}{path}"
    server = start_gunicorn(env, port, args.workers, args.threads)
    flusher = None
    try:
        if recording == "buffered":
            flusher = subprocess.Popen(
                [PYTHON, "-c", "import django\ndjango.setup()\n" + FLUSH_LOOP],
                env=env,
                cwd=ROOT,
                stdout=subprocess.PIPE,
                text=True,
            )
            flusher.stdout.readline()  # "ready"
        wait_until_up(url)
        wrk(url, seconds=args.warmup, connections=args.connections)  # warm every worker
        if recording == "buffered":
            django(env, FLUSH)
        before = int(django(env, COUNT))
        cpu_before = server_cpu_seconds(server.pid)
        result = wrk(url, seconds=args.duration, connections=args.connections)
        result["cpu_us"] = (server_cpu_seconds(server.pid) - cpu_before) / result["completed"] * 1e6
        if recording == "buffered":
            django(env, FLUSH)
        before_exact = int(django(env, COUNT))
        # wrk stops mid-flight (a request it wrote may never reach the app), so losslessness
        # is checked with an exact count: every request sent is answered before counting.
        sent, answered = asyncio.run(send_exact(port, path, args.exact, args.connections))
        result.update(exact_sent=sent, exact_302=answered)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        if flusher is not None:
            flusher.send_signal(signal.SIGTERM)
            flusher.wait(timeout=120)
    if recording == "buffered":
        django(env, FLUSH)
    after = int(django(env, COUNT))
    scanned = path.startswith("/r/")
    result.update(
        name=name,
        wrk_scans=before_exact - before if scanned else None,
        scans=after - before_exact if scanned else None,
    )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=float, default=10, help="seconds of load per scenario")
    parser.add_argument("--warmup", type=float, default=3)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker")
    parser.add_argument("--port", type=int, default=18765)
    parser.add_argument("--exact", type=int, default=3000, help="requests in the counted pass")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is needed: apt-get install wrk")
    with socket.socket() as probe:
        if probe.connect_ex((HOST, args.port)) == 0:
            sys.exit(f"port {args.port} is in use; pass --port")

    create_database()
    env = bench_env(args.port, "direct")
    subprocess.run(
        [PYTHON, "manage.py", "migrate", "-v0"], env=env, cwd=ROOT, check=True, timeout=300
    )
    slug = django(env, SETUP)
    django(env, CLEAR_BUFFER)

    rows = [
        run_scenario("bare Django 302 (ceiling)", "/bench/bare", "direct", args, args.port),
        run_scenario("redirect, direct recording", f"/r/{slug}", "direct", args, args.port),
        run_scenario("redirect, buffered recording", f"/r/{slug}", "buffered", args, args.port),
    ]
    ceiling = rows[0]["completed"] / (rows[0]["duration_us"] / 1e6)
    print(
        f"\n{args.connections} connections, {args.duration:.0f} s per scenario, gunicorn "
        f"{args.workers} workers × {args.threads} threads, PostgreSQL, Redis, wrk on {HOST}\n"
    )
    header = (
        "| scenario | req/s | % of ceiling | p50 ms | p99 ms | app CPU µs/req "
        "| counted pass: requests sent | 302 answers | scans recorded |"
    )
    print(header)
    print("|" + "---|" * 9)
    for row in rows:
        rps = row["completed"] / (row["duration_us"] / 1e6)
        scans = "—" if row["scans"] is None else f"{row['scans']:,}"
        print(
            f"| {row['name']} | {rps:,.0f} | {rps / ceiling:.0%} | {row['p50_us'] / 1000:.1f} "
            f"| {row['p99_us'] / 1000:.1f} | {row['cpu_us']:,.0f} "
            f"| {row['exact_sent']:,} | {row['exact_302']:,} "
            f"| {scans} |"
        )
    print("\nwrk passes (time-bounded): ", end="")
    print(
        "; ".join(
            f"{row['name']}: {row['completed']:,} answered, {row['bad']} non-302, "
            f"{row['socket_errors']} socket errors"
            + (f", {row['wrk_scans']:,} scans" if row["wrk_scans"] is not None else "")
            for row in rows
        )
    )
    lost = [row["name"] for row in rows[1:] if row["scans"] != row["exact_sent"]]
    print("scans lost or extra:", ", ".join(lost) if lost else "none (recorded == sent)")


if __name__ == "__main__":
    main()
