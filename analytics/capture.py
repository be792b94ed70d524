"""Turn a scan request into a `ScanEvent`: everything a Scan row needs, and no raw IP.

This runs on the redirect's hot path, so it only does cheap, memoised work; the event is
then inserted directly or pushed to the Redis buffer (see analytics.services).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime
from urllib.parse import urlsplit

from django.db import IntegrityError, transaction
from django.utils import timezone

from analytics.geo import client_ip, country_for
from analytics.models import DailySalt
from analytics.useragent import describe_user_agent

_salt_lock = threading.Lock()
_salts: dict[date, bytes] = {}  # today's salt, per process; one DB read per day and process


@dataclass(slots=True)
class ScanEvent:
    code_id: int
    workspace_id: int
    scanned_at: datetime
    country: str
    device_type: str
    os: str
    browser: str
    referrer_host: str
    language: str
    is_bot: bool
    visitor_hash: str
    event_id: str = ""

    def to_json(self) -> str:
        # Field by field: dataclasses.asdict deep-copies and is several times slower.
        data = {name: getattr(self, name) for name in _FIELDS}
        data["scanned_at"] = self.scanned_at.timestamp()
        return json.dumps(data, separators=(",", ":"))

    @classmethod
    def from_json(cls, raw: str | bytes) -> ScanEvent:
        data = json.loads(raw)
        data["scanned_at"] = datetime.fromtimestamp(data["scanned_at"], tz=UTC)
        return cls(**data)


_FIELDS = tuple(field.name for field in fields(ScanEvent))


def salt_for_day(day: date) -> bytes:
    """The secret salt of `day` (UTC), created by whichever process needs it first."""
    salt = _salts.get(day)
    if salt is not None:
        return salt
    with _salt_lock:
        row = DailySalt.objects.filter(day=day).first()
        if row is None:
            try:
                with transaction.atomic():
                    row = DailySalt.objects.create(day=day, secret=_new_secret())
            except IntegrityError:  # another process created it first: use theirs
                row = DailySalt.objects.get(day=day)
        _salts.clear()  # keep only the current day in memory
        _salts[day] = salt = bytes.fromhex(row.secret)
    return salt


def _new_secret() -> str:
    import secrets

    return secrets.token_hex(32)


def forget_cached_salts() -> None:
    _salts.clear()


def visitor_hash(*, ip: str, user_agent: str, code_id: int, day: date) -> str:
    """Same person, same code, same day → same hash; a new day → unrelated hash."""
    message = f"{code_id}\n{ip}\n{user_agent}".encode()
    return hmac.new(salt_for_day(day), message, hashlib.sha256).hexdigest()[:32]


def _referrer_host(meta: dict) -> str:
    referrer = meta.get("HTTP_REFERER", "")
    if not referrer:
        return ""
    try:
        return (urlsplit(referrer).hostname or "")[:253]
    except ValueError:
        return ""


def _language(meta: dict) -> str:
    # The first (preferred) tag of Accept-Language, e.g. "de-CH,de;q=0.9" → "de-ch".
    first = meta.get("HTTP_ACCEPT_LANGUAGE", "").split(",", 1)[0].split(";", 1)[0].strip()
    if first == "*" or not first.replace("-", "").isalnum():
        return ""
    return first.lower()[:35]


def capture_scan(request, *, code_id: int, workspace_id: int) -> ScanEvent:
    """Build the event for one scan request. HEAD requests are flagged as bots."""
    meta = request.META
    now = timezone.now()
    user_agent = meta.get("HTTP_USER_AGENT", "")[:512]
    agent = describe_user_agent(user_agent)
    ip = client_ip(meta)
    # Sec-GPC: 1 is the Global Privacy Control signal: we then keep no per-visitor trace.
    track = meta.get("HTTP_SEC_GPC", "").strip() != "1"
    return ScanEvent(
        code_id=code_id,
        workspace_id=workspace_id,
        scanned_at=now,
        country=country_for(meta, ip),
        device_type=agent.device_type,
        os=agent.os,
        browser=agent.browser,
        referrer_host=_referrer_host(meta),
        language=_language(meta),
        is_bot=agent.is_bot or request.method == "HEAD",
        visitor_hash=(
            visitor_hash(ip=ip, user_agent=user_agent, code_id=code_id, day=now.date())
            if track
            else ""
        ),
    )
