import re

import pytest
from playwright.sync_api import expect

from accounts.models import Membership, User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sign_up_log_out_and_log_in_again(page, screenshot):
    page.goto("/accounts/signup/")
    page.get_by_label("Your name").fill("Dana Lee")
    page.get_by_label("Work email").fill("dana@example.com")
    page.get_by_label("Password").fill("a-long-passphrase")
    page.get_by_role("button", name="Create account").click()

    expect(page.get_by_role("heading", name="Hello, Dana")).to_be_visible()
    expect(page.get_by_text("Welcome! Your workspace is ready.")).to_be_visible()
    screenshot("dashboard-home")
    assert Membership.objects.get(user__email="dana@example.com").role == "owner"

    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))

    page.get_by_label("Email").fill("dana@example.com")
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_contain_text("don’t match an account")

    page.get_by_label("Password").fill("a-long-passphrase")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Hello, Dana")).to_be_visible()
    assert User.objects.get(email="dana@example.com").last_login is not None


def test_sign_up_with_a_weak_password_shows_the_error_next_to_the_field(page, screenshot):
    page.goto("/accounts/signup/")
    page.get_by_label("Work email").fill("dana@example.com")
    page.get_by_label("Password").fill("12345")
    page.get_by_role("button", name="Create account").click()

    expect(page.locator(".field.has-error .errorlist")).to_contain_text("too short")
    screenshot("signup-error")
    assert not User.objects.exists()


def test_members_page_on_a_phone(page, screenshot, live_server):
    owner = User.objects.create_user(email="olga@example.com", password="a-long-passphrase")
    from accounts import services

    services.workspace_create(name="Olga Inc", owner=owner)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill("olga@example.com")
    page.get_by_label("Password").fill("a-long-passphrase")
    page.get_by_role("button", name="Log in").click()
    page.goto("/settings/members/")

    expect(page.get_by_role("heading", name="Invite a teammate")).to_be_visible()
    screenshot("members-phone")
    # Nothing overflows sideways on a phone.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.locator("details.mobile-nav > summary").click()
    expect(page.locator(".mobile-nav").get_by_role("link", name="Settings")).to_be_visible()
    screenshot("members-phone-menu")
