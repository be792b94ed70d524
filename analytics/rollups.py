"""Writes for rollups: recompute a UTC day's rows from the raw scans, rebuild a group's rows
after a code moved, and the periodic run that finds what needs doing.

Why it cannot double count: a day is recomputed (its rows deleted and inserted again in one
transaction), never incremented, and its ledger row is locked for the duration, so a second
worker waits and then redoes the same arithmetic. On top of that one run holds a lease, so
two workers' runs do not overlap at all; a worker that dies loses the lease when it expires.

Every statement is `INSERT ... SELECT` inside the database: code rows from the scans, group
and workspace rows from the code rows, month rows (top codes) from the day rows.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import DateTimeField, F, Max, Min, Q, Sum
from django.db.models.functions import Trunc, TruncDate
from django.utils import timezone

from analytics.models import (
    RollupCodeGroup,
    RollupDay,
    RollupState,
    Scan,
    ScanCodeRollup,
    ScanDimensionRollup,
    ScanHourRollup,
)
from analytics.queries import (
    DIMENSIONS_SQL,
    UNIQUE_SQL,
    VALUE_SQL,
    ranked_scans_sql,
)
from analytics.rollup_models import Dimension, Grain, RollupScope
from codes.models import QRCode

logger = logging.getLogger(__name__)

HOURS = ScanHourRollup._meta.db_table
DIMS = ScanDimensionRollup._meta.db_table
TOPS = ScanCodeRollup._meta.db_table
CODES = QRCode._meta.db_table
_HOUR_COLUMNS = "(workspace_id, scope, scope_id, hour, is_bot, scans, uniques)"
_DIM_COLUMNS = "(workspace_id, scope, scope_id, dimension, period, is_bot, value, scans, uniques)"
_TOP_COLUMNS = "(workspace_id, scope, scope_id, grain, period, is_bot, code_id, scans, uniques)"
# Every scan has exactly one device type, so a code's device rows sum to its total: the
# cheapest source for the per-code totals behind top codes.
_TOTALS_DIMENSION = int(Dimension.DEVICE_TYPE)


def _dt(value: datetime):
    return connection.ops.adapt_datetimefield_value(value)


def _d(value: date):
    return connection.ops.adapt_datefield_value(value)


def _execute(sql: str, params) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))


def _parents_from_codes(
    *, table: str, columns: str, select: str, where: str, group: str, params, source=None
):
    """Group and workspace rows summed from code rows (a code's history counts in the group
    it is in now; `RollupCodeGroup` notices when that changes)."""
    source = source or table
    for scope, parent, join_filter in (
        (RollupScope.GROUP, "c.group_id", "AND c.group_id IS NOT NULL"),
        # Sandbox codes (made with test keys) never count in the workspace's live figures.
        (RollupScope.WORKSPACE, "r.workspace_id", "AND c.is_test = FALSE"),
        (RollupScope.SANDBOX, "r.workspace_id", "AND c.is_test = TRUE"),
    ):
        _execute(
            f"INSERT INTO {table} {columns} "  # noqa: S608 - constants and ORM table names
            f"SELECT r.workspace_id, {int(scope)}, {parent}, {select} "
            f"FROM {source} r JOIN {CODES} c ON c.id = r.scope_id "
            f"WHERE r.scope = {int(RollupScope.CODE)} AND {where} {join_filter} "
            f"GROUP BY r.workspace_id, {parent}, {group}",
            params,
        )


def _month_rows(month: date) -> None:
    """Top-codes rows for a UTC month, summed from its day rows."""
    following = (month + timedelta(days=32)).replace(day=1)
    ScanCodeRollup.objects.filter(grain=Grain.MONTH, period=month).delete()
    _execute(
        f"INSERT INTO {TOPS} {_TOP_COLUMNS} "  # noqa: S608
        "SELECT workspace_id, scope, scope_id, %s, %s, is_bot, code_id, SUM(scans), SUM(uniques) "
        f"FROM {TOPS} WHERE grain = %s AND period >= %s AND period < %s "
        "GROUP BY workspace_id, scope, scope_id, is_bot, code_id",
        [Grain.MONTH, _d(month), Grain.DAY, _d(month), _d(following)],
    )


def _code_totals_rows(where: str, params) -> None:
    """Each code's day total as a top-codes row of its group and of its workspace."""
    _parents_from_codes(
        table=TOPS,
        columns=_TOP_COLUMNS,
        select="%s, r.period, r.is_bot, r.scope_id, SUM(r.scans), SUM(r.uniques)",
        source=DIMS,
        where=f"r.dimension = {_TOTALS_DIMENSION} AND {where}",
        group="r.period, r.is_bot, r.scope_id",
        params=[Grain.DAY, *params],
    )


def _snapshot_code_groups() -> None:
    """Remember the group of every code not seen yet, before its scans are counted in it."""
    missing = QRCode.objects.filter(rollup_snapshot__isnull=True).values_list("pk", "group_id")
    RollupCodeGroup.objects.bulk_create(
        [RollupCodeGroup(code_id=pk, group_id=group_id) for pk, group_id in missing],
        ignore_conflicts=True,
    )


def rollup_day(*, day: date) -> int:
    """Recompute every rollup row of one UTC day from its scans; returns the scans counted."""
    start = datetime.combine(day, time(), UTC)
    end = start + timedelta(days=1)
    with transaction.atomic():
        ledger, _ = RollupDay.objects.get_or_create(
            day=day, defaults={"rolled_up_at": timezone.now()}
        )
        # The claim on this day: a second worker waits here, then redoes the same rows.
        RollupDay.objects.select_for_update().filter(pk=ledger.pk).first()
        _snapshot_code_groups()
        ScanHourRollup.objects.filter(hour__gte=start, hour__lt=end).delete()
        ScanDimensionRollup.objects.filter(period=day).delete()
        ScanCodeRollup.objects.filter(grain=Grain.DAY, period=day).delete()

        bucket = Trunc("scanned_at", "hour", output_field=DateTimeField(), tzinfo=UTC)
        inner, params = ranked_scans_sql(Scan.objects.all(), [(start, end)], bucket=bucket)
        _execute(
            f"INSERT INTO {HOURS} {_HOUR_COLUMNS} "  # noqa: S608
            f"SELECT t.workspace_id, {int(RollupScope.CODE)}, t.code_id, t.bucket, t.is_bot, "
            f"COUNT(*), {UNIQUE_SQL} FROM ({inner}) t WHERE t.in_range = 1 "
            "GROUP BY t.workspace_id, t.code_id, t.bucket, t.is_bot",
            params,
        )
        _parents_from_codes(
            table=HOURS,
            columns=_HOUR_COLUMNS,
            select="r.hour, r.is_bot, SUM(r.scans), SUM(r.uniques)",
            where="r.hour >= %s AND r.hour < %s",
            group="r.hour, r.is_bot",
            params=[_dt(start), _dt(end)],
        )

        inner, params = ranked_scans_sql(Scan.objects.all(), [(start, end)])
        _execute(
            f"INSERT INTO {DIMS} {_DIM_COLUMNS} "  # noqa: S608
            f"SELECT t.workspace_id, {int(RollupScope.CODE)}, t.code_id, d.dim, %s, "
            f"t.is_bot, {VALUE_SQL}, COUNT(*), {UNIQUE_SQL} "
            f"FROM ({inner}) t CROSS JOIN ({DIMENSIONS_SQL}) d WHERE t.in_range = 1 "
            "GROUP BY t.workspace_id, t.code_id, d.dim, t.is_bot, 7",
            [_d(day), *params],
        )
        _parents_from_codes(
            table=DIMS,
            columns=_DIM_COLUMNS,
            select="r.dimension, r.period, r.is_bot, r.value, SUM(r.scans), SUM(r.uniques)",
            where="r.period = %s",
            group="r.dimension, r.period, r.is_bot, r.value",
            params=[_d(day)],
        )
        _code_totals_rows("r.period = %s", [_d(day)])
        _month_rows(day.replace(day=1))

        counted = ScanHourRollup.objects.filter(
            scope=RollupScope.CODE, hour__gte=start, hour__lt=end
        ).aggregate(n=Sum("scans"))["n"]
        ledger.scans = counted or 0
        ledger.rolled_up_at = timezone.now()
        ledger.save(update_fields=["scans", "rolled_up_at"])
    return ledger.scans


def rollup_groups_rebuild(*, group_ids: set[int]) -> None:
    """Recount the groups' whole history from their current codes' rows."""
    ids = sorted(i for i in group_ids if i is not None)
    if not ids:
        return
    placeholders = ", ".join(["%s"] * len(ids))
    in_groups = f"c.group_id IN ({placeholders})"
    with transaction.atomic():
        for model in (ScanHourRollup, ScanDimensionRollup, ScanCodeRollup):
            model.objects.filter(scope=RollupScope.GROUP, scope_id__in=ids).delete()
        for table, columns, select, where, group, params in (
            (HOURS, _HOUR_COLUMNS, "r.hour, r.is_bot, SUM(r.scans), SUM(r.uniques)",
             in_groups, "r.hour, r.is_bot", ids),
            (DIMS, _DIM_COLUMNS,
             "r.dimension, r.period, r.is_bot, r.value, SUM(r.scans), SUM(r.uniques)",
             in_groups, "r.dimension, r.period, r.is_bot, r.value", ids),
            (TOPS, _TOP_COLUMNS,
             "%s, r.period, r.is_bot, r.scope_id, SUM(r.scans), SUM(r.uniques)",
             f"r.dimension = {_TOTALS_DIMENSION} AND {in_groups}",
             "r.period, r.is_bot, r.scope_id", [Grain.DAY, *ids]),
        ):  # fmt: skip
            source = DIMS if table == TOPS else table
            _execute(
                f"INSERT INTO {table} {columns} "  # noqa: S608
                f"SELECT r.workspace_id, {int(RollupScope.GROUP)}, c.group_id, {select} "
                f"FROM {source} r JOIN {CODES} c ON c.id = r.scope_id "
                f"WHERE r.scope = {int(RollupScope.CODE)} AND {where} "
                f"GROUP BY r.workspace_id, c.group_id, {group}",
                params,
            )
        months = (
            ScanCodeRollup.objects.filter(scope=RollupScope.GROUP, scope_id__in=ids)
            .values_list("period", flat=True)
            .distinct()
        )
        for month in sorted({period.replace(day=1) for period in months}):
            _month_rows(month)


def rollup_groups_sync() -> set[int]:
    """Rebuild the groups that gained or lost a code since their rows were counted."""
    changed = (
        Q(group_id__isnull=True, code__group_id__isnull=False)
        | Q(group_id__isnull=False, code__group_id__isnull=True)
        | (
            Q(group_id__isnull=False, code__group_id__isnull=False)
            & ~Q(group_id=F("code__group_id"))
        )
    )
    moved = list(
        RollupCodeGroup.objects.filter(changed).values_list("code_id", "group_id", "code__group_id")
    )
    if not moved:
        return set()
    affected = {old for _, old, _ in moved} | {new for _, _, new in moved}
    affected.discard(None)
    with transaction.atomic():
        for code_id, _, new in moved:
            RollupCodeGroup.objects.filter(code_id=code_id).update(group_id=new)
        rollup_groups_rebuild(group_ids=affected)
    return affected


# --- the periodic run ---------------------------------------------------------------------------


@dataclass
class RollupRun:
    claimed: bool
    days: list[date] = field(default_factory=list)
    groups: set[int] = field(default_factory=set)
    scans: int = 0


def _claim(owner: str, now: datetime) -> bool:
    RollupState.objects.get_or_create(pk=1)
    free = Q(lease_until__isnull=True) | Q(lease_until__lt=now) | Q(lease_owner=owner)
    lease = timedelta(seconds=settings.ANALYTICS_ROLLUP_LEASE_SECONDS)
    # One conditional UPDATE: atomic in both databases, so exactly one worker wins.
    return (
        RollupState.objects.filter(free, pk=1).update(lease_owner=owner, lease_until=now + lease)
        == 1
    )


def _release(owner: str) -> None:
    RollupState.objects.filter(pk=1, lease_owner=owner).update(lease_owner="", lease_until=None)


def _days_to_roll(now: datetime) -> list[date]:
    """Complete, settled UTC days never rolled up, and days that got scans since their rollup."""
    settle = timedelta(seconds=settings.ANALYTICS_ROLLUP_SETTLE_SECONDS)
    last = (now - settle).astimezone(UTC).date() - timedelta(days=1)
    newest = RollupDay.objects.aggregate(day=Max("day"))["day"]
    if newest is None:
        oldest_scan = Scan.objects.aggregate(at=Min("scanned_at"))["at"]
        first = oldest_scan.astimezone(UTC).date() if oldest_scan else last + timedelta(days=1)
    else:
        first = newest + timedelta(days=1)
    days = {first + timedelta(days=n) for n in range((last - first).days + 1)}

    state = RollupState.objects.get(pk=1)
    top = Scan.objects.aggregate(top=Max("id"))["top"] or 0
    if state.scan_id_seen:
        # Ids are handed out before commit, so a scan with an id below the last maximum can
        # still appear; the window lags one run behind to catch it.
        late = (
            Scan.objects.filter(id__gt=state.scan_id_checked, id__lte=top)
            .annotate(day=TruncDate("scanned_at", tzinfo=UTC))
            .values_list("day", flat=True)
            .distinct()
        )
        days |= {day for day in late if day <= last}
        state.scan_id_checked = state.scan_id_seen
    else:
        state.scan_id_checked = top  # the first run reads every scan anyway
    state.scan_id_seen = top
    state.save(update_fields=["scan_id_checked", "scan_id_seen", "updated_at"])
    return sorted(days)


def rollup_run(*, now: datetime | None = None, owner: str | None = None) -> RollupRun:
    """Bring the rollups up to date; returns at once when another worker holds the lease."""
    now = now or timezone.now()
    owner = owner or uuid.uuid4().hex
    if not _claim(owner, now):
        return RollupRun(claimed=False)
    run = RollupRun(claimed=True)
    try:
        run.groups = rollup_groups_sync()
        for day in _days_to_roll(now):
            run.scans += rollup_day(day=day)
            run.days.append(day)
            if not _claim(owner, timezone.now()):  # renew; a lost lease means stop now
                logger.warning("rollup lease lost after %s; stopping", day)
                break
    finally:
        _release(owner)
    return run
