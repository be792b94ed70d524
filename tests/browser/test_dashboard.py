"""The marketer's journeys through the dashboard, in Chromium.

Sign in, create a branded dynamic code with a logo while watching the preview, download it,
decode both downloads, scan it, and see the scan; change the destination and roll it back;
move codes to a campaign in bulk. Screenshots of each page land in tests/browser/artifacts/.
"""

import io
import re

import pytest
import zxingcpp
from django.urls import reverse
from PIL import Image
from playwright.sync_api import expect

from codes import services
from codes.models import QRCode
from tests.codes.views_helpers import logo_png
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# A phone's camera app, so the scan counts as a person's (a headless browser's UA is a bot's).
PHONE_UA = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1"
)


@pytest.fixture(autouse=True)
def short_links_on_the_live_server(settings, live_server):
    # The codes must encode a URL this test server answers, so the scan can be followed.
    settings.SHORT_URL_BASE = f"{live_server.url}/r/"


def sign_in(page, email="alice@example.com"):
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name=re.compile(r"^Hello"))).to_be_visible()


@pytest.fixture
def shot(page, screenshot):
    """A screenshot from the top of the page (a full-page shot of a scrolled page draws the
    sticky bars in the middle)."""

    def take(name: str):
        page.evaluate("window.scrollTo(0, 0)")
        return screenshot(name)

    return take


def decode(image: Image.Image) -> list[str]:
    return [result.text for result in zxingcpp.read_barcodes(image)]


def rasterise_svg(browser, svg: bytes) -> Image.Image:
    """Draw the downloaded SVG the way a browser shows it, and take its pixels."""
    context = browser.new_context(viewport={"width": 700, "height": 700})
    page = context.new_page()
    page.set_content(
        '<html><body style="margin:0;background:#fff">'
        f'<img id="code" style="width:600px;height:auto" src="data:image/svg+xml;base64,{_b64(svg)}">'
        "</body></html>"
    )
    page.wait_for_function("document.getElementById('code').complete")
    png = page.locator("#code").screenshot()
    context.close()
    return Image.open(io.BytesIO(png))


def _b64(data: bytes) -> str:
    import base64

    return base64.b64encode(data).decode()


def test_create_style_download_scan_and_see_the_scan(page, browser, shot, live_server, alice, acme):
    # No internet here: the code points at a page of the test server, so the scan lands.
    destination = f"{live_server.url}/healthz?utm_source=table-card"
    sign_in(page)
    page.get_by_role("link", name="Codes").first.click()
    expect(page.get_by_role("heading", name="No codes yet")).to_be_visible()
    shot("codes-empty")
    page.get_by_role("link", name="Create your first code").click()

    expect(page.get_by_role("heading", name="Create a code")).to_be_visible()
    page.get_by_label("Destination URL").fill(destination)
    page.get_by_role("textbox", name="Name in your list (optional)").fill(
        "Spring menu – table cards"
    )
    page.get_by_role("group", name="Pattern").get_by_label("Rounded").check()
    page.get_by_role("group", name="Eye frame").get_by_label("Rounded").check()

    preview = page.locator("#preview img")
    expect(preview).to_have_attribute("src", re.compile("^data:image/svg"))
    page.set_input_files(
        "#id_logo_upload",
        files=[{"name": "acme-logo.png", "mimeType": "image/png", "buffer": logo_png()}],
    )
    expect(page.locator("#logo-picker .logo-tile img")).to_have_count(1)
    expect(page.locator("#logo-picker input[name=logo]:checked")).not_to_have_value("")
    expect(page.locator("#preview .facts")).to_contain_text("Logo covers")

    before = preview.get_attribute("src")
    page.locator("#id_foreground_color").fill("#1d4ed8")
    expect(preview).not_to_have_attribute("src", before)  # the preview followed the colour
    expect(page.locator("#preview")).to_contain_text("Scans reliably")
    shot("editor")

    # The desktop button beside the preview (a second one shows on phones only).
    page.get_by_role("complementary", name="Preview").get_by_role(
        "button", name="Create code"
    ).click()
    expect(page.get_by_role("heading", name="Spring menu – table cards")).to_be_visible()
    expect(page.get_by_text("Your code is ready")).to_be_visible()
    code = QRCode.objects.get(workspace=acme)
    assert code.logo is not None
    assert code.style["module_shape"] == "rounded"
    assert code.style["foreground_color"] == "#1D4ED8"
    short_url = code.short_url
    expect(page.get_by_text(short_url).first).to_be_visible()

    with page.expect_download() as png_download:
        page.get_by_role("link", name="PNG", exact=True).click()
    png = Image.open(png_download.value.path())
    assert decode(png) == [short_url]

    with page.expect_download() as svg_download:
        page.get_by_role("link", name="SVG", exact=True).click()
    svg = open(svg_download.value.path(), "rb").read()  # noqa: SIM115 - read once
    assert svg.lstrip().startswith(b"<svg")
    assert decode(rasterise_svg(browser, svg)) == [short_url]

    phone = browser.new_context(user_agent=PHONE_UA)
    scan = phone.new_page()
    scan.goto(short_url)
    assert scan.url == destination
    phone.close()

    page.reload()
    expect(page.get_by_test_id("scan-total")).to_have_text("1")
    shot("code-page")
    page.set_viewport_size({"width": 390, "height": 844})
    shot("code-page-phone")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_change_the_destination_and_roll_it_back(page, shot, alice, acme):
    code = services.code_create(
        workspace=acme,
        actor=alice,
        name="Trade show booth",
        destination="https://example.com/booth",
    )
    sign_in(page)
    page.goto(reverse("codes:detail", args=[code.public_id]))

    page.get_by_text("Change destination", exact=True).click()
    page.get_by_label("New destination").fill("https://example.com/booth-2026")
    page.get_by_role("button", name="Save destination").click()
    card = page.locator("#destination")
    expect(card.locator(".destination")).to_have_text("https://example.com/booth-2026")
    expect(page.get_by_text("Destination changed. The next scan goes there.")).to_be_visible()
    code.refresh_from_db()
    assert code.destination == "https://example.com/booth-2026"
    shot("destination-history")

    old_row = card.locator("tr", has_text="https://example.com/booth").filter(
        has_not_text="booth-2026"
    )
    old_row.get_by_text("Restore", exact=True).click()
    old_row.get_by_role("button", name="Restore this destination").click()
    expect(card.locator(".destination")).to_have_text("https://example.com/booth")
    expect(page.get_by_text("Destination restored to https://example.com/booth.")).to_be_visible()
    code.refresh_from_db()
    assert code.destination == "https://example.com/booth"
    assert code.destination_changes.count() == 3


def test_bulk_move_two_codes_to_a_group(page, shot, alice, acme):
    group = services.group_create(workspace=acme, actor=alice, name="Spring launch")
    for name in ("Menu card", "Window poster", "Receipt footer"):
        services.code_create(
            workspace=acme, actor=alice, name=name, destination=f"https://example.com/{name[:4]}"
        )
    sign_in(page)
    page.goto(reverse("codes:list"))
    page.get_by_label("Select Menu card").check()
    page.get_by_label("Select Window poster").check()
    expect(page.get_by_text("2 selected")).to_be_visible()
    page.get_by_label("Bulk action", exact=True).select_option("move")
    page.get_by_label("Move to group").select_option(label="Spring launch")
    shot("codes-bulk")
    page.get_by_role("button", name="Move 2 codes to Spring launch").click()
    expect(page.get_by_text("Moved to Spring launch: 2 codes.")).to_be_visible()
    moved = set(QRCode.objects.filter(group=group).values_list("name", flat=True))
    assert moved == {"Menu card", "Window poster"}

    page.get_by_role("link", name="Groups").first.click()
    expect(page.locator(".group-card", has_text="Spring launch")).to_contain_text("2 codes")
    shot("groups")
    page.get_by_role("link", name="Spring launch", exact=True).click()
    expect(page.get_by_role("heading", name="Spring launch")).to_be_visible()
    expect(page.locator("#results")).to_contain_text("Window poster")
    shot("group-page")


def test_search_filters_and_pages_keep_the_url(page, shot, alice, acme):
    for i in range(30):
        services.code_create(
            workspace=acme,
            actor=alice,
            name=f"Flyer {i:02}",
            destination=f"https://example.com/f{i}",
        )
    services.code_create(
        workspace=acme, actor=alice, name="Booth banner", destination="https://example.com/booth"
    )
    sign_in(page)
    page.goto(reverse("codes:list"))
    page.get_by_label("Search codes").fill("flyer")
    expect(page).to_have_url(re.compile(r"q=flyer"))
    expect(page.locator("#results")).not_to_contain_text("Booth banner")
    expect(page.get_by_text("Showing 1–25 of 30")).to_be_visible()
    page.get_by_role("link", name="Next ›").click()
    expect(page.get_by_text("Showing 26–30 of 30")).to_be_visible()
    expect(page).to_have_url(re.compile(r"q=flyer.*page=2|page=2.*q=flyer"))
    shot("codes-list")
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    shot("codes-list-phone")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_brand_style_saved_from_the_editor_starts_the_next_code(page, shot, alice, acme):
    sign_in(page)
    page.goto(reverse("codes:create"))
    page.locator("#id_foreground_color").fill("#7e22ce")
    page.get_by_role("group", name="Pattern").get_by_label("Dots").check()
    page.get_by_text("Save this design as a brand style").click()
    page.get_by_label("Style name").fill("Acme purple")
    page.get_by_role("button", name="Save brand style").click()
    expect(page.get_by_text("Saved as “Acme purple”.")).to_be_visible()

    page.goto(reverse("codes:template_list"))
    expect(page.get_by_role("heading", name="Acme purple")).to_be_visible()
    shot("brand-styles")
    page.get_by_role("link", name="Use for a new code").click()
    expect(page.locator("#id_foreground_color")).to_have_value("#7e22ce")
    expect(page.get_by_role("group", name="Pattern").get_by_label("Dots")).to_be_checked()
    page.set_viewport_size({"width": 390, "height": 844})
    shot("editor-phone")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_overview_shows_code_stats(page, shot, alice, acme):
    code = services.code_create(
        workspace=acme, actor=alice, name="Spring menu", destination="https://example.com/spring"
    )
    QRCode.objects.filter(pk=code.pk).update(scan_count=12)
    sign_in(page)
    expect(page.get_by_role("heading", name="Most scanned")).to_be_visible()
    expect(page.locator(".stat", has_text="Scans")).to_contain_text("12")
    shot("overview")
