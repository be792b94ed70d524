"""The period an analytics request asks about: whole dates in a time zone, a series interval,
and whether bots count. One parser serves the API and the dashboard, so both refuse the same
input with the same field name and message.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.exceptions import ValidationError
from django.utils import timezone

INTERVALS = ("hour", "day", "week", "month")
# Two years, a leap day included.
MAX_DAYS = 731
# An hourly series over a longer range would have more points than a chart can show.
MAX_HOURLY_DAYS = 31
DEFAULT_DAYS = 30
# The dashboard's range presets: the last N days, today included.
PRESETS = {"7d": 7, "30d": 30, "90d": 90}
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


@dataclass(frozen=True)
class Period:
    """Dates `start`..`end` (both included) in `tz`; `interval` buckets the time series."""

    start: date
    end: date
    tz: ZoneInfo
    interval: str = "day"
    include_bots: bool = False

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def start_at(self) -> datetime:
        """Local midnight at the start, as a UTC instant."""
        return datetime.combine(self.start, time(), self.tz).astimezone(UTC)

    @property
    def end_at(self) -> datetime:
        """Local midnight after the last day (exclusive), as a UTC instant."""
        return datetime.combine(self.end + timedelta(days=1), time(), self.tz).astimezone(UTC)

    @property
    def timezone_name(self) -> str:
        return self.tz.key

    def previous(self) -> Period:
        """The period of the same length just before this one."""
        return replace(
            self, start=self.start - timedelta(days=self.days), end=self.start - timedelta(days=1)
        )

    def buckets(self) -> list[datetime]:
        """Every bucket start of the series as a naive local wall time, gaps included."""
        if self.interval == "hour":
            keys: list[datetime] = []
            instant, stop = self.start_at, self.end_at
            while instant < stop:
                # Keyed by wall time: the repeated hour when clocks go back is one bucket.
                key = instant.astimezone(self.tz).replace(tzinfo=None, fold=0)
                if not keys or keys[-1] != key:
                    keys.append(key)
                instant += timedelta(hours=1)
            return keys
        keys = []
        current = bucket_key(datetime.combine(self.start, time()), self.interval)
        while current.date() <= self.end:
            keys.append(current)
            current = _next_bucket(current, self.interval)
        return keys

    def bucket_start_at(self, key: datetime) -> datetime:
        """The instant a bucket starts (clipped to the period for weeks and months)."""
        return max(key.replace(tzinfo=self.tz).astimezone(UTC), self.start_at)

    def hour_aligned(self, unit: int = 3600) -> bool:
        """True when every bucket boundary falls on a whole UTC hour, so hourly rollups can
        answer the series (false for zones like Asia/Kolkata, +05:30). With unit=86400: on
        UTC midnight, so daily rollups can (UTC itself, for day, week and month buckets)."""
        if unit == 86400 and self.interval == "hour":
            return False
        if self.interval == "hour":
            samples = [self.start_at + timedelta(hours=h) for h in range(0, self.days * 24 + 1, 24)]
        else:
            samples = [self.bucket_start_at(key) for key in self.buckets()] + [self.end_at]
        return all(instant.astimezone(self.tz).utcoffset().total_seconds() % unit == 0
                   for instant in samples)  # fmt: skip


def bucket_key(value: datetime, interval: str) -> datetime:
    """The start of the bucket holding a naive local wall time."""
    if interval == "hour":
        return value.replace(minute=0, second=0, microsecond=0)
    day = value.replace(hour=0, minute=0, second=0, microsecond=0)
    if interval == "week":  # ISO weeks start on Monday, as the databases truncate them
        return day - timedelta(days=day.weekday())
    if interval == "month":
        return day.replace(day=1)
    return day


def _next_bucket(key: datetime, interval: str) -> datetime:
    if interval == "week":
        return key + timedelta(days=7)
    if interval == "month":
        return key.replace(year=key.year + key.month // 12, month=key.month % 12 + 1)
    return key + timedelta(days=1)


def bucket_label(key: datetime, interval: str) -> str:
    """The bucket as the API names it: 2026-03-01, 2026-03-01T14:00, 2026-03."""
    if interval == "hour":
        return key.strftime("%Y-%m-%dT%H:00")
    if interval == "month":
        return key.strftime("%Y-%m")
    return key.date().isoformat()


def auto_interval(days: int) -> str:
    """The dashboard's choice when none is asked for: about 7 to 120 points per chart."""
    if days <= 2:
        return "hour"
    if days <= 120:
        return "day"
    if days <= 400:
        return "week"
    return "month"


# Far enough inside date.min/date.max that the previous period, a whole-week or whole-month
# bucket and any time zone's midnight all stay representable (else: OverflowError, a 500).
EARLIEST_DATE, LATEST_DATE = date(1970, 1, 1), date(9998, 12, 31)


def _parse_date(raw: str, field: str) -> date:
    try:
        value = date.fromisoformat(raw.strip())
    except ValueError:
        raise ValidationError(
            {field: f"Enter {field} as a date, YYYY-MM-DD (got {raw[:40]!r})."}, code="invalid"
        ) from None
    if not EARLIEST_DATE <= value <= LATEST_DATE:
        raise ValidationError(
            {field: f"Choose a date from {EARLIEST_DATE} to {LATEST_DATE}."}, code="invalid"
        )
    return value


def parse_timezone(raw: str | None) -> ZoneInfo:
    name = (raw or "").strip() or "UTC"
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError(
            {"timezone": f"Unknown time zone {name[:60]!r}; use an IANA name like Europe/Paris."},
            code="invalid",
        ) from None


def parse_bool(raw: str | None, field: str) -> bool:
    value = (raw or "").strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValidationError({field: "Use true or false."}, code="invalid")


def parse_period(
    data, *, default_interval: str | None = "day", today: date | None = None
) -> Period:
    """A Period from query parameters, or ValidationError naming the field at fault.

    Parameters: `start`, `end` (dates, both included; default the last 30 days), `range`
    (a preset: 7d, 30d, 90d), `timezone` (IANA name, default UTC), `interval`
    (hour/day/week/month; None picks one to suit the length), `include_bots`.
    """
    tz = parse_timezone(data.get("timezone"))
    today = today or timezone.now().astimezone(tz).date()
    raw_start, raw_end = (data.get("start") or "").strip(), (data.get("end") or "").strip()
    preset = (data.get("range") or "").strip()
    if preset and preset != "custom" and not (raw_start or raw_end):
        if preset not in PRESETS:
            raise ValidationError(
                {"range": f"Choose one of {', '.join(PRESETS)} or custom."}, code="invalid"
            )
        end, start = today, today - timedelta(days=PRESETS[preset] - 1)
    else:
        end = _parse_date(raw_end, "end") if raw_end else None
        start = _parse_date(raw_start, "start") if raw_start else None
        if end is None:
            end = (
                today
                if start is None or start <= today
                else start + timedelta(days=DEFAULT_DAYS - 1)
            )
        if start is None:
            start = end - timedelta(days=DEFAULT_DAYS - 1)
    if end < start:
        raise ValidationError({"end": "end must be on or after start."}, code="invalid")
    days = (end - start).days + 1
    if days > MAX_DAYS:
        raise ValidationError(
            {
                "end": f"The range covers {days} days; it may cover at most 2 years ({MAX_DAYS} days)."
            },
            code="invalid",
        )
    interval = (
        (data.get("interval") or "").strip().lower() or default_interval or auto_interval(days)
    )
    if interval not in INTERVALS:
        raise ValidationError(
            {"interval": f"Choose one of {', '.join(INTERVALS)}."}, code="invalid"
        )
    if interval == "hour" and days > MAX_HOURLY_DAYS:
        raise ValidationError(
            {
                "interval": f"An hourly series covers at most {MAX_HOURLY_DAYS} days; choose day, week or month."
            },
            code="invalid",
        )
    include_bots = parse_bool(data.get("include_bots"), "include_bots")
    return Period(start=start, end=end, tz=tz, interval=interval, include_bots=include_bots)
