"""The admin pages for codes and scans, their service-backed actions, and the demo seed."""

import io

import pytest
from django.core.management import call_command

from analytics.models import Scan
from codes import services
from codes.models import CampaignGroup, QRCode
from tests.factories import UserFactory


@pytest.fixture
def admin_client(client, db):
    client.force_login(UserFactory(email="root@example.com", is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def code(acme, alice):
    return services.code_create(workspace=acme, actor=alice, destination="https://example.com/")


@pytest.mark.parametrize(
    "url",
    [
        "/admin/codes/qrcode/",
        "/admin/codes/qrcode/?is_active__exact=1&kind__exact=dynamic",
        "/admin/codes/qrcode/?q=example",
        "/admin/codes/campaigngroup/",
        "/admin/codes/logoasset/",
        "/admin/codes/destinationchange/",
        "/admin/analytics/scan/",
        "/admin/analytics/scan/?is_bot__exact=1",
    ],
)
def test_admin_lists_load_with_filters(admin_client, code, client, url):
    client.get(f"/r/{code.slug}", HTTP_USER_AGENT="Googlebot/2.1")
    assert admin_client.get(url).status_code == 200


def test_admin_code_page_is_read_only_and_shows_history(admin_client, code):
    response = admin_client.get(f"/admin/codes/qrcode/{code.pk}/change/")
    assert response.status_code == 200
    assert b"https://example.com/" in response.content
    assert response.context["adminform"].form.fields == {}


def test_scans_cannot_be_added_changed_or_deleted_in_admin(admin_client, code, client):
    client.get(f"/r/{code.slug}")
    scan = Scan.objects.get()
    assert admin_client.get("/admin/analytics/scan/add/").status_code == 403
    response = admin_client.post(f"/admin/analytics/scan/{scan.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert Scan.objects.exists()


def test_admin_actions_go_through_the_services(admin_client, code):
    url = "/admin/codes/qrcode/"
    admin_client.post(url, {"action": "deactivate", "_selected_action": [code.pk]})
    code.refresh_from_db()
    assert not code.is_active
    admin_client.post(url, {"action": "soft_delete", "_selected_action": [code.pk]})
    code.refresh_from_db()
    assert code.deleted_at is not None
    assert QRCode.objects.filter(pk=code.pk).exists()


def test_seed_demo_creates_sample_codes_once(db):
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    call_command("seed_demo", stdout=out)
    codes = QRCode.objects.filter(workspace__slug="demo")
    assert codes.count() == 4
    assert set(codes.values_list("kind", flat=True)) == {"static", "dynamic"}
    assert CampaignGroup.objects.filter(workspace__slug="demo", slug="spring-launch").count() == 1
    assert codes.filter(group__slug="spring-launch").count() == 2
