"""The codes admin's change pages write nothing: codes and groups change through the services'
actions only (a save on the change page used to write the whole row back)."""

import pytest
from django.contrib.auth.models import Permission

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


def test_posting_the_code_change_page_writes_nothing(admin_client, code):
    before = QRCode.objects.get(pk=code.pk)

    response = admin_client.post(
        f"/admin/codes/qrcode/{code.pk}/change/",
        {
            "destination": "https://evil.example/",
            "destination_changes-TOTAL_FORMS": "0",
            "destination_changes-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 403
    after = QRCode.objects.get(pk=code.pk)
    assert (after.destination, after.updated_at) == (before.destination, before.updated_at)


def test_posting_the_group_change_page_writes_nothing(admin_client, acme, alice):
    group = services.group_create(workspace=acme, actor=alice, name="Spring")
    before = CampaignGroup.objects.get(pk=group.pk)

    response = admin_client.post(f"/admin/codes/campaigngroup/{group.pk}/change/", {"name": "X"})

    assert response.status_code == 403
    after = CampaignGroup.objects.get(pk=group.pk)
    assert (after.name, after.updated_at) == (before.name, before.updated_at)


def test_staff_who_may_only_view_codes_cannot_deactivate_them(client, code):
    viewer = UserFactory(email="intern@example.com", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_qrcode"))
    client.force_login(viewer)

    client.post("/admin/codes/qrcode/", {"action": "deactivate", "_selected_action": [code.pk]})

    assert QRCode.objects.get(pk=code.pk).is_active
