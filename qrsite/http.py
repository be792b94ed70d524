"""The SSRF-safe HTTP client: everything the platform sends to an address a user gave goes here.

`target_check(url)` refuses what must never be fetched: schemes other than http(s) (http only
when allowed), credentials in the URL, IP addresses written as decimal, octal or hex numbers,
and a host of which any resolved address is loopback, private, link-local, CGNAT, multicast,
reserved, unspecified or a cloud metadata address (IPv4-mapped IPv6 is judged as the IPv4
address it carries). `post(...)` checks again and connects to the very address it checked:
the host is resolved once per request, so a DNS answer that changes between the check and the
connection (DNS rebinding) cannot reach an address the check did not see. Redirects are never
followed and at most `max_response_bytes` of the body are read.

`allow_private` (WEBHOOKS_ALLOW_PRIVATE_NETWORKS, for development and tests) lets loopback,
private and CGNAT addresses through; link-local and metadata addresses stay refused even then.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import urllib3

# Cloud metadata services: AWS/GCP/Azure/OpenStack (169.254.169.254, inside link-local and
# refused with it), AWS over IPv6, Alibaba, Oracle's legacy address.
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a)
    for a in ("169.254.169.254", "169.254.170.2", "fd00:ec2::254", "100.100.100.200", "192.0.0.192")
)
_CGNAT = ipaddress.ip_network("100.64.0.0/10")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class UnsafeTarget(ValueError):
    """A URL or address the client refuses to contact; the message says why, for the user."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str  # path and query, as sent on the request line
    addresses: tuple[str, ...]  # every address the host resolved to, each checked


@dataclass(frozen=True)
class HttpResult:
    status: int
    headers: dict[str, str]
    body: bytes  # at most max_response_bytes
    truncated: bool
    seconds: float


def address_refusal(
    address: ipaddress.IPv4Address | ipaddress.IPv6Address, *, allow_private: bool
) -> str | None:
    """Why `address` may not be contacted, or None when it may."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        elif address in _NAT64:
            address = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if address in METADATA_ADDRESSES:
        return "is a cloud metadata address"
    if address.is_link_local:
        return "is a link-local address"
    if address.is_unspecified or address.is_multicast:
        return "is not a routable unicast address"
    if address.is_loopback:  # before "reserved": ::1 lies in IPv6's reserved ::/8
        return None if allow_private else "is a loopback address"
    if address.is_reserved:  # 240.0.0.0/4 and 255.255.255.255 among them
        return "is not a routable unicast address"
    if allow_private:
        return None
    if address in _CGNAT:
        return "is a carrier-grade NAT address"
    if address.is_private or not address.is_global:
        return "is a private address"
    return None


def _numeric_host_refusal(host: str) -> str | None:
    """IPv4 addresses in forms that resolvers accept but people do not read as addresses
    (2130706433, 0177.0.0.1, 0x7f.1, 127.1) are refused outright."""
    try:
        ipaddress.ip_address(host)
        return None
    except ValueError:
        pass
    try:
        socket.inet_aton(host)
    except OSError:
        return None
    return "Write an IP address in dotted decimal (like 203.0.113.7), or use a host name."


def target_check(
    url: str, *, allow_private: bool, allow_http: bool, resolve_timeout: float = 5.0
) -> Target:
    """Parse and resolve `url`; raise UnsafeTarget when it must not be contacted."""
    if not isinstance(url, str) or not url.strip():
        raise UnsafeTarget("Give a URL.")
    url = url.strip()
    if any(ord(c) < 33 or ord(c) == 127 for c in url):
        raise UnsafeTarget("A URL cannot contain spaces or control characters.")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise UnsafeTarget(f"This is not a valid URL ({exc}).") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise UnsafeTarget("Only http and https URLs can receive webhooks.")
    if scheme == "http" and not allow_http:
        raise UnsafeTarget("Use an https URL: webhooks carry signed data and need TLS.")
    if "@" in parts.netloc or parts.username is not None or parts.password is not None:
        raise UnsafeTarget("A URL with a user name or password is refused; sign requests instead.")
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise UnsafeTarget("The URL has no host.")
    if (refusal := _numeric_host_refusal(host)) is not None:
        raise UnsafeTarget(refusal)
    port = port or (443 if scheme == "https" else 80)
    addresses = _resolve(host, port, resolve_timeout)
    for text in addresses:
        refusal = address_refusal(ipaddress.ip_address(text), allow_private=allow_private)
        if refusal is not None:
            shown = host if host == text else f"{host} ({text})"
            raise UnsafeTarget(f"The host {shown} {refusal}; webhooks go to public addresses.")
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return Target(scheme=scheme, host=host, port=port, path=path, addresses=addresses)


def _resolve(host: str, port: int, timeout: float) -> tuple[str, ...]:
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if literal is not None:
        return (str(literal),)
    previous = socket.getdefaulttimeout()
    socket.setdefaulttimeout(timeout)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, OSError):
        raise UnsafeTarget(f"The host {host} does not resolve.") from None
    finally:
        socket.setdefaulttimeout(previous)
    found: list[str] = []
    for family, _type, _proto, _name, sockaddr in infos:
        if family in (socket.AF_INET, socket.AF_INET6):
            address = str(ipaddress.ip_address(sockaddr[0].split("%", 1)[0]))
            if address not in found:
                found.append(address)
    if not found:
        raise UnsafeTarget(f"The host {host} does not resolve.")
    return tuple(found)


def post(
    url: str,
    *,
    body: bytes,
    headers: dict[str, str],
    timeout: float,
    max_response_bytes: int,
    allow_private: bool,
    allow_http: bool,
) -> HttpResult:
    """POST `body` to `url` through the checks above; raise UnsafeTarget when refused, or
    urllib3's errors (timeout, connection refused, TLS) when the request fails."""
    started = time.monotonic()
    target = target_check(url, allow_private=allow_private, allow_http=allow_http)
    address = target.addresses[0]
    host_header = f"[{target.host}]" if ":" in target.host else target.host
    if target.port != (443 if target.scheme == "https" else 80):
        host_header += f":{target.port}"
    remaining = max(0.5, timeout - (time.monotonic() - started))
    limits = urllib3.Timeout(connect=min(remaining, 5.0), read=remaining)
    if target.scheme == "https":
        # Connected to the checked address; the certificate is checked against the host name.
        pool: urllib3.HTTPConnectionPool = urllib3.HTTPSConnectionPool(
            address,
            target.port,
            timeout=limits,
            retries=False,
            maxsize=1,
            server_hostname=target.host,
            assert_hostname=target.host,
            cert_reqs="CERT_REQUIRED",
        )
    else:
        pool = urllib3.HTTPConnectionPool(address, target.port, timeout=limits, retries=False)
    try:
        response = pool.urlopen(
            "POST",
            target.path,
            body=body,
            headers={**headers, "Host": host_header},
            redirect=False,
            retries=False,
            preload_content=False,
            assert_same_host=False,
        )
        try:
            deadline = started + timeout
            data = b""
            truncated = False
            while len(data) <= max_response_bytes:
                if time.monotonic() > deadline:
                    truncated = True
                    break
                chunk = response.read(min(8192, max_response_bytes + 1 - len(data)))
                if not chunk:
                    break
                data += chunk
            if len(data) > max_response_bytes:
                data, truncated = data[:max_response_bytes], True
            return HttpResult(
                status=response.status,
                headers={k.lower(): v for k, v in response.headers.items()},
                body=data,
                truncated=truncated,
                seconds=time.monotonic() - started,
            )
        finally:
            # The rest of a large body is never read: the connection is dropped instead.
            response.close()
    finally:
        pool.close()
