"""Settings → API keys in Chromium: the secret is shown once, works, and revoking stops it."""

import datetime as dt

import pytest
from django.test import Client
from playwright.sync_api import expect

from accounts.models import ApiKey
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_create_an_api_key_and_see_it_only_once(page, screenshot, alice, acme):
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill("alice@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Settings").first.click()
    page.get_by_role("link", name="API keys").click()

    page.get_by_label("Name").fill("Warehouse label printer")
    page.get_by_label("Scope").select_option("write")
    expires = dt.date.today() + dt.timedelta(days=90)
    page.get_by_label("Expires on").fill(expires.isoformat())
    page.get_by_role("button", name="Create key").click()

    secret_box = page.locator("#new-key-secret")
    expect(secret_box).to_be_visible()
    expect(page.get_by_text("this is the only time it is shown")).to_be_visible()
    secret = secret_box.inner_text().strip()
    assert len(secret) > 20
    expect(page.locator("button[aria-describedby=new-key-secret]")).to_have_attribute(
        "data-copy", secret
    )
    page.evaluate("window.scrollTo(0, 0)")
    screenshot("api-key-created")

    # The key works for the API...
    api = Client()
    response = api.get("/api/v1/codes", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 200

    # ...and is never shown again: the list names it by its prefix only.
    page.reload()
    expect(page.locator("#new-key-secret")).to_have_count(0)
    assert secret not in page.content()
    row = page.locator("tr", has_text="Warehouse label printer")
    key = ApiKey.objects.get(name="Warehouse label printer")
    assert secret.startswith(key.prefix)
    expect(row).to_contain_text(f"{key.prefix}…")

    row.get_by_text("Revoke", exact=True).click()
    row.get_by_role("button", name="Revoke key").click()
    expect(page.get_by_text("revoked. It stopped working at once.")).to_be_visible()
    assert api.get("/api/v1/codes", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 401
