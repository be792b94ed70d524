"""Scans at known times and places for the analytics tests (written directly, like a flush)."""

from datetime import UTC, datetime

from analytics.models import Scan
from analytics.ranges import parse_period


def at(text: str) -> datetime:
    """'2026-03-01 23:30' as a UTC instant."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def add_scan(code, when, *, visitor="visitor-1", **fields) -> Scan:
    values = {
        "country": "FR",
        "device_type": "mobile",
        "os": "iOS",
        "browser": "Mobile Safari",
        "referrer_host": "",
        "language": "fr-FR",
        "is_bot": False,
        **fields,
    }
    return Scan.objects.create(
        scanned_at=at(when) if isinstance(when, str) else when,
        code=code,
        workspace_id=code.workspace_id,
        visitor_hash=visitor,
        **values,
    )


def period(**params):
    return parse_period({key: str(value) for key, value in params.items()})
