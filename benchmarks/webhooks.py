"""Benchmark webhook delivery: one worker's throughput, change-to-delivery delay under a scan
load, and the redirect's throughput with a code.scanned endpoint subscribed.

    .venv/bin/python benchmarks/webhooks.py [--events 1000] [--rate 1000] [--seconds 10]

Uses PostgreSQL (database qrsite_bench_webhooks on 127.0.0.1:5432, user postgres), Redis
database 12 on 127.0.0.1:6379, gunicorn and wrk on 127.0.0.1 (see benchmarks/redirect.py,
whose helpers it shares), a real `celery -A qrsite worker` (one process, solo pool) and a
receiver on 127.0.0.1 in this process. Every load is bounded in count and time and targets
127.0.0.1 only. Same-run baselines:
- throughput: the same receiver driven by a plain loop of unsigned POSTs (one new
  connection each, as the sender makes), without the database;
- redirect: the same gunicorn, recording mode and Celery worker with no endpoint subscribed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import redirect as rb

ROOT = rb.ROOT
DB_NAME = "qrsite_bench_webhooks"
REDIS_URL = "redis://127.0.0.1:6379/12"


class Sink:
    """The receiver: answers 200 at once and notes when each body arrived. Bodies are parsed
    afterwards (`payloads`): a real receiver runs elsewhere, and parsing here would take CPU
    from the server under test."""

    def __init__(self):
        self.arrivals: list[tuple[float, bytes]] = []  # (arrival time, body)
        self.lock = threading.Lock()
        sink = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                now = time.time()
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()
                with sink.lock:
                    sink.arrivals.append((now, body))

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks"

    def count(self) -> int:
        with self.lock:
            return len(self.arrivals)

    def payloads(self) -> list[tuple[float, dict]]:
        with self.lock:
            arrivals = list(self.arrivals)
        parsed = []
        for arrived, body in arrivals:
            try:
                parsed.append((arrived, json.loads(body)))
            except ValueError:
                parsed.append((arrived, {}))
        return parsed

    def reset(self) -> None:
        with self.lock:
            self.arrivals = []


def env_for(port: int, recording: str) -> dict[str, str]:
    env = rb.bench_env(port, recording)
    env.update(
        DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{DB_NAME}",
        REDIS_URL=REDIS_URL,
        CELERY_TASK_ALWAYS_EAGER="false",
        WEBHOOKS_ALLOW_PRIVATE_NETWORKS="true",  # the receiver is on 127.0.0.1
        WEBHOOKS_ALLOW_HTTP="true",
        WEBHOOKS_SWEEP_INTERVAL_SECONDS="1",
    )
    return env


def create_database() -> None:
    import psycopg

    with psycopg.connect(rb.PG_ADMIN_URL, autocommit=True) as conn:
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
ENDPOINT = """
from accounts.models import Membership
from webhooks import services
from webhooks.models import WebhookEndpoint
WebhookEndpoint.objects.all().delete()
actor = Membership.objects.select_related("workspace").get()
services.endpoint_create(workspace=actor.workspace, actor=actor, url={url!r}, events={events!r},
                         scan_batch_size={batch})
"""
NO_ENDPOINT = "from webhooks.models import WebhookEndpoint\nWebhookEndpoint.objects.all().delete()"
# A backlog of single deliveries, written without a sender (tasks are not enqueued: the
# worker's periodic sweep picks them up once it runs, and the clock starts then).
BACKLOG = """
from django.db import transaction
from accounts.models import Membership
from webhooks import services
from webhooks.models import WebhookEndpoint
from webhooks import tasks
tasks.endpoint_drain_enqueue = lambda endpoint_id: None
endpoint = WebhookEndpoint.objects.get()
actor = Membership.objects.select_related("workspace").get()
with transaction.atomic():
    for _ in range({n}):
        services.endpoint_send_test(endpoint=endpoint, actor=actor)
print("ok")
"""
# Scans still in the Redis buffer, plus deliveries not yet sent.
PENDING = """
from analytics import buffer
from webhooks.models import WebhookDelivery
print(buffer.pending() + WebhookDelivery.objects.filter(state="pending").count())
"""


# As deploy/systemd/qrstudio-worker.service runs it: background work below the web processes.
WORKER_NICE = 10


def _below_web() -> None:
    os.nice(WORKER_NICE)


def start_worker(env) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "qrsite",
            "worker",
            "--beat",
            f"--schedule=/tmp/{DB_NAME}-beat",
            "--pool=solo",
            "--concurrency=1",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "--loglevel=WARNING",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
        preexec_fn=_below_web,
    )


def _role(pid: str) -> str:
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return "?"
    for needle, role in (
        ("gunicorn", "gunicorn"), ("celery", "celery worker"), ("FLUSH", "flusher"),
        ("flush", "flusher"), ("postgres", "postgres"), ("redis", "redis"), ("wrk", "wrk"),
        ("webhooks.py", "this script (receiver, pacing)"),
    ):  # fmt: skip
        if needle in command:
            return role
    return "other"


def cpu_by_role() -> dict[str, float]:
    """CPU seconds (user + system) used so far by every process on the machine, by role."""
    ticks: dict[str, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        role = _role(entry.name)
        ticks[role] = ticks.get(role, 0) + int(fields[11]) + int(fields[12])
    hz = os.sysconf("SC_CLK_TCK")
    return {role: value / hz for role, value in ticks.items()}


def stop(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(process.pid, signal.SIGKILL)


def plain_post_rate(url: str, n: int) -> float:
    import urllib3

    body = json.dumps({"type": "baseline", "data": {}}).encode()
    started = time.perf_counter()
    for _ in range(n):
        pool = urllib3.HTTPConnectionPool("127.0.0.1", int(url.split(":")[2].split("/")[0]))
        pool.urlopen("POST", "/hooks", body=body, headers={"Content-Type": "application/json"})
        pool.close()
    return n / (time.perf_counter() - started)


def worker_throughput(env, sink: Sink, n: int) -> float:
    rb.django(env, ENDPOINT.format(url=sink.url, events=["*"], batch=1))
    rb.django(env, BACKLOG.format(n=n))
    sink.reset()
    worker = start_worker(env)
    try:
        deadline = time.monotonic() + 600
        while sink.count() == 0:
            assert time.monotonic() < deadline
            time.sleep(0.01)
        while sink.count() < n and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        stop(worker)
    with sink.lock:
        times = [t for t, _ in sink.arrivals]
    return (len(times) - 1) / (times[-1] - times[0])


async def paced_scans(port: int, path: str, rate: int, seconds: float, connections: int) -> int:
    """GET `path` at `rate` requests per second for `seconds`, spread over keep-alive
    connections; returns how many were answered with 302."""
    total = int(rate * seconds)
    request = (
        f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: {rb.PHONE}\r\n"
        "X-Forwarded-For: 81.2.69.160\r\n\r\n"
    ).encode()
    start = time.monotonic()
    ok = 0
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(total):
        queue.put_nowait(i)

    async def connection():
        nonlocal ok
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        while not queue.empty():
            i = queue.get_nowait()
            delay = start + i / rate - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            writer.write(request)
            await writer.drain()
            status = await reader.readline()
            length = 0
            while (line := await reader.readline()) not in (b"\r\n", b""):
                name, _, value = line.decode("latin-1").partition(":")
                if name.lower() == "content-length":
                    length = int(value)
            await reader.readexactly(length)
            ok += b" 302 " in status
        writer.close()

    await asyncio.wait_for(asyncio.gather(*(connection() for _ in range(connections))), 300)
    return ok


def scan_delays(sink: Sink) -> list[float]:
    delays = []
    for arrived, payload in sink.payloads():
        data = payload.get("data", {})
        events = data.get("events") or [payload]
        for event in events:
            scan = event.get("data", {}).get("scan")
            if scan:
                at = datetime.fromisoformat(scan["scanned_at"].replace("Z", "+00:00"))
                delays.append(arrived - at.timestamp())
    return sorted(delays)


def pct(values: list[float], q: float) -> float:
    return values[min(len(values) - 1, int(q * len(values)))] if values else float("nan")


def redirect_run(
    env, args, slug, *, subscribed: bool, sink: Sink, batch: int, measure_delay: bool
) -> dict:
    if subscribed:
        rb.django(env, ENDPOINT.format(url=sink.url, events=["code.scanned"], batch=batch))
    else:
        rb.django(env, NO_ENDPOINT)
    sink.reset()
    server = rb.start_gunicorn(env, args.port, args.workers, args.threads)
    # The worker runs in both runs, as in any deployment; without an endpoint it has nothing
    # to deliver, so the difference is the webhook work alone.
    worker = start_worker(env)
    flusher = None
    try:
        if env["SCAN_RECORDING"] == "buffered":
            flusher = subprocess.Popen(
                [sys.executable, "-c", "import django\ndjango.setup()\n" + rb.FLUSH_LOOP],
                env=env,
                cwd=ROOT,
                stdout=subprocess.PIPE,
                text=True,
                preexec_fn=_below_web,  # the worker's beat runs the flush in a deployment
            )
            flusher.stdout.readline()
        url = f"http://127.0.0.1:{args.port}/r/{slug}"
        rb.wait_until_up(url)
        rb.wrk(url, seconds=2, connections=args.connections)  # warm-up
        cpu = rb.server_cpu_seconds(server.pid)
        roles_before = cpu_by_role()
        result = rb.wrk(url, seconds=args.seconds, connections=args.connections)
        roles_after = cpu_by_role()
        result["roles"] = {
            role: (roles_after[role] - roles_before.get(role, 0)) / args.seconds
            for role in roles_after
        }
        result["rps"] = result["completed"] / (result["duration_us"] / 1e6)
        result["cpu_us"] = (rb.server_cpu_seconds(server.pid) - cpu) / result["completed"] * 1e6
        if measure_delay:
            # The delay under a steady 1,000 scans/s (after wrk's burst has drained).
            drain_deadline = time.monotonic() + 180
            while int(rb.django(env, PENDING)) and time.monotonic() < drain_deadline:
                time.sleep(0.5)
            sink.reset()
            answered = asyncio.run(
                paced_scans(args.port, f"/r/{slug}", args.rate, args.seconds, 16)
            )
            time.sleep(3)
            delays = scan_delays(sink)
            result.update(paced=answered, delivered=len(delays), delays=delays)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        if flusher is not None:
            flusher.send_signal(signal.SIGTERM)
            flusher.wait(timeout=120)
        stop(worker)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=1000, help="backlog for the throughput run")
    parser.add_argument("--rate", type=int, default=1000, help="scans per second, paced")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--batch", type=int, default=100, help="scan_batch_size of the endpoint")
    parser.add_argument("--recording", default="buffered", choices=["direct", "buffered"])
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--port", type=int, default=18775)
    parser.add_argument("--rounds", type=int, default=3, help="alternating redirect runs")
    args = parser.parse_args()

    sink = Sink()
    create_database()
    env = env_for(args.port, args.recording)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v0"], env=env, cwd=ROOT, check=True, timeout=300
    )
    slug = rb.django(env, SETUP)
    rb.django(env, rb.CLEAR_BUFFER)

    baseline = plain_post_rate(sink.url, args.events)
    throughput = worker_throughput(env, sink, args.events)
    # Alternating rounds, so a slow minute of a shared host falls on both sides; each side's
    # median round is compared.
    runs: dict[bool, list[dict]] = {False: [], True: []}
    for round_number in range(args.rounds):
        for subscribed in (False, True):
            runs[subscribed].append(
                redirect_run(
                    env,
                    args,
                    slug,
                    subscribed=subscribed,
                    sink=sink,
                    batch=args.batch,
                    measure_delay=subscribed and round_number == args.rounds - 1,
                )
            )
    without, with_endpoint = (
        sorted(runs[side], key=lambda r: r["rps"])[len(runs[side]) // 2] for side in (False, True)
    )
    delays = runs[True][-1]["delays"]
    delivered, paced = runs[True][-1]["delivered"], runs[True][-1]["paced"]

    print(
        f"\nPostgreSQL, Redis, gunicorn {args.workers}×{args.threads} on 127.0.0.1, "
        f"{args.recording} recording, one celery worker (solo), {args.seconds:.0f} s loads, "
        f"median of {args.rounds} alternating rounds per side; "
        f"load average {os.getloadavg()[0]:.1f}\n"
    )
    print("| measure | result | same-run baseline | target |")
    print("|---|---:|---:|---|")
    print(
        f"| events delivered per second, one worker, one endpoint (single deliveries) "
        f"| {throughput:,.0f} | {baseline:,.0f} plain POSTs/s to the same receiver | |"
    )
    p50, p99 = pct(delays, 0.5), pct(delays, 0.99)
    print(
        f"| change → delivery delay at {args.rate:,} scans/s, code.scanned batched by "
        f"{args.batch}: p50 / p99 | {p50:.2f} s / {p99:.2f} s "
        f"| {delivered:,} of {paced:,} scans delivered "
        f"| p50 ≤ 1 s {'✅' if p50 <= 1 else '❌'} |"
    )
    ratio = with_endpoint["rps"] / without["rps"]
    print(
        f"| redirect req/s with the code.scanned endpoint subscribed (wrk, "
        f"{args.connections} connections) | {with_endpoint['rps']:,.0f} "
        f"({with_endpoint['cpu_us']:,.0f} µs app CPU/req) "
        f"| {without['rps']:,.0f} without ({without['cpu_us']:,.0f} µs) "
        f"| ≥ 95 %: {ratio:.0%} {'✅' if ratio >= 0.95 else '❌'} |"
    )
    for side, label in ((False, "without"), (True, "subscribed")):
        rounds = ", ".join(f"{r['rps']:,.0f}" for r in runs[side])
        print(f"\nredirect req/s per round, {label}: {rounds}")
    # Where the two cores went while wrk ran (cores busy, median round of each side).
    roles = sorted(set(without["roles"]) | set(with_endpoint["roles"]))
    print("\n| cores busy during the wrk run | without | subscribed |\n|---|---:|---:|")
    for role in roles:
        a, b = without["roles"].get(role, 0), with_endpoint["roles"].get(role, 0)
        if max(a, b) >= 0.005:
            print(f"| {role} | {a:.2f} | {b:.2f} |")


if __name__ == "__main__":
    main()
