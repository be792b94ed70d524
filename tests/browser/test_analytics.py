"""A marketer reads a code's analytics and switches the range preset; the chart updates in
place through HTMX (no page load), and the page looks right on a laptop and a phone."""

import random
import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts import services
from accounts.models import User
from tests.analytics.analytics_data import add_scan
from tests.codes.factories import CampaignGroupFactory, QRCodeFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Cities as a MaxMind City database records them (English names); "" where it knows none.
PLACES = [
    ("US", "en-US", "New York"),
    ("US", "en-US", ""),
    ("FR", "fr-FR", "Paris"),
    ("DE", "de-DE", "Frankfurt am Main"),
    ("GB", "en-GB", "London"),
    ("JP", "ja-JP", "Tokyo"),
]
DEVICES = [("mobile", "iOS", "Mobile Safari"), ("mobile", "Android", "Chrome Mobile"),
           ("mobile", "Android", "Samsung Internet"), ("tablet", "iPadOS", "Mobile Safari"),
           ("desktop", "Windows", "Edge")]  # fmt: skip


def seed(page):
    owner = User.objects.create_user(email="mia@example.com", password="a-long-passphrase")
    workspace = services.workspace_create(name="Mia Studio", owner=owner)
    group = CampaignGroupFactory(workspace=workspace, name="Spring launch")
    poster = QRCodeFactory(
        workspace=workspace, group=group, name="Spring poster", external_id="CUST-1001"
    )
    flyer = QRCodeFactory(workspace=workspace, group=group, name="Store flyer")
    rng = random.Random(6)
    now = timezone.now()
    for day in range(60):
        for n in range(rng.randrange(2, 9) + (6 if day % 7 in (1, 2) else 0)):
            country, language, city = rng.choice(PLACES)
            device, os_name, browser = rng.choice(DEVICES)
            add_scan(
                rng.choice([poster, poster, flyer]),
                now - timedelta(days=day, minutes=rng.randrange(600)),
                visitor=f"v{day}-{n % 5}",
                country=country,
                city=city,
                language=language,
                device_type=device,
                os=os_name,
                browser=browser,
                referrer_host=rng.choice(["", "", "instagram.com", "t.co"]),
                is_bot=rng.random() < 0.04,
            )
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill("mia@example.com")
    page.get_by_label("Password").fill("a-long-passphrase")
    page.get_by_role("button", name="Log in").click()
    return poster


def test_switching_the_range_preset_updates_the_chart_in_place(page, screenshot):
    poster = seed(page)
    page.goto(f"/analytics/codes/{poster.public_id}/")

    chart = page.locator("svg.chart-series desc")
    expect(page.get_by_role("heading", name="Spring poster")).to_be_visible()
    expect(page.locator(".page-header")).to_contain_text("external ID CUST-1001")
    expect(chart).to_contain_text("over 30 days")
    expect(page.get_by_role("heading", name="Countries")).to_be_visible()
    cities = page.locator("section", has=page.get_by_role("heading", name="Cities"))
    expect(cities.locator("svg")).to_contain_text("London, GB")
    expect(cities.locator("table")).to_contain_text("Frankfurt am Main, Germany")
    expect(cities.locator("#unknown-city")).to_contain_text("Unknown:")
    screenshot("analytics-code-30-days")
    page.evaluate("window.__samePage = true")

    page.get_by_role("link", name="7 days").click()

    expect(chart).to_contain_text("over 7 days")
    expect(page.get_by_role("link", name="7 days")).to_have_attribute("aria-current", "true")
    assert "range=7d" in page.url
    assert page.evaluate("window.__samePage === true")  # swapped by HTMX, not a new page
    screenshot("analytics-code-7-days")


def test_the_workspace_page_on_a_phone(page, screenshot):
    seed(page)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/analytics/?range=90d")

    expect(page.get_by_role("heading", name="Top codes")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("Spring poster CUST-1001"))).to_be_visible()
    screenshot("analytics-workspace-phone")
