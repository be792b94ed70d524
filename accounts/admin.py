"""Admin for users, workspaces, memberships, invitations and API keys.

Whatever a service in `accounts.services` writes is shown read-only here and changed only
through actions and small forms that call that service, so the admin keeps its rules (a
workspace always keeps an owner, an invitation is emailed). Users stay Django auth's own.
"""

from django import forms
from django.contrib import admin
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.contrib.admin.widgets import AutocompleteSelect
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404
from django.urls import path
from rest_framework_api_key.models import APIKey

from accounts import selectors, services
from accounts.models import ApiKey, Invitation, Membership, Role, User, Workspace
from qrsite.admin_tools import ServiceAdmin
from qrsite.api.usage import usage_for


class MembershipInline(admin.TabularInline):
    """Shown on the user and the workspace page; changed from the membership list."""

    model = Membership
    extra = 0
    can_delete = False
    show_change_link = True
    fields = ["user", "workspace", "role", "created_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class UserCreationForm(AdminUserCreationForm):
    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ("email",)


class UserEditForm(UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = UserEditForm
    add_form = UserCreationForm
    ordering = ["email"]
    list_display = ["email", "full_name", "is_active", "is_staff", "date_joined", "last_login"]
    list_filter = ["is_active", "is_staff", "is_superuser", "date_joined"]
    search_fields = ["email", "full_name"]
    readonly_fields = ["date_joined", "last_login"]
    inlines = [MembershipInline]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Profile", {"fields": ["full_name"]}),
        (
            "Permissions",
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]}),
    ]


class InvitationInline(admin.TabularInline):
    model = Invitation
    extra = 0
    can_delete = False
    show_change_link = True
    fields = ["email", "role", "invited_by", "created_at", "accepted_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


def _autocomplete(model, field_name, admin_site):
    return AutocompleteSelect(model._meta.get_field(field_name), admin_site)


class WorkspaceCreateForm(forms.Form):
    name = forms.CharField(max_length=100)
    slug = forms.CharField(max_length=50, required=False, help_text="Blank: made from the name.")

    def __init__(self, *args, admin_site, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"] = forms.ModelChoiceField(
            queryset=User.objects.all(), widget=_autocomplete(Membership, "user", admin_site)
        )


class WorkspaceRenameForm(forms.Form):
    name = forms.CharField(max_length=100)


@admin.register(Workspace)
class WorkspaceAdmin(ServiceAdmin):
    """Created and renamed through the services. The slug and the API rate limits have no
    service, so the change form edits them; deleting a workspace is Django's cascade."""

    list_display = ["name", "slug", "public_id", "member_count", "created_at"]
    search_fields = ["name", "slug", "public_id", "memberships__user__email"]
    list_filter = ["created_at"]
    readonly_fields = ["public_id", "name", "created_at", "updated_at"]
    fields = [
        "name",
        "slug",
        "public_id",
        "api_rate_limit_read",
        "api_rate_limit_write",
        "api_rate_limit_admin",
        "created_at",
        "updated_at",
    ]
    inlines = [MembershipInline, InvitationInline]

    def has_add_permission(self, request):
        return self.has_model_permission(request, "add")

    def has_change_permission(self, request, obj=None):
        return self.has_model_permission(request, "change")

    def has_delete_permission(self, request, obj=None):
        return self.has_model_permission(request, "delete")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(members=Count("memberships"))

    @admin.display(description="members", ordering="members")
    def member_count(self, obj):
        return obj.members

    def get_urls(self):
        rename = path(
            "<path:object_id>/rename/",
            self.admin_site.admin_view(self.rename_view),
            name=f"{self.opts.app_label}_{self.opts.model_name}_rename",
        )
        return [rename, *super().get_urls()]

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = WorkspaceCreateForm(request.POST or None, admin_site=self.admin_site)
        return self.service_form_view(
            request,
            form,
            lambda data: services.workspace_create(
                name=data["name"], slug=data["slug"] or None, owner=data["owner"]
            ),
            title="Add workspace",
            done="was added with its owner",
        )

    def rename_view(self, request, object_id):
        if not self.has_operate_permission(request):
            raise PermissionDenied
        workspace = self.get_object(request, unquote(object_id))
        if workspace is None:
            raise Http404("No such workspace.")
        form = WorkspaceRenameForm(request.POST or None, initial={"name": workspace.name})
        return self.service_form_view(
            request,
            form,
            lambda data: services.workspace_rename(
                workspace=workspace, name=data["name"], actor=request.user
            ),
            title="Rename",
            done="was renamed",
            original=workspace,
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        invitations = self.admin_site.get_model_admin(Invitation)
        members = self.admin_site.get_model_admin(Membership)
        extra_context = {
            "can_rename": self.has_operate_permission(request),
            "can_invite": invitations.has_add_permission(request),
            "can_see_members": members.has_view_permission(request),
            **(extra_context or {}),
        }
        return super().change_view(request, object_id, form_url, extra_context)


class MembershipActionForm(helpers.ActionForm):
    role = forms.ChoiceField(
        choices=[("", "---------"), *Role.choices],
        required=False,
        label="New role (for “Change role”)",
    )


@admin.register(Membership)
class MembershipAdmin(ServiceAdmin):
    """People join through an invitation or by creating a workspace; here an admin changes
    roles and removes members, through the services (the last owner stays)."""

    list_display = ["user", "workspace", "role", "created_at"]
    list_filter = ["role", "workspace", "created_at"]
    search_fields = ["user__email", "workspace__name", "workspace__slug", "public_id"]
    list_select_related = ["user", "workspace"]
    fields = ["user", "workspace", "role", "public_id", "created_at"]
    action_form = MembershipActionForm
    actions = ["change_role", "remove_members"]

    @admin.action(description="Change role of selected members", permissions=["operate"])
    def change_role(self, request, queryset):
        role = request.POST.get("role", "")
        self.run_each(
            request,
            queryset,
            lambda membership: services.membership_change_role(
                membership=membership, role=role, actor=request.user
            ),
            "roles changed",
        )

    @admin.action(
        description="Remove selected members from their workspace", permissions=["operate"]
    )
    def remove_members(self, request, queryset):
        self.run_each(
            request,
            queryset,
            lambda membership: services.membership_remove(
                membership=membership, actor=request.user
            ),
            "members removed",
        )


class InvitationCreateForm(forms.Form):
    email = forms.EmailField()
    role = forms.ChoiceField(choices=Role.choices, initial=Role.EDITOR)

    def __init__(self, *args, admin_site, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["workspace"] = forms.ModelChoiceField(
            queryset=Workspace.objects.all(),
            widget=_autocomplete(Invitation, "workspace", admin_site),
        )
        self.order_fields(["workspace"])


@admin.register(Invitation)
class InvitationAdmin(ServiceAdmin):
    """Created, resent and withdrawn through the invitation service, which sends the email."""

    list_display = ["email", "workspace", "role", "invited_by", "created_at", "accepted_at"]
    list_filter = [
        "role",
        ("accepted_at", admin.EmptyFieldListFilter),
        "workspace",
        "created_at",
    ]
    search_fields = ["email", "workspace__name", "workspace__slug"]
    list_select_related = ["workspace", "invited_by"]
    fields = [
        "email",
        "workspace",
        "role",
        "invited_by",
        "public_id",
        "created_at",
        "accepted_at",
        "accepted_by",
    ]
    actions = ["resend_invitations", "revoke_invitations"]

    def has_add_permission(self, request):
        return self.has_model_permission(request, "add")

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = InvitationCreateForm(
            request.POST or None,
            initial={"workspace": request.GET.get("workspace")},
            admin_site=self.admin_site,
        )
        return self.service_form_view(
            request,
            form,
            lambda data: services.invitation_create(**data, actor=request.user),
            title="Invite someone",
            done="was sent",
        )

    @admin.action(description="Resend selected invitations (a new link)", permissions=["operate"])
    def resend_invitations(self, request, queryset):
        self.run_each(
            request,
            queryset.select_related("workspace"),
            lambda invitation: services.invitation_create(
                workspace=invitation.workspace,
                email=invitation.email,
                role=invitation.role,
                actor=request.user,
            ),
            "invitations sent again",
        )

    @admin.action(description="Withdraw selected invitations", permissions=["operate"])
    def revoke_invitations(self, request, queryset):
        self.run_each(
            request,
            queryset,
            lambda invitation: services.invitation_revoke(
                invitation=invitation, actor=request.user
            ),
            "invitations withdrawn",
        )


# The library registers its own concrete APIKey model, which this project does not use.
if admin.site.is_registered(APIKey):
    admin.site.unregister(APIKey)


@admin.register(ApiKey)
class ApiKeyAdmin(ServiceAdmin):
    """Keys are created in the dashboard, the API or `manage.py create_api_key` (the secret is
    shown once there); the admin lists, searches, renames and revokes them. Revoking, not
    deleting, keeps the key's row to explain the 401 its caller gets."""

    list_display = [
        "name",
        "prefix",
        "workspace",
        "scope",
        "created_by",
        "created",
        "expiry_date",
        "last_used_at",
        "requests_24h",
        "requests_30d",
        "revoked",
        "is_test",
    ]
    list_filter = [
        "scope",
        "is_test",
        "revoked",
        "created",
        ("expiry_date", admin.EmptyFieldListFilter),
        "workspace",
    ]
    search_fields = ["name", "prefix", "public_id", "workspace__name", "workspace__slug"]
    list_select_related = ["workspace", "created_by"]
    readonly_fields = [
        "public_id",
        "prefix",
        "workspace",
        "scope",
        "created_by",
        "created",
        "expiry_date",
        "last_used_at",
        "revoked",
        "revoked_at",
    ]
    fields = ["name", *readonly_fields]
    actions = ["revoke"]

    def _usage(self, api_key):
        # Read from the usage counters once per row and page (cached on the row object).
        if not hasattr(api_key, "_usage"):
            api_key._usage = usage_for(bucket=selectors.key_usage_bucket(api_key))
        return api_key._usage

    @admin.display(description="Requests 24 h (errors, 429s)")
    def requests_24h(self, api_key):
        usage = self._usage(api_key)
        return f"{usage.requests_24h} ({usage.errors_24h}, {usage.rate_limited_24h})"

    @admin.display(description="Requests 30 d (errors, 429s)")
    def requests_30d(self, api_key):
        usage = self._usage(api_key)
        return f"{usage.requests_30d} ({usage.errors_30d}, {usage.rate_limited_30d})"

    def has_change_permission(self, request, obj=None):
        # The name has no service; everything else on the form is read-only.
        return self.has_model_permission(request, "change")

    @admin.action(description="Revoke selected keys (cannot be undone)", permissions=["operate"])
    def revoke(self, request, queryset):
        self.run_each(
            request,
            queryset.filter(revoked=False),
            lambda api_key: services.api_key_revoke(api_key=api_key, actor=request.user),
            "API key(s) revoked",
        )
