"""The client's address behind trusted proxies, and a keyed pseudonym for it.

The address is only ever used in memory: what is counted or kept is `address_pseudonym`, an
HMAC under SECRET_KEY, which cannot be turned back into the address without the key (a plain
hash of an IPv4 address can, by trying all 2^32 of them).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress

from django.conf import settings


def client_ip(meta: dict, *, trusted_proxies: int) -> str:
    """REMOTE_ADDR, or X-Forwarded-For behind `trusted_proxies` proxies; "" when unknown."""
    address = meta.get("REMOTE_ADDR", "")
    if trusted_proxies:
        forwarded = [part.strip() for part in meta.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [part for part in forwarded if part]
        # Each trusted proxy appended one address; the one before them is the client's.
        if len(forwarded) >= trusted_proxies:
            address = forwarded[-trusted_proxies]
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return ""


def address_pseudonym(address: str, *, purpose: str) -> str:
    """A keyed hash of `address`, different for each `purpose` so counters cannot be joined."""
    key = hashlib.sha256(f"qrsite.addresses:{purpose}:{settings.SECRET_KEY}".encode()).digest()
    return hmac.new(key, address.encode(), hashlib.sha256).hexdigest()[:32]
