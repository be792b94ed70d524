"""Device type, OS, browser and bot flag from a user-agent string.

ua-parser (with its maintained regex set) names the OS, browser and device family; the
crawlerdetect list recognises crawlers and link-preview fetchers (Slack, WhatsApp, ...).
ua-parser does not say "mobile/tablet/desktop", so `_device_type` derives it from the OS and
device it found. Results are memoised per string: real traffic repeats a few thousand agents.
"""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

import ua_parser
from crawlerdetect import CrawlerDetect

from analytics.models import DeviceType

MAX_USER_AGENT_LENGTH = 512

_DESKTOP_OS = frozenset(
    {"Windows", "Mac OS X", "Linux", "Ubuntu", "Fedora", "Debian", "Chrome OS", "FreeBSD",
     "OpenBSD", "NetBSD", "Solaris", "macOS"}
)  # fmt: skip
_TABLET_DEVICES = ("iPad", "Tablet", "Kindle", "Nexus 7", "Nexus 9", "Nexus 10", "Galaxy Tab")
_crawlers = CrawlerDetect()


class Agent(NamedTuple):
    device_type: str
    os: str
    browser: str
    is_bot: bool


def _device_type(ua: str, os_family: str, device_family: str) -> str:
    if any(marker in device_family for marker in _TABLET_DEVICES):
        return DeviceType.TABLET
    if os_family in ("iOS", "iPadOS"):
        return DeviceType.TABLET if "iPad" in ua else DeviceType.MOBILE
    if os_family == "Android":
        # Android phones say "Mobile"; Android tablets leave it out.
        return DeviceType.MOBILE if "Mobile" in ua else DeviceType.TABLET
    if os_family in _DESKTOP_OS:
        return DeviceType.DESKTOP
    if "Mobi" in ua or os_family in ("Windows Phone", "BlackBerry OS", "KaiOS", "Symbian OS"):
        return DeviceType.MOBILE
    return DeviceType.OTHER


def _clip(value: str | None) -> str:
    return (value or "")[:50]


@lru_cache(maxsize=4096)
def describe_user_agent(ua: str) -> Agent:
    """Classify one user-agent string. An empty one is a script, not a phone: a bot."""
    ua = ua[:MAX_USER_AGENT_LENGTH]
    if not ua.strip():
        return Agent(DeviceType.BOT, "", "", True)
    result = ua_parser.parse(ua)
    os_family = result.os.family if result.os else ""
    browser = result.user_agent.family if result.user_agent else ""
    device_family = result.device.family if result.device else ""
    is_bot = device_family == "Spider" or _crawlers.isCrawler(ua)
    device = DeviceType.BOT if is_bot else _device_type(ua, os_family, device_family)
    os_name = "" if os_family == "Other" else os_family
    browser_name = "" if browser == "Other" else browser
    return Agent(device, _clip(os_name), _clip(browser_name), is_bot)
