"""The accounts admin writes only through the services: its change forms save nothing the
services govern, and its actions and small forms keep the services' rules (a workspace always
keeps an owner; an invitation is emailed)."""

import re
from html.parser import HTMLParser

import pytest
from django.contrib.admin.utils import quote
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from accounts import services
from accounts.models import ApiKey, Invitation, Membership, Role, Workspace
from tests.factories import MembershipFactory, UserFactory

MEMBERS = reverse("admin:accounts_membership_changelist")
INVITATIONS = reverse("admin:accounts_invitation_changelist")
WORKSPACES = reverse("admin:accounts_workspace_changelist")
LAST_OWNER = "at least one owner"


@pytest.fixture
def admin_client(client, db):
    client.force_login(UserFactory(email="root@example.com", is_staff=True, is_superuser=True))
    return client


def member(user, workspace=None):
    memberships = Membership.objects.filter(user=user)
    if workspace is not None:
        memberships = memberships.filter(workspace=workspace)
    return memberships.get()


def emailed_token(message) -> str:
    # The signed token carries a timestamp, so it is read from the email, not signed again.
    return re.search(r"(inv_\w+:[\w:-]+)/", message.body).group(1)


def messages_of(response) -> list[tuple[str, str]]:
    return [(m.level_tag, str(m)) for m in get_messages(response.wsgi_request)]


def errors_of(response) -> str:
    return " ".join(text for level, text in messages_of(response) if level == "error")


def run_action(client, url, action, objects, **extra):
    data = {"action": action, "_selected_action": [obj.pk for obj in objects], **extra}
    return client.post(url, data, follow=True)


class _FormFields(HTMLParser):
    """What a browser would post from the page's main form: named inputs, selects, textareas."""

    def __init__(self, form_id):
        super().__init__()
        self.form_id, self.inside, self.data = form_id, False, {}
        self._select = self._textarea = None

    def _add(self, name, value):
        self.data.setdefault(name, []).append(value)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
        if not self.inside or (not attrs.get("name") and tag != "option"):
            return
        if tag == "input" and attrs.get("type") in ("checkbox", "radio"):
            if "checked" in attrs:
                self._add(attrs["name"], attrs.get("value", "on"))
        elif tag == "input" and attrs.get("type") not in ("submit", "button", "file"):
            self._add(attrs["name"], attrs.get("value", ""))
        elif tag == "select":
            self._select = attrs["name"]
            self.data.setdefault(self._select, [])
        elif tag == "option" and self._select and "selected" in attrs:
            self._add(self._select, attrs.get("value", ""))
        elif tag == "textarea":
            self._textarea = attrs["name"]
            self._add(self._textarea, "")

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea][-1] += data


def form_data(response, form_id) -> dict[str, list[str]]:
    parser = _FormFields(form_id)
    parser.feed(response.content.decode())
    return parser.data


# --- the last owner stays --------------------------------------------------------------------


def test_admin_cannot_delete_the_last_owners_membership(admin_client, alice):
    owner = member(alice)

    response = admin_client.post(
        reverse("admin:accounts_membership_delete", args=[owner.pk]), {"post": "yes"}
    )

    assert response.status_code == 403
    assert Membership.objects.filter(pk=owner.pk, role=Role.OWNER).exists()


def test_generic_bulk_delete_is_not_offered_for_memberships(admin_client, alice, bob):
    targets = [member(alice), member(bob)]

    response = run_action(admin_client, MEMBERS, "delete_selected", targets, post="yes")

    assert "delete_selected" not in dict(response.context["action_form"].fields["action"].choices)
    assert Membership.objects.filter(pk__in=[m.pk for m in targets]).count() == 2


def test_remove_action_refuses_the_last_owner_with_an_error_message(admin_client, alice):
    owner = member(alice)

    response = run_action(admin_client, MEMBERS, "remove_members", [owner])

    assert response.status_code == 200
    assert LAST_OWNER in errors_of(response)
    assert Membership.objects.filter(pk=owner.pk, role=Role.OWNER).exists()


def test_remove_action_removes_other_members(admin_client, alice, bob, carol):
    response = run_action(admin_client, MEMBERS, "remove_members", [member(bob), member(carol)])

    assert errors_of(response) == ""
    assert list(Membership.objects.values_list("user__email", flat=True)) == [alice.email]


def test_bulk_remove_of_every_owner_keeps_one(admin_client, alice, bob):
    Membership.objects.filter(user=bob).update(role=Role.OWNER)

    response = run_action(admin_client, MEMBERS, "remove_members", [member(alice), member(bob)])

    assert LAST_OWNER in errors_of(response)
    assert Membership.objects.filter(workspace__slug="acme", role=Role.OWNER).count() == 1


def test_role_change_action_changes_the_role(admin_client, alice, bob):
    response = run_action(admin_client, MEMBERS, "change_role", [member(bob)], role=Role.ADMIN)

    assert errors_of(response) == ""
    assert member(bob).role == Role.ADMIN


def test_role_change_action_refuses_to_demote_the_last_owner(admin_client, alice):
    response = run_action(admin_client, MEMBERS, "change_role", [member(alice)], role=Role.EDITOR)

    assert LAST_OWNER in errors_of(response)
    assert member(alice).role == Role.OWNER


def test_bulk_demotion_of_every_owner_keeps_one(admin_client, alice, bob):
    Membership.objects.filter(user=bob).update(role=Role.OWNER)

    response = run_action(
        admin_client, MEMBERS, "change_role", [member(alice), member(bob)], role=Role.VIEWER
    )

    assert LAST_OWNER in errors_of(response)
    assert Membership.objects.filter(workspace__slug="acme", role=Role.OWNER).count() == 1


def test_role_change_without_a_role_is_an_error_message(admin_client, alice, bob):
    response = run_action(admin_client, MEMBERS, "change_role", [member(bob)], role="")

    assert "Choose owner" in errors_of(response)
    assert member(bob).role == Role.EDITOR


def test_staff_who_may_only_view_cannot_run_the_actions(client, alice, bob):
    viewer = UserFactory(email="intern@example.com", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_membership"))
    client.force_login(viewer)

    response = run_action(client, MEMBERS, "remove_members", [member(bob)])

    action_form = response.context["action_form"]
    assert action_form is None or "remove_members" not in dict(action_form.fields["action"].choices)
    assert Membership.objects.filter(user=bob).exists()


# --- change forms save nothing the services govern --------------------------------------------


def test_membership_change_form_does_not_save_a_role(admin_client, alice):
    owner = member(alice)

    response = admin_client.post(
        reverse("admin:accounts_membership_change", args=[owner.pk]),
        {"user": alice.pk, "workspace": owner.workspace_id, "role": Role.VIEWER},
    )

    assert response.status_code == 403
    assert member(alice).role == Role.OWNER


def test_memberships_cannot_be_added_directly(admin_client, alice, charlie, acme):
    response = admin_client.post(
        reverse("admin:accounts_membership_add"),
        {"user": charlie.pk, "workspace": acme.pk, "role": Role.OWNER},
    )

    assert response.status_code == 403
    assert not Membership.objects.filter(user=charlie, workspace=acme).exists()


def test_membership_inline_on_the_user_page_saves_nothing(admin_client, alice):
    url = reverse("admin:accounts_user_change", args=[alice.pk])
    page = admin_client.get(url)
    data = form_data(page, "user_form")
    assert "memberships-TOTAL_FORMS" in data
    owner = member(alice)
    data.update(
        {
            "full_name": ["Alice Renamed"],
            "memberships-0-id": [str(owner.pk)],
            "memberships-0-user": [str(alice.pk)],
            "memberships-0-workspace": [str(owner.workspace_id)],
            "memberships-0-role": [Role.VIEWER],
            "memberships-0-DELETE": ["on"],
        }
    )

    response = admin_client.post(url, data)

    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.full_name == "Alice Renamed"  # users stay editable as Django's UserAdmin allows
    assert member(alice).role == Role.OWNER


def test_workspace_change_form_does_not_rename(admin_client, alice, acme):
    url = reverse("admin:accounts_workspace_change", args=[acme.pk])
    data = form_data(admin_client.get(url), "workspace_form")
    assert "memberships-TOTAL_FORMS" in data
    data.update({"name": ["Renamed directly"], "api_rate_limit_read": ["30"]})

    response = admin_client.post(url, data)

    assert response.status_code == 302
    acme.refresh_from_db()
    assert acme.name == "Acme"
    assert acme.api_rate_limit_read == 30  # no service for the limits: the admin sets them


def test_invitation_change_form_does_not_save(admin_client, alice, acme):
    invitation = services.invitation_create(
        workspace=acme, email="dana@example.com", role=Role.VIEWER, actor=member(alice)
    )

    response = admin_client.post(
        reverse("admin:accounts_invitation_change", args=[invitation.pk]),
        {
            "workspace": acme.pk,
            "email": "eve@example.com",
            "role": Role.OWNER,
            "invited_by": alice.pk,
        },
    )

    assert response.status_code == 403
    invitation.refresh_from_db()
    assert (invitation.email, invitation.role) == ("dana@example.com", Role.VIEWER)


def test_api_key_change_form_does_not_widen_the_scope(admin_client, alice, acme):
    api_key, _ = services.api_key_create(
        workspace=acme, actor=member(alice), name="Printer", scope="read"
    )
    # quote(): the admin escapes "_" in primary keys, and a key's random prefix may hold one.
    url = reverse("admin:accounts_apikey_change", args=[quote(api_key.pk)])

    response = admin_client.post(url, {"name": "Printer 2", "scope": "admin", "revoked": "on"})

    assert response.status_code == 302
    api_key.refresh_from_db()
    assert (api_key.name, api_key.scope, api_key.revoked) == ("Printer 2", "read", False)


def test_api_keys_are_revoked_not_deleted(admin_client, alice, acme):
    api_key, _ = services.api_key_create(
        workspace=acme, actor=member(alice), name="Printer", scope="read"
    )

    response = admin_client.post(
        reverse("admin:accounts_apikey_delete", args=[quote(api_key.pk)]), {"post": "yes"}
    )

    assert response.status_code == 403
    assert ApiKey.objects.filter(pk=api_key.pk).exists()


# --- invitations through the service -----------------------------------------------------------


def test_invitation_created_in_the_admin_is_emailed(
    admin_client, alice, acme, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:accounts_invitation_add"),
            {"workspace": acme.pk, "email": "Dana@Example.com", "role": Role.EDITOR},
            follow=True,
        )

    assert errors_of(response) == ""
    invitation = Invitation.objects.get()
    assert (invitation.workspace, invitation.email) == (acme, "dana@example.com")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["dana@example.com"]
    assert services.invitation_from_token(emailed_token(mail.outbox[0])) == invitation


def test_inviting_a_member_in_the_admin_is_an_error_message(
    admin_client, alice, bob, acme, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:accounts_invitation_add"),
            {"workspace": acme.pk, "email": bob.email, "role": Role.EDITOR},
        )

    assert response.status_code == 200
    assert "already a member" in errors_of(response)
    assert not Invitation.objects.exists()
    assert mail.outbox == []


def test_resend_action_emails_a_fresh_link(
    admin_client, alice, acme, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = services.invitation_create(
            workspace=acme, email="dana@example.com", role=Role.VIEWER, actor=member(alice)
        )
    with django_capture_on_commit_callbacks(execute=True):
        response = run_action(admin_client, INVITATIONS, "resend_invitations", [first])

    assert errors_of(response) == ""
    renewed = Invitation.objects.get()
    assert (renewed.email, renewed.role) == ("dana@example.com", Role.VIEWER)
    assert renewed.public_id != first.public_id
    assert len(mail.outbox) == 2
    assert services.invitation_from_token(emailed_token(mail.outbox[1])) == renewed
    with pytest.raises(ValidationError):  # the first link was withdrawn
        services.invitation_from_token(emailed_token(mail.outbox[0]))


def test_revoke_action_withdraws_pending_invitations_only(admin_client, alice, acme):
    pending = services.invitation_create(
        workspace=acme, email="dana@example.com", role=Role.VIEWER, actor=member(alice)
    )
    accepted = services.invitation_create(
        workspace=acme, email="erin@example.com", role=Role.VIEWER, actor=member(alice)
    )
    services.invitation_accept(
        token=services.invitation_token(accepted), user=UserFactory(email="erin@example.com")
    )

    response = run_action(admin_client, INVITATIONS, "revoke_invitations", [pending, accepted])

    assert "already accepted" in errors_of(response)
    assert list(Invitation.objects.all()) == [accepted]


# --- workspaces through the service ------------------------------------------------------------


def test_workspace_created_in_the_admin_has_its_owner(admin_client, bob):
    response = admin_client.post(
        reverse("admin:accounts_workspace_add"),
        {"name": "Initech", "slug": "initech", "owner": bob.pk},
        follow=True,
    )

    assert errors_of(response) == ""
    workspace = Workspace.objects.get(slug="initech")
    assert member(bob, workspace).role == Role.OWNER


def test_taken_workspace_slug_is_an_error_message(admin_client, alice, bob, acme):
    response = admin_client.post(
        reverse("admin:accounts_workspace_add"), {"name": "Acme 2", "slug": "acme", "owner": bob.pk}
    )

    assert response.status_code == 200
    assert "taken" in errors_of(response)
    assert Workspace.objects.count() == 1


def test_workspace_renamed_in_the_admin(admin_client, alice, acme):
    response = admin_client.post(
        reverse("admin:accounts_workspace_rename", args=[acme.pk]), {"name": "Acme Corp"}
    )

    assert response.status_code == 302
    acme.refresh_from_db()
    assert acme.name == "Acme Corp"


# --- lists stay searchable and filterable ------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "shown", "hidden"),
    [
        (f"{MEMBERS}?q=bob@example", "bob@example.com", "carol@example.com"),
        (f"{MEMBERS}?q=Globex", "charlie@example.com", "bob@example.com"),
        (f"{MEMBERS}?role__exact=viewer", "carol@example.com", "bob@example.com"),
        (f"{INVITATIONS}?q=dana", "dana@example.com", "erin@example.com"),
        (f"{INVITATIONS}?q=Globex", "erin@example.com", "dana@example.com"),
        (f"{WORKSPACES}?q=charlie@example.com", "Globex", "Acme"),
    ],
)
def test_lists_are_searchable_and_filterable(
    admin_client, alice, bob, carol, charlie, url, shown, hidden
):
    services.invitation_create(
        workspace=member(alice).workspace,
        email="dana@example.com",
        role="viewer",
        actor=member(alice),
    )
    globex = member(charlie)
    services.invitation_create(
        workspace=globex.workspace, email="erin@example.com", role="viewer", actor=globex
    )

    response = admin_client.get(url)

    assert response.status_code == 200
    content = response.content.decode()
    assert shown in content
    assert hidden not in content


def test_lists_filter_by_workspace(admin_client, alice, charlie):
    acme, globex = member(alice), member(charlie)
    for owner in (acme, globex):
        services.invitation_create(
            workspace=owner.workspace,
            email=f"new@{owner.workspace.slug}.example",
            role="viewer",
            actor=owner,
        )

    members = admin_client.get(f"{MEMBERS}?workspace__id__exact={acme.workspace_id}")
    invitations = admin_client.get(f"{INVITATIONS}?workspace__id__exact={globex.workspace_id}")

    for page in (members, invitations):
        assert 'data-filter-title="workspace"' in page.content.decode()
    assert [m.user for m in members.context["cl"].result_list] == [alice]
    assert [i.email for i in invitations.context["cl"].result_list] == ["new@globex.example"]


def test_the_admin_site_may_grant_the_owner_role(admin_client, charlie):
    extra = MembershipFactory(workspace=member(charlie).workspace, role=Role.VIEWER)

    response = run_action(admin_client, MEMBERS, "change_role", [extra], role=Role.OWNER)

    assert errors_of(response) == ""
    assert Membership.objects.get(pk=extra.pk).role == Role.OWNER


def test_staff_who_may_only_view_keys_cannot_revoke_them(client, alice, acme):
    api_key, _ = services.api_key_create(
        workspace=acme, actor=member(alice), name="Printer", scope="read"
    )
    viewer = UserFactory(email="intern@example.com", is_staff=True)
    viewer.user_permissions.add(
        Permission.objects.get(codename="view_apikey", content_type__app_label="accounts")
    )
    client.force_login(viewer)

    client.post(
        reverse("admin:accounts_apikey_changelist"),
        {"action": "revoke", "_selected_action": [api_key.pk]},
    )

    assert not ApiKey.objects.get(pk=api_key.pk).revoked


# --- the services take the admin site's user, never any user --------------------------------


@pytest.mark.parametrize(
    "call",
    [
        lambda who, m: services.membership_change_role(membership=m, role="viewer", actor=who),
        lambda who, m: services.membership_remove(membership=m, actor=who),
        lambda who, m: services.workspace_rename(workspace=m.workspace, name="X", actor=who),
        lambda who, m: services.invitation_create(
            workspace=m.workspace, email="x@example.com", role="owner", actor=who
        ),
    ],
)
def test_a_user_who_is_not_staff_cannot_act_as_the_admin_site(alice, bob, call):
    with pytest.raises(PermissionDenied):
        call(alice, member(bob))

    assert member(bob).role == Role.EDITOR
    assert member(bob).workspace.name == "Acme"
    assert not Invitation.objects.exists()


def test_the_service_pages_render(admin_client, alice, bob, acme):
    owner = member(alice)
    services.invitation_create(workspace=acme, email="dana@example.com", role="viewer", actor=owner)
    pages = {
        reverse("admin:accounts_workspace_add"): ["Add workspace", 'name="owner"'],
        reverse("admin:accounts_workspace_rename", args=[acme.pk]): ['value="Acme"'],
        reverse("admin:accounts_invitation_add") + f"?workspace={acme.pk}": [
            f'<option value="{acme.pk}" selected>Acme</option>'
        ],
        reverse("admin:accounts_workspace_change", args=[acme.pk]): ["Rename", "Invite someone"],
        reverse("admin:accounts_membership_change", args=[owner.pk]): ["alice@example.com"],
        MEMBERS: ["Change role of selected members", 'name="role"'],
        INVITATIONS: ["Resend selected invitations"],
    }
    for url, expected in pages.items():
        response = admin_client.get(url)
        assert response.status_code == 200, url
        for text in expected:
            assert text in response.content.decode(), (url, text)
