"""API routes for analytics, mounted under /api/v1/ by the project's URLconf (no trailing slash, like
the seed's `GET /api/v1/codes/code_abc123/analytics`; a trailing slash works too)."""

from django.urls import re_path

from analytics.api.views import CodeAnalyticsView, GroupAnalyticsView, WorkspaceAnalyticsView

urlpatterns = [
    re_path(
        r"^codes/(?P<id>[^/]+)/analytics/?$", CodeAnalyticsView.as_view(), name="code-analytics"
    ),
    re_path(
        r"^groups/(?P<id>[^/]+)/analytics/?$", GroupAnalyticsView.as_view(), name="group-analytics"
    ),
    re_path(r"^analytics/?$", WorkspaceAnalyticsView.as_view(), name="analytics"),
]
