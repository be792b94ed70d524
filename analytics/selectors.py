"""Analytics reads: the report for a code, a campaign group or a whole workspace.

Ownership goes through the codes selectors (404 for missing and foreign alike); everything is
counted within the caller's workspace. Bots are left out unless asked for; `bot_scans` always
says how many there were. A report's numbers add up: the series sums to the totals, and every
breakdown (with its "Other" row) sums to the totals too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta

from django.conf import settings
from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils import timezone

from accounts.models import Workspace
from analytics import queries
from analytics.labels import label_for
from analytics.models import Scan
from analytics.queries import Scope
from analytics.ranges import Period, bucket_label
from analytics.rollup_models import Dimension, RollupScope
from codes.models import CampaignGroup, QRCode
from codes.selectors import code_get_for_workspace, group_get_for_workspace

# Report key -> the dimension it breaks scans down by.
BREAKDOWN_KEYS = {
    "countries": Dimension.COUNTRY,
    "cities": Dimension.CITY,
    "devices": Dimension.DEVICE_TYPE,
    "operating_systems": Dimension.OS,
    "browsers": Dimension.BROWSER,
    "referrers": Dimension.REFERRER,
    "languages": Dimension.LANGUAGE,
}
BREAKDOWN_TITLES = {
    "countries": "Countries",
    "cities": "Cities",
    "devices": "Device types",
    "operating_systems": "Operating systems",
    "browsers": "Browsers",
    "referrers": "Referrers",
    "languages": "Languages",
}
DEFAULT_LIMIT = 10
MAX_LIMIT = 500


@dataclass
class Point:
    key: datetime  # naive local wall time of the bucket start
    label: str
    start: datetime  # aware, in the report's time zone
    scans: int = 0
    unique_scans: int = 0


@dataclass
class Row:
    value: str | None  # None for the "Other" row
    label: str
    scans: int
    unique_scans: int
    share: float


@dataclass
class CodeRow:
    code: QRCode
    scans: int
    unique_scans: int
    share: float


@dataclass
class Totals:
    scans: int = 0
    unique_scans: int = 0
    bot_scans: int = 0


@dataclass
class Report:
    kind: str  # "code", "group" or "workspace"
    subject: QRCode | CampaignGroup | Workspace
    period: Period
    totals: Totals
    series: list[Point]
    previous_period: Period
    previous: Totals
    previous_series: list[Point]
    breakdowns: dict[str, list[Row]] = field(default_factory=dict)
    top_codes: list[CodeRow] | None = None
    # Every country's scans, not only the top ones: the world map colours them all. "" holds the
    # scans whose country could not be known.
    countries: list[Row] = field(default_factory=list)
    # GEOIP_CITY_PATH was set when the report was made: scans from now on know their city.
    city_database: bool = False

    @property
    def shows_cities(self) -> bool:
        """Whether cities are worth a chart: a City database is configured, or some scans of
        the period (recorded while one was) know their city."""
        return self.city_database or any(row.value for row in self.breakdowns.get("cities", []))

    @property
    def shown_breakdowns(self) -> dict[str, list[Row]]:
        return {
            name: rows
            for name, rows in self.breakdowns.items()
            if name != "cities" or self.shows_cities
        }

    def change(self, metric: str) -> float | None:
        """Relative change against the previous period (None when there was nothing before)."""
        before, now = getattr(self.previous, metric), getattr(self.totals, metric)
        return None if before == 0 else (now - before) / before


def _series(
    scope: Scope, period: Period, *, use_rollups: bool, covered
) -> tuple[list[Point], Totals]:
    counts = queries.series(
        scope,
        period.start_at,
        period.end_at,
        interval=period.interval,
        tz=period.tz,
        hour_aligned=period.hour_aligned(),
        day_aligned=period.hour_aligned(86400),
        use_rollups=use_rollups,
        covered=covered,
    )
    points = {
        key: Point(
            key=key,
            label=bucket_label(key, period.interval),
            start=period.bucket_start_at(key).astimezone(period.tz),
        )
        for key in period.buckets()
    }
    totals = Totals()
    for (key, is_bot), (scans, uniques) in counts.items():
        if is_bot:
            totals.bot_scans += scans
            if not period.include_bots:
                continue
        point = points.get(key)
        if point is None:  # cannot happen for scans inside the period; guards a zone quirk
            continue
        point.scans += scans
        point.unique_scans += uniques
        totals.scans += scans
        totals.unique_scans += uniques
    return list(points.values()), totals


def _rows(name: str, counts: dict, total: int, limit: int) -> list[Row]:
    ordered = sorted(counts.items(), key=lambda item: (-item[1][0], item[0]))
    rows = [
        Row(value, label_for(name, value), scans, uniques, scans / total if total else 0.0)
        for value, (scans, uniques) in ordered[:limit]
        if scans
    ]
    rest = ordered[limit:]
    rest_scans = sum(scans for _, (scans, _u) in rest)
    if rest_scans:
        rest_uniques = sum(uniques for _, (_s, uniques) in rest)
        rows.append(
            Row(None, f"Other ({len(rest)} more)", rest_scans, rest_uniques, rest_scans / total)
        )
    return rows


def _breakdowns(scope: Scope, period: Period, total: int, *, limit: int, **options):
    counts = queries.fold_bots(
        queries.breakdowns(
            scope, period.start_at, period.end_at, include_bots=period.include_bots, **options
        ),
        include_bots=period.include_bots,
    )
    per_dimension: dict[int, dict] = {int(d): {} for d in BREAKDOWN_KEYS.values()}
    for (dimension, value), entry in counts.items():
        per_dimension[dimension][value] = entry
    rows = {
        name: _rows(name, per_dimension[int(dimension)], total, limit)
        for name, dimension in BREAKDOWN_KEYS.items()
    }
    countries = per_dimension[int(Dimension.COUNTRY)]
    return rows, _rows("countries", countries, total, len(countries) or 1)


def _top_codes(scope: Scope, period: Period, total: int, *, limit: int, **options):
    counts = queries.fold_bots(
        queries.top_codes(
            scope, period.start_at, period.end_at, include_bots=period.include_bots, **options
        ),
        include_bots=period.include_bots,
    )
    ranked = sorted(counts.items(), key=lambda item: (-item[1][0], item[0]))[:limit]
    codes = QRCode.objects.filter(
        workspace_id=scope.workspace_id, pk__in=[pk for pk, _ in ranked]
    ).select_related("group")
    by_pk = {code.pk: code for code in codes}
    return [
        CodeRow(by_pk[pk], scans, uniques, scans / total if total else 0.0)
        for pk, (scans, uniques) in ranked
        if pk in by_pk and scans
    ]


def analytics_report(
    *,
    scope: Scope,
    kind: str,
    subject,
    period: Period,
    limit: int = DEFAULT_LIMIT,
    use_rollups: bool = True,
) -> Report:
    """The whole report for one scope; `use_rollups=False` counts from the raw scans only."""
    limit = max(1, min(limit, MAX_LIMIT))
    previous_period = period.previous()
    options = {"use_rollups": use_rollups, "covered": None}
    if use_rollups:  # one read of the ledger for all four questions
        options["covered"] = queries.rolled_up_days(previous_period.start_at, period.end_at)
    series, totals = _series(scope, period, **options)
    previous_series, previous = _series(scope, previous_period, **options)
    report = Report(
        kind=kind,
        subject=subject,
        period=period,
        totals=totals,
        series=series,
        previous_period=previous_period,
        previous=previous,
        previous_series=previous_series,
        city_database=bool(settings.GEOIP_CITY_PATH),
    )
    report.breakdowns, report.countries = _breakdowns(
        scope, period, totals.scans, limit=limit, **options
    )
    if kind != "code":
        report.top_codes = _top_codes(scope, period, totals.scans, limit=limit, **options)
    return report


def analytics_for_code(
    *, workspace: Workspace, public_id: str, period: Period, sandbox: bool = False, **options
) -> Report:
    code = code_get_for_workspace(workspace=workspace, public_id=public_id, sandbox=sandbox)
    scope = Scope(RollupScope.CODE, code.pk, workspace.pk)
    return analytics_report(scope=scope, kind="code", subject=code, period=period, **options)


def analytics_for_group(
    *, workspace: Workspace, public_id: str | None = None, slug: str | None = None,
    period: Period, sandbox: bool = False, **options,
) -> Report:  # fmt: skip
    """A group's report over the codes in it now (by public id, or by slug as the API allows)."""
    group = group_get_for_workspace(
        workspace=workspace, public_id=public_id, slug=slug, sandbox=sandbox
    )
    scope = Scope(RollupScope.GROUP, group.pk, workspace.pk)
    return analytics_report(scope=scope, kind="group", subject=group, period=period, **options)


def analytics_for_workspace(
    *, workspace: Workspace, period: Period, sandbox: bool = False, **options
) -> Report:
    """The live codes' scans together, or (`sandbox`) the sandbox codes' scans: a test code's
    scans never count in the live report."""
    kind = RollupScope.SANDBOX if sandbox else RollupScope.WORKSPACE
    scope = Scope(kind, workspace.pk, workspace.pk)
    return analytics_report(
        scope=scope, kind="workspace", subject=workspace, period=period, **options
    )


def scan_summary_for_code(*, code: QRCode, days: int = 30) -> dict:
    """Human scans per day over the last `days` days (oldest first), for the code page.

    Reads the `scan_code_time` index (code, scanned_at); bots are left out as in `scan_count`.
    """
    today = timezone.now().date()
    start = today - timedelta(days=days - 1)
    rows = (
        Scan.objects.filter(
            code=code, is_bot=False, scanned_at__gte=datetime.combine(start, time.min, tzinfo=UTC)
        )
        .annotate(day=TruncDate("scanned_at", tzinfo=UTC))
        .values("day")
        .annotate(count=Count("id"))
    )
    by_day = {row["day"]: row["count"] for row in rows}
    series = [
        (start + timedelta(days=i), by_day.get(start + timedelta(days=i), 0)) for i in range(days)
    ]
    last = (
        Scan.objects.filter(code=code, is_bot=False)
        .order_by("-scanned_at")
        .values_list("scanned_at", flat=True)
        .first()
    )
    return {
        "total": code.scan_count,
        "series": series,
        "period_total": sum(count for _, count in series),
        "last_7": sum(count for _, count in series[-7:]),
        "last_scan_at": last,
    }
