"""The codes list: search, filters, sort, pagination, bulk actions, and its query budget."""

import re

import pytest
from django.urls import reverse

from codes import services
from codes.models import QRCode
from tests.codes.factories import QRCodeFactory
from tests.codes.views_helpers import htmx, make_code

pytestmark = pytest.mark.django_db


def test_an_empty_workspace_leads_to_create_your_first_code(alice_client):
    html = alice_client.get(reverse("codes:list")).content.decode()
    assert "Create your first code" in html
    assert reverse("codes:create") in html


def test_a_viewer_in_an_empty_workspace_is_told_who_creates_codes(carol_client):
    html = carol_client.get(reverse("codes:list")).content.decode()
    assert "Editors create them" in html
    assert reverse("codes:create") not in html


def test_the_list_shows_each_code_with_thumbnail_and_scans(alice_client, acme, alice):
    code = make_code(acme, alice)
    QRCode.objects.filter(pk=code.pk).update(scan_count=42)
    html = alice_client.get(reverse("codes:list")).content.decode()
    assert "Spring menu" in html
    assert reverse("codes:image", args=[code.public_id]) in html
    assert ">42<" in html


def test_htmx_search_answers_with_the_results_only(alice_client, acme, alice):
    make_code(acme, alice, name="Spring menu")
    make_code(acme, alice, name="Trade show booth", destination="https://example.com/booth")
    response = alice_client.get(reverse("codes:list"), {"q": "booth"}, **htmx("results"))
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="results"')
    assert "<html" not in html
    assert "Trade show booth" in html
    assert "Spring menu" not in html


def test_filters_kind_type_status_and_group(alice_client, acme, alice):
    group = services.group_create(workspace=acme, actor=alice, name="Spring launch")
    make_code(acme, alice, name="Grouped", group=group)
    paused = make_code(acme, alice, name="Paused one")
    services.code_deactivate(code=paused, actor=alice)
    make_code(
        acme,
        alice,
        name="Guest wifi",
        kind="static",
        content_type="wifi",
        destination="",
        content={"ssid": "Guest", "password": "welcome-2026"},
    )
    url = reverse("codes:list")

    def names(**params):
        html = alice_client.get(url, params, **htmx("results")).content.decode()
        return set(re.findall(r'<span class="code-name">([^<]+)</span>', html))

    assert names(group=group.public_id) == {"Grouped"}
    assert names(group="none") == {"Paused one", "Guest wifi"}
    assert names(kind="static") == {"Guest wifi"}
    assert names(type="wifi") == {"Guest wifi"}
    assert names(status="inactive") == {"Paused one"}
    assert names(q="nothing like this") == set()


def test_sorting_by_most_scanned_and_name(alice_client, acme, alice):
    for name, scans in (("Bravo", 5), ("Alpha", 1), ("Charlie", 9)):
        code = make_code(acme, alice, name=name)
        QRCode.objects.filter(pk=code.pk).update(scan_count=scans)
    url = reverse("codes:list")

    def order(sort):
        html = alice_client.get(url, {"sort": sort}, **htmx("results")).content.decode()
        return re.findall(r'<span class="code-name">([^<]+)</span>', html)

    assert order("most_scanned") == ["Charlie", "Bravo", "Alpha"]
    assert order("name") == ["Alpha", "Bravo", "Charlie"]


def test_pagination_keeps_the_filters_in_the_url(alice_client, acme, alice):
    QRCodeFactory.create_batch(30, workspace=acme, created_by=alice, name="Menu card")
    html = alice_client.get(
        reverse("codes:list"), {"q": "Menu", "kind": "dynamic"}
    ).content.decode()
    assert "Page 1 of 2" in html
    next_link = re.search(r'rel="next" href="([^"]+)"', html).group(1)
    assert "q=Menu" in next_link
    assert "kind=dynamic" in next_link
    assert "page=2" in next_link
    page2 = alice_client.get(next_link.replace("&amp;", "&")).content.decode()
    assert "Showing 26–30 of 30" in page2


def test_the_list_query_count_does_not_grow_with_the_codes(
    alice_client, acme, alice, django_assert_max_num_queries
):
    group = services.group_create(workspace=acme, actor=alice, name="Spring launch")
    QRCodeFactory.create_batch(3, workspace=acme, created_by=alice, group=group)
    url = reverse("codes:list")
    with django_assert_max_num_queries(12) as few:
        alice_client.get(url)
    QRCodeFactory.create_batch(60, workspace=acme, created_by=alice, group=group)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = alice_client.get(url, {"sort": "most_scanned"})
    assert response.status_code == 200


def test_a_viewer_gets_no_bulk_controls(carol_client, acme, alice):
    make_code(acme, alice)
    html = carol_client.get(reverse("codes:list")).content.decode()
    assert 'name="codes"' not in html
    assert "Apply to selected" not in html
    assert reverse("codes:create") not in html


def test_a_stranger_never_sees_another_workspaces_codes(charlie_client, acme, alice):
    make_code(acme, alice, name="Acme secret")
    html = charlie_client.get(reverse("codes:list"), {"q": "secret"}).content.decode()
    assert "Acme secret" not in html


def _bulk(client, codes, action, **extra):
    data = {"codes": [c.public_id for c in codes], "action": action, "next": "/codes/?q=x", **extra}
    return client.post(reverse("codes:bulk"), data, **htmx("results"))


def test_bulk_deactivate_and_activate(alice_client, acme, alice):
    codes = [make_code(acme, alice, name=f"C{i}") for i in range(3)]
    response = _bulk(alice_client, codes[:2], "deactivate")
    assert response.status_code == 200
    assert response.content.decode().lstrip().startswith('<div id="results"')
    assert "Deactivated 2 codes." in response.content.decode()
    assert [c.is_active for c in QRCode.objects.order_by("name")] == [False, False, True]
    _bulk(alice_client, codes[:2], "activate")
    assert QRCode.objects.filter(is_active=True).count() == 3


def test_bulk_move_to_a_group_without_javascript(alice_client, acme, alice):
    group = services.group_create(workspace=acme, actor=alice, name="Spring launch")
    codes = [make_code(acme, alice, name=f"C{i}") for i in range(2)]
    response = alice_client.post(
        reverse("codes:bulk"),
        {
            "codes": [c.public_id for c in codes],
            "action": "move",
            "group": group.public_id,
            "next": "/codes/?sort=name",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == "/codes/?sort=name"
    assert QRCode.objects.filter(group=group).count() == 2


def test_bulk_delete_asks_first_then_deletes(alice_client, acme, alice):
    codes = [make_code(acme, alice, name=f"C{i}") for i in range(2)]
    response = _bulk(alice_client, codes, "delete")
    html = response.content.decode()
    assert "Delete 2 codes?" in html
    assert 'name="confirm"' in html
    assert QRCode.objects.alive().count() == 2
    response = _bulk(alice_client, codes, "delete", confirm="on")
    assert "Deleted 2 codes." in response.content.decode()
    assert QRCode.objects.alive().count() == 0


def test_bulk_apply_a_brand_style(alice_client, acme, alice):
    template = services.brand_template_create(
        workspace=acme,
        actor=alice,
        name="Acme",
        style={"module_shape": "dots", "foreground_color": "#1e1b4b"},
    )
    codes = [make_code(acme, alice, name=f"C{i}") for i in range(2)]
    response = _bulk(alice_client, codes, "apply_style", template=template.public_id)
    assert "Applied “Acme” to 2 codes." in response.content.decode()
    assert {c.style["module_shape"] for c in QRCode.objects.all()} == {"dots"}


def test_bulk_ignores_codes_of_other_workspaces(alice_client, acme, alice, globex, charlie):
    theirs = make_code(globex, charlie)
    response = _bulk(alice_client, [theirs], "deactivate")
    assert "None of the selected codes exist any more." in response.content.decode()
    theirs.refresh_from_db()
    assert theirs.is_active


def test_bulk_without_a_selection_says_so(alice_client, acme, alice):
    make_code(acme, alice)
    response = alice_client.post(reverse("codes:bulk"), {"action": "activate"}, **htmx())
    assert "Select at least one code first." in response.content.decode()


def test_viewer_cannot_bulk_change(carol_client, acme, alice):
    code = make_code(acme, alice)
    assert _bulk(carol_client, [code], "deactivate").status_code == 403
    code.refresh_from_db()
    assert code.is_active


def test_bulk_needs_the_csrf_token(csrf_client_for, acme, alice):
    code = make_code(acme, alice)
    client = csrf_client_for(alice)
    data = {"codes": [code.public_id], "action": "deactivate"}
    assert client.post(reverse("codes:bulk"), data, **htmx()).status_code == 403
    code.refresh_from_db()
    assert code.is_active
