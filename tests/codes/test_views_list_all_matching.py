""" "Select all N matching" in the codes list: the bulk actions reach every code the filter
matches, not only the page's, up to a bound; the ZIP (a job) takes any number."""

import pytest
from django.urls import reverse

from codes import services
from codes.forms.actions import MAX_ALL_MATCHING
from codes.models import QRCode

pytestmark = pytest.mark.django_db


def _codes(acme, alice, count, name):
    return [
        services.code_create(
            workspace=acme,
            actor=alice,
            destination=f"https://example.com/{name}/{i}",
            name=f"{name} {i}",
        )
        for i in range(count)
    ]


def test_deactivate_all_matching_reaches_codes_beyond_the_page(alice_client, acme, alice):
    _codes(acme, alice, 30, "Menu")
    _codes(acme, alice, 2, "Poster")

    response = alice_client.post(
        reverse("codes:bulk"),
        {"action": "deactivate", "all_matching": "on", "match_q": "Menu", "next": "/codes/?q=Menu"},
    )

    assert response.status_code == 302
    assert QRCode.objects.filter(name__startswith="Menu", is_active=False).count() == 30
    assert QRCode.objects.filter(name__startswith="Poster", is_active=True).count() == 2


def test_delete_all_matching_asks_first_and_keeps_the_filter(alice_client, acme, alice):
    _codes(acme, alice, 3, "Menu")
    _codes(acme, alice, 1, "Poster")
    data = {"action": "delete", "all_matching": "on", "match_q": "Menu"}

    confirm = alice_client.post(reverse("codes:bulk"), data).content.decode()
    alice_client.post(reverse("codes:bulk"), {**data, "confirm": "on"})

    assert "Delete 3 codes?" in confirm
    assert 'name="match_q" value="Menu"' in confirm
    assert QRCode.objects.alive().filter(name__startswith="Menu").count() == 0
    assert QRCode.objects.alive().filter(name__startswith="Poster").count() == 1


def test_all_matching_over_the_bound_is_refused_with_a_message(
    alice_client, acme, alice, monkeypatch
):
    monkeypatch.setattr("codes.views.listing.MAX_ALL_MATCHING", 2)
    _codes(acme, alice, 3, "Menu")

    response = alice_client.post(
        reverse("codes:bulk"), {"action": "deactivate", "all_matching": "on"}, follow=True
    )

    assert "3 codes match; these actions change at most 2 at once" in response.content.decode()
    assert not QRCode.objects.filter(is_active=False).exists()
    assert MAX_ALL_MATCHING == 1000
