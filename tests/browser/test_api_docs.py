"""The API reference pages render our schema from our own static files alone.

The external-request guard in conftest fails these tests if Swagger UI or ReDoc reach for a
CDN, a font service, a logo or an online validator. Like every page, both are checked at 1366
and 390 px once drawn (pagecheck: axe-core, no sideways scroll, screenshots), and so are the
states these tests put them in: an operation tried out, the authorisation dialog, a search.
"""

import pytest
from playwright.sync_api import expect

from tests.browser import pagecheck
from tests.browser.pagecheck import check_state

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Each UI is a megabyte or more of JavaScript that then parses the whole schema; on a busy
# machine the first render takes longer than expect()'s default five seconds.
FIRST_RENDER = 30_000

# Swagger UI shows its online-validator badge (an image from validator.swagger.io that carries
# our schema's address) only when that address contains neither "localhost" nor "127.0.0.1",
# so the docs are opened under a public-looking name, as a visitor sees them in production.
PUBLIC_ORIGIN = "http://docs.qrstudio.test"


@pytest.fixture
def docs(page, live_server):
    def from_live_server(route):
        url = live_server.url + route.request.url.removeprefix(PUBLIC_ORIGIN)
        route.fulfill(response=route.fetch(url=url))

    page.context.route(f"{PUBLIC_ORIGIN}/**", from_live_server)
    return page


def test_swagger_ui_renders_the_api_and_tries_a_call(docs):
    page = docs
    page.goto(f"{PUBLIC_ORIGIN}/api/v1/docs/")

    expect(page.get_by_role("heading", name="QR Studio API")).to_be_visible(timeout=FIRST_RENDER)
    expect(page.locator(".opblock-tag-section", has_text="codes").first).to_be_visible()

    list_codes = page.locator(".opblock", has_text="List codes")
    list_codes.locator(".opblock-summary").click()
    list_codes.get_by_role("button", name="Try it out").click()
    list_codes.get_by_role("button", name="Execute").click()
    # No key given: the call reached our API and got its 401, in our error envelope.
    live_response = list_codes.locator(".live-responses-table")
    expect(live_response.get_by_role("cell", name="401", exact=True)).to_be_visible()
    expect(live_response).to_contain_text('"code": "not_authenticated"')
    check_state(page, "tried-out")

    page.get_by_role("button", name="Authorize").first.click()
    expect(page.get_by_role("heading", name="Available authorizations")).to_be_visible()
    check_state(page, "authorize-dialog")


def test_redoc_renders_the_api_and_searches_it(docs):
    page = docs
    page.goto(f"{PUBLIC_ORIGIN}/api/v1/redoc/")

    expect(page.get_by_role("heading", name="QR Studio API").first).to_be_visible(
        timeout=FIRST_RENDER
    )
    expect(page.get_by_role("menuitem", name="codes").first).to_be_visible()
    expect(page.locator("h2", has_text="Create a code").first).to_be_visible()

    page.get_by_placeholder("Search...").fill("destination")
    # ReDoc builds its search index in a worker after the first render; with the whole API
    # (tickets, labels, sandbox...) on a busy machine that takes more than the default 5 s.
    expect(page.get_by_role("menuitem", name="Destination history").first).to_be_visible(
        timeout=FIRST_RENDER
    )
    check_state(page, "searched")


def test_the_guard_aborts_and_records_requests_to_other_hosts(page, external_requests):
    page.set_content(
        '<img src="http://198.51.100.7/pixel.png">'
        '<link rel="stylesheet" href="https://fonts.example.net/css">'
        '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">'
    )
    page.wait_for_load_state("networkidle")

    assert sorted(external_requests.blocked) == [
        "GET http://198.51.100.7/pixel.png (image)",
        "GET https://fonts.example.net/css (stylesheet)",
    ]
    external_requests.blocked.clear()  # seen and expected: this test's own teardown passes


def test_a_policy_violation_fails_the_page_check(page, live_server):
    page.goto("/accounts/login/")
    # An inline script added to the page, as an injected one would be: the policy refuses it.
    page.evaluate(
        "() => { const s = document.createElement('script');"
        " s.textContent = 'window.ran = true'; document.body.append(s); }"
    )
    page.wait_for_timeout(100)

    assert page.evaluate("() => window.ran") is None
    with pytest.raises(AssertionError, match=r"CSP violations: .*script-src"):
        pagecheck.check_page(page)
