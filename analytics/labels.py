"""Human names for breakdown values: countries from the time-zone database's ISO 3166 table
(the same system tzdata that zoneinfo reads), cities with their country's name, device types
from the Scan model."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from analytics.models import DeviceType

_ISO3166 = Path("/usr/share/zoneinfo/iso3166.tab")
# The table's short forms ("Britain (UK)") read oddly in a report.
_FRIENDLIER = {"GB": "United Kingdom", "KR": "South Korea", "KP": "North Korea", "RU": "Russia"}
_UNKNOWN = {
    "countries": "Unknown",
    "devices": "Unknown",
    "operating_systems": "Unknown",
    "browsers": "Unknown",
    # QR scans usually arrive without a Referer header: the camera app opened the link.
    "referrers": "Direct (no referrer)",
    "languages": "Unknown",
    "cities": "Unknown",
}


@cache
def country_names() -> dict[str, str]:
    try:
        lines = _ISO3166.read_text(encoding="utf-8").splitlines()
    except OSError:
        return {}
    names = dict(_FRIENDLIER)
    for line in lines:
        if line and not line.startswith("#") and "\t" in line:
            code, name = line.split("\t", 1)
            names.setdefault(code.strip().upper(), name.strip())
    return names


def label_for(breakdown: str, value: str) -> str:
    if not value:
        return _UNKNOWN[breakdown]
    if breakdown == "countries":
        return country_names().get(value.upper(), value)
    if breakdown == "cities":  # "GB:London" (Dimension.CITY)
        country, _, city = value.partition(":")
        return f"{city}, {country_names().get(country.upper(), country)}"
    if breakdown == "devices":
        return DeviceType(value).label if value in DeviceType.values else value
    return value
