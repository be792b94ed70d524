"""The dashboard walked through as a new marketer would, at a desktop and a phone size.

Each numbered finding of issue 18 has a test here, run at 1366x900 and 390x844. Every page
these tests open is also checked by tests/browser/pagecheck.py (no sideways scroll at either
size, axe-core, screenshots in var/screenshots/).
"""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from codes import services
from codes.models import LogoAsset, QRCode
from codes.tasks import codes_purge_deleted_task
from tests.browser.pagecheck import SIZES
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(params=sorted(SIZES), ids=sorted(SIZES))
def size(request):
    return request.param


@pytest.fixture
def page(browser, live_server, size):
    context = browser.new_context(base_url=live_server.url, viewport=SIZES[size])
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture(autouse=True)
def short_links_on_the_live_server(settings, live_server):
    settings.SHORT_URL_BASE = f"{live_server.url}/r/"


def sign_in(page, email="alice@example.com"):
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/$"))


def in_viewport(page, selector: str) -> bool:
    return page.evaluate(
        """(selector) => {
          const r = document.querySelector(selector).getBoundingClientRect();
          return r.height > 0 && r.top >= 0 && r.top < window.innerHeight;
        }""",
        selector,
    )


# 1 -----------------------------------------------------------------------------------------
def test_1_the_preview_stays_in_view_while_the_design_is_styled(page, size, alice):
    sign_in(page)
    page.goto(reverse("codes:create"))
    expect(page.locator("#preview img")).to_be_visible()
    page.get_by_role("heading", name="Frame and label").scroll_into_view_if_needed()
    page.mouse.wheel(0, 400)
    page.wait_for_timeout(300)
    if size == "desktop":
        assert in_viewport(page, "#preview")
    else:
        # The preview itself is above, off screen; a small copy floats in the corner.
        assert not in_viewport(page, "#preview")
        mini = page.locator("[data-mini-preview]")
        expect(mini).to_be_visible()
        assert mini.locator("img").get_attribute("src").startswith("data:image/svg+xml")
        mini.click()
        page.wait_for_timeout(300)
        assert in_viewport(page, "#preview")


# 2 -----------------------------------------------------------------------------------------
def test_2_an_error_in_a_collapsed_section_is_summarised_and_focused(page, size, alice):
    sign_in(page)
    page.goto(reverse("codes:create"))
    page.get_by_label("Destination URL").fill("https://example.com/spring")
    page.get_by_text("More options").click()
    page.get_by_label("Custom short link").fill("no spaces allowed")
    page.get_by_text("More options").click()  # closed again, as a hurried user leaves it
    page.get_by_role("button", name="Create code").locator("visible=true").first.click()
    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Custom short link")
    assert page.locator("details.options").evaluate("el => el.open")
    summary.get_by_role("link").first.click()
    expect(page.get_by_label("Custom short link")).to_be_focused()


# 3 -----------------------------------------------------------------------------------------
def test_3_switching_the_content_type_keeps_the_design(page, size, alice):
    sign_in(page)
    page.goto(reverse("codes:create"))
    page.locator("#id_foreground_color").fill("#c2410c")
    page.get_by_role("group", name="Pattern").get_by_label("Dots").check()
    page.get_by_role("textbox", name="Name in your list (optional)").fill("Lobby sign")
    page.get_by_role("button", name=re.compile("^Wi-Fi")).click()
    expect(page.get_by_label("Network name")).to_be_visible()
    expect(page.locator("#id_foreground_color")).to_have_value("#c2410c")
    expect(page.get_by_role("group", name="Pattern").get_by_label("Dots")).to_be_checked()
    expect(page.get_by_role("textbox", name="Name in your list (optional)")).to_have_value(
        "Lobby sign"
    )


# 5 -----------------------------------------------------------------------------------------
def test_5_the_login_page_is_branded_with_the_product(page, size):
    page.goto("/accounts/login/")
    assert page.title() == "Log in · QR Studio"
    expect(page.locator(".brand")).to_have_text("QR Studio")


# 6 -----------------------------------------------------------------------------------------
def test_6_an_address_without_https_is_accepted_and_the_user_told(page, size, alice):
    sign_in(page)
    page.goto(reverse("codes:create"))
    page.get_by_label("Destination URL").fill("brandco.example/page")
    page.get_by_role("button", name="Create code").locator("visible=true").first.click()
    expect(page.get_by_text("We added https:// in front of the destination")).to_be_visible()
    assert QRCode.objects.get().destination == "https://brandco.example/page"


def test_6_a_typo_and_an_oversized_logo_get_messages_a_marketer_can_act_on(page, size, alice):
    sign_in(page)
    page.goto(reverse("codes:create"))
    page.get_by_label("Destination URL").fill("https://brandco.example/spring menu")
    page.get_by_role("button", name="Create code").locator("visible=true").first.click()
    expect(page.locator("#error-summary")).to_contain_text("has a space at character 31")
    # 6 MB: refused in the browser, before anything is uploaded.
    page.locator("#id_logo_upload").set_input_files(
        files=[{"name": "huge.png", "mimeType": "image/png", "buffer": b"\0" * (6 * 1024 * 1024)}]
    )
    expect(page.get_by_text("The logo is 6.0 MB; logos can be at most 5 MB.")).to_be_visible()
    page.wait_for_timeout(300)
    assert LogoAsset.objects.count() == 0


# 7 -----------------------------------------------------------------------------------------
def test_7_a_bulk_move_needs_a_chosen_group_says_what_it_does_and_can_be_undone(
    page, size, alice, acme
):
    spring = services.group_create(workspace=acme, actor=alice, name="Spring sale")
    autumn = services.group_create(workspace=acme, actor=alice, name="Autumn")
    for i in range(12):
        services.code_create(
            workspace=acme,
            actor=alice,
            name=f"Flyer {i:02}",
            destination=f"https://example.com/{i}",
            group=autumn,
        )
    sign_in(page)
    page.goto(reverse("codes:list"))
    for name in ("Flyer 00", "Flyer 01", "Flyer 02", "Flyer 03"):
        page.get_by_label(f"Select {name}").check()
    page.get_by_label("Bulk action", exact=True).select_option("move")
    apply = page.locator("[data-bulk-apply]")
    expect(apply).to_be_disabled()
    expect(page.locator("[data-bulk-summary]")).to_have_text("Choose the group to move them to.")
    page.get_by_label("Move to group").select_option(label="Spring sale")
    expect(apply).to_have_text("Move 4 codes to Spring sale")
    # The bar stays in view while the list scrolls.
    page.mouse.wheel(0, 900)
    page.wait_for_timeout(300)
    assert in_viewport(page, ".bulk-bar")
    apply.click()
    expect(page.get_by_text("Moved to Spring sale: 4 codes.")).to_be_visible()
    assert QRCode.objects.filter(group=spring).count() == 4
    page.get_by_role("button", name="Undo").click()
    expect(page.get_by_text("Undone: 4 codes as before.")).to_be_visible()
    assert QRCode.objects.filter(group=autumn).count() == 12


# 8 -----------------------------------------------------------------------------------------
def test_8_groups_link_to_their_analytics(page, size, alice, acme):
    group = services.group_create(workspace=acme, actor=alice, name="Spring sale")
    sign_in(page)
    page.goto(reverse("codes:group_list"))
    page.get_by_role("link", name="Analytics of Spring sale").click()
    page.wait_for_url(f"**{reverse('analytics:group', args=[group.public_id])}")
    page.get_by_role("link", name="Back to the group").click()
    page.wait_for_url(f"**{reverse('codes:group_detail', args=[group.public_id])}")
    page.get_by_role("link", name=re.compile("See this group’s analytics")).click()
    page.wait_for_url(f"**{reverse('analytics:group', args=[group.public_id])}")


# 9 -----------------------------------------------------------------------------------------
def test_9_small_layout_bugs_on_the_overview_members_list_and_history(page, size, alice, acme):
    sign_in(page)
    # The first-run overview asks once, and the checklist's API step links to the keys.
    expect(page.get_by_role("heading", name="Create your first code")).to_have_count(0)
    expect(page.get_by_role("link", name="Create your first code")).to_have_count(1)
    page.get_by_role("link", name="API keys").click()
    page.wait_for_url("**/settings/api-keys/")

    page.goto(reverse("settings:members"))
    badge = page.locator("td .badge.owner").first
    assert badge.bounding_box()["width"] < 100

    services.code_create(
        workspace=acme,
        actor=alice,
        kind="static",
        content_type="event",
        content={"title": "Launch party", "start": "2026-04-10T18:00"},
    )
    code = services.code_create(
        workspace=acme, actor=alice, name="Poster", destination="https://example.com/a"
    )
    services.code_change_destination(code=code, destination="https://example.com/b", actor=alice)
    page.goto(reverse("codes:list"))
    expect(page.locator("#results")).to_contain_text("Launch party, 10 Apr 2026, 18:00")
    expect(page.locator("#results")).not_to_contain_text("2026-04-10T18:00")

    page.goto(reverse("codes:detail", args=[code.public_id]))
    first = page.get_by_text("(first)")
    box = first.bounding_box()
    assert box["height"] < 24  # one line, not "(firs" / "t)"

    page.goto(reverse("codes:create") + "?type=mecard")
    expect(page.get_by_text("Name in your list")).to_be_visible()


def test_9_the_checklist_ticks_once_an_api_key_has_been_used(page, size, alice, acme):
    from accounts import services as account_services

    services.code_create(workspace=acme, actor=alice, destination="https://example.com/a")
    _, secret = account_services.api_key_create(
        workspace=acme, actor=alice.memberships.get(), name="Printer", scope="read"
    )
    sign_in(page)
    step = page.locator(".checklist li", has_text="Connect your systems")
    expect(step).not_to_have_class("done")
    answer = page.request.get("/api/v1/codes", headers={"Authorization": f"Bearer {secret}"})
    assert answer.status == 200
    page.reload()
    expect(step).to_have_class("done")


# 10 ----------------------------------------------------------------------------------------
def test_10_the_api_docs_are_in_the_navigation(page, size, alice):
    sign_in(page)
    if size == "phone":
        page.locator(".mobile-nav > summary").click()
    page.get_by_role("link", name="API docs").locator("visible=true").first.click()
    page.wait_for_url("**/api/v1/docs/")
    page.goto(reverse("settings:api_keys"))
    expect(page.get_by_role("link", name="API reference")).to_have_attribute(
        "href", "/api/v1/docs/"
    )


# 11 ----------------------------------------------------------------------------------------
def test_11_a_deleted_code_can_be_undone_restored_from_the_trash_and_is_purged(
    page, browser, live_server, size, alice, acme
):
    code = services.code_create(
        workspace=acme, actor=alice, name="Poster", destination="https://example.com/a"
    )
    sign_in(page)
    page.goto(reverse("codes:detail", args=[code.public_id]))
    page.get_by_label("Delete this code").click()
    page.get_by_role("button", name="Delete code").click()
    expect(page.get_by_text("It is in the trash for 30 days.")).to_be_visible()

    scanner = browser.new_context(base_url=live_server.url, viewport=SIZES[size])
    scan = scanner.new_page()
    scan.goto(f"/r/{code.slug}")
    expect(scan.get_by_role("heading")).to_have_text("This QR code no longer exists")

    page.goto(reverse("codes:trash"))
    expect(page.locator(".trash-table")).to_contain_text("Poster")
    restore = page.get_by_role("button", name="Restore Poster")
    # Whole on screen, not cut off at the edge of a table that scrolls within itself.
    box = restore.bounding_box()
    assert box["x"] >= 0
    assert box["x"] + box["width"] <= SIZES[size]["width"] - 16
    restore.click()
    expect(page.get_by_text("Restored “Poster”. It is paused")).to_be_visible()
    code.refresh_from_db()
    assert code.deleted_at is None

    services.code_delete(code=code, actor=alice)
    QRCode.objects.filter(pk=code.pk).update(deleted_at=timezone.now() - timedelta(days=31))
    page.goto(reverse("codes:trash"))
    expect(page.get_by_role("heading", name="The trash is empty")).to_be_visible()
    assert codes_purge_deleted_task() == 1
    scan.goto(f"/r/{code.slug}")
    expect(scan.get_by_role("heading")).to_have_text("This QR code no longer exists")
    scanner.close()


# 12 ----------------------------------------------------------------------------------------
def test_12_a_scan_page_in_german_with_the_workspaces_colour(
    browser, live_server, size, alice, acme
):
    code = services.code_create(workspace=acme, actor=alice, destination="https://example.com/a")
    services.code_deactivate(code=code, actor=alice)
    services.scan_page_brand_set(workspace=acme, actor=alice, color="#0f766e", logo=None)
    context = browser.new_context(base_url=live_server.url, viewport=SIZES[size], locale="de-DE")
    scan = context.new_page()
    scan.goto(f"/r/{code.slug}")
    expect(scan.get_by_role("heading")).to_have_text("Dieser QR-Code ist nicht mehr aktiv")
    expect(scan.get_by_text("Dieser Code wurde von seinem Inhaber abgeschaltet.")).to_be_visible()
    assert scan.locator("html").get_attribute("lang") == "de"
    colour = scan.locator(".status-code").evaluate("el => getComputedStyle(el).color")
    assert colour == "rgb(15, 118, 110)"
    context.close()


def test_12_the_scan_page_colour_is_set_in_the_settings(page, size, alice, acme):
    sign_in(page)
    page.goto(reverse("settings:general"))
    page.get_by_role("link", name="Scan pages").click()
    page.wait_for_url("**/settings/scan-pages/")
    page.get_by_label("Use our own colour").check()
    page.locator("#id_color").fill("#1e40af")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Scan pages updated.")).to_be_visible()
    acme.refresh_from_db()
    assert acme.scan_page_brand.color == "#1e40af"


# Analytics depth -----------------------------------------------------------------------------
def test_analytics_map_comparison_and_email_reports_pages(page, size, alice, acme):
    from analytics.models import Scan

    spring = services.group_create(workspace=acme, actor=alice, name="Spring sale")
    autumn = services.group_create(workspace=acme, actor=alice, name="Autumn")
    for group, country in ((spring, "FR"), (autumn, "US")):
        code = services.code_create(
            workspace=acme, actor=alice, destination="https://example.com/a", group=group
        )
        Scan.objects.create(code=code, workspace=acme, scanned_at=timezone.now(), country=country)
    sign_in(page)
    page.goto(reverse("analytics:workspace"))
    expect(page.locator("svg.world-map path[data-country=FR]")).to_have_attribute(
        "fill", re.compile("^#")
    )
    page.get_by_text("Every country as a table").click()
    expect(page.get_by_role("table", name="Scans by country, most first")).to_contain_text("France")
    page.get_by_role("link", name="Compare").click()
    page.wait_for_url("**/analytics/compare/")
    page.get_by_label("First (A)").select_option(label="Group: Spring sale")
    page.get_by_label("Second (B)").select_option(label="Group: Autumn")
    page.get_by_role("button", name="Compare").click()
    page.wait_for_url(re.compile(r"/analytics/compare/\?a="))
    expect(page.get_by_role("columnheader", name="A: Spring sale")).to_be_visible()
    page.goto(reverse("analytics:reports"))
    page.get_by_role("button", name="Schedule").click()
    page.wait_for_url("**/analytics/reports/")
    expect(page.get_by_text("alice@example.com will get this report by email.")).to_be_visible()
