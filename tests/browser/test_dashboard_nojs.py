"""The dashboard with JavaScript switched off: every control is a plain form or link."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from codes import services
from codes.models import QRCode
from tests.codes.views_helpers import logo_png
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def nojs(browser, live_server, alice):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill("alice@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Hello, Alice")).to_be_visible()
    yield page
    context.close()


def test_create_with_preview_and_logo_without_javascript(nojs, alice, acme):
    page = nojs
    page.goto(reverse("codes:create"))
    page.get_by_label("Destination URL").fill("https://example.com/no-js")
    page.get_by_role("group", name="Pattern").get_by_label("Dots").check()
    page.locator("#id_foreground_color").fill("#7e22ce")
    page.set_input_files(
        "#id_logo_upload",
        files=[{"name": "logo.png", "mimeType": "image/png", "buffer": logo_png()}],
    )
    page.get_by_role("button", name="Update preview").click()  # posts the form to itself
    expect(page.locator("#preview .facts")).to_contain_text("Logo covers")
    expect(page.get_by_role("group", name="Pattern").get_by_label("Dots")).to_be_checked()
    assert not QRCode.objects.exists()

    # The desktop button beside the preview (a second one shows on phones only).
    page.get_by_role("complementary", name="Preview").get_by_role(
        "button", name="Create code"
    ).click()
    expect(page.get_by_text("Your code is ready")).to_be_visible()
    code = QRCode.objects.get(workspace=acme)
    assert code.logo is not None
    assert code.style["module_shape"] == "dots"


def test_pause_change_destination_and_bulk_delete_without_javascript(nojs, alice, acme):
    page = nojs
    code = services.code_create(
        workspace=acme, actor=alice, name="Poster", destination="https://example.com/a"
    )
    page.goto(reverse("codes:detail", args=[code.public_id]))
    page.get_by_role("button", name="Pause scans").click()
    expect(page.get_by_text("Code paused")).to_be_visible()
    page.get_by_text("Change destination", exact=True).click()
    page.get_by_label("New destination").fill("https://example.com/b")
    page.get_by_role("button", name="Save destination").click()
    expect(page.locator(".destination")).to_have_text("https://example.com/b")

    page.goto(reverse("codes:list"))
    page.get_by_label("Select Poster").check()
    page.get_by_label("Bulk action", exact=True).select_option("delete")
    page.get_by_role("button", name="Apply to selected").click()
    expect(page.get_by_role("heading", name="Delete 1 code?")).to_be_visible()
    page.get_by_role("button", name="Delete 1 code").click()
    expect(page.get_by_text("Deleted 1 code.")).to_be_visible()
    code.refresh_from_db()
    assert code.deleted_at is not None
    assert code.destination == "https://example.com/b"
