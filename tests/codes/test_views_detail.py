"""A code's page and the actions on it: status, destination history, group, copies, images."""

import io
import re

import pytest
import zxingcpp
from django.urls import reverse
from PIL import Image

from codes import services
from codes.models import QRCode
from tests.codes.views_helpers import htmx, make_code

pytestmark = pytest.mark.django_db


@pytest.fixture
def code(acme, alice):
    return make_code(acme, alice)


def test_the_code_page_shows_short_link_destination_scans_and_downloads(alice_client, code):
    response = alice_client.get(reverse("codes:detail", args=[code.public_id]))
    assert response.status_code == 200
    html = response.content.decode()
    assert code.short_url in html
    assert f'data-copy="{code.short_url}"' in html
    assert "https://example.com/spring" in html
    assert 'data-testid="scan-total">0<' in html
    assert reverse("codes:download", args=[code.public_id]) in html
    assert "Pause scans" in html
    assert "Change destination" in html


def test_a_static_code_page_explains_what_it_encodes(alice_client, acme, alice):
    code = make_code(
        acme,
        alice,
        kind="static",
        content_type="wifi",
        destination="",
        content={"ssid": "Guest", "password": "welcome-2026", "security": "WPA"},
    )
    html = alice_client.get(reverse("codes:detail", args=[code.public_id])).content.decode()
    assert "Guest" in html
    assert "welcome-2026" not in html
    assert "Pause scans" not in html


def test_changing_the_destination_with_htmx_swaps_the_card(alice_client, code):
    url = reverse("codes:destination", args=[code.public_id])
    response = alice_client.post(
        url, {"destination": "https://example.com/summer"}, **htmx("destination")
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="destination"')
    assert "https://example.com/summer" in html
    assert "Restore" in html
    assert 'hx-swap-oob="true"' in html
    assert "Destination changed" in html
    code.refresh_from_db()
    assert code.destination == "https://example.com/summer"


def test_changing_the_destination_without_javascript_redirects_back(alice_client, code):
    url = reverse("codes:destination", args=[code.public_id])
    response = alice_client.post(url, {"destination": "https://example.com/summer"})
    assert response.status_code == 302
    assert response["Location"] == reverse("codes:detail", args=[code.public_id])


def test_a_refused_destination_shows_its_error_in_the_form(alice_client, code):
    url = reverse("codes:destination", args=[code.public_id])
    response = alice_client.post(url, {"destination": "ftp://example.com/x"}, **htmx())
    html = response.content.decode()
    assert "Only http:// and https:// destinations are allowed." in html
    assert '<details class="disclosure" open>' in html
    code.refresh_from_db()
    assert code.destination == "https://example.com/spring"
    plain = alice_client.post(url, {"destination": "ftp://example.com/x"})
    assert plain.status_code == 422
    assert "<html" in plain.content.decode()


def test_rolling_back_restores_an_earlier_destination(alice_client, alice, code):
    services.code_change_destination(
        code=code, destination="https://example.com/summer", actor=alice
    )
    first = code.destination_changes.order_by("changed_at", "id").first()
    url = reverse("codes:rollback", args=[code.public_id, first.public_id])
    response = alice_client.post(url, **htmx("destination"))
    assert response.status_code == 200
    code.refresh_from_db()
    assert code.destination == "https://example.com/spring"
    assert code.destination_changes.count() == 3


def test_pause_and_activate_with_and_without_htmx(alice_client, code):
    response = alice_client.post(
        reverse("codes:deactivate", args=[code.public_id]), **htmx("status")
    )
    assert response.status_code == 200
    assert response.content.decode().lstrip().startswith('<section id="status"')
    code.refresh_from_db()
    assert not code.is_active
    response = alice_client.post(reverse("codes:activate", args=[code.public_id]))
    assert response.status_code == 302
    code.refresh_from_db()
    assert code.is_active


def test_moving_a_code_to_a_group(alice_client, acme, alice, code):
    group = services.group_create(workspace=acme, actor=alice, name="Spring launch")
    response = alice_client.post(
        reverse("codes:move", args=[code.public_id]), {"group": group.public_id}, **htmx("group")
    )
    assert response.status_code == 200
    code.refresh_from_db()
    assert code.group == group
    alice_client.post(reverse("codes:move", args=[code.public_id]), {"group": ""})
    code.refresh_from_db()
    assert code.group is None


def test_a_foreign_group_cannot_be_chosen(alice_client, globex, charlie, code):
    theirs = services.group_create(workspace=globex, actor=charlie, name="Theirs")
    alice_client.post(reverse("codes:move", args=[code.public_id]), {"group": theirs.public_id})
    code.refresh_from_db()
    assert code.group is None


def test_duplicate_makes_a_new_code_and_opens_it(alice_client, acme, code):
    response = alice_client.post(reverse("codes:duplicate", args=[code.public_id]))
    copy = QRCode.objects.exclude(pk=code.pk).get(workspace=acme)
    assert response["Location"] == reverse("codes:detail", args=[copy.public_id])
    assert copy.slug != code.slug
    assert copy.name == "Spring menu (copy)"


def test_delete_soft_deletes_and_returns_to_the_list(alice_client, code):
    response = alice_client.post(reverse("codes:delete", args=[code.public_id]))
    assert response["Location"] == reverse("codes:list")
    code.refresh_from_db()
    assert code.deleted_at is not None
    assert alice_client.get(reverse("codes:detail", args=[code.public_id])).status_code == 404


def test_delete_from_htmx_navigates_with_hx_redirect(alice_client, code):
    response = alice_client.post(reverse("codes:delete", args=[code.public_id]), **htmx())
    assert response["HX-Redirect"] == reverse("codes:list")


@pytest.mark.parametrize(
    ("fmt", "content_type"),
    [
        ("png", "image/png"),
        ("svg", "image/svg+xml"),
        ("pdf", "application/pdf"),
        ("jpeg", "image/jpeg"),
    ],
)
def test_downloads_in_each_format(alice_client, code, fmt, content_type):
    response = alice_client.get(
        reverse("codes:download", args=[code.public_id]), {"format": fmt, "size": 512}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"].startswith('attachment; filename="spring-menu-512.')


def test_the_downloaded_png_decodes_to_the_short_link(alice_client, code):
    response = alice_client.get(
        reverse("codes:download", args=[code.public_id]), {"format": "png", "size": 1024}
    )
    image = Image.open(io.BytesIO(response.content))
    assert image.size[0] == 1024
    assert [r.text for r in zxingcpp.read_barcodes(image)] == [code.short_url]


def test_a_bad_download_size_shows_the_form_error(alice_client, code):
    response = alice_client.get(
        reverse("codes:download", args=[code.public_id]), {"format": "png", "size": 99999}
    )
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()


def test_thumbnails_are_cached_by_version(alice_client, code):
    url = reverse("codes:image", args=[code.public_id])
    response = alice_client.get(url, {"size": 96, "v": "1"})
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert "immutable" in response["Cache-Control"]
    assert "default-src 'none'" in response["Content-Security-Policy"]
    assert alice_client.get(url, {"size": 5000}).status_code == 400


def test_viewer_sees_the_page_without_controls_and_cannot_post(carol_client, code):
    html = carol_client.get(reverse("codes:detail", args=[code.public_id])).content.decode()
    assert "Pause scans" not in html
    assert "Change destination" not in html
    assert "Delete code" not in html
    assert 'action="/codes/' + code.public_id + '/duplicate/"' not in html
    assert carol_client.get(reverse("codes:download", args=[code.public_id])).status_code == 200
    for name in ("deactivate", "activate", "duplicate", "delete", "move", "destination"):
        response = carol_client.post(
            reverse(f"codes:{name}", args=[code.public_id]),
            {"destination": "https://x.example", "group": ""},
        )
        assert response.status_code == 403, name
    code.refresh_from_db()
    assert code.is_active
    assert code.deleted_at is None


def test_stranger_gets_404_everywhere(charlie_client, alice, code):
    change = code.destination_changes.first()
    for name in ("detail", "image", "download"):
        assert (
            charlie_client.get(reverse(f"codes:{name}", args=[code.public_id])).status_code == 404
        )
    for name in ("deactivate", "activate", "duplicate", "delete", "move", "destination"):
        assert (
            charlie_client.post(reverse(f"codes:{name}", args=[code.public_id])).status_code == 404
        )
    url = reverse("codes:rollback", args=[code.public_id, change.public_id])
    assert charlie_client.post(url).status_code == 404


def test_status_post_needs_the_csrf_token(csrf_client_for, alice, code):
    client = csrf_client_for(alice)
    url = reverse("codes:deactivate", args=[code.public_id])
    assert client.post(url, **htmx()).status_code == 403
    page = client.get(reverse("codes:detail", args=[code.public_id])).content.decode()
    token = re.search(r'"X-CSRFToken": "([^"]+)"', page).group(1)
    assert client.post(url, HTTP_X_CSRFTOKEN=token, **htmx()).status_code == 200


def test_a_download_size_too_small_for_the_code_says_which_size_works(alice_client, acme, alice):
    long_text = "Opening hours, menu and allergens: " + "fresh bread, cakes and coffee; " * 18
    code = make_code(
        acme, alice, kind="static", content_type="text", content={"text": long_text}, name="Menu"
    )
    url = reverse("codes:download", args=[code.public_id])

    response = alice_client.get(url, {"format": "png", "size": 256})

    assert response.status_code == 400
    message = re.search(r"use a size of at least (\d+) px", response.content.decode())
    assert message, response.content.decode()[:2000]
    assert int(message.group(1)) > 256
    assert alice_client.get(url, {"format": "png", "size": 512}).status_code == 200
    # Vector output is judged for print, whatever its nominal size.
    assert alice_client.get(url, {"format": "svg", "size": 256}).status_code == 200
