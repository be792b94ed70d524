from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from rest_framework_api_key.models import APIKey

from accounts import services
from accounts.models import ApiKey, Invitation, Membership, User, Workspace


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user", "workspace"]
    readonly_fields = ["public_id", "created_at"]


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
    fields = ["email", "role", "invited_by", "created_at", "accepted_at"]
    readonly_fields = ["invited_by", "created_at", "accepted_at"]


@admin.register(Workspace)
class WorkspaceAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "public_id", "member_count", "created_at"]
    search_fields = ["name", "slug", "public_id", "memberships__user__email"]
    list_filter = ["created_at"]
    readonly_fields = ["public_id", "created_at", "updated_at"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline, InvitationInline]

    @admin.display(description="members")
    def member_count(self, obj):
        return obj.memberships.count()


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "workspace", "role", "created_at"]
    list_filter = ["role", "created_at"]
    search_fields = ["user__email", "workspace__name", "workspace__slug", "public_id"]
    autocomplete_fields = ["user", "workspace"]
    list_select_related = ["user", "workspace"]
    readonly_fields = ["public_id", "created_at"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "workspace", "role", "invited_by", "created_at", "accepted_at"]
    list_filter = ["role", ("accepted_at", admin.EmptyFieldListFilter), "created_at"]
    search_fields = ["email", "workspace__name", "workspace__slug"]
    list_select_related = ["workspace", "invited_by"]
    readonly_fields = ["public_id", "created_at", "accepted_at", "accepted_by"]
    autocomplete_fields = ["workspace", "invited_by"]


# The library registers its own concrete APIKey model, which this project does not use.
if admin.site.is_registered(APIKey):
    admin.site.unregister(APIKey)


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    """Keys are created in the dashboard, the API or `manage.py create_api_key` (the secret is
    shown once there); the admin lists, searches and revokes them."""

    list_display = [
        "name",
        "prefix",
        "workspace",
        "scope",
        "created_by",
        "created",
        "expiry_date",
        "last_used_at",
        "revoked",
    ]
    list_filter = ["scope", "revoked", "created", ("expiry_date", admin.EmptyFieldListFilter)]
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

    def has_add_permission(self, request):
        return False

    @admin.action(description="Revoke selected keys (cannot be undone)")
    def revoke(self, request, queryset):
        keys = list(queryset.filter(revoked=False))
        for api_key in keys:
            services.api_key_revoke(api_key=api_key, actor=request.user)
        self.message_user(request, f"{len(keys)} API key(s) revoked.")
