"""The trash: deleted codes are restorable for CODES_TRASH_DAYS days, then purged; Undo takes
back the last delete or bulk action."""

from datetime import timedelta

import pytest
import time_machine
from django.http import Http404
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from analytics.models import Scan
from codes import selectors, services
from codes.models import QRCode, SlugClaim
from codes.tasks import codes_purge_deleted_task
from tests.codes.views_helpers import make_code

pytestmark = pytest.mark.django_db


def test_a_deleted_code_is_in_the_trash_and_its_short_url_says_it_no_longer_exists(
    client, acme, alice, django_capture_on_commit_callbacks
):
    code = make_code(acme, alice)
    with django_capture_on_commit_callbacks(execute=True):
        services.code_delete(code=code, actor=alice)
    assert list(selectors.code_list_in_trash(workspace=acme)) == [code]
    response = client.get(f"/r/{code.slug}")
    assert response.status_code == 410
    assert b"no longer exists" in response.content


def test_restore_brings_the_code_back_paused_and_the_short_url_answers_again(
    client, acme, alice, django_capture_on_commit_callbacks
):
    code = make_code(acme, alice)
    with django_capture_on_commit_callbacks(execute=True):
        services.code_delete(code=code, actor=alice)
    client.get(f"/r/{code.slug}")  # the deleted entry is cached
    with django_capture_on_commit_callbacks(execute=True):
        restored = services.code_restore(code=code, actor=alice)
    assert restored.deleted_at is None
    assert restored.is_active is False
    with django_capture_on_commit_callbacks(execute=True):
        services.code_activate(code=restored, actor=alice)
    assert client.get(f"/r/{code.slug}").status_code == 302


def test_after_thirty_days_the_code_has_left_the_trash_and_cannot_be_restored(acme, alice):
    code = make_code(acme, alice)
    services.code_delete(code=code, actor=alice)
    with time_machine.travel(timezone.now() + timedelta(days=30, minutes=1)):
        assert list(selectors.code_list_in_trash(workspace=acme)) == []
        with pytest.raises(Http404):
            selectors.code_get_in_trash(workspace=acme, public_id=code.public_id)


def test_the_purge_task_deletes_codes_older_than_thirty_days_with_their_scans(acme, alice):
    old = make_code(acme, alice, name="Old")
    recent = make_code(acme, alice, name="Recent")
    alive = make_code(acme, alice, name="Alive")
    Scan.objects.create(code=old, workspace=acme, scanned_at=timezone.now())
    services.code_delete(code=old, actor=alice)
    QRCode.objects.filter(pk=old.pk).update(deleted_at=timezone.now() - timedelta(days=31))
    services.code_delete(code=recent, actor=alice)

    assert codes_purge_deleted_task() == 1

    assert set(QRCode.objects.values_list("name", flat=True)) == {"Recent", "Alive"}
    assert not Scan.objects.filter(code_id=old.pk).exists()
    # The slug stays claimed: a printed copy can never be taken over by a new code.
    assert SlugClaim.objects.filter(slug=old.slug).exists()
    assert codes_purge_deleted_task() == 0  # idempotent
    assert alive.pk in QRCode.objects.values_list("pk", flat=True)


def test_a_stranger_cannot_restore_anothers_code(acme, alice, charlie):
    code = make_code(acme, alice)
    services.code_delete(code=code, actor=alice)
    client = Client()
    client.force_login(charlie)
    assert client.post(reverse("codes:restore", args=[code.public_id])).status_code == 404


def test_the_trash_page_lists_deleted_codes_with_their_purge_date(alice_client, acme, alice):
    code = make_code(acme, alice, name="Poster")
    services.code_delete(code=code, actor=alice)
    html = alice_client.get(reverse("codes:trash")).content.decode()
    assert "Poster" in html
    purge = (code.deleted_at if code.deleted_at else timezone.now()) + timedelta(days=30)
    assert purge.strftime("%-d %b %Y") in html
    assert reverse("codes:restore", args=[code.public_id]) in html


def test_undo_after_a_delete_restores_the_code_as_it_was(alice_client, acme, alice):
    code = make_code(acme, alice)
    response = alice_client.post(reverse("codes:delete", args=[code.public_id]), follow=True)
    html = response.content.decode()
    assert "in the trash for 30 days" in html
    token = html.split('name="token" value="')[1].split('"')[0]
    alice_client.post(reverse("codes:undo"), {"token": token})
    code.refresh_from_db()
    assert code.deleted_at is None
    assert code.is_active is True


def test_undo_after_a_bulk_move_puts_each_code_back_in_its_own_group(alice_client, acme, alice):
    spring = services.group_create(workspace=acme, actor=alice, name="Spring")
    autumn = services.group_create(workspace=acme, actor=alice, name="Autumn")
    sale = services.group_create(workspace=acme, actor=alice, name="Sale")
    a = make_code(acme, alice, group=spring)
    b = make_code(acme, alice, group=autumn)
    html = alice_client.post(
        reverse("codes:bulk"),
        {"codes": [a.public_id, b.public_id], "action": "move", "group": sale.public_id},
        follow=True,
    ).content.decode()
    assert "Moved to Sale: 2 codes." in html
    token = html.split('name="token" value="')[1].split('"')[0]
    alice_client.post(reverse("codes:undo"), {"token": token})
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.group, b.group) == (spring, autumn)


def test_an_old_undo_button_does_nothing_once_a_newer_action_happened(alice_client, acme, alice):
    a = make_code(acme, alice)
    b = make_code(acme, alice)
    first = alice_client.post(reverse("codes:delete", args=[a.public_id]), follow=True)
    token = first.content.decode().split('name="token" value="')[1].split('"')[0]
    alice_client.post(reverse("codes:delete", args=[b.public_id]))
    html = alice_client.post(reverse("codes:undo"), {"token": token}, follow=True).content
    assert b"nothing to undo" in html
    a.refresh_from_db()
    assert a.deleted_at is not None


def test_a_bulk_move_without_a_chosen_group_moves_nothing(alice_client, acme, alice):
    spring = services.group_create(workspace=acme, actor=alice, name="Spring")
    code = make_code(acme, alice, group=spring)
    html = alice_client.post(
        reverse("codes:bulk"),
        {"codes": [code.public_id], "action": "move", "group": ""},
        follow=True,
    ).content.decode()
    assert "Choose the group to move the codes to." in html
    code.refresh_from_db()
    assert code.group == spring


def test_a_bulk_move_to_no_group_is_an_explicit_choice(alice_client, acme, alice):
    spring = services.group_create(workspace=acme, actor=alice, name="Spring")
    code = make_code(acme, alice, group=spring)
    alice_client.post(
        reverse("codes:bulk"), {"codes": [code.public_id], "action": "move", "group": "none"}
    )
    code.refresh_from_db()
    assert code.group is None
