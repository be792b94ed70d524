"""The counting behind the analytics selectors, from rollups where they exist and from the raw
scans everywhere else (today, partial UTC days at the edges of a local-time range, days not
rolled up yet). Both sources give the same numbers; tests hold them to it.

Raw counting needs one SQL feature the ORM cannot aggregate over: a window function that
ranks each visitor's scans of a code within a UTC day (rank 1 is a unique scan). So the ORM
builds the inner query (portable filters, time-zone truncation, the window) and a small outer
statement in SQL that SQLite and PostgreSQL both accept groups it. Those statements are built
from constants and the ORM's own compiled SQL, with every value passed as a parameter.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from django.db import connection
from django.db.models import (
    Case,
    CharField,
    DateField,
    DateTimeField,
    F,
    IntegerField,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.expressions import Window
from django.db.models.functions import Concat, RowNumber, Trunc, TruncDate

from analytics.models import (
    RollupDay,
    Scan,
    ScanCodeRollup,
    ScanDimensionRollup,
    ScanHourRollup,
)
from analytics.rollup_models import Dimension, Grain, RollupScope

BREAKDOWNS = {
    Dimension.COUNTRY: "country",
    Dimension.DEVICE_TYPE: "device_type",
    Dimension.OS: "os",
    Dimension.BROWSER: "browser",
    Dimension.REFERRER: "referrer_host",
    Dimension.LANGUAGE: "language",
    Dimension.CITY: "place",
}
# A city is counted with its country (see Dimension.CITY); the scan row keeps them apart.
PLACE = Case(
    When(city="", then=Value("")),
    default=Concat("country", Value(":"), "city"),
    output_field=CharField(),
)
_SCAN_COLUMNS = ["id", "code_id", "workspace_id", "is_bot", "visitor_hash", *BREAKDOWNS.values()]
# A unique scan: first of its visitor, code, kind (bot or not) and UTC day, with a hash at all
# (a scanner who sent Sec-GPC has none and is counted, but never as unique).
UNIQUE_SQL = "SUM(CASE WHEN t.rn = 1 AND t.visitor_hash <> '' THEN 1 ELSE 0 END)"
# Turns one scan row into one row per breakdown dimension (CROSS JOIN + CASE works in SQLite
# and PostgreSQL alike, unlike LATERAL or GROUPING SETS).
DIMENSIONS_SQL = " UNION ALL ".join(f"SELECT {int(d)} AS dim" for d in BREAKDOWNS)
VALUE_SQL = (
    "CASE d.dim "
    + " ".join(f"WHEN {int(d)} THEN t.{column}" for d, column in BREAKDOWNS.items())
    + " END"
)

Counts = dict  # key -> [scans, uniques]


@dataclass(frozen=True)
class Scope:
    """What is counted: one code, a group's current codes, or a whole workspace."""

    kind: int
    pk: int
    workspace_id: int

    def scans(self) -> QuerySet:
        if self.kind == RollupScope.CODE:
            return Scan.objects.filter(code_id=self.pk)
        if self.kind == RollupScope.GROUP:
            return Scan.objects.filter(workspace_id=self.workspace_id, code__group_id=self.pk)
        # A workspace's live report and its sandbox report split its scans by their code.
        sandbox = self.kind == RollupScope.SANDBOX
        return Scan.objects.filter(workspace_id=self.pk, code__is_test=sandbox)

    def rollup_filter(self) -> Q:
        return Q(scope=self.kind, scope_id=self.pk)


@dataclass
class Plan:
    """Which parts of [start, end) come from rollups (whole UTC days) and which from scans."""

    days: list[tuple[date, date]] = field(default_factory=list)  # inclusive runs
    raw: list[tuple[datetime, datetime]] = field(default_factory=list)


def utc_midnight(instant: datetime) -> datetime:
    return datetime.combine(instant.astimezone(UTC).date(), time(), UTC)


def rolled_up_days(start: datetime, end: datetime) -> set[date]:
    """The UTC days between two instants whose rollups are complete (the ledger)."""
    return set(
        RollupDay.objects.filter(day__gte=start.date(), day__lte=end.date()).values_list(
            "day", flat=True
        )
    )


def plan(
    start: datetime, end: datetime, *, use_rollups: bool = True, covered: set[date] | None = None
) -> Plan:
    """Split a UTC range into rolled-up whole days and the raw remainder; `covered` is the
    ledger read once for a wider range (a report asks four questions about two periods)."""
    if not use_rollups or end <= start:
        return Plan(raw=[(start, end)] if end > start else [])
    first = utc_midnight(start)
    if first < start:
        first += timedelta(days=1)
    last = utc_midnight(end)  # exclusive
    if last <= first:
        return Plan(raw=[(start, end)])
    if covered is None:
        covered = rolled_up_days(first, last)
    result = Plan()
    for day in sorted(d for d in covered if first.date() <= d < last.date()):
        if result.days and result.days[-1][1] == day - timedelta(days=1):
            result.days[-1] = (result.days[-1][0], day)
        else:
            result.days.append((day, day))
    cursor = start
    for first_day, last_day in result.days:
        run_start = datetime.combine(first_day, time(), UTC)
        if cursor < run_start:
            result.raw.append((cursor, run_start))
        cursor = datetime.combine(last_day + timedelta(days=1), time(), UTC)
    if cursor < end:
        result.raw.append((cursor, end))
    return result


def _add(target: Counts, key, scans: int, uniques: int) -> None:
    entry = target.setdefault(key, [0, 0])
    entry[0] += int(scans or 0)
    entry[1] += int(uniques or 0)


# --- raw scans ----------------------------------------------------------------------------------


def ranked_scans_sql(scans: QuerySet, ranges: list[tuple[datetime, datetime]], **annotations):
    """SQL and params selecting the scans in `ranges` with `rn`, the scan's rank among the
    same visitor's scans of the code that UTC day, and `in_range`. The window starts reading
    at UTC midnight, so a range starting mid-day still ranks earlier scans of that day."""
    reach, inside = Q(), Q()
    for start, end in ranges:
        reach |= Q(scanned_at__gte=utc_midnight(start), scanned_at__lt=end)
        inside |= Q(scanned_at__gte=start, scanned_at__lt=end)
    rank = Window(
        RowNumber(),
        partition_by=[
            F("code_id"),
            F("visitor_hash"),
            F("is_bot"),
            TruncDate("scanned_at", tzinfo=UTC),
        ],
        order_by=[F("scanned_at").asc(), F("id").asc()],
    )
    queryset = (
        scans.filter(reach)
        .order_by()
        .annotate(
            in_range=Case(
                When(inside, then=Value(1)), default=Value(0), output_field=IntegerField()
            ),
            rn=rank,
            place=PLACE,
            **annotations,
        )
        .values(*_SCAN_COLUMNS, "scanned_at", "in_range", "rn", *annotations)
    )
    sql, params = queryset.query.sql_with_params()
    return sql, list(params)


def _fetch(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def local_key(value, tz) -> datetime:
    """A truncated bucket from either database as a naive local wall time."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    elif not isinstance(value, datetime):
        value = datetime.combine(value, time())
    if value.tzinfo is not None:
        value = value.astimezone(tz).replace(tzinfo=None)
    return value


def raw_series(scope: Scope, ranges, *, interval: str, tz) -> Counts:
    """{(bucket, is_bot): [scans, uniques]} from the scans."""
    if not ranges:
        return {}
    bucket = Trunc("scanned_at", interval, output_field=DateTimeField(), tzinfo=tz)
    inner, params = ranked_scans_sql(scope.scans(), ranges, bucket=bucket)
    sql = (
        f"SELECT t.bucket, t.is_bot, COUNT(*), {UNIQUE_SQL} FROM ({inner}) t "  # noqa: S608
        "WHERE t.in_range = 1 GROUP BY t.bucket, t.is_bot"
    )
    counts: Counts = {}
    for bucket_value, is_bot, scans, uniques in _fetch(sql, params):
        _add(counts, (local_key(bucket_value, tz), bool(is_bot)), scans, uniques)
    return counts


def _humans(include_bots: bool) -> str:
    return "" if include_bots else " AND t.is_bot = %s"


def raw_breakdowns(scope: Scope, ranges, *, include_bots: bool = True) -> Counts:
    """{(dimension, value, is_bot): [scans, uniques]} from the scans."""
    if not ranges:
        return {}
    inner, params = ranked_scans_sql(scope.scans(), ranges)
    params += [] if include_bots else [False]
    sql = (
        f"SELECT d.dim, {VALUE_SQL}, t.is_bot, COUNT(*), {UNIQUE_SQL} "  # noqa: S608
        f"FROM ({inner}) t CROSS JOIN ({DIMENSIONS_SQL}) d "
        f"WHERE t.in_range = 1{_humans(include_bots)} GROUP BY 1, 2, 3"
    )
    counts: Counts = {}
    for dim, value, is_bot, scans, uniques in _fetch(sql, params):
        _add(counts, (int(dim), value or "", bool(is_bot)), scans, uniques)
    return counts


def raw_top_codes(scope: Scope, ranges, *, include_bots: bool = True) -> Counts:
    """{(code pk, is_bot): [scans, uniques]} from the scans."""
    if not ranges:
        return {}
    inner, params = ranked_scans_sql(scope.scans(), ranges)
    params += [] if include_bots else [False]
    sql = (
        f"SELECT t.code_id, t.is_bot, COUNT(*), {UNIQUE_SQL} FROM ({inner}) t "  # noqa: S608
        f"WHERE t.in_range = 1{_humans(include_bots)} GROUP BY t.code_id, t.is_bot"
    )
    counts: Counts = {}
    for code_id, is_bot, scans, uniques in _fetch(sql, params):
        _add(counts, (int(code_id), bool(is_bot)), scans, uniques)
    return counts


# --- rollups ------------------------------------------------------------------------------------


def _day_runs_q(runs: list[tuple[date, date]], column: str) -> Q:
    condition = Q(pk__in=[])
    for first, last in runs:
        condition |= Q(**{f"{column}__gte": first, f"{column}__lte": last})
    return condition


def rollup_series(scope: Scope, runs, *, interval: str, tz) -> Counts:
    if not runs:
        return {}
    hours = Q(pk__in=[])
    for first, last in runs:
        hours |= Q(
            hour__gte=datetime.combine(first, time(), UTC),
            hour__lt=datetime.combine(last + timedelta(days=1), time(), UTC),
        )
    rows = (
        ScanHourRollup.objects.filter(scope.rollup_filter(), hours)
        .annotate(bucket=Trunc("hour", interval, output_field=DateTimeField(), tzinfo=tz))
        .values("bucket", "is_bot")
        .annotate(n=Sum("scans"), u=Sum("uniques"))
        .order_by()
    )
    counts: Counts = {}
    for row in rows:
        _add(counts, (local_key(row["bucket"], tz), row["is_bot"]), row["n"], row["u"])
    return counts


def _bots_q(include_bots: bool) -> Q:
    return Q() if include_bots else Q(is_bot=False)


def rollup_daily_series(scope: Scope, runs, *, interval: str) -> Counts:
    """The series from day rows: a dimension's values sum to the day's total, and a day has a
    handful of device types against 24 hour rows. Only for buckets that start at UTC midnight."""
    if not runs:
        return {}
    rows = (
        ScanDimensionRollup.objects.filter(
            scope.rollup_filter(), _day_runs_q(runs, "period"), dimension=Dimension.DEVICE_TYPE
        )
        .annotate(bucket=Trunc("period", interval, output_field=DateField()))
        .values("bucket", "is_bot")
        .annotate(n=Sum("scans"), u=Sum("uniques"))
        .order_by()
    )
    counts: Counts = {}
    for row in rows:
        _add(counts, (local_key(row["bucket"], UTC), row["is_bot"]), row["n"], row["u"])
    return counts


def rollup_breakdowns(scope: Scope, runs, *, include_bots: bool = True) -> Counts:
    if not runs:
        return {}
    rows = (
        ScanDimensionRollup.objects.filter(
            scope.rollup_filter(),
            _day_runs_q(runs, "period"),
            _bots_q(include_bots),
            dimension__in=list(BREAKDOWNS),
        )
        .values("dimension", "value", "is_bot")
        .annotate(n=Sum("scans"), u=Sum("uniques"))
        .order_by()
    )
    counts: Counts = {}
    for row in rows:
        _add(counts, (row["dimension"], row["value"], row["is_bot"]), row["n"], row["u"])
    return counts


def _month_split(runs) -> tuple[list[date], list[tuple[date, date]]]:
    """Whole UTC months inside the runs (answered by month rows) and the leftover days."""
    months: list[date] = []
    leftovers: list[tuple[date, date]] = []
    for first, last in runs:
        cursor = first
        while cursor <= last:
            month_start = cursor.replace(day=1)
            next_month = (month_start + timedelta(days=32)).replace(day=1)
            month_last = next_month - timedelta(days=1)
            if cursor == month_start and month_last <= last:
                months.append(month_start)
            else:
                leftovers.append((cursor, min(month_last, last)))
            cursor = next_month
    return months, leftovers


def rollup_top_codes(scope: Scope, runs, *, include_bots: bool = True) -> Counts:
    if not runs:
        return {}
    months, leftovers = _month_split(runs)
    # One query per contiguous stretch, so each is a single index range; an OR of ranges
    # makes PostgreSQL read every day the scope ever had.
    stretches = [(Grain.DAY, first, last) for first, last in _merge(leftovers)]
    stretches += [(Grain.MONTH, first, last) for first, last in _merge_months(months)]
    counts: Counts = {}
    for grain, first, last in stretches:
        rows = (
            ScanCodeRollup.objects.filter(
                scope.rollup_filter(),
                _bots_q(include_bots),
                grain=grain,
                period__gte=first,
                period__lte=last,
            )
            .values("code_id", "is_bot")
            .annotate(n=Sum("scans"), u=Sum("uniques"))
            .order_by()
        )
        for row in rows:
            _add(counts, (row["code_id"], row["is_bot"]), row["n"], row["u"])
    return counts


def _merge(runs: list[tuple[date, date]]) -> list[tuple[date, date]]:
    merged: list[tuple[date, date]] = []
    for first, last in sorted(runs):
        if merged and merged[-1][1] + timedelta(days=1) >= first:
            merged[-1] = (merged[-1][0], max(merged[-1][1], last))
        else:
            merged.append((first, last))
    return merged


def _merge_months(months: list[date]) -> list[tuple[date, date]]:
    merged: list[tuple[date, date]] = []
    for month in sorted(months):
        previous = (month - timedelta(days=1)).replace(day=1)
        if merged and merged[-1][1] == previous:
            merged[-1] = (merged[-1][0], month)
        else:
            merged.append((month, month))
    return merged


# --- both ---------------------------------------------------------------------------------------


def series(
    scope: Scope, start, end, *, interval: str, tz, hour_aligned: bool, use_rollups=True,
    covered=None, day_aligned: bool = False,
):  # fmt: skip
    """{(local bucket, is_bot): [scans, uniques]} over [start, end)."""
    split = plan(start, end, use_rollups=use_rollups and hour_aligned, covered=covered)
    if day_aligned:
        counts = rollup_daily_series(scope, split.days, interval=interval)
    else:
        counts = rollup_series(scope, split.days, interval=interval, tz=tz)
    for key, (scans, uniques) in raw_series(scope, split.raw, interval=interval, tz=tz).items():
        _add(counts, key, scans, uniques)
    return counts


def breakdowns(scope: Scope, start, end, *, include_bots, use_rollups=True, covered=None):
    """{(dimension, value, is_bot): [scans, uniques]} over [start, end)."""
    split = plan(start, end, use_rollups=use_rollups, covered=covered)
    counts = rollup_breakdowns(scope, split.days, include_bots=include_bots)
    raw = raw_breakdowns(scope, split.raw, include_bots=include_bots)
    for key, (scans, uniques) in raw.items():
        _add(counts, key, scans, uniques)
    return counts


def top_codes(scope: Scope, start, end, *, include_bots, use_rollups=True, covered=None):
    """{(code pk, is_bot): [scans, uniques]} over [start, end)."""
    split = plan(start, end, use_rollups=use_rollups, covered=covered)
    counts = rollup_top_codes(scope, split.days, include_bots=include_bots)
    raw = raw_top_codes(scope, split.raw, include_bots=include_bots)
    for key, (scans, uniques) in raw.items():
        _add(counts, key, scans, uniques)
    return counts


def fold_bots(counts: Counts, *, include_bots: bool) -> dict:
    """Drop the is_bot part of each key: humans only, or humans and bots together."""
    folded: dict = defaultdict(lambda: [0, 0])
    for key, (scans, uniques) in counts.items():
        *rest, is_bot = key
        if is_bot and not include_bots:
            continue
        entry = folded[tuple(rest) if len(rest) > 1 else rest[0]]
        entry[0] += scans
        entry[1] += uniques
    return dict(folded)
