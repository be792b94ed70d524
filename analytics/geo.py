"""Country of a scanner, from a trusted CDN header or an IP database.

Order: the header named by TRUSTED_COUNTRY_HEADER (only when configured: anyone can send any
header), then a MaxMind .mmdb at GEOIP_PATH when set, else geoip2fast's bundled database.
The IP address is only looked up here, in memory; it is never stored or logged.
"""

from __future__ import annotations

import logging
import threading

from django.conf import settings

from qrsite import addresses

logger = logging.getLogger(__name__)

_lock = threading.Lock()
_reader = None  # loaded once per process on first use: the databases take ~0.2 s to open
# Placeholder codes some CDNs send for "unknown" or "Tor".
_NOT_COUNTRIES = frozenset({"XX", "T1", "A1", "A2", "O1", "ZZ", "EU", "AP"})


def client_ip(meta: dict) -> str:
    """The scanner's address: REMOTE_ADDR, or X-Forwarded-For behind trusted proxies."""
    return addresses.client_ip(meta, trusted_proxies=settings.TRUSTED_PROXY_COUNT)


def _clean_country(value: str | None) -> str:
    value = (value or "").strip().upper()
    if len(value) == 2 and value.isascii() and value.isalpha() and value not in _NOT_COUNTRIES:
        return value
    return ""


class _MaxMind:
    def __init__(self, path: str):
        import geoip2.database

        self._db = geoip2.database.Reader(path)

    def country(self, ip: str) -> str:
        import geoip2.errors

        try:
            return self._db.country(ip).country.iso_code or ""
        except (geoip2.errors.AddressNotFoundError, ValueError):
            return ""


class _Bundled:
    def __init__(self):
        from geoip2fast import GeoIP2Fast

        self._db = GeoIP2Fast()

    def country(self, ip: str) -> str:
        return self._db.lookup(ip).country_code or ""


def _database():
    global _reader
    if _reader is None:
        with _lock:
            if _reader is None:
                path = settings.GEOIP_PATH
                _reader = _MaxMind(path) if path else _Bundled()
    return _reader


def country_for(meta: dict, ip: str) -> str:
    """ISO 3166-1 alpha-2 code, or "" when unknown."""
    header = settings.TRUSTED_COUNTRY_HEADER
    if header:
        country = _clean_country(meta.get("HTTP_" + header.upper().replace("-", "_")))
        if country:
            return country
    if not ip:
        return ""
    try:
        return _clean_country(_database().country(ip))
    except Exception as exc:
        # A broken database must cost the country column, never the scan. Only the error's
        # type is logged: its message or traceback could carry the address.
        logger.error("country lookup failed (%s)", type(exc).__name__)
        return ""
