"""Content encoders: turn validated form/API fields into the text a QR code carries.

Each ``ContentType`` lists its fields (name, label, kind, required, choices) so forms and
serializers can be generated from it, and ``encode(data)`` validates and returns the payload,
raising ``SpecError`` that names the field at fault.

Where segno's helpers are used and where we deviate:

* geo: ``segno.helpers.make_geo_data`` (``geo:lat,lng``, 8 decimals, trailing zeros dropped);
  we only add the range checks.
* email: not ``make_make_email_data``: when a body is given without a subject it emits
  ``mailto:a@b.c&body=...`` (no ``?``), which mail apps read as part of the address. We build
  ``mailto:`` per RFC 6068 with percent-encoding (``%20``, never ``+``).
* vCard: not ``make_vcard_data``: it escapes only ``,`` and ``;``, so a backslash or a line
  break in a note corrupts the card, and it never folds lines. We escape ``\\ , ;`` and newlines
  (RFC 2426 section 4) and fold lines longer than 75 octets with CRLF + space, never inside a
  UTF-8 sequence.
  Phones: ``phone`` is the main number and ``phones`` a list of up to 5 more (a form may
  send them one per line); both are normalised to E.164 and written as ``TEL`` lines in that
  order, duplicates dropped.
* MeCard and Wi-Fi: not segno's helpers: they leave ``,`` unescaped, which splits a name or an
  address into components (MeCard) and breaks some Wi-Fi parsers. We escape ``\\ ; , : "`` as
  the ZXing/DoCoMo formats require, and quote an SSID or password made only of hex digits so
  readers do not take it for a hex key.
* event: a bare ``BEGIN:VEVENT`` block (the form ZXing and phone cameras read). A full
  VCALENDAR would need a DTSTAMP, which would make the payload change on every render.
  Text is escaped and lines folded as RFC 5545 requires; aware times are written in UTC.
* sms: ``SMSTO:number:message``, the form Android and iOS cameras both read.
"""

import datetime as dt
import decimal
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

from segno import helpers as segno_helpers

from .errors import SpecError

KINDS = ("str", "multiline", "email", "url", "phone", "float", "datetime", "choice", "bool", "list")
MAX_TEXT = 2000
_EMAIL = re.compile(r"[^@\s<>(),;:\"\[\]\\]+@[^@\s<>(),;:\"\[\]\\]+\.[^@\s<>(),;:\"\[\]\\]{2,}")
_E164 = re.compile(r"\+[1-9]\d{1,14}")
_PHONE_PUNCTUATION = re.compile(r"[\s().\-/]")
_HEX_ONLY = re.compile(r"[0-9A-Fa-f]+")


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    kind: str = "str"
    required: bool = False
    choices: tuple[str, ...] = ()
    max_length: int = 200
    help_text: str = ""


@dataclass(frozen=True)
class ContentType:
    name: str
    label: str
    fields: tuple[Field, ...]
    _build: Callable[[dict[str, Any]], str]

    def encode(self, data: Mapping[str, Any]) -> str:
        """Validate ``data`` against the fields and return the payload text."""
        return self._build(clean(self.fields, data))


def _fail(field: str, message: str):
    raise SpecError({field: message})


def _clean_str(field: Field, value: Any) -> str:
    if not isinstance(value, str):
        _fail(field.name, "must be text")
    value = value.strip()
    allowed = "\n\t" if field.kind == "multiline" else ""
    if any(not ch.isprintable() and ch not in allowed for ch in value.replace("\r\n", "\n")):
        _fail(field.name, "contains control characters; remove them")
    if len(value) > field.max_length:
        _fail(field.name, f"is {len(value)} characters; shorten it to {field.max_length}")
    return value.replace("\r\n", "\n")


def _clean_url(field: Field, value: str) -> str:
    if any(ch.isspace() for ch in value):
        _fail(field.name, "must not contain spaces; percent-encode them as %20")
    parts = urlsplit(value)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        _fail(field.name, f"{value!r} is not a web address; start it with https://")
    return value


def normalize_phone(field_name: str, value: str) -> str:
    """E.164: ``+`` then country code and number, up to 15 digits; punctuation dropped."""
    number = _PHONE_PUNCTUATION.sub("", value)
    if number.startswith("00"):
        number = "+" + number[2:]
    if not _E164.fullmatch(number):
        _fail(
            field_name,
            f"{value!r} is not an international number; write it as + country code "
            "and number, e.g. +49 30 1234567",
        )
    return number


def _clean_float(field: Field, value: Any) -> float:
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            _fail(field.name, "must be a number")
    if isinstance(value, bool) or not isinstance(value, int | float | decimal.Decimal):
        _fail(field.name, "must be a number")
    number = float(value)
    if not math.isfinite(number):
        _fail(field.name, "must be a finite number")
    return number


def _clean_datetime(field: Field, value: Any) -> dt.datetime | dt.date:
    if isinstance(value, dt.datetime | dt.date):
        return value
    if isinstance(value, str):
        text = value.strip()
        try:
            return (
                dt.date.fromisoformat(text) if len(text) == 10 else dt.datetime.fromisoformat(text)
            )
        except ValueError:
            pass
    _fail(field.name, "must be a date/time like 2026-03-08T14:30:00+01:00")


def _clean_value(field: Field, value: Any) -> Any:
    kind = field.kind
    if kind == "bool":
        if not isinstance(value, bool):
            _fail(field.name, "must be true or false")
        return value
    if kind == "float":
        return _clean_float(field, value)
    if kind == "datetime":
        return _clean_datetime(field, value)
    if kind == "list":
        if isinstance(value, str):
            value = [line for line in value.splitlines() if line.strip()]
        if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
            _fail(field.name, "must be a list of phone numbers")
        if len(value) > 5:
            _fail(field.name, "give at most 5 numbers")
        return [normalize_phone(field.name, v) for v in value]
    text = _clean_str(field, value)
    if not text:
        return None
    if kind == "email" and not _EMAIL.fullmatch(text):
        _fail(field.name, f"{text!r} is not an email address like name@example.com")
    if kind == "url":
        return _clean_url(field, text)
    if kind == "phone":
        return normalize_phone(field.name, text)
    if kind == "choice" and text not in field.choices:
        _fail(field.name, f"{text!r} is not one of {', '.join(field.choices)}")
    return text


def clean(fields: tuple[Field, ...], data: Mapping[str, Any]) -> dict[str, Any]:
    """Check every field, reporting all problems at once; empty strings count as absent."""
    if not isinstance(data, Mapping):
        raise SpecError({"content": "must be an object of content fields"})
    by_name = {f.name: f for f in fields}
    errors: dict[str, str] = {
        key: f"unknown field; this content type takes {', '.join(by_name)}"
        for key in data
        if key not in by_name
    }
    cleaned: dict[str, Any] = {}
    for field in fields:
        value = data.get(field.name)
        if value is not None:
            try:
                value = _clean_value(field, value)
            except SpecError as exc:
                errors.update(exc.fields)
                continue
        if value in (None, []) and field.required:
            errors[field.name] = "is required"
        cleaned[field.name] = value
    if errors:
        raise SpecError(errors)
    return cleaned


# -- escaping and folding ------------------------------------------------------------------

_VCARD_TEXT = {ord("\\"): "\\\\", ord(","): "\\,", ord(";"): "\\;", ord("\n"): "\\n"}
_MECARD_TEXT = {ord(c): "\\" + c for c in '\\;,:"'}


def vcard_escape(value: str) -> str:
    return value.translate(_VCARD_TEXT)


def mecard_escape(value: str) -> str:
    return value.replace("\n", " ").translate(_MECARD_TEXT)


def wifi_escape(value: str) -> str:
    escaped = mecard_escape(value)
    # ZXing and Android read an all-hex-digit SSID or key as hex bytes unless it is quoted.
    return f'"{escaped}"' if _HEX_ONLY.fullmatch(value) else escaped


def fold(line: str, limit: int = 75) -> str:
    """RFC 2426/5545 folding: at most ``limit`` octets a line, continuation starts with a space."""
    if len(line.encode()) <= limit:
        return line
    pieces, current, size = [], [], 0
    for ch in line:
        width = len(ch.encode())
        # A continuation line's leading space counts towards its octets.
        budget = limit if not pieces else limit - 1
        if size + width > budget:
            pieces.append("".join(current))
            current, size = [], 0
        current.append(ch)
        size += width
    pieces.append("".join(current))
    return "\r\n ".join(pieces)


def _lines(lines: list[str]) -> str:
    return "".join(fold(line) + "\r\n" for line in lines)


# -- the encoders --------------------------------------------------------------------------


def _url(d: dict) -> str:
    return d["url"]


def _text(d: dict) -> str:
    return d["text"]


def _vcard(d: dict) -> str:
    first, last, org = d["first_name"] or "", d["last_name"] or "", d["organization"] or ""
    if not (first or last or org):
        _fail("first_name", "give a first name, a last name or an organization")
    display = " ".join(p for p in (first, last) if p) or org
    lines = [
        "BEGIN:VCARD",
        "VERSION:3.0",
        f"N:{vcard_escape(last)};{vcard_escape(first)};;;",
        f"FN:{vcard_escape(display)}",
    ]
    if org:
        lines.append(f"ORG:{vcard_escape(org)}")
    if d["title"]:
        lines.append(f"TITLE:{vcard_escape(d['title'])}")
    phones = ([d["phone"]] if d["phone"] else []) + (d["phones"] or [])
    lines += [f"TEL:{number}" for number in dict.fromkeys(phones)]
    if d["email"]:
        lines.append(f"EMAIL;TYPE=INTERNET:{d['email']}")
    if d["website"]:
        lines.append(f"URL:{vcard_escape(d['website'])}")
    address = [d[k] or "" for k in ("street", "city", "region", "postal_code", "country")]
    if any(address):
        lines.append("ADR:;;" + ";".join(vcard_escape(part) for part in address))
    if d["note"]:
        lines.append(f"NOTE:{vcard_escape(d['note'])}")
    lines.append("END:VCARD")
    return _lines(lines)


def _mecard(d: dict) -> str:
    parts = [f"N:{mecard_escape(d['name'])};"]
    if d["phone"]:
        parts.append(f"TEL:{d['phone']};")
    if d["email"]:
        parts.append(f"EMAIL:{mecard_escape(d['email'])};")
    if d["website"]:
        parts.append(f"URL:{mecard_escape(d['website'])};")
    if d["address"]:
        parts.append(f"ADR:{mecard_escape(d['address'])};")
    if d["note"]:
        parts.append(f"NOTE:{mecard_escape(d['note'])};")
    return "MECARD:" + "".join(parts) + ";"


def _wifi(d: dict) -> str:
    security, password, ssid = d["security"] or "WPA", d["password"], d["ssid"]
    if len(ssid.encode()) > 32:
        _fail("ssid", "is longer than 32 bytes, the most a Wi-Fi network name can be")
    if security == "nopass":
        if password:
            _fail("password", "an open network (security nopass) has no password; clear it")
    elif not password:
        _fail("password", f"is required for {security}; or set security to nopass")
    elif security == "WPA" and not (
        8 <= len(password) <= 63 or (len(password) == 64 and _HEX_ONLY.fullmatch(password))
    ):
        _fail("password", "a WPA passphrase has 8 to 63 characters (or 64 hex digits)")
    elif security == "WEP" and not (
        len(password) in (5, 13) or (len(password) in (10, 26) and _HEX_ONLY.fullmatch(password))
    ):
        _fail("password", "a WEP key has 5 or 13 characters, or 10 or 26 hex digits")
    payload = f"WIFI:T:{security};S:{wifi_escape(ssid)};"
    if password:
        payload += f"P:{wifi_escape(password)};"
    if d["hidden"]:
        payload += "H:true;"
    return payload + ";"


def _email(d: dict) -> str:
    query = [f"{key}={quote(d[key], safe='')}" for key in ("subject", "body") if d[key] is not None]
    return f"mailto:{d['to']}" + ("?" + "&".join(query) if query else "")


def _sms(d: dict) -> str:
    return f"SMSTO:{d['number']}:{d['message'] or ''}"


def _phone(d: dict) -> str:
    return f"tel:{d['number']}"


def _geo(d: dict) -> str:
    lat, lng = d["latitude"], d["longitude"]
    if not -90 <= lat <= 90:
        _fail("latitude", f"{lat} is outside -90 to 90")
    if not -180 <= lng <= 180:
        _fail("longitude", f"{lng} is outside -180 to 180")
    return segno_helpers.make_geo_data(lat, lng)


def _ical_time(name: str, value: dt.datetime | dt.date) -> str:
    if not isinstance(value, dt.datetime):
        return f"{name};VALUE=DATE:{value:%Y%m%d}"
    if value.tzinfo is not None:
        return f"{name}:{value.astimezone(dt.UTC):%Y%m%dT%H%M%SZ}"
    return f"{name}:{value:%Y%m%dT%H%M%S}"


def _comparable(value: dt.datetime | dt.date) -> dt.datetime:
    if not isinstance(value, dt.datetime):
        return dt.datetime.combine(value, dt.time(), tzinfo=dt.UTC)
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _event(d: dict) -> str:
    start, end = d["start"], d["end"]
    if end is not None:
        if isinstance(start, dt.datetime) != isinstance(end, dt.datetime):
            _fail("end", "give both start and end as dates, or both as date and time")
        if _comparable(end) <= _comparable(start):
            _fail("end", "must be after start")
    lines = ["BEGIN:VEVENT", f"SUMMARY:{vcard_escape(d['title'])}", _ical_time("DTSTART", start)]
    if end is not None:
        lines.append(_ical_time("DTEND", end))
    if d["location"]:
        lines.append(f"LOCATION:{vcard_escape(d['location'])}")
    if d["description"]:
        lines.append(f"DESCRIPTION:{vcard_escape(d['description'])}")
    lines.append("END:VEVENT")
    return _lines(lines)


_F = Field
CONTENT_TYPES: dict[str, ContentType] = {
    ct.name: ct
    for ct in (
        ContentType("url", "Website", (_F("url", "URL", "url", True, max_length=2000),), _url),
        ContentType(
            "text",
            "Plain text",
            (_F("text", "Text", "multiline", True, max_length=MAX_TEXT),),
            _text,
        ),
        ContentType(
            "vcard",
            "Contact card (vCard)",
            (
                _F("first_name", "First name", max_length=100),
                _F("last_name", "Last name", max_length=100),
                _F("organization", "Organization", max_length=200),
                _F("title", "Job title", max_length=100),
                _F("phone", "Phone", "phone", help_text="Main number, international format"),
                _F("phones", "More phones", "list", help_text="Up to 5 more numbers"),
                _F("email", "Email", "email", max_length=254),
                _F("website", "Website", "url", max_length=500),
                _F("street", "Street", max_length=200),
                _F("city", "City", max_length=100),
                _F("region", "Region / state", max_length=100),
                _F("postal_code", "Postal code", max_length=20),
                _F("country", "Country", max_length=100),
                _F("note", "Note", "multiline", max_length=500),
            ),
            _vcard,
        ),
        ContentType(
            "mecard",
            "Contact card (MeCard)",
            (
                _F("name", "Name", required=True, max_length=100),
                _F("phone", "Phone", "phone"),
                _F("email", "Email", "email", max_length=254),
                _F("website", "Website", "url", max_length=500),
                _F("address", "Address", max_length=300),
                _F("note", "Note", max_length=300),
            ),
            _mecard,
        ),
        ContentType(
            "wifi",
            "Wi-Fi network",
            (
                _F("ssid", "Network name (SSID)", required=True, max_length=32),
                _F("password", "Password", max_length=64),
                _F("security", "Security", "choice", choices=("WPA", "WEP", "nopass")),
                _F("hidden", "Hidden network", "bool"),
            ),
            _wifi,
        ),
        ContentType(
            "email",
            "Email",
            (
                _F("to", "To", "email", True, max_length=254),
                _F("subject", "Subject", max_length=200),
                _F("body", "Message", "multiline", max_length=1000),
            ),
            _email,
        ),
        ContentType(
            "sms",
            "Text message (SMS)",
            (
                _F("number", "Phone number", "phone", True),
                _F("message", "Message", "multiline", max_length=500),
            ),
            _sms,
        ),
        ContentType("phone", "Phone call", (_F("number", "Phone number", "phone", True),), _phone),
        ContentType(
            "geo",
            "Location",
            (
                _F("latitude", "Latitude", "float", True, help_text="-90 to 90"),
                _F("longitude", "Longitude", "float", True, help_text="-180 to 180"),
            ),
            _geo,
        ),
        ContentType(
            "event",
            "Calendar event",
            (
                _F("title", "Title", required=True, max_length=200),
                _F("start", "Starts", "datetime", True),
                _F("end", "Ends", "datetime"),
                _F("location", "Location", max_length=200),
                _F("description", "Description", "multiline", max_length=500),
            ),
            _event,
        ),
    )
}


def encode_content(content_type: str, data: Mapping[str, Any]) -> str:
    """Validate ``data`` for ``content_type`` and return the payload to encode."""
    try:
        kind = CONTENT_TYPES[content_type]
    except (KeyError, TypeError):
        raise SpecError(
            {"content_type": f"{content_type!r} is not one of {', '.join(CONTENT_TYPES)}"}
        ) from None
    return kind.encode(data)
