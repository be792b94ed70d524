"""The API keys page in a browser: make a test key, see the curl line, wipe the sandbox."""

import re

from playwright.sync_api import expect

from codes import services as code_services
from codes.models import QRCode
from tests.browser.test_dashboard import sign_in


def test_make_a_test_key_then_wipe_the_sandbox(page, screenshot, alice, acme):
    code_services.code_create(
        workspace=acme, actor=alice, destination="https://example.com/t", sandbox=True
    )
    sign_in(page)
    page.goto("/settings/api-keys/")

    page.get_by_label("Name").fill("Sandbox script")
    page.get_by_label("Test key (sandbox)").check()
    page.get_by_role("button", name="Create key").click()

    expect(page.locator("#new-key-secret")).to_have_text(re.compile(r"^qr_test_"))
    expect(page.locator("#new-key-curl")).to_contain_text("Authorization: Bearer qr_test_")
    expect(page.get_by_text("Test", exact=True)).to_be_visible()
    screenshot("api-keys-test-key")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot("api-keys-test-key-phone")
    page.set_viewport_size({"width": 1366, "height": 900})

    page.goto("/settings/api-keys/")
    page.get_by_text("Wipe sandbox", exact=True).first.click()
    page.get_by_role("button", name="Wipe sandbox").click()

    expect(page.get_by_text(re.compile(r"Sandbox wiped: 1 test code"))).to_be_visible()
    assert not QRCode.objects.filter(is_test=True).exists()
