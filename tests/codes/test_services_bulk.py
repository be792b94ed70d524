"""code_create_many: the bulk create path shares code_create's rules and writes in batches."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from codes import services
from codes.models import DestinationChange, QRCode, SlugClaim

COMPARED = [
    "kind",
    "content_type",
    "content",
    "destination",
    "name",
    "group_id",
    "logo_id",
    "style",
    "expires_at",
    "scan_limit",
    "metadata",
    "external_id",
    "is_active",
    "pass_query_string",
    "created_by_id",
    "workspace_id",
    "scan_count",
    "deleted_at",
]


def _items(n):
    return [{"destination": f"https://example.com/{i}", "name": f"Item {i}"} for i in range(n)]


def test_creates_every_code_with_unique_slugs_and_history(acme, alice):
    codes = services.code_create_many(workspace=acme, actor=alice, items=_items(50))
    assert QRCode.objects.filter(workspace=acme).count() == 50
    slugs = {code.slug for code in codes}
    assert len(slugs) == 50
    assert None not in slugs
    assert SlugClaim.objects.filter(slug__in=slugs).count() == 50
    changes = DestinationChange.objects.filter(code__in=codes)
    assert {
        (c.code_id, c.old_destination, c.new_destination, c.changed_by_id) for c in changes
    } == {(code.pk, "", code.destination, alice.pk) for code in codes}
    assert [c.name for c in codes] == [f"Item {i}" for i in range(50)]


def test_one_bad_item_writes_nothing_and_names_its_index(acme, alice):
    items = [*_items(3), {"destination": "not a url"}, {"kind": "static", "slug": "mine"}]
    with pytest.raises(services.ItemErrors) as caught:
        services.code_create_many(workspace=acme, actor=alice, items=items)
    assert list(caught.value.by_index) == [3, 4]
    assert "destination" in caught.value.by_index[3].message_dict
    assert "slug" in caught.value.by_index[4].message_dict
    assert not QRCode.objects.exists()
    assert not SlugClaim.objects.exists()
    assert not DestinationChange.objects.exists()


def test_a_design_that_does_not_scan_refuses_the_batch(acme, alice):
    items = [*_items(2), {"destination": "https://e.com", "style": {"foreground_color": "#eeeeee"}}]
    with pytest.raises(services.ItemErrors) as caught:
        services.code_create_many(workspace=acme, actor=alice, items=items)
    assert list(caught.value.by_index) == [2]
    assert "foreground_color" in caught.value.by_index[2].message_dict
    assert not QRCode.objects.exists()
    assert not SlugClaim.objects.exists()


def test_custom_slugs_taken_before_or_twice_in_the_batch_are_refused(acme, alice):
    services.code_create(workspace=acme, actor=alice, destination="https://e.com", slug="spring")
    items = [
        {"destination": "https://e.com/1", "slug": "spring"},
        {"destination": "https://e.com/2", "slug": "summer"},
        {"destination": "https://e.com/3", "slug": "summer"},
    ]
    with pytest.raises(services.ItemErrors) as caught:
        services.code_create_many(workspace=acme, actor=alice, items=items)
    assert list(caught.value.by_index) == [0, 2]
    assert QRCode.objects.count() == 1


def test_custom_slugs_are_kept(acme, alice):
    codes = services.code_create_many(
        workspace=acme,
        actor=alice,
        items=[{"destination": "https://e.com/1", "slug": "autumn"}, *_items(2)],
    )
    assert codes[0].slug == "autumn"
    assert SlugClaim.objects.filter(slug="autumn").exists()


def test_same_fields_as_code_create_for_the_same_input(acme, alice):
    group = services.group_create(workspace=acme, actor=alice, name="Labels")
    items = [
        {
            "destination": " https://example.com/x ",
            "name": "  Shelf   label ",
            "group": group,
            "style": {"foreground_color": "#1e3a8a", "module_shape": "dots"},
            "scan_limit": 5,
            "metadata": {"sku": "A-1"},
            "external_id": "row-1",
            "pass_query_string": True,
        },
        {"kind": "static", "destination": "https://example.com/static", "is_active": False},
        {
            "kind": "static",
            "content_type": "wifi",
            "content": {"ssid": "Cafe", "password": "espresso1"},
        },
    ]
    many = services.code_create_many(workspace=acme, actor=alice, items=items)
    for item, bulk in zip(items, many, strict=True):
        single = services.code_create(workspace=acme, actor=alice, **item)
        bulk.refresh_from_db()
        single.refresh_from_db()
        for field in COMPARED:
            assert getattr(bulk, field) == getattr(single, field), field
        assert bool(bulk.slug) == bool(single.slug)
        if not single.slug:
            assert services.code_payload(bulk) == services.code_payload(single)


def test_viewer_is_refused_and_nothing_written(acme, carol):
    with pytest.raises(PermissionDenied):
        services.code_create_many(workspace=acme, actor=carol, items=_items(2))
    assert not QRCode.objects.exists()


def test_stranger_gets_404(acme, charlie):
    with pytest.raises(Http404):
        services.code_create_many(workspace=acme, actor=charlie, items=_items(2))
    assert not QRCode.objects.exists()


def test_a_foreign_group_is_refused_by_index(acme, alice, globex, charlie):
    theirs = services.group_create(workspace=globex, actor=charlie, name="Theirs")
    items = [*_items(1), {"destination": "https://e.com", "group": theirs}]
    with pytest.raises(services.ItemErrors) as caught:
        services.code_create_many(workspace=acme, actor=alice, items=items)
    assert list(caught.value.by_index) == [1]
    assert "group" in caught.value.by_index[1].message_dict


def test_an_empty_batch_creates_nothing(acme, alice):
    assert services.code_create_many(workspace=acme, actor=alice, items=[]) == []


def test_check_only_applies_the_rules_and_writes_nothing(acme, alice):
    from codes.models import QRCode, SlugClaim
    from codes.services import ItemErrors, code_create_many

    good = [{"destination": "https://example.com/ok", "slug": "free-slug"}]
    bad = [*good, {"destination": "not a url"}]

    codes = code_create_many(workspace=acme, actor=alice, items=good, check_only=True)
    with pytest.raises(ItemErrors) as caught:
        code_create_many(workspace=acme, actor=alice, items=bad, check_only=True)

    assert codes[0].slug == "free-slug"
    assert codes[0].pk is None
    assert list(caught.value.by_index) == [1]
    assert not QRCode.objects.exists()
    assert not SlugClaim.objects.exists()
