"""Country (and city) of a scanner, from a trusted CDN header or IP databases.

Country: the header named by TRUSTED_COUNTRY_HEADER (only when configured: anyone can send any
header), then a MaxMind City .mmdb at GEOIP_CITY_PATH when set, then a MaxMind Country .mmdb
at GEOIP_PATH when set, else geoip2fast's bundled database. City: only from GEOIP_CITY_PATH,
and only together with the country it lies in. The IP address is only looked up here, in
memory; it is never stored or logged.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

from django.conf import settings

from qrsite import addresses

logger = logging.getLogger(__name__)

_lock = threading.Lock()
CITY_MAX_LENGTH = 100  # Scan.city
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


class _MaxMindCity:
    """A GeoLite2/GeoIP2 City database: the city and the country it lies in, in one lookup."""

    def __init__(self, path: str):
        import geoip2.database

        self._db = geoip2.database.Reader(path, locales=["en"])

    def place(self, ip: str) -> tuple[str, str]:
        import geoip2.errors

        try:
            found = self._db.city(ip)
        except (geoip2.errors.AddressNotFoundError, ValueError):
            return "", ""
        return found.country.iso_code or "", found.city.name or ""


class _Bundled:
    def __init__(self):
        from geoip2fast import GeoIP2Fast

        self._db = GeoIP2Fast()

    def country(self, ip: str) -> str:
        return self._db.lookup(ip).country_code or ""


# Opened once per process and path on first use (a database takes ~0.2 s to open); "" is the
# bundled country database.
_readers: dict[str, object] = {}


def _reader(kind, path: str):
    reader = _readers.get(path)
    if reader is None:
        with _lock:
            reader = _readers.get(path)
            if reader is None:
                _readers[path] = reader = kind(path) if path else kind()
    return reader


def _country_database():
    path = settings.GEOIP_PATH
    return _reader(_MaxMind if path else _Bundled, path)


@dataclass(frozen=True, slots=True)
class Place:
    country: str = ""  # ISO 3166-1 alpha-2, or "" when unknown
    city: str = ""  # the city's English name, only with the country it lies in


UNKNOWN = Place()


def place_for(meta: dict, ip: str) -> Place:
    """Where a scan came from: always a country when one can be known, and a city too when a
    City database is configured (GEOIP_CITY_PATH) and knows the address."""
    header = settings.TRUSTED_COUNTRY_HEADER
    trusted = ""
    if header:
        trusted = _clean_country(meta.get("HTTP_" + header.upper().replace("-", "_")))
    if not ip:
        return Place(trusted)
    country = city = ""
    if settings.GEOIP_CITY_PATH:
        try:
            found_country, found_city = _reader(_MaxMindCity, settings.GEOIP_CITY_PATH).place(ip)
            country = _clean_country(found_country)
            city = found_city.strip()[:CITY_MAX_LENGTH] if country else ""
        except Exception as exc:
            # As below: the city (and this database's country) lost, never the scan.
            logger.error("city lookup failed (%s)", type(exc).__name__)
    if trusted:
        # The CDN's country wins; a city the database puts in another country is dropped
        # rather than stored under a country it is not in.
        return Place(trusted, city if country == trusted else "")
    if country:
        return Place(country, city)
    try:
        return Place(_clean_country(_country_database().country(ip)))
    except Exception as exc:
        # A broken database must cost the country column, never the scan. Only the error's
        # type is logged: its message or traceback could carry the address.
        logger.error("country lookup failed (%s)", type(exc).__name__)
        return UNKNOWN


def country_for(meta: dict, ip: str) -> str:
    """ISO 3166-1 alpha-2 code, or "" when unknown."""
    return place_for(meta, ip).country
