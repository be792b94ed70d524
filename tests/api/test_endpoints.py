"""What each endpoint does beyond the seed: lists, filters and cursors, images and ETags,
history and rollback, bulk update/delete, groups, stateless render, keys."""

import io
from datetime import timedelta

import pytest
import zxingcpp
from django.utils import timezone
from PIL import Image

from accounts.models import ApiKey
from codes import services
from codes.models import CampaignGroup, QRCode
from tests.api.conftest import ApiClient


def make(client, **fields):
    body = {"destination": "https://example.com/x", "type": "dynamic", **fields}
    response = client.post("/api/v1/codes", body)
    assert response.status_code == 201, response.content
    return response.json()


# --- list, filters, pagination ------------------------------------------------------------------


def test_list_pages_through_every_code_once_in_a_stable_order(client_write):
    ids = [make(client_write, name=f"c{i}")["id"] for i in range(7)]

    seen, url = [], "/api/v1/codes?page_size=3"
    while url:
        page = client_write.get(url.removeprefix("http://testserver")).json()
        seen += [c["id"] for c in page["results"]]
        url = page["next"]
        if len(seen) == 3:
            make(client_write, name="added while paging")  # must not shift later pages

    assert seen == list(reversed(ids))


def test_list_uses_a_fixed_number_of_queries(client_write, django_assert_max_num_queries):
    for i in range(5):
        make(client_write, name=f"c{i}", group="spring")

    with django_assert_max_num_queries(8):
        response = client_write.get("/api/v1/codes")

    assert len(response.json()["results"]) == 5


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ("group=spring", {"spring-1"}),
        ("group=none", {"loose", "static"}),
        ("group=nope", set()),
        ("type=static", {"static"}),
        ("active=false", {"paused"}),
        ("search=spring", {"spring-1"}),
        ("search=example.org", {"static"}),
        ("external_id=sku-9", {"loose"}),
        ("metadata_key=batch", {"paused"}),
        ("metadata=batch:7", {"paused"}),
        ("metadata=batch:8", set()),
    ],
)
def test_list_filters(client_write, query, names):
    make(client_write, name="spring-1", group="spring")
    make(client_write, name="loose", external_id="sku-9")
    make(client_write, name="static", type="static", destination="https://example.org/s")
    make(client_write, name="paused", is_active=False, metadata={"batch": 7}, group="other")

    response = client_write.get(f"/api/v1/codes?{query}")

    assert response.status_code == 200
    assert {c["name"] for c in response.json()["results"]} == names


def test_created_range_filter(client_write):
    old = make(client_write, name="old")
    QRCode.objects.filter(public_id=old["id"]).update(
        created_at=timezone.now() - timedelta(days=10)
    )
    make(client_write, name="new")
    since = (timezone.now() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")

    after = client_write.get(f"/api/v1/codes?created_after={since}").json()["results"]
    before = client_write.get(f"/api/v1/codes?created_before={since}").json()["results"]

    assert [c["name"] for c in after] == ["new"]
    assert [c["name"] for c in before] == ["old"]


def test_page_size_is_capped(client_read, settings):
    response = client_read.get(f"/api/v1/codes?page_size={settings.API_MAX_PAGE_SIZE + 1}")

    assert response.status_code == 400
    assert response.json()["error"]["field"] == "page_size"


# --- one code -----------------------------------------------------------------------------------


def test_get_put_and_deleted_codes(client_write):
    code = make(client_write)

    assert client_write.get(f"/api/v1/codes/{code['id']}").json() == code
    assert client_write.put(f"/api/v1/codes/{code['id']}", {}).status_code == 405
    assert client_write.delete(f"/api/v1/codes/{code['id']}").status_code == 204
    assert client_write.get(f"/api/v1/codes/{code['id']}").status_code == 404
    assert client_write.delete(f"/api/v1/codes/{code['id']}").status_code == 404
    assert QRCode.objects.get(public_id=code["id"]).deleted_at is not None


def test_patch_merges_style_and_moves_group(client_write):
    code = make(client_write, module_shape="rounded", group="spring")

    response = client_write.patch(
        f"/api/v1/codes/{code['id']}",
        {"style": {"foreground_color": "#1e1b4b"}, "group": None, "metadata": {"a": 1}},
    )

    body = response.json()
    assert response.status_code == 200
    assert body["style"]["module_shape"] == "rounded"
    assert body["style"]["foreground_color"] == "#1E1B4B"
    assert body["group"] is None
    assert body["metadata"] == {"a": 1}


def test_image_formats_sizes_and_etag(client_read, client_write):
    code = make(client_write)

    png = client_read.get(f"/api/v1/codes/{code['id']}/image?size=256")
    svg = client_read.get(f"/api/v1/codes/{code['id']}/image?format=svg")
    pdf = client_read.get(f"/api/v1/codes/{code['id']}/image?format=pdf")
    cached = client_read.get(
        f"/api/v1/codes/{code['id']}/image?size=256", HTTP_IF_NONE_MATCH=png["ETag"]
    )

    image = Image.open(io.BytesIO(png.content))
    assert image.width == 256
    assert zxingcpp.read_barcodes(image)[0].text == code["short_url"]
    assert svg["Content-Type"] == "image/svg+xml"
    assert pdf.content.startswith(b"%PDF")
    assert cached.status_code == 304
    assert cached.content == b""
    assert png["Cache-Control"] == "private, no-cache"


def test_etag_changes_with_the_style_but_not_the_destination(client_write):
    code = make(client_write)
    url = f"/api/v1/codes/{code['id']}/image"
    first = client_write.get(url)["ETag"]

    client_write.patch(f"/api/v1/codes/{code['id']}", {"destination": "https://example.com/moved"})
    after_move = client_write.get(url)["ETag"]
    client_write.patch(f"/api/v1/codes/{code['id']}", {"module_shape": "dots"})
    after_style = client_write.get(url)["ETag"]

    assert first == after_move != after_style


def test_destination_history_and_rollback(client_write, client):
    code = make(client_write, destination="https://example.com/v1")
    client_write.patch(f"/api/v1/codes/{code['id']}", {"destination": "https://example.com/v2"})

    history = client_write.get(f"/api/v1/codes/{code['id']}/destinations").json()["results"]
    first = history[-1]
    rolled = client_write.post(f"/api/v1/codes/{code['id']}/destinations/{first['id']}/rollback")
    history_after = client_write.get(f"/api/v1/codes/{code['id']}/destinations").json()["results"]

    assert [h["new_destination"] for h in history] == [
        "https://example.com/v2",
        "https://example.com/v1",
    ]
    assert history[-1]["old_destination"] is None
    assert rolled.status_code == 200
    assert rolled.json()["destination"] == "https://example.com/v1"
    assert history_after[0]["restored_from"] == first["id"]
    slug = code["short_url"].rsplit("/", 1)[1]
    assert client.get(f"/r/{slug}")["Location"] == "https://example.com/v1"


def test_rollback_to_another_codes_change_is_404(client_write):
    one, two = make(client_write), make(client_write)
    change = client_write.get(f"/api/v1/codes/{two['id']}/destinations").json()["results"][0]

    response = client_write.post(f"/api/v1/codes/{one['id']}/destinations/{change['id']}/rollback")

    assert response.status_code == 404


def test_static_vcard_code(client_write):
    response = client_write.post(
        "/api/v1/codes",
        {"content_type": "vcard", "content": {"first_name": "Dana", "last_name": "Demo"}},
        HTTP_ACCEPT="image/png",
    )

    assert response.status_code == 201
    text = zxingcpp.read_barcodes(Image.open(io.BytesIO(response.content)))[0].text
    assert text.startswith("BEGIN:VCARD")
    assert "Dana" in text


# --- bulk update / delete -----------------------------------------------------------------------


def test_bulk_update_deactivates_and_moves(client_write):
    ids = [make(client_write)["id"] for _ in range(3)]

    response = client_write.post(
        "/api/v1/codes/bulk/update", {"ids": ids[:2], "is_active": False, "group": "paused"}
    )

    assert response.status_code == 200
    assert response.json()["count"] == 2
    codes = {c.public_id: c for c in QRCode.objects.select_related("group")}
    assert [codes[i].is_active for i in ids] == [False, False, True]
    assert codes[ids[0]].group.slug == "paused"
    assert codes[ids[2]].group is None


def test_bulk_update_with_an_unknown_id_changes_nothing(client_write):
    good = make(client_write)["id"]

    response = client_write.post(
        "/api/v1/codes/bulk/update", {"ids": [good, "code_missing"], "is_active": False}
    )

    assert response.status_code == 400
    assert response.json()["error"]["errors"][0]["index"] == 1
    assert QRCode.objects.get(public_id=good).is_active


def test_bulk_update_needs_a_change(client_write):
    good = make(client_write)["id"]

    assert client_write.post("/api/v1/codes/bulk/update", {"ids": [good]}).status_code == 400


def test_bulk_delete(client_write):
    ids = [make(client_write)["id"] for _ in range(3)]

    response = client_write.post("/api/v1/codes/bulk/delete", {"ids": ids[:2]})
    duplicate = client_write.post("/api/v1/codes/bulk/delete", {"ids": [ids[2], ids[2]]})

    assert response.json() == {"count": 2}
    assert duplicate.status_code == 400
    assert QRCode.objects.alive().count() == 1


# --- groups -------------------------------------------------------------------------------------


def test_group_lifecycle(client_write, acme):
    created = client_write.post("/api/v1/groups", {"name": "Spring launch", "color": "#0f766e"})
    group = created.json()
    make(client_write, group=group["slug"])

    listed = client_write.get("/api/v1/groups").json()["results"]
    archived = client_write.patch(f"/api/v1/groups/{group['id']}", {"archived": True})
    hidden = client_write.get("/api/v1/groups").json()["results"]
    shown = client_write.get("/api/v1/groups?include_archived=true").json()["results"]
    deleted = client_write.delete(f"/api/v1/groups/{group['id']}")

    assert created.status_code == 201
    assert group["slug"] == "spring-launch"
    assert listed[0]["code_count"] == 1
    assert archived.json()["archived"] is True
    assert hidden == []
    assert [g["id"] for g in shown] == [group["id"]]
    assert deleted.status_code == 204
    assert not CampaignGroup.objects.exists()
    assert QRCode.objects.get().group is None


def test_codes_cannot_join_an_archived_group(client_write):
    group = client_write.post("/api/v1/groups", {"name": "Old"}).json()
    client_write.patch(f"/api/v1/groups/{group['id']}", {"archived": True})

    response = client_write.post(
        "/api/v1/codes", {"destination": "https://example.com", "group": "old"}
    )

    assert response.status_code == 400
    assert response.json()["error"]["field"] == "group"


def test_duplicate_group_slug_is_refused(client_write):
    client_write.post("/api/v1/groups", {"name": "Spring"})

    response = client_write.post("/api/v1/groups", {"name": "Spring"})

    assert response.status_code == 400
    assert response.json()["error"]["field"] == "slug"


# --- render -------------------------------------------------------------------------------------


def test_render_returns_an_image_and_stores_nothing(client_read):
    response = client_read.post(
        "/api/v1/render",
        {"destination": "https://example.com/r", "module_shape": "rounded", "size": 300},
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    image = Image.open(io.BytesIO(response.content))
    assert image.width == 300
    assert zxingcpp.read_barcodes(image)[0].text == "https://example.com/r"
    assert not QRCode.objects.exists()


def test_render_format_from_accept_header(client_read):
    response = client_read.post(
        "/api/v1/render/", {"destination": "https://example.com/r"}, HTTP_ACCEPT="image/svg+xml"
    )

    assert response["Content-Type"] == "image/svg+xml"


def test_render_refuses_a_design_that_would_not_scan(client_read):
    response = client_read.post(
        "/api/v1/render", {"destination": "https://example.com/r", "foreground_color": "#f0f0f0"}
    )

    assert response.status_code == 400
    assert response.json()["error"]["field"] == "foreground_color"


def test_render_with_a_logo_of_another_workspace_is_refused(client_read, charlie, globex):
    logo_png = io.BytesIO()
    Image.new("RGB", (64, 64), "red").save(logo_png, "PNG")
    logo = services.logo_create(workspace=globex, actor=charlie, data=logo_png.getvalue())

    response = client_read.post(
        "/api/v1/render", {"destination": "https://example.com/r", "logo": logo.public_id}
    )

    assert response.status_code == 400
    assert response.json()["error"]["field"] == "logo"


def test_code_with_own_logo(client_write, alice, acme):
    logo_png = io.BytesIO()
    Image.new("RGB", (64, 64), "red").save(logo_png, "PNG")
    logo = services.logo_create(workspace=acme, actor=alice, data=logo_png.getvalue())

    response = client_write.post(
        "/api/v1/codes",
        {"destination": "https://example.com/l", "logo": logo.public_id, "logo_size": 0.2},
        HTTP_ACCEPT="image/png",
    )

    assert response.status_code == 201
    text = zxingcpp.read_barcodes(Image.open(io.BytesIO(response.content)))[0].text
    assert text == "https://example.com/l"


# --- keys ---------------------------------------------------------------------------------------


def test_keys_api_creates_lists_and_revokes(client_admin):
    created = client_admin.post(
        "/api/v1/keys", {"name": "Printer", "scope": "write", "expires_at": "2099-01-01T00:00:00Z"}
    )
    body = created.json()
    secret = body["key"]

    listed = client_admin.get("/api/v1/keys").json()["results"]
    works = ApiClient(secret).get("/api/v1/codes").status_code
    revoked = client_admin.delete(f"/api/v1/keys/{body['id']}")
    after = ApiClient(secret).get("/api/v1/codes").status_code

    assert created.status_code == 201
    assert body["prefix"] == secret.split(".")[0]
    assert body["expires_at"] == "2099-01-01T00:00:00Z"
    assert body["id"] in [k["id"] for k in listed]
    assert all("key" not in k for k in listed)
    assert (works, revoked.status_code, after) == (200, 204, 401)
    assert ApiKey.objects.get(public_id=body["id"]).revoked


def test_new_key_cannot_outrank_an_unknown_scope(client_admin):
    response = client_admin.post("/api/v1/keys", {"name": "x", "scope": "root"})

    assert response.status_code == 400
    assert response.json()["error"]["field"] == "scope"
