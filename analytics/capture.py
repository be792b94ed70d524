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
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlsplit

import redis
from django.conf import settings
from django.db import (
    DatabaseError,
    IntegrityError,
    InterfaceError,
    OperationalError,
    connection,
    transaction,
)
from django.utils import timezone

from analytics.geo import client_ip, place_for
from analytics.models import DailySalt
from analytics.useragent import describe_user_agent
from qrsite.redis_io import hot_redis

_salt_lock = threading.Lock()
_salts: dict[date, bytes] = {}  # today's salt, per process; one read per day and process

SALT_KEY_PREFIX = "qrsite:scans:salt:"
# A salt's Redis copy outlives its day by this much only, for machines whose clocks are a
# little behind; the database copy goes with the hourly scan_salt_cleanup.
SALT_GRACE_SECONDS = 600


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
    # Last, with a default: events buffered before cities were recorded still load.
    city: str = ""

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
        salt = _salts.get(day)
        if salt is None:
            secret = _shared_secret(day) if _buffered() else _stored_secret(day)
            _salts.clear()  # keep only the current day in memory
            _salts[day] = salt = bytes.fromhex(secret)
    return salt


def _buffered() -> bool:
    return settings.SCAN_RECORDING == "buffered" and bool(settings.SCAN_BUFFER_URL)


def _stored_secret(day: date) -> str:
    try:
        return _read_or_create_secret(day)
    except (OperationalError, InterfaceError):
        # A kept connection the server dropped: once more on a new one, or the scan goes
        # unrecorded (its redirect is answered either way).
        connection.close()
        return _read_or_create_secret(day)


def _read_or_create_secret(day: date) -> str:
    row = DailySalt.objects.filter(day=day).first()
    if row is None:
        try:
            with transaction.atomic():
                row = DailySalt.objects.create(day=day, secret=_new_secret())
        except IntegrityError:  # another process created it first: use theirs
            row = DailySalt.objects.get(day=day)
    return row.secret


def _salt_key(day: date) -> str:
    return SALT_KEY_PREFIX + day.isoformat()


def _salt_seconds_left(day: date) -> int:
    end = datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(days=1)
    return max(1, int((end - timezone.now()).total_seconds()) + SALT_GRACE_SECONDS)


def _salt_redis():
    return hot_redis(settings.SCAN_BUFFER_URL, settings.SCAN_BUFFER_TIMEOUT)


def _shared_secret(day: date) -> str:
    """Buffered mode: the salt every process uses is the one in the buffer's Redis.

    Buffered recording exists to keep scans while the database is in trouble, so hashing a
    scan must not need the database: a process's first scan of a day (at midnight, or after a
    start during an outage) reads the salt from Redis. The database keeps the durable copy
    (salt_prepare, run by the flush) and gives it back when Redis lost it. A salt created
    here while the database is down reaches the database once it is back.
    """
    hot = _salt_redis()
    key = _salt_key(day)
    try:
        found = hot.execute("GET", key)
    except redis.RedisError:
        # Redis is down: the scans go to the database directly, so the salt must come from there.
        return _stored_secret(day)
    if found is not None:
        return found.decode()
    try:
        secret = _stored_secret(day)
    except DatabaseError:
        secret = _new_secret()
    try:
        # NX: when two processes get here at once, both use whichever salt Redis took first.
        if hot.execute("SET", key, secret, "NX", "EX", _salt_seconds_left(day)) is None:
            secret = hot.execute("GET", key).decode()
    except redis.RedisError:
        pass  # gone meanwhile: these scans go to the database, which has this salt if it is up
    return secret


def salt_prepare(day: date) -> None:
    """Make `day`'s salt exist in the database and, in buffered mode, the same one in Redis,
    so the day's first scans find it there even with the database down."""
    secret = _stored_secret(day)
    if not _buffered():
        return
    client = _salt_redis().client
    key = _salt_key(day)
    if client.set(key, secret, nx=True, ex=_salt_seconds_left(day)):
        return
    shared = client.get(key)
    if shared is not None and shared.decode() != secret:
        # Made in Redis while the database was down: the scans were hashed with that one.
        DailySalt.objects.filter(day=day).update(secret=shared.decode())


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
    place = place_for(meta, ip)
    return ScanEvent(
        code_id=code_id,
        workspace_id=workspace_id,
        scanned_at=now,
        country=place.country,
        city=place.city,
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
