"""The dashboard's main navigation.

Entries name a URL; an entry whose app is not installed (its URL does not resolve) is left out,
so the menu never links to a page that does not exist.
"""

from django.urls import NoReverseMatch, reverse

NAV_ITEMS = [
    ("Overview", "dashboard:home", "home"),
    ("Codes", "codes:list", "qr"),
    ("Groups", "codes:group_list", "folder"),
    ("Analytics", "analytics:workspace", "chart"),
    ("Jobs", "jobs:list", "jobs"),
    ("Events", "tickets:event_list", "ticket"),
    ("Settings", "settings:general", "gear"),
    ("API docs", "api:v1:swagger", "book"),
]


def nav_items(path: str) -> list[dict]:
    items = []
    for label, url_name, icon in NAV_ITEMS:
        try:
            url = reverse(url_name)
        except NoReverseMatch:
            continue
        current = path == url if url == "/" else path.startswith(url)
        items.append({"label": label, "url": url, "icon": icon, "current": current})
    return items
