"""Parsing the analytics period: what the API and the dashboard both accept and refuse."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from analytics.ranges import parse_period


def refused_field(params) -> str:
    with pytest.raises(ValidationError) as excinfo:
        parse_period(params)
    return next(iter(excinfo.value.error_dict))


def test_the_seed_example_is_a_week_of_days_in_utc():
    period = parse_period({"start": "2026-03-01", "end": "2026-03-08"})

    assert (period.start, period.end, period.days) == (date(2026, 3, 1), date(2026, 3, 8), 8)
    assert (period.timezone_name, period.interval, period.include_bots) == ("UTC", "day", False)


def test_presets_count_back_from_today_in_the_time_zone():
    period = parse_period({"range": "7d", "timezone": "Asia/Tokyo"}, today=date(2026, 3, 10))

    assert (period.start, period.end) == (date(2026, 3, 4), date(2026, 3, 10))


def test_the_dashboard_picks_an_interval_to_suit_the_length():
    assert parse_period({"range": "90d"}, default_interval=None).interval == "day"
    assert (
        parse_period({"start": "2026-03-01", "end": "2026-03-01"}, default_interval=None).interval
        == "hour"
    )
    assert (
        parse_period({"start": "2025-03-01", "end": "2026-03-01"}, default_interval=None).interval
        == "week"
    )


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"start": "2026-03-08", "end": "2026-03-01"}, "end"),
        ({"start": "2024-01-01", "end": "2026-03-01"}, "end"),
        ({"start": "yesterday"}, "start"),
        ({"end": "2026-02-30"}, "end"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"timezone": "../../etc/passwd"}, "timezone"),
        ({"interval": "fortnight"}, "interval"),
        ({"start": "2026-01-01", "end": "2026-03-01", "interval": "hour"}, "interval"),
        ({"include_bots": "maybe"}, "include_bots"),
        ({"range": "1000d"}, "range"),
    ],
)
def test_bad_input_names_the_field(params, field):
    assert refused_field(params) == field


def test_two_years_is_the_longest_range():
    assert parse_period({"start": "2024-03-01", "end": "2026-02-28"}).days == 730
    assert parse_period({"start": "2024-03-01", "end": "2026-03-01"}).days == 731
    assert refused_field({"start": "2024-03-01", "end": "2026-03-02"}) == "end"
