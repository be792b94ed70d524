"""Signed-in pages that belong to the workspace as a whole: its settings."""

from django.urls import include, path

from accounts import api_keys_views, views

settings_patterns = (
    [
        path("", views.settings_general, name="general"),
        path("members/", views.members, name="members"),
        path("members/invite/", views.invitation_create, name="invite"),
        path(
            "members/invitations/<str:invitation_id>/revoke/",
            views.invitation_revoke,
            name="invitation_revoke",
        ),
        path("members/<str:member_id>/role/", views.member_role, name="member_role"),
        path("members/<str:member_id>/remove/", views.member_remove, name="member_remove"),
        path("api-keys/", api_keys_views.api_keys, name="api_keys"),
        path("api-keys/new/", api_keys_views.api_key_create, name="api_key_create"),
        path(
            "api-keys/<str:key_id>/revoke/",
            api_keys_views.api_key_revoke,
            name="api_key_revoke",
        ),
    ],
    "settings",
)

urlpatterns = [
    path("settings/", include(settings_patterns)),
]
