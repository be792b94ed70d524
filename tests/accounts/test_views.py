import pytest
from django.urls import reverse

from accounts import services
from accounts.middleware import SESSION_KEY
from accounts.models import Invitation, Membership, Role, User, Workspace


def test_login_page_renders_for_anonymous_visitors(client):
    response = client.get(reverse("login"))

    assert response.status_code == 200
    assert b"Log in" in response.content


def test_dashboard_requires_login(client):
    response = client.get(reverse("dashboard:home"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_sign_up_logs_in_and_lands_on_the_new_workspace(client, db):
    response = client.post(
        reverse("accounts:signup"),
        {"full_name": "Dana Lee", "email": "dana@example.com", "password": "a-long-passphrase"},
        follow=True,
    )

    assert response.status_code == 200
    assert b"Dana\xe2\x80\x99s workspace" in response.content
    assert response.context["user"].email == "dana@example.com"


def test_sign_up_with_existing_email_shows_the_error_on_the_form(client, alice):
    response = client.post(
        reverse("accounts:signup"),
        {"email": "alice@example.com", "password": "a-long-passphrase"},
    )

    assert response.status_code == 200
    assert "already exists" in response.context["form"].errors["email"][0]
    assert User.objects.filter(email="alice@example.com").count() == 1
    assert Workspace.objects.count() == 1


def test_sign_up_with_weak_password_shows_the_error_and_creates_nothing(client, db):
    response = client.post(
        reverse("accounts:signup"), {"email": "dana@example.com", "password": "12345"}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["password"]
    assert b'class="errorlist"' in response.content
    assert not User.objects.exists()


def test_members_page_lists_only_the_current_workspace(alice_client, bob, charlie):
    response = alice_client.get(reverse("settings:members"))

    assert response.status_code == 200
    assert b"bob@example.com" in response.content
    assert b"charlie@example.com" not in response.content


@pytest.mark.parametrize(
    "url_name",
    ["settings:member_role", "settings:member_remove"],
)
def test_stranger_gets_404_for_another_workspaces_member(charlie_client, bob, url_name):
    member_id = Membership.objects.get(user=bob).public_id

    response = charlie_client.post(reverse(url_name, args=[member_id]), {"role": "viewer"})

    assert response.status_code == 404
    assert Membership.objects.get(user=bob).role == Role.EDITOR


def test_stranger_gets_404_for_another_workspaces_invitation(charlie_client, alice, acme):
    invitation = services.invitation_create(
        workspace=acme,
        email="dana@example.com",
        role=Role.VIEWER,
        actor=Membership.objects.get(user=alice),
    )

    response = charlie_client.post(
        reverse("settings:invitation_revoke", args=[invitation.public_id])
    )

    assert response.status_code == 404
    assert Invitation.objects.filter(pk=invitation.pk).exists()


def test_stranger_cannot_switch_into_another_workspace(charlie_client, acme):
    response = charlie_client.post(
        reverse("accounts:workspace_switch"), {"workspace": acme.public_id}
    )

    assert response.status_code == 404
    assert charlie_client.session[SESSION_KEY] != acme.public_id


def test_member_of_two_workspaces_switches_between_them(alice, alice_client, globex):
    Membership.objects.create(user=alice, workspace=globex, role=Role.VIEWER)

    response = alice_client.post(
        reverse("accounts:workspace_switch"), {"workspace": globex.public_id}, follow=True
    )

    assert response.context["workspace"] == globex
    assert b"Globex" in response.content
    members = alice_client.get(reverse("settings:members"))
    assert members.context["workspace"] == globex


def test_viewer_cannot_invite(carol_client):
    response = carol_client.post(
        reverse("settings:invite"), {"email": "x@example.com", "role": "editor"}
    )

    assert response.status_code == 403
    assert not Invitation.objects.exists()


def test_viewer_sees_no_invite_form(carol_client):
    response = carol_client.get(reverse("settings:members"))

    assert response.status_code == 200
    assert b"Send invitation" not in response.content


def test_owner_invites_through_htmx_and_gets_the_fragment(
    alice_client, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = alice_client.post(
            reverse("settings:invite"),
            {"email": "dana@example.com", "role": "viewer"},
            HTTP_HX_REQUEST="true",
        )

    assert response.status_code == 200
    assert b"<html" not in response.content
    assert b'id="team"' in response.content
    assert b"dana@example.com" in response.content
    assert len(mailoutbox) == 1


def test_invite_form_error_is_shown_next_to_the_field(alice_client, bob):
    response = alice_client.post(
        reverse("settings:invite"), {"email": "bob@example.com", "role": "editor"}
    )

    assert response.status_code == 200
    assert "already a member" in response.context["invite_form"].errors["email"][0]


def test_htmx_post_without_csrf_token_is_refused(csrf_client_for, alice):
    client = csrf_client_for(alice)

    response = client.post(
        reverse("settings:invite"),
        {"email": "dana@example.com", "role": "viewer"},
        HTTP_HX_REQUEST="true",
    )

    assert response.status_code == 403
    assert not Invitation.objects.exists()


def test_htmx_post_with_the_pages_csrf_header_is_accepted(csrf_client_for, alice):
    client = csrf_client_for(alice)
    page = client.get(reverse("settings:members"))
    token = page.context["csrf_token"]

    response = client.post(
        reverse("settings:invite"),
        {"email": "dana@example.com", "role": "viewer"},
        HTTP_HX_REQUEST="true",
        HTTP_X_CSRFTOKEN=str(token),
    )

    assert response.status_code == 200
    assert Invitation.objects.filter(email="dana@example.com").exists()


def test_owner_changes_a_role_from_the_members_page(alice_client, bob):
    member_id = Membership.objects.get(user=bob).public_id

    response = alice_client.post(
        reverse("settings:member_role", args=[member_id]), {"role": "viewer"}, follow=True
    )

    assert response.status_code == 200
    assert Membership.objects.get(user=bob).role == Role.VIEWER
    assert b"is now Viewer" in response.content


def test_expired_invitation_link_shows_a_clear_message(client, alice, acme, time_machine):
    time_machine.move_to("2026-01-01 12:00Z")
    invitation = services.invitation_create(
        workspace=acme,
        email="dana@example.com",
        role=Role.VIEWER,
        actor=Membership.objects.get(user=alice),
    )
    url = reverse("accounts:invitation_accept", args=[services.invitation_token(invitation)])

    time_machine.move_to("2026-02-01 12:00Z")
    response = client.get(url)

    assert response.status_code == 400
    assert b"expired" in response.content


def test_tampered_invitation_link_shows_a_clear_message(client, db):
    response = client.get(reverse("accounts:invitation_accept", args=["ws_fake:abc:def"]))

    assert response.status_code == 400
    assert b"not valid" in response.content


def test_new_user_signs_up_from_an_invitation_and_joins(client, alice, acme):
    invitation = services.invitation_create(
        workspace=acme,
        email="dana@example.com",
        role=Role.EDITOR,
        actor=Membership.objects.get(user=alice),
    )
    url = reverse("accounts:invitation_accept", args=[services.invitation_token(invitation)])

    page = client.get(url)
    assert b"Create an account to join" in page.content
    client.post(
        reverse("accounts:signup") + f"?next={url}",
        {"email": "dana@example.com", "password": "a-long-passphrase", "next": url},
    )
    response = client.post(url, follow=True)

    assert response.context["workspace"] == acme
    assert (
        Membership.objects.get(user__email="dana@example.com", workspace=acme).role == Role.EDITOR
    )


def test_removed_member_loses_access_at_once(alice_client, bob, bob_client):
    member_id = Membership.objects.get(user=bob).public_id

    alice_client.post(reverse("settings:member_remove", args=[member_id]))

    response = bob_client.get(reverse("settings:members"))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:workspace_create")
