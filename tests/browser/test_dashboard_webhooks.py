"""Settings → Webhooks in Chromium: add an endpoint, send a test event to a real receiver on
127.0.0.1, and see the delivery in the log, verified with the secret the page showed once."""

import os
import tempfile
from pathlib import Path

import pytest
from playwright.sync_api import expect
from standardwebhooks import Webhook

from tests.conftest import PASSWORD
from tests.webhooks.receiver import Receiver

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
# Screenshots at desktop and phone widths, to look at (not compared).
SHOTS = Path(os.environ.get("WEBHOOK_SHOTS_DIR") or Path(tempfile.gettempdir()) / "shots-15")


@pytest.fixture
def receiver(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS = True
    settings.WEBHOOKS_ALLOW_HTTP = True
    with Receiver() as running:
        yield running


def _shoot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_load_state("networkidle")
    for width, height in ((1366, 900), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 860})


def test_add_an_endpoint_send_a_test_event_and_see_it_delivered(
    page, screenshot, alice, acme, receiver
):
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill("alice@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Settings").first.click()
    page.get_by_role("link", name="Webhooks").click()
    expect(page.get_by_text("No endpoints yet")).to_be_visible()
    _shoot(page, "webhooks-empty")

    # A refused URL is a message on the form, and nothing is added.
    page.get_by_label("Endpoint URL").fill("http://169.254.169.254/latest")
    page.get_by_role("button", name="Add endpoint").click()
    expect(page.get_by_text("cloud metadata address")).to_be_visible()

    page.get_by_label("Endpoint URL").fill(receiver.url)
    page.get_by_label("Description").fill("CRM sync")
    page.get_by_label("Scan thresholds").fill("100, 1000")
    page.get_by_role("button", name="Add endpoint").click()
    secret_box = page.locator("#new-secret")
    expect(secret_box).to_be_visible()
    secret = secret_box.inner_text().strip()
    assert secret.startswith("whsec_")
    _shoot(page, "webhooks-added")

    page.get_by_role("link", name="Open the endpoint and send a test event").click()
    page.get_by_role("button", name="Send test event").click()
    expect(page.get_by_text("Test event sent")).to_be_visible()
    row = page.locator("tbody tr").first
    expect(row).to_contain_text("webhook.test")
    expect(row).to_contain_text("Delivered")
    expect(row).to_contain_text("HTTP 200")
    _shoot(page, "webhooks-detail")
    screenshot("webhooks-detail")

    (request,) = receiver.wait_for(1)
    assert Webhook(secret).verify(request.body, request.headers)["type"] == "webhook.test"
    assert secret not in page.content()  # shown once, on the page that answered the form

    # Redeliver: the same webhook-id again, a second row in the log.
    row.get_by_role("button", name="Redeliver").click()
    expect(page.locator("tbody tr")).to_have_count(2)
    second = receiver.wait_for(2)[1]
    assert second.headers["webhook-id"] == request.headers["webhook-id"]
