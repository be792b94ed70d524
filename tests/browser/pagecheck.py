"""What every page the browser suite visits must hold, checked on every visit.

The conftest wraps `page.goto` and `page.wait_for_url` of every page any browser test opens, so
no test has to remember to call this. After each navigation to an HTML page:

- at a desktop (1366x900) and a phone (390x844) size the page must not scroll sideways
  (`scrollWidth <= innerWidth`), every time, in whatever state the test has put it;
- the page was served with a Content-Security-Policy header, and nothing on it broke that policy
  (a `securitypolicyviolation` event or the browser's "Refused to ..." console message) since
  the last check; violations after the last navigation (an htmx swap) fail the test at teardown
  (`csp_violations_after_last_check`);
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

# Runs before any script of every document (Playwright injects it outside the page's policy),
# so a violation is reported even when the page's own code swallows the error it causes.
_VIOLATION_LISTENER = """
document.addEventListener('securitypolicyviolation', (e) => {
  console.error(`securitypolicyviolation: ${e.effectiveDirective} blocked `
    + `${e.blockedURI || 'inline'} at ${e.sourceFile || document.URL}:${e.lineNumber} `
    + `${e.sample ? '(' + e.sample + ')' : ''}`);
}, true);
"""


# Refusals that are the policy doing its job on third-party code we cannot change: ReDoc's
# sidebar always shows Redocly's logo from their CDN (no option turns it off); the policy blocks
# the request and ReDoc hides the broken image.
EXPECTED_REFUSALS = ("https://cdn.redoc.ly/redoc/logo-mini.svg",)


def _is_policy_violation(text: str) -> bool:
    if any(url in text for url in EXPECTED_REFUSALS):
        return False
    return text.startswith("securitypolicyviolation:") or "Content Security Policy" in text


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


def csp_violations_after_last_check(page) -> list[str]:
    violations = getattr(page, "csp_violations", [])
    found, violations[:] = list(violations), []
    return found


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
    if urlsplit(url).scheme in ("http", "https") and not getattr(page, "document_policy", None):
        problems.append("served without a Content-Security-Policy header")
    if violations := csp_violations_after_last_check(page):
        problems.append("CSP violations: " + " | ".join(violations))
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
    page.csp_violations = []
    page.document_policy = None

    def on_console(message):
        text = message.text
        if _is_policy_violation(text) and text not in page.csp_violations:
            page.csp_violations.append(text)

    def on_response(response):
        if response.request.resource_type == "document" and response.frame == page.main_frame:
            page.document_policy = response.headers.get("content-security-policy")

    page.add_init_script(_VIOLATION_LISTENER)
    page.on("console", on_console)
    page.on("response", on_response)

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
