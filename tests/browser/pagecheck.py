"""What every page the browser suite visits must hold, checked on every visit.

The conftest wraps `page.goto` and `page.wait_for_url` of every page any browser test opens, so
no test has to remember to call this. After each navigation to an HTML page:

- at a desktop (1366x900) and a phone (390x844) size the page must not scroll sideways
  (`scrollWidth <= innerWidth`), every time, in whatever state the test has put it;
- the first time a page (its path, with public ids folded) is seen in a run, axe-core may find
  no serious or critical violation at either size, and a full-page screenshot of each is saved
  under var/screenshots/ (CI keeps that directory as its artefact).
"""

import re
from pathlib import Path
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "var" / "screenshots"
AXE_SOURCE = (Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js").read_text()

SIZES = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
BLOCKING = {"serious", "critical"}
# Public ids and slugs vary per run; the page they show is one page.
_IDS = re.compile(
    r"(?:code|grp|tpl|logo|whk|job|key|inv|evt|del|rpt)_[A-Za-z0-9]+|\b[0-9a-f]{16,}\b|\b\d+\b"
)

# Swagger UI and ReDoc are third-party pages (drf-spectacular's sidecar builds): their own
# markup fails axe (nested controls in Swagger's operation rows, its version badge's contrast),
# and it is not ours to change; they are checked for sideways scrolling and shot at the size
# the test shows them.
AXE_EXEMPT = ("/api/v1/docs/", "/api/v1/redoc/")

_seen: set[str] = set()


def page_key(url: str) -> str:
    parts = urlsplit(url)
    path = _IDS.sub("id", parts.path).strip("/") or "home"
    query = "-".join(sorted(k for k in re.findall(r"([a-z_]+)=", parts.query or "")))
    return re.sub(r"[^a-z0-9]+", "-", f"{path}-{query}".lower()).strip("-")


def horizontal_overflow(page) -> dict | None:
    """The widths when the page scrolls sideways, with the widest elements to blame."""
    return page.evaluate(
        """() => {
          const doc = document.documentElement;
          if (doc.scrollWidth <= window.innerWidth) return null;
          const wide = [];
          for (const el of document.body.querySelectorAll('*')) {
            const r = el.getBoundingClientRect();
            if (r.right > window.innerWidth + 1 && r.width > 0) {
              wide.push(`${el.tagName.toLowerCase()}.${el.className}`.slice(0, 80) + ` (right ${Math.round(r.right)})`);
              if (wide.length >= 5) break;
            }
          }
          return {scrollWidth: doc.scrollWidth, innerWidth: window.innerWidth, wide};
        }"""
    )


def axe_violations(page) -> list[str]:
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SOURCE)
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(str(node["target"][0]) for node in v["nodes"][:3])
        for v in result["violations"]
        if v["impact"] in BLOCKING
    ]


def _is_html(page) -> bool:
    try:
        return page.evaluate("() => document.contentType") == "text/html"
    except Exception:  # a navigation still under way destroyed the context: nothing to check
        return False


def check_page(page) -> None:
    """Raises AssertionError naming the page and what is wrong with it."""
    if not _is_html(page):
        return
    url = page.url
    key = page_key(url)
    first_visit = key not in _seen
    _seen.add(key)
    original = page.viewport_size
    problems = []
    exempt = urlsplit(url).path in AXE_EXEMPT
    sizes = {"current": original} if exempt and original else SIZES
    try:
        for label, size in sizes.items():
            page.set_viewport_size(size)
            page.wait_for_timeout(50)  # one layout pass after the resize
            if overflow := horizontal_overflow(page):
                problems.append(f"{label}: scrolls sideways: {overflow}")
            if not first_visit:
                continue
            if not exempt and (violations := axe_violations(page)):
                problems.append(f"{label}: axe: " + " | ".join(violations))
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / f"{key}-{label}.png"), full_page=True)
    finally:
        if original:
            page.set_viewport_size(original)
    if problems:
        raise AssertionError(f"{url}:\n  " + "\n  ".join(problems))


def watch(page) -> None:
    """Make every navigation of this page end with `check_page`."""
    goto, wait_for_url = page.goto, page.wait_for_url

    def checked_goto(*args, **kwargs):
        response = goto(*args, **kwargs)
        check_page(page)
        return response

    def checked_wait_for_url(*args, **kwargs):
        result = wait_for_url(*args, **kwargs)
        page.wait_for_load_state()
        check_page(page)
        return result

    page.goto = checked_goto
    page.wait_for_url = checked_wait_for_url
