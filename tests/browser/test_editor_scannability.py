"""The editor offers what scans: eye combinations the guard always refuses are switched off
before they can be picked, and the live preview shows the scannability score and its fix."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser.test_dashboard import shot, sign_in  # noqa: F401 - the fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_refused_eye_balls_are_disabled_and_the_preview_scores_the_design(page, shot, alice):  # noqa: F811
    sign_in(page)
    page.goto(reverse("codes:create"))
    page.locator("#id_destination").fill("https://example.com/spring")
    frames = page.get_by_role("group", name="Eye frame")
    balls = page.get_by_role("group", name="Eye ball")
    balls.get_by_label("Square").check()

    frames.get_by_label("Circle").check()

    expect(balls.get_by_label("Square")).to_be_disabled()
    expect(balls.get_by_label("Rounded")).to_be_disabled()
    expect(balls.get_by_label("Circle")).to_be_checked()
    expect(page.get_by_text("only a circle ball reads on every phone")).to_be_visible()
    preview = page.locator("#preview")
    expect(preview.get_by_text("Scans, but not in every condition")).to_be_visible()
    expect(preview.locator("[data-score]")).to_have_text(re.compile(r"^\d+ % of real-world"))
    expect(preview.get_by_text("use square finder eyes")).to_be_visible()
    shot("editor-eyes-circle")

    frames.get_by_label("Square").check()

    expect(balls.get_by_label("Square")).to_be_enabled()
    expect(page.get_by_text("only a circle ball reads on every phone")).to_be_hidden()
    balls.get_by_label("Square").check()
    expect(preview.get_by_text("Scans reliably")).to_be_visible()
    expect(preview.locator("[data-score]")).to_have_text("100 % of real-world conditions")
    page.set_viewport_size({"width": 390, "height": 844})
    frames.get_by_label("Circle").check()
    expect(balls.get_by_label("Square")).to_be_disabled()
    shot("editor-eyes-circle-phone")
