"""GET /r/<slug>: status, headers, Location, and every way a scan may not redirect."""

import uuid
from datetime import timedelta

import pytest
import time_machine
from django.db import DataError, connection, transaction
from django.utils import timezone

from analytics.models import Scan
from codes import services
from codes.models import QRCode
from qrsite.content_policy import SCAN_PAGE
from tests.codes.test_validation import MALICIOUS_DESTINATIONS

PHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1"
)


@pytest.fixture
def code(acme, alice):
    return services.code_create(
        workspace=acme, actor=alice, destination="https://example.com/landing?from=qr"
    )


def scan(client, code_or_slug, method="get", **extra):
    slug = code_or_slug if isinstance(code_or_slug, str) else code_or_slug.slug
    extra.setdefault("HTTP_USER_AGENT", PHONE)
    extra.setdefault("REMOTE_ADDR", "203.0.113.7")
    return getattr(client, method)(f"/r/{slug}", **extra)


def test_redirect_is_a_302_that_nobody_caches_or_indexes(client, code):
    response = scan(client, code)
    assert response.status_code == 302
    assert response["Location"] == "https://example.com/landing?from=qr"
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Robots-Tag"] == "noindex"


def test_each_scan_is_recorded_and_counted(client, code):
    for _ in range(3):
        scan(client, code)
    code.refresh_from_db()
    assert code.scan_count == 3
    assert Scan.objects.filter(code=code, is_bot=False).count() == 3


def test_destination_change_takes_effect_on_the_very_next_scan(
    client, code, alice, django_capture_on_commit_callbacks
):
    assert scan(client, code)["Location"] == "https://example.com/landing?from=qr"
    with django_capture_on_commit_callbacks(execute=True):
        services.code_change_destination(
            code=code, destination="https://example.com/v2", actor=alice
        )
    assert scan(client, code)["Location"] == "https://example.com/v2"


def test_rollback_takes_effect_on_the_next_scan(
    client, code, alice, django_capture_on_commit_callbacks
):
    first = code.destination_changes.get()
    with django_capture_on_commit_callbacks(execute=True):
        code = services.code_change_destination(
            code=code, destination="https://e.com/2", actor=alice
        )
    assert scan(client, code)["Location"] == "https://e.com/2"
    with django_capture_on_commit_callbacks(execute=True):
        services.code_rollback_destination(code=code, change=first, actor=alice)
    assert scan(client, code)["Location"] == "https://example.com/landing?from=qr"


def test_unknown_slug_gets_the_branded_404(client, db):
    response = scan(client, "nope123")
    assert response.status_code == 404
    assert b"This QR code doesn" in response.content
    assert response["Cache-Control"] == "private, no-store"
    assert response["Content-Security-Policy"] == SCAN_PAGE
    assert not Scan.objects.exists()


def test_overlong_slug_is_a_404(client, db):
    assert scan(client, "x" * 200).status_code == 404


def _gone(client, code, text: bytes):
    response = scan(client, code)
    assert response.status_code == 410
    assert "Location" not in response
    assert text in response.content
    # Strangers open this page from a printed code: no script, no other origin, no framing.
    assert response["Content-Security-Policy"] == SCAN_PAGE
    return response


def test_inactive_code_gets_the_410_page(client, code, alice, django_capture_on_commit_callbacks):
    scan(client, code)  # cache the active entry first
    with django_capture_on_commit_callbacks(execute=True):
        services.code_deactivate(code=code, actor=alice)
    _gone(client, code, b"switched off")
    assert Scan.objects.filter(code=code).count() == 1


def test_expired_code_gets_the_410_page(client, code, alice):
    services.code_update(code=code, actor=alice, expires_at=timezone.now() + timedelta(hours=1))
    with time_machine.travel(timezone.now() + timedelta(hours=2)):
        _gone(client, code, b"expired")


def test_code_over_its_scan_limit_gets_the_410_page(client, code, alice):
    services.code_update(code=code, actor=alice, scan_limit=2)
    assert scan(client, code).status_code == 302
    assert scan(client, code).status_code == 302
    _gone(client, code, b"scan limit")
    code.refresh_from_db()
    assert code.scan_count == 2
    assert Scan.objects.filter(code=code).count() == 2


def test_bots_do_not_use_up_a_scan_limit(client, code, alice):
    services.code_update(code=code, actor=alice, scan_limit=1)
    assert scan(client, code, HTTP_USER_AGENT="Slackbot-LinkExpanding 1.0").status_code == 302
    assert scan(client, code, method="head").status_code == 302
    assert scan(client, code).status_code == 302
    assert scan(client, code).status_code == 410
    assert scan(client, code, HTTP_USER_AGENT="facebookexternalhit/1.1").status_code == 410


def test_deleted_code_gets_the_410_page(client, code, alice, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.code_delete(code=code, actor=alice)
    _gone(client, code, b"no longer exists")


def test_slug_of_a_hard_deleted_code_stays_gone(
    client, code, acme, django_capture_on_commit_callbacks
):
    slug = code.slug
    assert scan(client, code).status_code == 302  # cached
    with django_capture_on_commit_callbacks(execute=True):
        acme.delete()
    response = scan(client, slug)
    assert response.status_code == 410


@pytest.mark.parametrize("url", MALICIOUS_DESTINATIONS)
def test_malicious_destination_written_around_the_services_is_refused_at_redirect(
    client, code, url
):
    try:
        with transaction.atomic():
            QRCode.objects.filter(pk=code.pk).update(destination=url)
    except DataError:
        # PostgreSQL refuses NUL bytes and over-long values outright: that row cannot exist.
        assert connection.vendor == "postgresql"
        return
    from codes.cache import redirect_cache_forget

    redirect_cache_forget(code.slug)
    response = scan(client, code)
    assert response.status_code == 410
    assert "Location" not in response
    assert not Scan.objects.filter(code=code).exists()


def test_head_redirects_but_is_flagged_and_not_counted(client, code):
    response = scan(client, code, method="head")
    assert response.status_code == 302
    assert response["Location"] == "https://example.com/landing?from=qr"
    code.refresh_from_db()
    assert code.scan_count == 0
    assert Scan.objects.get(code=code).is_bot


@pytest.mark.parametrize(
    "agent",
    [
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
        "WhatsApp/2.23.20.0",
        "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
        "curl/8.5.0",
        "",
    ],
)
def test_bots_and_link_previews_are_flagged_not_dropped(client, code, agent):
    assert scan(client, code, HTTP_USER_AGENT=agent).status_code == 302
    row = Scan.objects.get(code=code)
    assert row.is_bot
    assert row.device_type == "bot"
    code.refresh_from_db()
    assert code.scan_count == 0


def test_other_methods_are_not_allowed(client, code):
    assert client.post(f"/r/{code.slug}").status_code == 405


def test_query_string_passes_through_only_when_enabled(
    client, code, alice, django_capture_on_commit_callbacks
):
    assert scan(client, code.slug + "?utm_source=poster")["Location"] == (
        "https://example.com/landing?from=qr"
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.code_update(code=code, actor=alice, pass_query_string=True)
    assert scan(client, code.slug + "?utm_source=poster")["Location"] == (
        "https://example.com/landing?from=qr&utm_source=poster"
    )


def test_a_query_string_that_breaks_the_rules_is_dropped(client, code, alice):
    services.code_update(code=code, actor=alice, pass_query_string=True)
    response = scan(client, code.slug + "?x=" + "a" * 2100)
    assert response["Location"] == "https://example.com/landing?from=qr"


def test_static_codes_have_no_redirect(client, acme, alice):
    static = services.code_create(
        workspace=acme, actor=alice, kind="static", destination="https://e.com"
    )
    assert static.slug is None
    assert scan(client, "None").status_code == 404


def test_a_scan_sets_no_cookie_and_skips_the_dashboard_middleware(client, code):
    response = scan(client, code)
    assert response.status_code == 302
    assert not response.cookies
    assert "Vary" not in response  # no session or user was looked at
    assert response["Content-Length"] == "0"


def test_paths_below_a_slug_are_not_scans(client, code):
    response = client.get(f"/r/{code.slug}/extra")
    assert response.status_code == 404
    assert not Scan.objects.exists()


def test_scans_over_plain_http_are_sent_to_https_first(client, code, settings):
    settings.SECURE_SSL_REDIRECT = True
    response = scan(client, code)
    assert response.status_code == 301
    assert response["Location"] == f"https://testserver/r/{code.slug}"
    assert not Scan.objects.exists()
    secure = client.get(f"/r/{code.slug}", secure=True, HTTP_USER_AGENT=PHONE)
    assert secure.status_code == 302
    assert secure["Strict-Transport-Security"].startswith("max-age=")


def test_a_custom_slug_scanned_before_a_bulk_create_works_right_after_it(
    client, acme, alice, django_capture_on_commit_callbacks
):
    # Unique per run: with a real Redis the redirect cache outlives the test database.
    slug = f"menu-{uuid.uuid4().hex[:12]}"
    assert scan(client, slug).status_code == 404  # "no such slug" is now cached
    with django_capture_on_commit_callbacks(execute=True):
        services.code_create_many(
            workspace=acme,
            actor=alice,
            items=[{"destination": "https://example.com/menu", "slug": slug}],
        )
    response = scan(client, slug)
    assert response.status_code == 302
    assert response["Location"] == "https://example.com/menu"
