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

A page a script draws (Swagger UI, ReDoc) is checked once drawn, not as the empty shell the
server sent. A test that brings a page into a new state by using it calls `check_state`. The
only axe findings let through are named one by one in AXE_SCOPED_EXCLUSIONS (rule, selector,
why): markup of a third-party widget that we cannot change from our templates or settings.
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

# Pages our server sends as an empty shell that a script fills: checking them on "load" checks
# the shell. Each waits for the element that shows the script has drawn the page.
RENDERED_BY_SCRIPT = {
    "/api/v1/docs/": ".swagger-ui .information-container .title",
    "/api/v1/redoc/": "#redoc-container [role=menuitem]",
}
SCRIPT_RENDER_TIMEOUT = 30_000  # a megabyte of JavaScript parsing the whole schema, busy machine

# axe rules switched off for one selector inside third-party markup we cannot change, and why.
# Everything else on these pages (our templates, our settings, our schema's text) is checked.
AXE_SCOPED_EXCLUSIONS: dict[str, list[tuple[str, str, str]]] = {
    "/api/v1/docs/": [
        (
            "select-name",
            ".parameters-col_description select, select.examples-select-element",
            "Swagger UI draws a try-it-out parameter's choices and the example picker as a bare "
            "<select>; the parameter name beside it is a div, not a <label>",
        ),
        (
            "button-name",
            ".modal-ux .close-modal",
            "the authorisation dialog's close button is an icon with no text, title or label",
        ),
        (
            "label-content-name-mismatch",
            ".auth-container .btn.authorize",
            'the dialog\'s "Authorize" button is labelled "Apply credentials" for screen readers',
        ),
    ],
    "/api/v1/redoc/": [
        (
            "label-content-name-mismatch",
            '[data-role="search:results"] [role=menuitem]',
            'a search hit reads "get Destination history" (method badge, then summary) but '
            "ReDoc labels it with the summary alone",
        ),
    ],
}

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


def axe_violations(page, exclusions: list[tuple[str, str, str]] = ()) -> list[str]:
    """Serious and critical violations, less the nodes an exclusion names (rule id, and a
    selector the node is or sits inside)."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SOURCE)
    result = page.evaluate(
        """async (exclusions) => {
          const result = await axe.run(document, {resultTypes: ['violations']});
          const excused = (rule, node) => exclusions.some(([id, selector]) => {
            if (id !== rule || node.target.length !== 1) return false;
            const element = document.querySelector(node.target[0]);
            return element !== null && element.closest(selector) !== null;
          });
          for (const v of result.violations) v.nodes = v.nodes.filter(n => !excused(v.id, n));
          return result.violations.filter(v => v.nodes.length > 0);
        }""",
        [[rule, selector] for rule, selector, _why in exclusions],
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(str(node["target"][0]) for node in v["nodes"][:3])
        for v in result
        if v["impact"] in BLOCKING
    ]


# ReDoc's one page holds the whole API reference, tens of thousands of pixels tall: past this
# the shot is megabytes of more of the same.
SCREENSHOT_MAX_HEIGHT = 8_000


def _shot_area(page) -> dict:
    width, height = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.scrollHeight]"
    )
    if height <= SCREENSHOT_MAX_HEIGHT:
        return {"full_page": True}
    return {
        "full_page": True,
        "clip": {"x": 0, "y": 0, "width": width, "height": SCREENSHOT_MAX_HEIGHT},
    }


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
    path = urlsplit(page.url).path
    if ready := RENDERED_BY_SCRIPT.get(path):
        # Attached, not visible: on a phone ReDoc's menu is folded away.
        page.wait_for_selector(ready, state="attached", timeout=SCRIPT_RENDER_TIMEOUT)
    key = page_key(page.url)
    first_visit = key not in _seen
    _seen.add(key)
    _check_at_both_sizes(page, key, thorough=first_visit)


def check_state(page, state: str) -> None:
    """The same checks, all of them, for a state a test has brought a page into by using it
    (an operation expanded, a dialog open) rather than by navigating."""
    _check_at_both_sizes(page, f"{page_key(page.url)}-{state}", thorough=True)


def _check_at_both_sizes(page, key: str, *, thorough: bool) -> None:
    path = urlsplit(page.url).path
    original = page.viewport_size
    problems = []
    url = page.url
    if urlsplit(url).scheme in ("http", "https") and not getattr(page, "document_policy", None):
        problems.append("served without a Content-Security-Policy header")
    if violations := csp_violations_after_last_check(page):
        problems.append("CSP violations: " + " | ".join(violations))
    try:
        for label, size in SIZES.items():
            page.set_viewport_size(size)
            page.wait_for_timeout(50)  # one layout pass after the resize
            if overflow := horizontal_overflow(page):
                problems.append(f"{label}: scrolls sideways: {overflow}")
            if not thorough:
                continue
            if violations := axe_violations(page, AXE_SCOPED_EXCLUSIONS.get(path, [])):
                problems.append(f"{label}: axe: " + " | ".join(violations))
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / f"{key}-{label}.png"), **_shot_area(page))
    finally:
        if original:
            page.set_viewport_size(original)
    if problems:
        raise AssertionError(f"{page.url} ({key}):\n  " + "\n  ".join(problems))


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
