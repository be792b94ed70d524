import re

import pytest
from django.core import mail, signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from accounts import services
from accounts.models import Invitation, Membership, Role, User, Workspace


def test_sign_up_creates_user_and_personal_workspace_owned_by_them(db):
    user = services.user_sign_up(
        email="Dana@Example.com", password="a-long-passphrase", full_name="Dana Lee"
    )

    assert user.email == "dana@example.com"
    assert user.check_password("a-long-passphrase")
    membership = Membership.objects.get(user=user)
    assert membership.role == Role.OWNER
    assert membership.workspace.name == "Dana’s workspace"


def test_sign_up_with_existing_email_in_any_case_creates_nothing(alice):
    users, workspaces = User.objects.count(), Workspace.objects.count()

    with pytest.raises(ValidationError) as exc:
        services.user_sign_up(email="ALICE@example.com", password="a-long-passphrase")

    assert "email" in exc.value.message_dict
    assert (User.objects.count(), Workspace.objects.count()) == (users, workspaces)


@pytest.mark.parametrize("password", ["short", "password123", "1234567890123", "dana@example.com"])
def test_sign_up_refuses_weak_passwords(db, password):
    with pytest.raises(ValidationError) as exc:
        services.user_sign_up(email="dana@example.com", password=password)

    assert "password" in exc.value.message_dict
    assert not User.objects.exists()
    assert not Workspace.objects.exists()


def test_owner_invites_by_email_with_a_link_that_accepts(
    alice, acme, django_capture_on_commit_callbacks
):
    owner = Membership.objects.get(user=alice)

    with django_capture_on_commit_callbacks(execute=True):
        invitation = services.invitation_create(
            workspace=acme, email="Dana@example.com", role=Role.EDITOR, actor=owner
        )

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["dana@example.com"]
    # The link's token, as the invitee gets it (signing it again here would differ once the
    # clock has ticked over a second: the token carries its time).
    accept_path = reverse("accounts:invitation_accept", args=["TOKEN"]).replace("TOKEN/", "")
    token = re.search(re.escape(accept_path) + r"([^/\s]+)/", mail.outbox[0].body).group(1)

    dana = User.objects.create_user(email="dana@example.com", password="x-long-password")
    membership = services.invitation_accept(token=token, user=dana)

    assert membership.workspace == acme
    assert membership.role == Role.EDITOR
    invitation.refresh_from_db()
    assert invitation.accepted_by == dana


def test_viewer_cannot_invite(carol, acme):
    viewer = Membership.objects.get(user=carol)

    with pytest.raises(PermissionDenied):
        services.invitation_create(
            workspace=acme, email="x@example.com", role=Role.VIEWER, actor=viewer
        )

    assert not Invitation.objects.exists()


def test_editor_cannot_invite(bob, acme):
    editor = Membership.objects.get(user=bob)

    with pytest.raises(PermissionDenied):
        services.invitation_create(
            workspace=acme, email="x@example.com", role=Role.VIEWER, actor=editor
        )


def test_admin_cannot_invite_an_owner(alice, acme):
    admin_user = User.objects.create_user(email="ada@example.com", password="x")
    admin = Membership.objects.create(user=admin_user, workspace=acme, role=Role.ADMIN)

    with pytest.raises(ValidationError) as exc:
        services.invitation_create(
            workspace=acme, email="x@example.com", role=Role.OWNER, actor=admin
        )

    assert "role" in exc.value.message_dict


def test_inviting_an_existing_member_is_refused(alice, bob, acme):
    owner = Membership.objects.get(user=alice)

    with pytest.raises(ValidationError) as exc:
        services.invitation_create(
            workspace=acme, email="BOB@example.com", role=Role.EDITOR, actor=owner
        )

    assert "already a member" in exc.value.message_dict["email"][0]


def _invitation(alice, acme, email="dana@example.com"):
    owner = Membership.objects.get(user=alice)
    return services.invitation_create(workspace=acme, email=email, role=Role.VIEWER, actor=owner)


def test_expired_invitation_is_refused_with_a_clear_message(alice, acme, time_machine):
    time_machine.move_to("2026-01-01 12:00Z")
    invitation = _invitation(alice, acme)
    token = services.invitation_token(invitation)
    dana = User.objects.create_user(email="dana@example.com", password="x")

    time_machine.move_to("2026-01-09 12:00Z")
    with pytest.raises(ValidationError) as exc:
        services.invitation_accept(token=token, user=dana)

    assert exc.value.code == "expired"
    assert "expired" in exc.value.messages[0]
    assert not Membership.objects.filter(user=dana).exists()


def test_tampered_invitation_is_refused(alice, acme):
    invitation = _invitation(alice, acme)
    token = services.invitation_token(invitation)
    dana = User.objects.create_user(email="dana@example.com", password="x")
    forged = signing.TimestampSigner(salt="something else").sign(invitation.public_id)

    for bad in (token[:-2] + "xx", forged, "garbage"):
        with pytest.raises(ValidationError) as exc:
            services.invitation_accept(token=bad, user=dana)
        assert exc.value.code == "invalid"
    assert not Membership.objects.filter(user=dana).exists()


def test_invitation_is_for_the_invited_address_only(alice, acme, charlie):
    token = services.invitation_token(_invitation(alice, acme))

    with pytest.raises(ValidationError) as exc:
        services.invitation_accept(token=token, user=charlie)

    assert exc.value.code == "wrong_user"
    assert not Membership.objects.filter(user=charlie, workspace=acme).exists()


def test_invitation_can_be_used_once(alice, acme):
    token = services.invitation_token(_invitation(alice, acme))
    dana = User.objects.create_user(email="dana@example.com", password="x")
    services.invitation_accept(token=token, user=dana)

    with pytest.raises(ValidationError) as exc:
        services.invitation_accept(token=token, user=dana)

    assert exc.value.code == "used"


def test_reinviting_replaces_the_old_link(alice, acme):
    first = _invitation(alice, acme)
    second = _invitation(alice, acme)

    assert not Invitation.objects.filter(pk=first.pk).exists()
    with pytest.raises(ValidationError) as exc:
        services.invitation_from_token(services.invitation_token(first))
    assert exc.value.code == "revoked"
    assert services.invitation_from_token(services.invitation_token(second)) == second


def test_owner_changes_roles_but_the_last_owner_cannot_step_down(alice, bob):
    owner = Membership.objects.get(user=alice)
    editor = Membership.objects.get(user=bob)

    services.membership_change_role(membership=editor, role=Role.VIEWER, actor=owner)
    editor.refresh_from_db()
    assert editor.role == Role.VIEWER

    with pytest.raises(ValidationError):
        services.membership_change_role(membership=owner, role=Role.ADMIN, actor=owner)
    owner.refresh_from_db()
    assert owner.role == Role.OWNER


def test_admin_cannot_demote_an_owner(alice, acme):
    ada = User.objects.create_user(email="ada@example.com", password="x")
    admin = Membership.objects.create(user=ada, workspace=acme, role=Role.ADMIN)
    owner = Membership.objects.get(user=alice)

    with pytest.raises(ValidationError):
        services.membership_change_role(membership=owner, role=Role.VIEWER, actor=admin)
    with pytest.raises(PermissionDenied):
        services.membership_remove(membership=owner, actor=admin)


def test_editor_cannot_change_roles_or_remove_members(bob, carol):
    editor = Membership.objects.get(user=bob)
    viewer = Membership.objects.get(user=carol)

    with pytest.raises(PermissionDenied):
        services.membership_change_role(membership=viewer, role=Role.ADMIN, actor=editor)
    with pytest.raises(PermissionDenied):
        services.membership_remove(membership=viewer, actor=editor)
    viewer.refresh_from_db()
    assert viewer.role == Role.VIEWER


def test_members_can_leave_but_the_last_owner_cannot(alice, carol):
    viewer = Membership.objects.get(user=carol)
    owner = Membership.objects.get(user=alice)

    services.membership_remove(membership=viewer, actor=viewer)
    assert not Membership.objects.filter(pk=viewer.pk).exists()

    with pytest.raises(ValidationError):
        services.membership_remove(membership=owner, actor=owner)


def test_managers_cannot_touch_another_workspace(alice, charlie):
    owner = Membership.objects.get(user=alice)
    stranger = Membership.objects.get(user=charlie)

    with pytest.raises(PermissionDenied):
        services.membership_change_role(membership=stranger, role=Role.VIEWER, actor=owner)
    with pytest.raises(PermissionDenied):
        services.membership_remove(membership=stranger, actor=owner)
