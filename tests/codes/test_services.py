import io
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone
from PIL import Image

from codes import services
from codes.models import CampaignGroup, DestinationChange, Kind, QRCode, SlugClaim
from codes.services import _common as services_common
from qrsite.ids import BASE62


def _png(color=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 64), color).save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def code(acme, alice):
    return services.code_create(
        workspace=acme, actor=alice, destination="https://example.com/a", name="Poster"
    )


def test_dynamic_code_gets_a_random_base62_slug_and_short_url(code, settings):
    assert code.kind == Kind.DYNAMIC
    assert len(code.slug) == 7
    assert set(code.slug) <= set(BASE62)
    assert code.short_url == settings.SHORT_URL_BASE + code.slug
    assert code.public_id.startswith("code_")
    assert SlugClaim.objects.filter(slug=code.slug).exists()


def test_slugs_are_random_not_sequential(acme, alice):
    slugs = {
        services.code_create(workspace=acme, actor=alice, destination="https://e.com").slug
        for _ in range(5)
    }
    assert len(slugs) == 5


def test_creating_a_code_records_its_first_destination(code, alice):
    change = DestinationChange.objects.get(code=code)
    assert (change.old_destination, change.new_destination) == ("", "https://example.com/a")
    assert change.changed_by == alice


def test_static_url_code_encodes_its_destination_and_has_no_slug(acme, alice):
    code = services.code_create(
        workspace=acme, actor=alice, kind="static", destination="https://example.com/s"
    )
    assert code.slug is None
    assert services.code_payload(code) == "https://example.com/s"


def test_static_wifi_code_encodes_its_content(acme, alice):
    code = services.code_create(
        workspace=acme,
        actor=alice,
        kind="static",
        content_type="wifi",
        content={"ssid": "Cafe", "password": "pass;word", "security": "WPA"},
    )
    payload = services.code_payload(code)
    assert payload.startswith("WIFI:")
    assert "Cafe" in payload
    assert "pass\\;word" in payload


def test_dynamic_code_payload_is_its_short_url(code):
    assert services.code_payload(code) == code.short_url


def test_custom_slug_is_used_once_and_reserved_words_are_refused(acme, alice):
    code = services.code_create(
        workspace=acme, actor=alice, destination="https://e.com", slug="spring-sale"
    )
    assert code.slug == "spring-sale"
    with pytest.raises(ValidationError) as caught:
        services.code_create(
            workspace=acme, actor=alice, destination="https://e.com", slug="spring-sale"
        )
    assert "slug" in caught.value.message_dict
    with pytest.raises(ValidationError):
        services.code_create(workspace=acme, actor=alice, destination="https://e.com", slug="admin")


def test_invalid_input_names_every_field_and_writes_nothing(acme, alice):
    with pytest.raises(ValidationError) as caught:
        services.code_create(
            workspace=acme,
            actor=alice,
            destination="javascript:alert(1)",
            style={"foreground_color": "#12345"},
            scan_limit=0,
            expires_at=timezone.now() - timedelta(days=1),
        )
    assert {"destination", "foreground_color", "scan_limit", "expires_at"} <= set(
        caught.value.message_dict
    )
    assert not QRCode.objects.exists()
    assert not SlugClaim.objects.exists()


def test_dynamic_codes_must_be_url_codes(acme, alice):
    with pytest.raises(ValidationError) as caught:
        services.code_create(
            workspace=acme, actor=alice, content_type="text", content={"text": "hi"}
        )
    assert "content_type" in caught.value.message_dict


def test_a_design_that_does_not_scan_is_refused(acme, alice):
    with pytest.raises(ValidationError) as caught:
        services.code_create(
            workspace=acme,
            actor=alice,
            destination="https://e.com",
            style={"foreground_color": "#DDDDDD", "background_color": "#FFFFFF"},
        )
    assert "foreground_color" in caught.value.message_dict
    assert not QRCode.objects.exists()


def test_change_destination_records_history_and_invalidates_after_commit(
    code, bob, django_capture_on_commit_callbacks, monkeypatch
):
    forgotten = []
    monkeypatch.setattr(services_common, "redirect_cache_forget", forgotten.append)
    with django_capture_on_commit_callbacks(execute=True):
        code = services.code_change_destination(
            code=code, destination="https://example.com/b", actor=bob
        )
    assert code.destination == "https://example.com/b"
    latest = DestinationChange.objects.filter(code=code).first()
    assert (latest.old_destination, latest.new_destination, latest.changed_by) == (
        "https://example.com/a",
        "https://example.com/b",
        bob,
    )
    assert forgotten == [code.slug]


def test_unchanged_destination_records_nothing(code, alice):
    services.code_change_destination(code=code, destination="https://example.com/a", actor=alice)
    assert DestinationChange.objects.filter(code=code).count() == 1


def test_rollback_restores_any_earlier_destination(code, alice):
    first = DestinationChange.objects.get(code=code)
    code = services.code_change_destination(code=code, destination="https://e.com/2", actor=alice)
    code = services.code_change_destination(code=code, destination="https://e.com/3", actor=alice)
    code = services.code_rollback_destination(code=code, change=first, actor=alice)
    assert code.destination == "https://example.com/a"
    latest = DestinationChange.objects.filter(code=code).first()
    assert latest.restored_from == first
    assert latest.old_destination == "https://e.com/3"


def test_rollback_to_another_codes_history_is_404(code, acme, alice):
    other = services.code_create(workspace=acme, actor=alice, destination="https://e.com/o")
    with pytest.raises(Http404):
        services.code_rollback_destination(
            code=code, change=other.destination_changes.get(), actor=alice
        )


def test_static_code_destination_cannot_be_changed_as_a_redirect(acme, alice):
    code = services.code_create(
        workspace=acme, actor=alice, kind="static", destination="https://example.com/s"
    )
    with pytest.raises(ValidationError):
        services.code_change_destination(code=code, destination="https://e.com", actor=alice)


def test_malicious_destination_refused_on_update(code, alice):
    for url in ("javascript:alert(1)", "//evil.example", "data:text/html,x"):
        with pytest.raises(ValidationError) as caught:
            services.code_update(code=code, actor=alice, destination=url)
        assert "destination" in caught.value.message_dict
    code.refresh_from_db()
    assert code.destination == "https://example.com/a"


def test_activate_and_deactivate_are_idempotent(code, alice):
    code = services.code_deactivate(code=code, actor=alice)
    code = services.code_deactivate(code=code, actor=alice)
    assert not code.is_active
    assert services.code_activate(code=code, actor=alice).is_active


def test_update_is_partial(code, alice):
    expires = timezone.now() + timedelta(days=3)
    code = services.code_update(
        code=code, actor=alice, name="Renamed", expires_at=expires, metadata={"sku": "123"}
    )
    code.refresh_from_db()
    assert (code.name, code.expires_at, code.metadata) == ("Renamed", expires, {"sku": "123"})
    assert code.destination == "https://example.com/a"


def test_move_to_group_and_out(code, acme, alice):
    group = services.group_create(workspace=acme, actor=alice, name="Labels")
    code = services.code_move_to_group(code=code, group=group, actor=alice)
    assert code.group == group
    assert services.code_move_to_group(code=code, group=None, actor=alice).group is None


def test_a_foreign_group_or_logo_is_refused_like_a_missing_one(code, globex, charlie, alice):
    foreign_group = services.group_create(workspace=globex, actor=charlie, name="Theirs")
    with pytest.raises(ValidationError) as caught:
        services.code_move_to_group(code=code, group=foreign_group, actor=alice)
    assert caught.value.message_dict == {"group": ["No such group in this workspace."]}
    foreign_logo = services.logo_create(workspace=globex, actor=charlie, data=_png())
    with pytest.raises(ValidationError) as caught:
        services.code_update(code=code, actor=alice, logo=foreign_logo)
    assert "logo" in caught.value.message_dict


def test_archived_group_takes_no_new_codes(code, acme, alice):
    group = services.group_archive(
        group=services.group_create(workspace=acme, actor=alice, name="Old"), actor=alice
    )
    with pytest.raises(ValidationError):
        services.code_move_to_group(code=code, group=group, actor=alice)


def test_duplicate_gets_a_new_slug_and_no_scans(code, alice):
    QRCode.objects.filter(pk=code.pk).update(scan_count=5, external_id="crm-1")
    code.refresh_from_db()
    copy = services.code_duplicate(code=code, actor=alice)
    assert copy.pk != code.pk
    assert copy.slug != code.slug
    assert (copy.destination, copy.style, copy.scan_count, copy.external_id) == (
        code.destination,
        code.style,
        0,
        "",
    )


def test_delete_is_soft_and_the_slug_is_never_reused(code, acme, alice, monkeypatch):
    slug = code.slug
    code = services.code_delete(code=code, actor=alice)
    assert code.deleted_at is not None
    assert not code.is_active
    assert QRCode.objects.filter(slug=slug).exists()
    # Even if the random generator produced the same slug again, it would be refused.
    monkeypatch.setattr(services_common, "random_base62", lambda n: slug if n == 7 else "x" * n)
    with pytest.raises(RuntimeError):
        services.code_create(workspace=acme, actor=alice, destination="https://e.com")
    with pytest.raises(ValidationError):
        services.code_create(workspace=acme, actor=alice, destination="https://e.com", slug=slug)


def test_slug_claim_outlives_a_hard_delete(code, acme, alice):
    slug = code.slug
    acme.delete()
    assert SlugClaim.objects.filter(slug=slug).exists()


def test_deleted_code_cannot_be_updated(code, alice):
    services.code_delete(code=code, actor=alice)
    with pytest.raises(ValidationError):
        services.code_update(code=code, actor=alice, name="x")


def test_viewer_cannot_change_a_code(code, carol):
    with pytest.raises(PermissionDenied):
        services.code_deactivate(code=code, actor=carol)


@pytest.mark.parametrize(
    "call",
    [
        lambda c, u: services.code_update(code=c, actor=u, name="mine"),
        lambda c, u: services.code_change_destination(code=c, destination="https://x.io", actor=u),
        lambda c, u: services.code_deactivate(code=c, actor=u),
        lambda c, u: services.code_activate(code=c, actor=u),
        lambda c, u: services.code_move_to_group(code=c, group=None, actor=u),
        lambda c, u: services.code_duplicate(code=c, actor=u),
        lambda c, u: services.code_delete(code=c, actor=u),
        lambda c, u: services.code_rollback_destination(
            code=c, change=c.destination_changes.get(), actor=u
        ),
    ],
)
def test_stranger_cannot_change_another_workspaces_code(code, charlie, call):
    with pytest.raises(Http404):
        call(code, charlie)
    code.refresh_from_db()
    assert code.is_active
    assert code.name == "Poster"
    assert code.deleted_at is None


def test_stranger_cannot_create_in_another_workspace(acme, charlie):
    with pytest.raises(Http404):
        services.code_create(workspace=acme, actor=charlie, destination="https://e.com")
    with pytest.raises(Http404):
        services.group_create(workspace=acme, actor=charlie, name="x")
    with pytest.raises(Http404):
        services.logo_create(workspace=acme, actor=charlie, data=_png())


def test_group_lifecycle(acme, alice, code):
    group = services.group_create(workspace=acme, actor=alice, name="Product labels")
    assert group.slug == "product-labels"
    assert group.public_id.startswith("grp_")
    with pytest.raises(ValidationError) as caught:
        services.group_create(workspace=acme, actor=alice, name="Product Labels")
    assert "slug" in caught.value.message_dict
    group = services.group_update(group=group, actor=alice, description="Q2", color="#FF0000")
    assert group.color == "#ff0000"
    assert services.group_archive(group=group, actor=alice).is_archived
    assert not services.group_unarchive(group=group, actor=alice).is_archived
    services.code_move_to_group(code=code, group=group, actor=alice)
    services.group_delete(group=group, actor=alice)
    code.refresh_from_db()
    assert code.group is None
    assert code.is_active


def test_naming_a_new_group_creates_it_once(acme, alice, bob):
    first = services.group_get_or_create(workspace=acme, actor=alice, slug="inventory-march")
    again = services.group_get_or_create(workspace=acme, actor=bob, slug="inventory-march")

    assert again == first
    assert (first.name, first.slug, first.workspace) == ("inventory-march", "inventory-march", acme)
    assert CampaignGroup.objects.filter(workspace=acme).count() == 1


def test_only_a_slug_names_a_new_group_and_only_an_editor_creates_one(acme, alice, carol, charlie):
    with pytest.raises(ValidationError) as caught:
        services.group_get_or_create(workspace=acme, actor=alice, slug="Spring Sale")
    assert "group" in caught.value.message_dict
    with pytest.raises(PermissionDenied):
        services.group_get_or_create(workspace=acme, actor=carol, slug="spring-sale")
    with pytest.raises(Http404):
        services.group_get_or_create(workspace=acme, actor=charlie, slug="spring-sale")
    assert not CampaignGroup.objects.filter(workspace=acme).exists()


def test_group_needs_a_name_and_a_hex_colour(acme, alice):
    with pytest.raises(ValidationError) as caught:
        services.group_create(workspace=acme, actor=alice, name=" ", color="red")
    assert {"name", "color"} <= set(caught.value.message_dict)


def test_logo_is_stored_as_png_and_deduplicated(acme, alice):
    out = io.BytesIO()
    Image.new("RGB", (80, 40), (0, 90, 200)).save(out, format="JPEG")
    logo = services.logo_create(workspace=acme, actor=alice, data=out.getvalue(), name="Brand")
    assert logo.public_id.startswith("logo_")
    assert (logo.width, logo.height) == (80, 40)
    assert logo.read_bytes().startswith(b"\x89PNG")
    again = services.logo_create(workspace=acme, actor=alice, data=out.getvalue())
    assert again.pk == logo.pk


@pytest.mark.parametrize(
    "data",
    [
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        b'<?xml version="1.0"?><svg/>',
        b"not an image at all",
        b"",
    ],
)
def test_svg_and_non_images_are_refused_as_logos(acme, alice, data):
    with pytest.raises(ValidationError) as caught:
        services.logo_create(workspace=acme, actor=alice, data=data)
    assert "logo" in caught.value.message_dict


def test_code_with_logo_renders(acme, alice):
    logo = services.logo_create(workspace=acme, actor=alice, data=_png())
    code = services.code_create(
        workspace=acme,
        actor=alice,
        destination="https://e.com",
        logo=logo,
        style={"logo_size": 0.2},
    )
    assert services.code_image(code=code, format="png", size=300).startswith(b"\x89PNG")


def test_image_of_a_dynamic_code_does_not_change_with_its_destination(code, alice):
    before = services.code_image(code=code, format="svg", size=300)
    code = services.code_change_destination(code=code, destination="https://e.com/n", actor=alice)
    assert services.code_image(code=code, format="svg", size=300) == before
    assert b"<svg" in before


def test_image_changes_with_style(code, alice):
    before = services.code_image(code=code, format="png", size=200)
    code = services.code_update(code=code, actor=alice, style={"foreground_color": "#1e1b4b"})
    assert services.code_image(code=code, format="png", size=200) != before


def test_unknown_image_format_is_a_field_error(code):
    with pytest.raises(ValidationError) as caught:
        services.code_image(code=code, format="gif", size=200)
    assert "format" in caught.value.message_dict


def test_short_url_joins_a_base_without_trailing_slash(code, settings):
    settings.SHORT_URL_BASE = "https://qr.example"
    assert code.short_url == f"https://qr.example/{code.slug}"
