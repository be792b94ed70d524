"""Campaign group pages: list with counts and scans, create, edit, archive, delete, its codes."""

import pytest
from django.urls import reverse

from codes import services
from codes.models import CampaignGroup, QRCode
from tests.codes.views_helpers import htmx, make_code

pytestmark = pytest.mark.django_db


@pytest.fixture
def group(acme, alice):
    return services.group_create(workspace=acme, actor=alice, name="Spring launch", color="#0f7b4a")


def test_group_list_shows_counts_and_scans(alice_client, acme, alice, group):
    code = make_code(acme, alice, group=group)
    make_code(acme, alice, group=group, name="Second")
    QRCode.objects.filter(pk=code.pk).update(scan_count=7)
    html = alice_client.get(reverse("codes:group_list")).content.decode()
    assert "Spring launch" in html
    assert "<strong>2</strong> codes" in html
    assert "<strong>7</strong> scans" in html


def test_group_list_empty_state_leads_to_create(alice_client):
    html = alice_client.get(reverse("codes:group_list")).content.decode()
    assert "Group codes by campaign" in html
    assert reverse("codes:group_create") in html


def test_archived_groups_have_their_own_tab(alice_client, alice, group):
    services.group_archive(group=group, actor=alice)
    assert "Spring launch" not in alice_client.get(reverse("codes:group_list")).content.decode()
    html = alice_client.get(reverse("codes:group_list"), {"archived": "1"}).content.decode()
    assert "Spring launch" in html


def test_group_list_fragment_for_htmx(alice_client, group):
    response = alice_client.get(reverse("codes:group_list"), **htmx("groups"))
    assert response.content.decode().lstrip().startswith('<div id="groups"')


def test_create_a_group(alice_client, acme):
    response = alice_client.post(
        reverse("codes:group_create"),
        {"name": "Trade show", "slug": "", "description": "Booth 4", "color": "#c2293b"},
    )
    group = CampaignGroup.objects.get(workspace=acme)
    assert response["Location"] == reverse("codes:group_detail", args=[group.public_id])
    assert group.slug == "trade-show"
    assert group.color == "#c2293b"


def test_a_taken_slug_is_shown_next_to_its_field(alice_client, group):
    response = alice_client.post(
        reverse("codes:group_create"),
        {"name": "Another", "slug": group.slug, "color": "#000000"},
    )
    assert response.status_code == 422
    assert "already exists" in response.content.decode()


def test_group_page_lists_its_codes_with_stats(alice_client, acme, alice, group):
    make_code(acme, alice, group=group, name="In the group")
    make_code(acme, alice, name="Elsewhere")
    response = alice_client.get(reverse("codes:group_detail", args=[group.public_id]))
    html = response.content.decode()
    assert "In the group" in html
    assert "Elsewhere" not in html
    assert 'name="list_group"' in html
    fragment = alice_client.get(
        reverse("codes:group_detail", args=[group.public_id]), {"q": "nothing"}, **htmx("results")
    )
    assert fragment.content.decode().lstrip().startswith('<div id="results"')


def test_edit_a_group(alice_client, group):
    url = reverse("codes:group_edit", args=[group.public_id])
    assert 'value="Spring launch"' in alice_client.get(url).content.decode()
    alice_client.post(url, {"name": "Spring 2026", "slug": "spring-2026", "color": "#4f46e5"})
    group.refresh_from_db()
    assert (group.name, group.slug) == ("Spring 2026", "spring-2026")


def test_archive_unarchive_and_delete(alice_client, acme, alice, group):
    code = make_code(acme, alice, group=group)
    alice_client.post(reverse("codes:group_archive", args=[group.public_id]))
    group.refresh_from_db()
    assert group.is_archived
    alice_client.post(reverse("codes:group_unarchive", args=[group.public_id]))
    group.refresh_from_db()
    assert not group.is_archived
    response = alice_client.post(reverse("codes:group_delete", args=[group.public_id]))
    assert response["Location"] == reverse("codes:group_list")
    code.refresh_from_db()
    assert code.group is None
    assert code.deleted_at is None


def test_viewer_sees_groups_but_cannot_change_them(carol_client, group):
    html = carol_client.get(reverse("codes:group_detail", args=[group.public_id])).content.decode()
    assert "Archive group" not in html
    assert "Delete group" not in html
    assert carol_client.get(reverse("codes:group_create")).status_code == 403
    for name in ("group_edit", "group_archive", "group_unarchive", "group_delete"):
        assert (
            carol_client.post(reverse(f"codes:{name}", args=[group.public_id])).status_code == 403
        )
    group.refresh_from_db()
    assert not group.is_archived


def test_stranger_gets_404(charlie_client, group):
    for name in ("group_detail", "group_edit"):
        assert (
            charlie_client.get(reverse(f"codes:{name}", args=[group.public_id])).status_code == 404
        )
    for name in ("group_archive", "group_unarchive", "group_delete"):
        assert (
            charlie_client.post(reverse(f"codes:{name}", args=[group.public_id])).status_code == 404
        )
