"""Benchmark door check-ins through the API on PostgreSQL.

    .venv/bin/python benchmarks/checkin.py [--tickets 8000] [--online 500] [--batch 5000]

Creates its own database (qrsite_bench_checkin on 127.0.0.1:5432, user postgres, trust auth),
issues one event's tickets with the real service (signing each), then times in-process with
Django's test client (the whole middleware, API-key authentication, rate limiting,
serialisation; no network):

- online check-ins: `POST /api/v1/checkins`, a different ticket each call (p50/p99), and the
  same tickets again ("already used", the other answer a door sees most);
- 20 concurrent gates: 20 threads, each its own client, checking distinct tickets in as fast
  as they can (check-ins per second sustained over the whole run);
- an offline gate's upload: `POST /api/v1/checkins/batch` of 5,000 scans, then the same
  upload replayed (every nonce already known: answered, counted once).

Baselines from the same run: an authenticated `GET /api/v1/events/{id}` (the floor every API
call pays), and the same 20 threads making that GET (what 20 gates can do at most here).
Targets: online p50 <= 15 ms; a 5,000-scan upload <= 5 s.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DB_NAME = "qrsite_bench_checkin"
PG = "postgres://postgres@127.0.0.1:5432"
GATES = 20

os.environ.update(
    DJANGO_SETTINGS_MODULE="qrsite.settings",
    DATABASE_URL=f"{PG}/{DB_NAME}",
    DEBUG="false",
    SECRET_KEY="benchmark-only-secret-key-not-for-production",  # noqa: S106
    ALLOWED_HOSTS="testserver",
    SECURE_SSL_REDIRECT="false",
    LOG_LEVEL="WARNING",
    # One key making thousands of calls; rate limits are not what this measures.
    API_RATE_LIMIT_READ="100000000",
)
os.environ.pop("REDIS_URL", None)


def recreate_database() -> None:
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        admin.execute(f"CREATE DATABASE {DB_NAME}")


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=8000)
    parser.add_argument("--online", type=int, default=500)
    parser.add_argument("--batch", type=int, default=5000)
    parser.add_argument("--gate-calls", type=int, default=40, help="check-ins per gate thread")
    args = parser.parse_args()
    needed = args.online + GATES * args.gate_calls + args.batch
    if args.tickets < needed:
        parser.error(f"--tickets must be at least {needed}")

    recreate_database()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from accounts import services as account_services
    from accounts.models import Membership, User
    from tickets import services
    from tickets.models import CheckIn

    call_command("migrate", verbosity=0)
    owner = User.objects.create_user(email="bench@example.com", password="benchmark-password-1")  # noqa: S106
    workspace = account_services.workspace_create(name="Bench", owner=owner)
    membership = Membership.objects.get(user=owner, workspace=workspace)
    _, key = account_services.api_key_create(
        workspace=workspace, actor=membership, name="door", scope="read"
    )
    now = datetime.now(UTC)
    event = services.event_create(
        workspace=workspace,
        actor=owner,
        name="Bench Festival",
        starts_at=now - timedelta(hours=2),
        ends_at=now + timedelta(hours=10),
    )
    started = time.perf_counter()
    tickets = []
    for start in range(0, args.tickets, 1000):
        count = min(1000, args.tickets - start)
        tickets += services.ticket_issue_many(
            event=event,
            actor=owner,
            items=[{"holder_name": f"Guest {start + i}", "ticket_type": "Standard"}
                   for i in range(count)],
        )  # fmt: skip
    issued = time.perf_counter() - started
    print(f"issued {len(tickets):,} signed tickets in {issued:.1f} s")
    connection.close()

    def client() -> Client:
        return Client(headers={"Authorization": f"Bearer {key}"})

    def post(c: Client, url: str, body: dict):
        return c.post(url, data=json.dumps(body), content_type="application/json")

    rows = []
    c = client()
    event_url = f"/api/v1/events/{event.public_id}"
    for _ in range(5):
        c.get(event_url)
    floor = []
    for _ in range(200):
        t = time.perf_counter()
        assert c.get(event_url).status_code == 200
        floor.append((time.perf_counter() - t) * 1000)
    rows.append(("baseline: GET /api/v1/events/{id}", floor, "-"))

    online_tickets, rest = tickets[: args.online], tickets[args.online :]
    valid, used = [], []
    for ticket in online_tickets:
        t = time.perf_counter()
        response = post(c, "/api/v1/checkins", {"event": event.public_id,
                                                "payload": ticket.payload, "gate": "A"})  # fmt: skip
        valid.append((time.perf_counter() - t) * 1000)
        assert response.json()["result"] == "valid", response.content
    for ticket in online_tickets[:200]:
        t = time.perf_counter()
        response = post(c, "/api/v1/checkins", {"event": event.public_id,
                                                "payload": ticket.payload, "gate": "B"})  # fmt: skip
        used.append((time.perf_counter() - t) * 1000)
        assert response.json()["result"] == "already_used"
    rows.append(("POST /api/v1/checkins → valid", valid, "≤ 15 ms p50"))
    rows.append(("POST /api/v1/checkins → already_used", used, "-"))

    def run_gates(work) -> float:
        barrier = threading.Barrier(GATES + 1)
        errors = []

        def gate(index):
            from django.db import connection as thread_connection

            own = client()
            try:
                barrier.wait()
                work(own, index)
            except Exception as exc:
                errors.append(exc)
            finally:
                thread_connection.close()

        threads = [threading.Thread(target=gate, args=(i,)) for i in range(GATES)]
        for thread in threads:
            thread.start()
        barrier.wait()
        t = time.perf_counter()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - t
        assert not errors, errors[:3]
        return elapsed

    calls = args.gate_calls
    floor_elapsed = run_gates(lambda own, i: [own.get(event_url) for _ in range(calls)])
    gate_tickets, batch_tickets = rest[: GATES * calls], rest[GATES * calls :]

    def checkins(own, index):
        for ticket in gate_tickets[index * calls : (index + 1) * calls]:
            body = {"event": event.public_id, "payload": ticket.payload, "gate": f"G{index}"}
            assert post(own, "/api/v1/checkins", body).json()["result"] == "valid"

    gates_elapsed = run_gates(checkins)
    total = GATES * calls

    items = [
        {"payload": t.payload, "gate": "Z", "nonce": f"z-{i}",
         "scanned_at": (now - timedelta(seconds=1 + i % 3600)).isoformat(), "device_result": "valid"}
        for i, t in enumerate(batch_tickets[: args.batch])
    ]  # fmt: skip
    body = {"event": event.public_id, "items": items}
    t = time.perf_counter()
    response = post(c, "/api/v1/checkins/batch", body)
    batch_s = time.perf_counter() - t
    assert response.status_code == 200, response.content[:300]
    assert response.json()["counted"] == len(items)
    t = time.perf_counter()
    replay = post(c, "/api/v1/checkins/batch", body)
    replay_s = time.perf_counter() - t
    assert replay.json()["replayed"] == len(items)
    assert CheckIn.objects.filter(event=event, result="valid").count() == (
        args.online + total + len(items)
    )

    print()
    print("| call | n | p50 ms | p99 ms | target |")
    print("|---|---:|---:|---:|---|")
    for name, samples, target in rows:
        p50 = statistics.median(samples)
        met = "" if target == "-" else (" ✅" if p50 <= 15 else " ❌")
        print(
            f"| {name} | {len(samples)} | {p50:.1f} | {percentile(samples, 99):.1f} | {target}{met} |"
        )
    print()
    print("| 20 concurrent gates | calls | seconds | per second | ratio to baseline |")
    print("|---|---:|---:|---:|---:|")
    print(
        f"| baseline: GET /api/v1/events/{{id}} | {total} | {floor_elapsed:.2f} | {total / floor_elapsed:.0f} | 1.00 |"
    )
    print(
        f"| POST /api/v1/checkins (distinct tickets) | {total} | {gates_elapsed:.2f} | {total / gates_elapsed:.0f} | {floor_elapsed / gates_elapsed:.2f} |"
    )
    print()
    print("| offline upload | scans | seconds | per scan ms | target |")
    print("|---|---:|---:|---:|---|")
    ok = "✅" if batch_s <= 5 else "❌"
    print(
        f"| POST /api/v1/checkins/batch (new) | {len(items)} | {batch_s:.2f} | {batch_s * 1000 / len(items):.2f} | ≤ 5 s {ok} |"
    )
    print(
        f"| the same upload replayed (counted once) | {len(items)} | {replay_s:.2f} | {replay_s * 1000 / len(items):.2f} | - |"
    )


if __name__ == "__main__":
    main()
