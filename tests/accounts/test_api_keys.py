"""API keys: the services, `manage.py create_api_key`, the admin, and Settings → API keys."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from accounts import selectors, services
from accounts.models import ApiKey, Membership
from tests.api.conftest import ApiClient


def member(user):
    return Membership.objects.select_related("workspace", "user").get(user=user)


# --- services -----------------------------------------------------------------------------------


def test_key_is_shown_once_and_stored_only_as_a_hash(alice, acme):
    api_key, secret = services.api_key_create(
        workspace=acme, actor=member(alice), name="Printer", scope="write"
    )

    assert secret.startswith("qr_")
    assert secret.startswith(api_key.prefix + ".")
    stored = ApiKey.objects.get(pk=api_key.pk)
    assert secret not in (stored.hashed_key, stored.id)
    assert stored.hashed_key.startswith("sha512$$")
    assert selectors.api_key_from_secret(key=secret) == stored
    # Flip the last character to a different one (appending a fixed "x" matched 1 key in 62).
    wrong = secret[:-1] + ("y" if secret.endswith("x") else "x")
    assert selectors.api_key_from_secret(key=wrong) is None


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"name": "", "scope": "read"}, "name"),
        ({"name": "x" * 51, "scope": "read"}, "name"),
        ({"name": "ok", "scope": "root"}, "scope"),
        (
            {"name": "ok", "scope": "read", "expires_at": timezone.now() - timedelta(days=1)},
            "expires_at",
        ),
    ],
)
def test_create_refuses_bad_input(alice, acme, kwargs, field):
    with pytest.raises(ValidationError) as exc:
        services.api_key_create(workspace=acme, actor=member(alice), **kwargs)

    assert field in exc.value.message_dict
    assert not ApiKey.objects.exists()


@pytest.mark.parametrize("persona", ["bob", "carol"])
def test_only_owners_and_admins_create_keys(request, acme, persona):
    user = request.getfixturevalue(persona)

    with pytest.raises(PermissionDenied, match="API keys"):
        services.api_key_create(workspace=acme, actor=member(user), name="x", scope="read")


def test_an_editor_cannot_revoke_keys(alice, acme, bob):
    api_key, _ = services.api_key_create(
        workspace=acme, actor=member(alice), name="x", scope="read"
    )

    with pytest.raises(PermissionDenied, match="create or revoke API keys"):
        services.api_key_revoke(api_key=api_key, actor=member(bob))
    api_key.refresh_from_db()
    assert not api_key.revoked


def test_revoke_is_immediate_and_idempotent(alice, acme):
    api_key, secret = services.api_key_create(
        workspace=acme, actor=member(alice), name="x", scope="read"
    )
    assert ApiClient(secret).get("/api/v1/codes").status_code == 200

    services.api_key_revoke(api_key=api_key, actor=member(alice))
    services.api_key_revoke(api_key=api_key, actor=member(alice))

    api_key.refresh_from_db()
    assert api_key.revoked
    assert api_key.revoked_at is not None
    assert ApiClient(secret).get("/api/v1/codes").status_code == 401


def test_stranger_cannot_revoke(alice, acme, charlie):
    api_key, _ = services.api_key_create(
        workspace=acme, actor=member(alice), name="x", scope="read"
    )

    with pytest.raises(PermissionDenied):
        services.api_key_revoke(api_key=api_key, actor=member(charlie))


def test_last_used_is_written_at_most_once_a_minute(alice, acme, django_assert_num_queries):
    api_key, _ = services.api_key_create(
        workspace=acme, actor=member(alice), name="x", scope="read"
    )

    services.api_key_record_use(api_key=api_key)
    first = api_key.last_used_at
    with django_assert_num_queries(0):
        services.api_key_record_use(api_key=api_key)

    assert api_key.last_used_at == first
    assert ApiKey.objects.get(pk=api_key.pk).last_used_at == first


# --- manage.py create_api_key -------------------------------------------------------------------


def test_command_prints_only_a_working_key(alice, acme):
    out = StringIO()

    call_command(
        "create_api_key", "--workspace", "acme", "--scope", "write", "--name", "CI", stdout=out
    )

    key = out.getvalue().strip()
    assert "\n" not in key
    assert key.startswith("qr_")
    api_key = ApiKey.objects.get()
    assert (api_key.name, api_key.scope, api_key.created_by) == ("CI", "write", alice)
    assert (
        ApiClient(key).post("/api/v1/codes", {"destination": "https://example.com"}).status_code
        == 201
    )


def test_command_refuses_an_unknown_workspace(db):
    with pytest.raises(CommandError, match="No workspace"):
        call_command("create_api_key", "--workspace", "nope", "--scope", "read", stdout=StringIO())


# --- admin --------------------------------------------------------------------------------------


def test_admin_lists_and_revokes_keys(alice, acme, client):
    from accounts.models import User

    api_key, _ = services.api_key_create(
        workspace=acme, actor=member(alice), name="x", scope="read"
    )
    admin = User.objects.create_superuser(email="ops@example.com", password="pw-long-enough")
    client.force_login(admin)

    listing = client.get(reverse("admin:accounts_apikey_changelist"))
    revoked = client.post(
        reverse("admin:accounts_apikey_changelist"),
        {"action": "revoke", "_selected_action": [api_key.pk]},
    )

    assert listing.status_code == 200
    assert api_key.prefix.encode() in listing.content
    assert revoked.status_code == 302
    assert ApiKey.objects.get(pk=api_key.pk).revoked


# --- Settings → API keys ------------------------------------------------------------------------


def test_owner_sees_the_page_and_the_tab(alice_client):
    response = alice_client.get(reverse("settings:api_keys"))

    assert response.status_code == 200
    assert b"Create an API key" in response.content
    assert b'aria-current="page">API keys' in response.content


@pytest.mark.parametrize("persona", ["bob_client", "carol_client"])
def test_editors_and_viewers_get_403(request, persona, alice, acme):
    client = request.getfixturevalue(persona)
    api_key, _ = services.api_key_create(
        workspace=acme, actor=member(alice), name="x", scope="read"
    )

    page = client.get(reverse("settings:api_keys"))
    create = client.post(reverse("settings:api_key_create"), {"name": "mine", "scope": "admin"})
    revoke = client.post(reverse("settings:api_key_revoke", args=[api_key.public_id]))

    assert (page.status_code, create.status_code, revoke.status_code) == (403, 403, 403)
    assert ApiKey.objects.count() == 1
    assert not ApiKey.objects.get().revoked


def test_an_admin_demoted_to_viewer_loses_the_page_and_their_keys_read_only(
    alice, acme, bob, client
):
    Membership.objects.filter(user=bob).update(role="admin")
    api_key, secret = services.api_key_create(
        workspace=acme, actor=member(bob), name="bob's", scope="admin"
    )
    Membership.objects.filter(user=bob).update(role="viewer")
    client.force_login(bob)

    page = client.get(reverse("settings:api_keys"))
    create = client.post(reverse("settings:api_key_create"), {"name": "mine", "scope": "admin"})
    revoke = client.post(reverse("settings:api_key_revoke", args=[api_key.public_id]))

    assert (page.status_code, create.status_code, revoke.status_code) == (403, 403, 403)
    assert ApiClient(secret).get("/api/v1/keys").status_code == 403
    assert ApiKey.objects.count() == 1
    assert not ApiKey.objects.get().revoked


def test_the_page_says_when_a_key_is_capped_by_its_creators_role(alice_client, alice, acme, bob):
    Membership.objects.filter(user=bob).update(role="admin")
    services.api_key_create(workspace=acme, actor=member(bob), name="capped", scope="admin")
    services.api_key_create(workspace=acme, actor=member(alice), name="full", scope="admin")
    Membership.objects.filter(user=bob).update(role="viewer")

    html = alice_client.get(reverse("settings:api_keys")).content.decode()

    assert html.count("Acts as read: its creator’s role is now viewer") == 1
    keys = {
        key.name: key.effective_scope
        for key in selectors.api_key_list_for_workspace(workspace=acme)
    }
    assert keys == {"capped": "read", "full": "admin"}


def test_the_page_says_when_a_keys_creator_left(alice_client, alice, acme, bob):
    Membership.objects.filter(user=bob).update(role="admin")
    services.api_key_create(workspace=acme, actor=member(bob), name="orphan", scope="write")
    Membership.objects.filter(user=bob).delete()

    html = alice_client.get(reverse("settings:api_keys")).content.decode()

    assert "Stopped working: its creator left the workspace" in html


def test_viewer_does_not_see_the_tab(carol_client):
    response = carol_client.get(reverse("settings:members"))

    assert b"API keys</a>" not in response.content


def test_stranger_gets_404_revoking_another_workspaces_key(charlie_client, alice, acme):
    api_key, _ = services.api_key_create(
        workspace=acme, actor=member(alice), name="x", scope="read"
    )

    response = charlie_client.post(reverse("settings:api_key_revoke", args=[api_key.public_id]))

    assert response.status_code == 404
    assert not ApiKey.objects.get().revoked


def test_stranger_does_not_see_another_workspaces_keys(charlie_client, alice, acme):
    api_key, _ = services.api_key_create(
        workspace=acme, actor=member(alice), name="acme-secret-system", scope="read"
    )

    response = charlie_client.get(reverse("settings:api_keys"))

    assert response.status_code == 200
    assert api_key.prefix.encode() not in response.content
    assert b"acme-secret-system" not in response.content


def test_anonymous_is_sent_to_login(client, db):
    response = client.get(reverse("settings:api_keys"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_create_shows_the_secret_once_with_a_copy_button(csrf_client_for, alice):
    client = csrf_client_for(alice)
    token = "t" * 32
    client.cookies["csrftoken"] = token

    response = client.post(
        reverse("settings:api_key_create"),
        {"name": "Label printer", "scope": "write", "expires_on": "", "csrfmiddlewaretoken": token},
    )

    assert response.status_code == 200
    secret = response.context["new_secret"]
    assert f'data-copy="{secret}"'.encode() in response.content
    assert response["Cache-Control"] == "no-store"
    assert ApiClient(secret).get("/api/v1/codes").status_code == 200
    again = client.get(reverse("settings:api_keys"))
    assert secret.encode() not in again.content
    assert ApiKey.objects.get().prefix.encode() in again.content


def test_create_without_csrf_token_is_refused(csrf_client_for, alice):
    response = csrf_client_for(alice).post(
        reverse("settings:api_key_create"), {"name": "x", "scope": "read"}
    )

    assert response.status_code == 403
    assert not ApiKey.objects.exists()


def test_create_with_htmx_returns_the_fragment(alice_client):
    response = alice_client.post(
        reverse("settings:api_key_create"),
        {"name": "Printer", "scope": "read", "expires_on": "2099-12-31"},
        HTTP_HX_REQUEST="true",
    )

    assert response.status_code == 201
    assert b'id="keys"' in response.content
    assert b"<html" not in response.content
    assert ApiKey.objects.get().expiry_date.date().isoformat() == "2099-12-31"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"name": "", "scope": "read"}, "name"),
        ({"name": "x", "scope": "root"}, "scope"),
        ({"name": "x", "scope": "read", "expires_on": "2001-01-01"}, "expires_at"),
    ],
)
def test_create_with_bad_input_shows_errors_and_creates_nothing(alice_client, data, field):
    response = alice_client.post(reverse("settings:api_key_create"), data)

    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors
    assert response.context["new_secret"] is None
    assert not ApiKey.objects.exists()


def test_revoke_from_the_page(alice_client, alice, acme):
    api_key, secret = services.api_key_create(
        workspace=acme, actor=member(alice), name="x", scope="read"
    )

    response = alice_client.post(
        reverse("settings:api_key_revoke", args=[api_key.public_id]), follow=True
    )

    assert response.status_code == 200
    assert b"revoked" in response.content
    assert ApiKey.objects.get().revoked
    assert ApiClient(secret).get("/api/v1/codes").status_code == 401


def test_revoke_needs_post(alice_client, alice, acme):
    api_key, _ = services.api_key_create(
        workspace=acme, actor=member(alice), name="x", scope="read"
    )

    response = alice_client.get(reverse("settings:api_key_revoke", args=[api_key.public_id]))

    assert response.status_code == 405
    assert not ApiKey.objects.get().revoked


def test_bad_input_over_htmx_swaps_the_errors_in(alice_client):
    response = alice_client.post(
        reverse("settings:api_key_create"), {"name": "", "scope": "read"}, HTTP_HX_REQUEST="true"
    )

    assert response.status_code == 200  # htmx swaps only 2xx responses
    assert b'id="keys"' in response.content
    assert b"errorlist" in response.content
    assert not ApiKey.objects.exists()
