"""Where `manage.py runserver` is reached from, so a code made on it scans (see its command).

Only the development server uses this; production sets SITE_URL and SHORT_URL_BASE itself.
Nothing here sends a packet: addresses come from this machine's own interfaces and names.
"""

import ipaddress
import socket
import struct
import sys
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from urllib.parse import urlsplit

LOOPBACK = "127.0.0.1"
# Linux ioctl: the IPv4 address of a named interface.
_SIOCGIFADDR = 0x8915


def usable_lan_address(candidates: Iterable[str]) -> str:
    """The first candidate another device on the network could reach, else the loopback."""
    for candidate in candidates:
        try:
            address = ipaddress.ip_address(candidate)
        except ValueError:
            continue
        # IPv4 only: a phone on the same Wi-Fi reliably has it, a link-local address is not
        # routed, and an IPv6 address in a URL is hard to read off the console.
        if address.version == 4 and not (
            address.is_loopback
            or address.is_link_local
            or address.is_unspecified
            or address.is_multicast
        ):
            return str(address)
    return LOOPBACK


def _default_route_interface() -> str | None:
    # Linux keeps its routing table in a file: the interface the default route leaves by is
    # the one on the LAN (not a container bridge), and reading it sends nothing.
    try:
        rows = Path("/proc/net/route").read_text().splitlines()[1:]
    except OSError:
        return None
    for row in rows:
        fields = row.split()
        if len(fields) > 7 and fields[1] == "00000000" and fields[7] == "00000000":
            return fields[0]
    return None


def _interface_addresses() -> list[str]:
    """IPv4 addresses of this machine's interfaces (Linux), the default route's first."""
    if not sys.platform.startswith("linux"):
        return []
    import fcntl

    try:
        names = [name for _, name in socket.if_nameindex()]
    except OSError:
        return []
    default = _default_route_interface()
    names.sort(key=lambda name: name != default)
    addresses = []
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        for name in names:
            request = struct.pack("256s", name.encode()[:15])
            try:
                reply = fcntl.ioctl(sock.fileno(), _SIOCGIFADDR, request)
            except OSError:  # the interface has no IPv4 address
                continue
            addresses.append(socket.inet_ntoa(reply[20:24]))
    return addresses


def _hostname_addresses() -> list[str]:
    # Where interfaces cannot be read (macOS) or gave nothing usable: what the machine's own
    # name resolves to, usually answered from the hosts file or the system's own records.
    try:
        found = socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)
    except OSError:
        return []
    return [sockaddr[0] for *_, sockaddr in found]


def _candidates() -> Iterator[str]:
    yield from _interface_addresses()
    # Only asked when the interfaces gave nothing usable.
    yield from _hostname_addresses()


def lan_address() -> str:
    """This machine's address on its local network; 127.0.0.1 when it has none."""
    return usable_lan_address(_candidates())


def binds_every_interface(addr: str) -> bool:
    # runserver's "0" is short for 0.0.0.0.
    if addr == "0":
        return True
    try:
        return ipaddress.ip_address(addr).is_unspecified
    except ValueError:  # a host name
        return False


def served_host(addr: str) -> str:
    """The host in links to a server bound to `addr` (as runserver parsed it)."""
    # A server on every interface is linked to by the machine's LAN address, which a phone on
    # the same network can open.
    if binds_every_interface(addr):
        return lan_address()
    return f"[{addr}]" if ":" in addr else addr


def only_this_machine(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def devserver_urls(*, environ: Mapping[str, str], addr: str, port: str) -> dict[str, str]:
    """SITE_URL and SHORT_URL_BASE for a development server on addr:port, for those the
    environment leaves unset: a value set there always wins."""
    if environ.get("SITE_URL"):
        # settings.py already derived an unset SHORT_URL_BASE from it.
        return {}
    site_url = f"http://{served_host(addr)}:{port}"
    urls = {"SITE_URL": site_url}
    if not environ.get("SHORT_URL_BASE"):
        urls["SHORT_URL_BASE"] = site_url + "/r/"
    return urls
