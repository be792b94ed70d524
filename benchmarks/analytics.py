"""Benchmark the analytics API on 1,000,000 scans over 1,000 codes and 365 days in PostgreSQL.

    .venv/bin/python benchmarks/analytics.py [--scans 1000000] [--codes 1000] [--repeat 30]

Creates its own database (qrsite_bench_analytics on 127.0.0.1:5432, user postgres, trust auth),
seeds it with one INSERT ... SELECT over generate_series, rolls up every finished day with the
same code the Celery task runs, then times the API in-process (Django's test client through
the whole middleware, API-key authentication, rate limiting and serialisation; no network):
the code, group (100 codes) and workspace analytics calls for a 30-day and a 365-day range.

Baselines measured in the same run: an authenticated `GET /api/v1/codes/{id}` (the floor any
API call pays) and each analytics call with rollups switched off (counted from the raw scans).
Targets: p50 <= 100 ms for every analytics call; the rollup of one day's scans <= 10 s.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DB_NAME = "qrsite_bench_analytics"
PG = "postgres://postgres@127.0.0.1:5432"

os.environ.update(
    DJANGO_SETTINGS_MODULE="qrsite.settings",
    DATABASE_URL=f"{PG}/{DB_NAME}",
    DEBUG="false",
    SECRET_KEY="benchmark-only-secret-key-not-for-production",  # noqa: S106
    ALLOWED_HOSTS="testserver",
    SECURE_SSL_REDIRECT="false",
    LOG_LEVEL="WARNING",
    # The benchmark is one key making thousands of calls; rate limits are not what it measures.
    API_RATE_LIMIT_READ="100000000",
)
# No Redis: the in-process cache (rate-limit counters) and eager Celery.
os.environ.pop("REDIS_URL", None)

GROUPS = 10  # of 100 codes each


def recreate_database() -> None:
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        admin.execute(f"CREATE DATABASE {DB_NAME}")


def seed(n_scans: int, n_codes: int):
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Max, Min

    from accounts import services as account_services
    from accounts.models import Membership, User
    from codes.models import CampaignGroup, Kind, QRCode

    call_command("migrate", verbosity=0)
    owner = User.objects.create_user(email="bench@example.com", password="benchmark-password-1")  # noqa: S106
    workspace = account_services.workspace_create(name="Bench", owner=owner)
    membership = Membership.objects.get(user=owner, workspace=workspace)
    _, key = account_services.api_key_create(
        workspace=workspace, actor=membership, name="bench", scope="read"
    )
    groups = CampaignGroup.objects.bulk_create(
        [
            CampaignGroup(workspace=workspace, name=f"Campaign {i}", slug=f"c{i}")
            for i in range(GROUPS)
        ]
    )
    per_group = n_codes // GROUPS
    QRCode.objects.bulk_create(
        [
            QRCode(
                workspace=workspace,
                group=groups[i // per_group] if i // per_group < GROUPS else None,
                name=f"Code {i}",
                kind=Kind.DYNAMIC,
                destination=f"https://example.com/{i}",
                slug=f"bench{i:05d}",
            )
            for i in range(n_codes)
        ],
        batch_size=1000,
    )
    bounds = QRCode.objects.aggregate(low=Min("pk"), high=Max("pk"))
    low, high = bounds["low"], bounds["high"]
    started = time.perf_counter()
    with connection.cursor() as cursor:
        # Realistic mixes: mostly phones, a few countries dominate, 3 % bots, ~300 visitors
        # per code and day (repeat scans make unique < total).
        cursor.execute(
            """
            INSERT INTO analytics_scan (scanned_at, code_id, workspace_id, country, device_type,
                os, browser, referrer_host, language, is_bot, visitor_hash)
            SELECT now() - random() * interval '365 days',
                   %(low)s + floor(random() * (%(high)s - %(low)s + 1))::int,
                   %(ws)s,
                   (ARRAY['US','US','US','FR','FR','DE','GB','ES','IT','JP','BR','IN','CA','NL',''])
                       [1 + floor(random() * 15)::int],
                   (ARRAY['mobile','mobile','mobile','mobile','tablet','desktop','other'])
                       [1 + floor(random() * 7)::int],
                   (ARRAY['iOS','Android','Android','Windows','Mac OS X','Linux',''])
                       [1 + floor(random() * 7)::int],
                   (ARRAY['Mobile Safari','Chrome Mobile','Chrome','Firefox','Edge',
                          'Samsung Internet'])[1 + floor(random() * 6)::int],
                   (ARRAY['','','','','instagram.com','t.co','facebook.com','google.com'])
                       [1 + floor(random() * 8)::int],
                   (ARRAY['en-US','en-GB','fr-FR','de-DE','es-ES','ja-JP',''])
                       [1 + floor(random() * 7)::int],
                   random() < 0.03,
                   substr(md5(floor(random() * 300)::text), 1, 32)
            FROM generate_series(1, %(n)s)
            -- Stored in time order, as scans arrive in production (the BRIN index relies on it).
            ORDER BY 1
            """,
            {"low": low, "high": high, "ws": workspace.pk, "n": n_scans},
        )
        cursor.execute("UPDATE analytics_scan SET device_type = 'bot' WHERE is_bot")
        cursor.execute(
            "UPDATE codes_qrcode c SET scan_count = s.n FROM (SELECT code_id, COUNT(*) n "
            "FROM analytics_scan WHERE NOT is_bot GROUP BY code_id) s WHERE s.code_id = c.id"
        )
    seeded = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return workspace, key, groups[0], QRCode.objects.get(slug=f"bench{n_codes // 2:05d}"), seeded


def reuse(n_codes: int):
    from accounts import services as account_services
    from accounts.models import Membership
    from codes.models import CampaignGroup, QRCode

    membership = Membership.objects.select_related("workspace").get(user__email="bench@example.com")
    _, key = account_services.api_key_create(
        workspace=membership.workspace, actor=membership, name="bench again", scope="read"
    )
    group = CampaignGroup.objects.get(slug="c0")
    return key, group, QRCode.objects.get(slug=f"bench{n_codes // 2:05d}")


def timed(function, repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scans", type=int, default=1_000_000)
    parser.add_argument("--codes", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--baseline-repeat", type=int, default=5)
    parser.add_argument(
        "--reuse", action="store_true", help="time the API on the database a previous run seeded"
    )
    args = parser.parse_args()

    if not args.reuse:
        recreate_database()
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    from analytics import queries
    from analytics.models import RollupDay, Scan
    from analytics.rollups import rollup_day, rollup_run

    if args.reuse:
        key, group, code = reuse(args.codes)
    else:
        _workspace, key, group, code, seeded = seed(args.scans, args.codes)
        print(f"seeded {Scan.objects.count():,} scans over {args.codes:,} codes in {seeded:.1f} s")

    started = time.perf_counter()
    run = rollup_run()
    backfill = time.perf_counter() - started
    print(f"rolled up {len(run.days)} days ({run.scans:,} scans) in {backfill:.1f} s")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")  # what autovacuum does after a bulk load
    yesterday = (datetime.now(UTC) - timedelta(days=1)).date()
    per_day = timed(lambda: rollup_day(day=yesterday), 5)
    day_scans = RollupDay.objects.get(day=yesterday).scans

    client = Client(headers={"Authorization": f"Bearer {key}"})
    today = datetime.now(UTC).date()

    def get(url):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code, response.content[:300])

    def ranged(path, days):
        start = today - timedelta(days=days - 1)
        return f"{path}?start={start}&end={today}"

    calls = [
        ("code", f"/api/v1/codes/{code.public_id}/analytics"),
        ("group (100 codes)", f"/api/v1/groups/{group.public_id}/analytics"),
        ("workspace", "/api/v1/analytics"),
    ]
    rows = []
    floor = timed(lambda: get(f"/api/v1/codes/{code.public_id}"), args.repeat)
    rows.append(("baseline: GET /api/v1/codes/{id}", "-", floor, None))
    for label, path in calls:
        for days in (30, 365):
            url = ranged(path, days)
            timed(lambda url=url: get(url), 3)  # warm the caches
            samples = timed(lambda url=url: get(url), args.repeat)
            # With an empty ledger every day is counted from the raw scans.
            with mock.patch.object(queries, "rolled_up_days", return_value=set()):
                raw = timed(lambda url=url: get(url), args.baseline_repeat)
            rows.append((label, f"{days} days", samples, raw))
    paris = ranged("/api/v1/analytics", 30) + "&timezone=Europe/Paris&interval=week"
    rows.append(
        ("workspace, Europe/Paris, weekly", "30 days", timed(lambda: get(paris), args.repeat), None)
    )

    print()
    print(f"PostgreSQL {connection.cursor().connection.info.server_version}, "
          f"{args.scans:,} scans, {args.codes:,} codes, {args.repeat} calls each")  # fmt: skip
    header = f"| {'call':<34} | {'range':<8} | {'p50 ms':>7} | {'p95 ms':>7} | {'raw scans p50 ms':>16} | target |"
    print(header)
    print("|" + "|".join("-" * (len(part)) for part in header.split("|")[1:-1]) + "|")
    for label, span, samples, raw in rows:
        p50 = statistics.median(samples)
        target = "-" if label.startswith("baseline") else ("ok" if p50 <= 100 else "MISSED")
        raw_text = f"{statistics.median(raw):,.0f}" if raw else "-"
        print(f"| {label:<34} | {span:<8} | {p50:>7.1f} | {percentile(samples, 0.95):>7.1f} | {raw_text:>16} | {target:^6} |")  # fmt: skip
    day_p50 = statistics.median(per_day) / 1000
    print(
        f"| {'rollup of one day (' + format(day_scans, ',') + ' scans)':<34} | {'1 day':<8} | "
        f"{day_p50 * 1000:>7.1f} | {percentile(per_day, 0.95):>7.1f} | {'-':>16} | "
        f"{'ok' if day_p50 <= 10 else 'MISSED':^6} |"
    )
    if not args.reuse:
        print(f"| {'rollup backfill, all days':<34} | {str(len(run.days)) + ' d':<8} | {backfill * 1000:>7.0f} | {'-':>7} | {'-':>16} | {'-':^6} |")  # fmt: skip


if __name__ == "__main__":
    main()
