"""Every scan of a period, one row each, for a spreadsheet.

Columns: when (UTC), which code (with its external id: the recipient of a mail merge), where (country, and city when a City database knew it), on
what (device, OS, browser), from where (referrer host), in which language, whether a bot, and
whether it was the visitor's first scan of that code that UTC day (what "unique" counts). Never the IP address (it is not stored) and
never the visitor hash (a daily pseudonym: it would let rows of one day be tied together).
Cells a spreadsheet would run as a formula are prefixed with an apostrophe.

Small exports stream straight to the browser; large ones run as a job (jobs/services/
scan_exports.py), which writes the same rows to a file.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from django.db import connection

from analytics.exports import safe_cell
from analytics.queries import Scope, ranked_scans_sql
from analytics.ranges import Period
from codes.models import QRCode

COLUMNS = [
    "scanned_at_utc",
    "code_id",
    "code_name",
    "code_external_id",
    "country",
    "city",
    "device_type",
    "os",
    "browser",
    "referrer_host",
    "language",
    "is_bot",
    "unique_of_the_day",
]
_FETCH = 2000


def _scans(scope: Scope, period: Period):
    scans = scope.scans() if period.include_bots else scope.scans().filter(is_bot=False)
    return scans


def scan_export_count(*, scope: Scope, period: Period) -> int:
    """How many rows the export of this period would have."""
    return (
        _scans(scope, period)
        .filter(scanned_at__gte=period.start_at, scanned_at__lt=period.end_at)
        .count()
    )


def scan_export_rows(*, scope: Scope, period: Period) -> Iterator[list]:
    """The rows, oldest first, read from the database in batches."""
    scans = _scans(scope, period)
    # The window ranks each visitor's scans of a code within its UTC day from midnight on, so a
    # period starting mid-day still knows which scans came first that day.
    inner, params = ranked_scans_sql(scans, [(period.start_at, period.end_at)])
    sql = (
        "SELECT t.scanned_at, t.code_id, t.country, t.place, t.device_type, t.os, t.browser, "  # noqa: S608
        "t.referrer_host, t.language, t.is_bot, t.rn, t.visitor_hash "
        f"FROM ({inner}) t WHERE t.in_range = 1 ORDER BY t.scanned_at, t.id"
    )
    # Deleted codes too: their scans are still in the period.
    codes = {
        pk: (public_id, name, external_id)
        for pk, public_id, name, external_id in QRCode.objects.filter(
            workspace_id=scope.workspace_id
        ).values_list("pk", "public_id", "name", "external_id")
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while batch := cursor.fetchmany(_FETCH):
            for (
                when,
                code_id,
                country,
                place,
                device,
                os_,
                browser,
                referrer,
                language,
                bot,
                rn,
                vh,
            ) in batch:
                public_id, name, external_id = codes.get(code_id, ("", "", ""))
                yield [
                    _iso(when),
                    public_id,
                    name,
                    external_id,
                    country,
                    place.partition(":")[2] if place else "",
                    device,
                    os_,
                    browser,
                    referrer,
                    language,
                    "yes" if bot else "no",
                    "yes" if rn == 1 and vh else "no",
                ]


def _iso(value) -> str:
    if isinstance(value, str):  # SQLite hands back text
        return value.replace(" ", "T")[:19] + "Z"
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def csv_lines(rows) -> Iterator[str]:
    """The header and rows as CSV text, line by line (for a streaming response)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    yield buffer.getvalue()
    for row in rows:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([safe_cell(cell) for cell in row])
        yield buffer.getvalue()
