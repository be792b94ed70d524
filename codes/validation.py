"""Validation of what a code points to and what it is called.

`validate_destination` runs on every write and again on every redirect (`is_safe_destination`):
a row written around the services (a raw UPDATE, a restored backup) must still never send a
scanner to `javascript:` or back into our own short URLs.
"""

from __future__ import annotations

import posixpath
import re
import unicodedata
from functools import lru_cache
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError

MAX_DESTINATION_LENGTH = 2048
ALLOWED_SCHEMES = frozenset({"http", "https"})

SLUG_LENGTH = 7
CUSTOM_SLUG_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{2,63}$")
# Words a person might read as part of the site rather than a campaign, or that we may route.
RESERVED_SLUGS = frozenset(
    {
        "about", "account", "accounts", "admin", "api", "app", "assets", "auth", "billing",
        "code", "codes", "dashboard", "delete", "docs", "edit", "favicon", "healthz", "help",
        "login", "logout", "media", "new", "null", "qr", "r", "robots", "settings", "signup",
        "static", "status", "support", "undefined", "www",
    }
)  # fmt: skip
HEX_COLOR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")

# Hostnames: dot-separated labels of letters (any script), digits and hyphens, or an IP literal.
_HOST_LABEL_RE = re.compile(r"^(?!-)[\w-]{1,63}(?<!-)$", re.UNICODE)


# Control (Cc), invisible format (Cf: U+202E right-to-left override, U+200B zero-width space,
# U+FEFF) and surrogate (Cs) characters.
_HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Cs"})


def _forbidden_chars_message(value: str) -> str:
    """Which character is wrong, and where, in words a person fixing a typo can act on."""
    for position, ch in enumerate(value, start=1):
        if ch == "\\":
            return f"The URL has a “\\” at character {position}: web addresses use “/”."
        if ch.isspace():
            return f"The URL has a space at character {position}: remove it (or write it as %20)."
        if unicodedata.category(ch) in _HIDDEN_CATEGORIES:
            return (
                f"The URL has an invisible character at character {position} (often pasted "
                "along with the link): type that part again."
            )
    return "The URL has a character web addresses cannot contain."


def _has_forbidden_chars(value: str) -> bool:
    # Whitespace and control characters split or hide parts of a URL, and format characters
    # make it read differently from where it goes ("…/\u202egpj.exe" shows as "…/exe.jpg"); a
    # backslash is a path separator to browsers but part of the host to Python's parser, so the
    # two would disagree on where "https://good\\@evil" goes.
    return "\\" in value or any(
        ch.isspace() or unicodedata.category(ch) in _HIDDEN_CATEGORIES for ch in value
    )


def _valid_host(host: str) -> bool:
    if host.startswith("[") or ":" in host:
        return True  # IPv6 literal; urlsplit has already checked the brackets
    labels = host.rstrip(".").split(".")
    return all(_HOST_LABEL_RE.match(label) and "_" not in label for label in labels)


@lru_cache(maxsize=4)
def _own_short_prefixes(short_url_base: str, site_url: str) -> tuple[tuple[str, str], ...]:
    """(host:port, path prefix) pairs under which our redirect answers."""
    prefixes = []
    for base, path in ((short_url_base, None), (site_url, "/r/")):
        parts = urlsplit(base)
        if not parts.hostname:
            continue
        default_port = 443 if parts.scheme == "https" else 80
        prefixes.append(
            (
                f"{parts.hostname.rstrip('.')}:{parts.port or default_port}",
                path or parts.path or "/",
            )
        )
    return tuple(prefixes)


def _is_loop(parts) -> bool:
    default_port = 443 if parts.scheme.lower() == "https" else 80
    host = f"{parts.hostname.rstrip('.')}:{parts.port or default_port}"
    # Browsers resolve percent-encoding and dot segments before asking, so compare like them.
    path = posixpath.normpath(unquote(parts.path or "/"))
    path = path if path.endswith("/") else path + "/"
    for own_host, prefix in _own_short_prefixes(settings.SHORT_URL_BASE, settings.SITE_URL):
        if host == own_host and path.startswith(prefix if prefix.endswith("/") else prefix + "/"):
            return True
    return False


def validate_destination(value: str, *, field: str = "destination") -> str:
    """Return the destination, stripped, or raise ValidationError({field: reason})."""
    if not isinstance(value, str):
        raise ValidationError({field: "Give the destination as a URL."})
    value = value.strip(" ")
    if not value:
        raise ValidationError({field: "Give a destination URL."})
    if len(value) > MAX_DESTINATION_LENGTH:
        raise ValidationError(
            {field: f"The URL is longer than {MAX_DESTINATION_LENGTH} characters."}
        )
    if _has_forbidden_chars(value):
        raise ValidationError({field: _forbidden_chars_message(value)})
    try:
        parts = urlsplit(value)
        port = parts.port  # raises ValueError for a port that is not a number in range
    except ValueError as exc:
        raise ValidationError({field: "This is not a valid URL."}) from exc
    if parts.scheme.lower() not in ALLOWED_SCHEMES:
        raise ValidationError({field: "Only http:// and https:// destinations are allowed."})
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise ValidationError({field: "Remove the user name or password from the URL."})
    if not parts.hostname or not _valid_host(parts.hostname):
        raise ValidationError({field: "The URL needs a valid host name."})
    if port == 0:
        raise ValidationError({field: "This is not a valid URL."})
    if _is_loop(parts):
        raise ValidationError({field: "A code cannot redirect to one of our own short URLs."})
    return value


def is_safe_destination(value: str) -> bool:
    """The redirect-time check: the same rules, as a yes/no."""
    return _is_safe(value, settings.SHORT_URL_BASE, settings.SITE_URL)


# Memoised per process: every scan of a code re-checks the same string, and the verdict only
# depends on the string and the two settings that define our own short URLs.
@lru_cache(maxsize=4096)
def _is_safe(value: str, short_url_base: str, site_url: str) -> bool:
    try:
        validate_destination(value)
    except ValidationError:
        return False
    return True


def validate_custom_slug(value: str) -> str:
    if not isinstance(value, str) or not CUSTOM_SLUG_RE.match(value):
        raise ValidationError(
            {
                "slug": "Use 3–64 letters, digits, “-” or “_”, starting with a letter or digit.",
            }
        )
    if value.lower() in RESERVED_SLUGS:
        raise ValidationError({"slug": f"“{value}” is reserved; choose another slug."})
    return value


def validate_color(value: str, *, field: str = "color") -> str:
    if not isinstance(value, str) or not HEX_COLOR_RE.match(value):
        raise ValidationError({field: "Use a hex colour like #4f46e5."})
    return value.lower()
