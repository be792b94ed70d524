"""Rollups: the same numbers as the raw scans, in any time zone, however often they run."""

import random
from datetime import UTC, date, datetime, timedelta

import pytest

from analytics.models import RollupDay, ScanDimensionRollup, ScanHourRollup
from analytics.rollups import rollup_day, rollup_run
from analytics.selectors import analytics_for_code, analytics_for_group, analytics_for_workspace
from analytics.tasks import rollup_run_task
from tests.analytics.analytics_data import add_scan, at, period
from tests.codes.factories import CampaignGroupFactory, QRCodeFactory

COUNTRIES = ["FR", "DE", "US", "", "JP"]
DEVICES = ["mobile", "tablet", "desktop", "other"]


def seed_scans(codes, *, days, per_day, seed=7, first=datetime(2026, 2, 20, tzinfo=UTC)):
    rng = random.Random(seed)
    for day in range(days):
        for _ in range(per_day):
            when = first + timedelta(days=day, seconds=rng.randrange(86_400))
            add_scan(
                rng.choice(codes),
                when,
                visitor=rng.choice(["ann", "ben", "cat", "dan", ""]),
                country=rng.choice(COUNTRIES),
                device_type=rng.choice(DEVICES),
                os=rng.choice(["iOS", "Android", ""]),
                browser=rng.choice(["Chrome", "Mobile Safari"]),
                referrer_host=rng.choice(["", "t.co", "instagram.com"]),
                language=rng.choice(["fr-FR", "en-US", ""]),
                is_bot=rng.random() < 0.1,
            )


def as_dict(report):
    """Everything a report says, in plain values, for comparing two reports."""
    return {
        "totals": report.totals,
        "previous": report.previous,
        "series": [(p.label, p.scans, p.unique_scans) for p in report.series],
        "previous_series": [(p.label, p.scans, p.unique_scans) for p in report.previous_series],
        "breakdowns": {
            name: [(r.value, r.scans, r.unique_scans) for r in rows]
            for name, rows in report.breakdowns.items()
        },
        "top_codes": [(r.code.pk, r.scans, r.unique_scans) for r in report.top_codes or []],
    }


@pytest.fixture
def world(acme):
    spring = CampaignGroupFactory(workspace=acme, name="Spring")
    autumn = CampaignGroupFactory(workspace=acme, name="Autumn")
    codes = [
        QRCodeFactory(workspace=acme, group=spring),
        QRCodeFactory(workspace=acme, group=spring),
        QRCodeFactory(workspace=acme, group=autumn),
        QRCodeFactory(workspace=acme),
    ]
    seed_scans(codes, days=40, per_day=12)
    return acme, spring, autumn, codes


def reports(world, **params):
    acme, spring, _autumn, codes = world
    options = period(**params)
    for use_rollups in (True, False):
        yield [
            as_dict(analytics_for_workspace(workspace=acme, period=options, use_rollups=use_rollups)),
            as_dict(analytics_for_group(workspace=acme, public_id=spring.public_id, period=options, use_rollups=use_rollups)),
            as_dict(analytics_for_code(workspace=acme, public_id=codes[0].public_id, period=options, use_rollups=use_rollups)),
        ]  # fmt: skip


@pytest.mark.parametrize(
    "params",
    [
        {"start": "2026-02-22", "end": "2026-03-28"},
        {
            "start": "2026-02-22",
            "end": "2026-03-28",
            "timezone": "Europe/Paris",
            "interval": "week",
        },
        {
            "start": "2026-03-01",
            "end": "2026-03-03",
            "timezone": "America/New_York",
            "interval": "hour",
        },
        {
            "start": "2026-02-20",
            "end": "2026-03-31",
            "timezone": "Asia/Kolkata",
            "include_bots": "true",
        },
        {"start": "2026-01-01", "end": "2026-03-31", "interval": "month"},
    ],
)
def test_rollups_give_the_same_numbers_as_the_raw_scans(world, params, time_machine):
    time_machine.move_to("2026-04-02 12:00Z")
    run = rollup_run()
    assert run.claimed
    assert RollupDay.objects.count() == 41  # Feb 20 .. Apr 1, the last finished day

    with_rollups, raw = reports(world, **params)

    assert with_rollups == raw
    assert with_rollups[0]["totals"].scans > 0


def test_rollup_rows_match_raw_counts_per_day(world):
    for day in range(40):
        rollup_day(day=date(2026, 2, 20) + timedelta(days=day))
    acme = world[0]
    codes_total = sum(ScanHourRollup.objects.filter(scope=1).values_list("scans", flat=True))
    workspace_total = sum(
        ScanHourRollup.objects.filter(scope=3, scope_id=acme.pk).values_list("scans", flat=True)
    )
    countries = ScanDimensionRollup.objects.filter(scope=3, dimension=1)

    assert codes_total == workspace_total == 40 * 12
    assert sum(countries.values_list("scans", flat=True)) == 40 * 12
    assert sum(RollupDay.objects.values_list("scans", flat=True)) == 40 * 12


def test_rolling_a_day_up_twice_counts_it_once(world):
    day = date(2026, 3, 1)
    first = rollup_day(day=day)
    rows = ScanHourRollup.objects.count()

    assert rollup_day(day=day) == first == 12
    assert ScanHourRollup.objects.count() == rows


def test_a_second_worker_backs_off_while_the_first_holds_the_claim(world, time_machine):
    time_machine.move_to("2026-04-02 12:00Z")
    from analytics.rollups import _claim

    assert _claim("worker-a", datetime(2026, 4, 2, 12, tzinfo=UTC))
    assert rollup_run(owner="worker-b").claimed is False
    assert RollupDay.objects.count() == 0
    # A claim that was never renewed expires; then the next worker takes over.
    time_machine.move_to("2026-04-02 13:00Z")
    assert rollup_run(owner="worker-b").claimed is True
    assert RollupDay.objects.count() == 41  # Feb 20 .. Apr 1, the last finished day


def test_the_task_rolls_up_finished_days_only_and_then_nothing_more(world, time_machine):
    time_machine.move_to("2026-03-10 00:03Z")  # March 9 ended 3 minutes ago: not settled yet
    assert rollup_run_task() == 17  # Feb 20 .. Mar 8
    time_machine.move_to("2026-03-10 00:06Z")
    assert rollup_run_task() == 1  # Mar 9
    assert rollup_run_task() == 0


def test_a_late_scan_for_a_rolled_up_day_is_counted_on_the_next_run(world, time_machine):
    acme, _spring, _autumn, codes = world
    time_machine.move_to("2026-04-02 12:00Z")
    rollup_run()
    before = analytics_for_workspace(
        workspace=acme, period=period(start="2026-03-01", end="2026-03-01")
    )

    add_scan(codes[0], at("2026-03-01 10:00"), visitor="late")  # a buffered scan arriving late
    time_machine.move_to("2026-04-02 12:05Z")
    run = rollup_run()

    after = analytics_for_workspace(
        workspace=acme, period=period(start="2026-03-01", end="2026-03-01")
    )
    assert run.days == [date(2026, 3, 1)]
    assert after.totals.scans == before.totals.scans + 1


def test_moving_a_code_to_another_group_moves_its_history(world, time_machine):
    _acme, spring, autumn, codes = world
    time_machine.move_to("2026-04-02 12:00Z")
    rollup_run()
    codes[0].group = autumn
    codes[0].save(update_fields=["group"])

    run = rollup_run()

    assert run.groups == {spring.pk, autumn.pk}
    with_rollups, raw = reports(world, start="2026-02-20", end="2026-03-31")
    assert with_rollups == raw


def test_the_command_redoes_days_after_scans_were_removed(world, time_machine):
    from django.core.management import call_command

    from analytics.models import Scan

    time_machine.move_to("2026-04-02 12:00Z")
    call_command("analytics_rollup")
    Scan.objects.filter(scanned_at__date="2026-03-01").delete()  # around the services

    call_command("analytics_rollup", "--redo", "2026-03-01", "2026-03-01")

    with_rollups, raw = reports(world, start="2026-02-22", end="2026-03-28")
    assert with_rollups == raw
