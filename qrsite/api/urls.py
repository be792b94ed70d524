"""/api/: version 1 as the apps contribute it, its schema and docs, and for every other path
under /api/ a 404 in the error envelope. The kernel knows no app: the project's URLconf hands
each app's API routes to `api_urlpatterns`."""

from django.urls import include, path, re_path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)

from qrsite.api.views import ApiMixin, NotFoundView, errors_page
from qrsite.content_policy import API_DOCS, content_policy_set


class _Public(ApiMixin):
    """The schema and the docs pages: public, but counted and labelled like every API call."""

    authentication_classes = []
    permission_classes = []
    required_scopes = {"*": "read"}


class SchemaView(_Public, SpectacularAPIView):
    pass


class _DocsPage(_Public):
    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if hasattr(response, "add_post_render_callback"):
            response.add_post_render_callback(_declare_language)
        return content_policy_set(response, API_DOCS)


def _declare_language(response):
    # drf-spectacular's page templates open with a bare <html>; screen readers need the page's
    # language, and no block of those templates reaches the tag.
    response.content = response.content.replace(b"<html>", b'<html lang="en">', 1)
    return response


class SwaggerView(_DocsPage, SpectacularSwaggerSplitView):
    """Swagger UI with its start-up code at `?script` (a script file, not an inline one)."""


class RedocView(_DocsPage, SpectacularRedocView):
    pass


def api_urlpatterns(v1: list) -> list:
    """Mount under `api/` with the namespace "api": `v1` holds every app's API routes."""
    docs = [
        path("schema/", SchemaView.as_view(), name="schema"),
        path("docs/", SwaggerView.as_view(url_name="api:v1:schema"), name="swagger"),
        path("redoc/", RedocView.as_view(url_name="api:v1:schema"), name="redoc"),
    ]
    return [
        path("v1/", include(([*docs, *v1], "v1"))),
        path("v1/docs/errors/", errors_page, name="errors"),
        re_path(r"^.*$", NotFoundView.as_view(), name="not-found"),
    ]
