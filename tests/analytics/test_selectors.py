"""Analytics selectors against scans at known times and places."""

import pytest
from django.http import Http404

from analytics.selectors import analytics_for_code, analytics_for_group, analytics_for_workspace
from tests.analytics.analytics_data import add_scan, period
from tests.codes.factories import CampaignGroupFactory, QRCodeFactory


@pytest.fixture
def code(acme):
    return QRCodeFactory(workspace=acme, name="Poster")


def report_for(code, **params):
    return analytics_for_code(
        workspace=code.workspace, public_id=code.public_id, period=period(**params)
    )


def test_counts_scans_and_unique_scans(code):
    add_scan(code, "2026-03-02 09:00", visitor="ann")
    add_scan(code, "2026-03-02 09:05", visitor="ann")
    add_scan(code, "2026-03-02 18:00", visitor="ann")
    add_scan(code, "2026-03-02 10:00", visitor="ben")

    report = report_for(code, start="2026-03-01", end="2026-03-08")

    assert report.totals.scans == 4
    assert report.totals.unique_scans == 2


def test_the_same_visitor_on_two_utc_days_is_two_unique_scans(code):
    # The visitor hash rotates every UTC day: nobody can be followed across days.
    add_scan(code, "2026-03-02 09:00", visitor="ann")
    add_scan(code, "2026-03-03 09:00", visitor="ann")

    assert report_for(code, start="2026-03-01", end="2026-03-08").totals.unique_scans == 2


def test_a_scanner_without_a_visitor_hash_counts_but_never_as_unique(code):
    add_scan(code, "2026-03-02 09:00", visitor="")
    add_scan(code, "2026-03-02 09:01", visitor="")

    totals = report_for(code, start="2026-03-02", end="2026-03-02").totals
    assert (totals.scans, totals.unique_scans) == (2, 0)


def test_the_daily_series_is_zero_filled(code):
    add_scan(code, "2026-03-01 12:00")
    add_scan(code, "2026-03-03 12:00", visitor="ben")
    add_scan(code, "2026-03-03 13:00", visitor="cat")

    series = report_for(code, start="2026-03-01", end="2026-03-05").series

    assert [(p.label, p.scans) for p in series] == [
        ("2026-03-01", 1),
        ("2026-03-02", 0),
        ("2026-03-03", 2),
        ("2026-03-04", 0),
        ("2026-03-05", 0),
    ]
    assert sum(p.scans for p in series) == 3


def test_a_scan_at_2330_utc_lands_on_the_next_day_in_paris(code):
    add_scan(code, "2026-03-01 23:30")

    paris = report_for(code, start="2026-03-01", end="2026-03-02", timezone="Europe/Paris")
    utc = report_for(code, start="2026-03-01", end="2026-03-02", timezone="UTC")

    assert [(p.label, p.scans) for p in paris.series] == [("2026-03-01", 0), ("2026-03-02", 1)]
    assert [(p.label, p.scans) for p in utc.series] == [("2026-03-01", 1), ("2026-03-02", 0)]
    assert paris.series[1].start.isoformat() == "2026-03-02T00:00:00+01:00"
    only_march_2_in_paris = report_for(
        code, start="2026-03-02", end="2026-03-02", timezone="Europe/Paris"
    )
    assert only_march_2_in_paris.totals.scans == 1


def test_a_range_in_paris_includes_the_utc_evening_before_and_stops_at_local_midnight(code):
    add_scan(code, "2026-02-28 22:59")  # 23:59 in Paris, Feb 28: outside
    add_scan(code, "2026-02-28 23:00", visitor="ben")  # 00:00 in Paris, Mar 1: inside
    add_scan(code, "2026-03-08 22:59", visitor="cat")  # 23:59 in Paris, Mar 8: inside
    add_scan(code, "2026-03-08 23:00", visitor="dan")  # 00:00 in Paris, Mar 9: outside

    report = report_for(code, start="2026-03-01", end="2026-03-08", timezone="Europe/Paris")

    assert report.totals.scans == 2
    assert report.series[0].scans == 1
    assert report.series[-1].scans == 1


def test_hourly_series_across_the_spring_dst_change_has_23_hours(code):
    add_scan(code, "2026-03-29 01:30")  # 03:30 in Paris, just after clocks went forward

    report = report_for(
        code, start="2026-03-29", end="2026-03-29", timezone="Europe/Paris", interval="hour"
    )

    assert len(report.series) == 23
    assert [p.label for p in report.series if p.scans] == ["2026-03-29T03:00"]


def test_weekly_and_monthly_series_sum_to_the_totals(code):
    for day in range(1, 29, 3):
        add_scan(code, f"2026-02-{day:02d} 12:00", visitor=f"v{day}")
    add_scan(code, "2026-03-04 12:00")

    weekly = report_for(code, start="2026-02-01", end="2026-03-10", interval="week")
    monthly = report_for(code, start="2026-02-01", end="2026-03-10", interval="month")

    assert weekly.series[0].label == "2026-01-26"  # the ISO week holding Feb 1
    assert [p.label for p in monthly.series] == ["2026-02", "2026-03"]
    assert [p.scans for p in monthly.series] == [10, 1]
    assert sum(p.scans for p in weekly.series) == weekly.totals.scans == 11


def test_bots_are_left_out_unless_asked_for(code):
    add_scan(code, "2026-03-02 09:00", visitor="ann")
    add_scan(
        code, "2026-03-02 09:00", visitor="crawler", is_bot=True, device_type="bot", country="US"
    )

    humans = report_for(code, start="2026-03-02", end="2026-03-02")
    everyone = report_for(code, start="2026-03-02", end="2026-03-02", include_bots="true")

    assert (humans.totals.scans, humans.totals.bot_scans) == (1, 1)
    assert [row.value for row in humans.breakdowns["countries"]] == ["FR"]
    assert (everyone.totals.scans, everyone.totals.unique_scans) == (2, 2)
    assert {row.value for row in everyone.breakdowns["devices"]} == {"mobile", "bot"}


def test_every_breakdown_sums_to_the_totals_even_when_cut_short(code):
    countries = ["FR", "FR", "DE", "US", "US", "US", "", "JP"]
    for index, country in enumerate(countries):
        add_scan(
            code,
            f"2026-03-02 1{index}:00",
            visitor=f"v{index % 3}",
            country=country,
            os=["iOS", "Android"][index % 2],
            referrer_host=["", "instagram.com", "t.co"][index % 3],
            language=["fr-FR", "en-US", ""][index % 3],
        )

    report = analytics_for_code(
        workspace=code.workspace,
        public_id=code.public_id,
        period=period(start="2026-03-01", end="2026-03-08"),
        limit=2,
    )

    assert report.totals.scans == 8
    for name, rows in report.breakdowns.items():
        assert sum(row.scans for row in rows) == report.totals.scans, name
        assert sum(row.unique_scans for row in rows) == report.totals.unique_scans, name
    countries_rows = report.breakdowns["countries"]
    assert [(r.value, r.label, r.scans) for r in countries_rows] == [
        ("US", "United States", 3),
        ("FR", "France", 2),
        (None, "Other (3 more)", 3),
    ]
    assert round(sum(r.share for r in countries_rows), 6) == 1


def test_the_previous_period_of_equal_length_is_compared(code):
    add_scan(code, "2026-02-25 10:00")  # previous 7 days: Feb 22..28
    add_scan(code, "2026-03-02 10:00", visitor="ben")
    add_scan(code, "2026-03-03 10:00", visitor="cat")

    report = report_for(code, start="2026-03-01", end="2026-03-07")

    assert (report.previous_period.start.isoformat(), report.previous_period.end.isoformat()) == (
        "2026-02-22",
        "2026-02-28",
    )
    assert report.previous.scans == 1
    assert report.change("scans") == 1.0
    assert len(report.previous_series) == 7


def test_the_default_range_is_the_last_30_days(code, time_machine):
    time_machine.move_to("2026-03-31 12:00Z")
    add_scan(code, "2026-03-02 10:00")  # the first of the 30 days
    add_scan(code, "2026-03-01 10:00", visitor="ben")  # one day too early

    report = analytics_for_code(workspace=code.workspace, public_id=code.public_id, period=period())

    assert (report.period.start.isoformat(), report.period.end.isoformat()) == (
        "2026-03-02",
        "2026-03-31",
    )
    assert report.totals.scans == 1


def test_a_group_counts_the_codes_in_it_and_ranks_them(acme):
    group = CampaignGroupFactory(workspace=acme, name="Spring")
    poster = QRCodeFactory(workspace=acme, group=group, name="Poster")
    flyer = QRCodeFactory(workspace=acme, group=group, name="Flyer")
    loose = QRCodeFactory(workspace=acme, name="Elsewhere")
    add_scan(poster, "2026-03-02 10:00")
    for minute in range(3):
        add_scan(flyer, f"2026-03-02 10:0{minute}", visitor=f"v{minute}")
    add_scan(loose, "2026-03-02 10:00")

    report = analytics_for_group(
        workspace=acme,
        public_id=group.public_id,
        period=period(start="2026-03-02", end="2026-03-02"),
    )
    everything = analytics_for_workspace(
        workspace=acme, period=period(start="2026-03-02", end="2026-03-02")
    )

    assert report.totals.scans == 4
    assert [(row.code.name, row.scans) for row in report.top_codes] == [("Flyer", 3), ("Poster", 1)]
    assert everything.totals.scans == 5
    assert sum(row.scans for row in everything.top_codes) == 5


def test_another_workspaces_code_and_group_are_not_found(acme, globex):
    code = QRCodeFactory(workspace=acme)
    group = CampaignGroupFactory(workspace=acme)
    add_scan(code, "2026-03-02 10:00")
    week = period(start="2026-03-01", end="2026-03-07")

    with pytest.raises(Http404):
        analytics_for_code(workspace=globex, public_id=code.public_id, period=week)
    with pytest.raises(Http404):
        analytics_for_group(workspace=globex, public_id=group.public_id, period=week)
    with pytest.raises(Http404):
        analytics_for_code(workspace=acme, public_id="code_doesnotexist", period=week)
    assert analytics_for_workspace(workspace=globex, period=week).totals.scans == 0
