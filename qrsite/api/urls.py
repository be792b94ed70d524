"""/api/: version 1 and, for every other path under /api/, a 404 in the error envelope."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.routers import SimpleRouter

from accounts.api import ApiKeyViewSet
from analytics.api.urls import urlpatterns as analytics_urls
from codes.api.views import CodeViewSet, GroupViewSet, RenderView
from qrsite.api.views import ApiMixin, NotFoundView, errors_page


class _Public(ApiMixin):
    """The schema and the docs pages: public, but counted and labelled like every API call."""

    authentication_classes = []
    permission_classes = []
    required_scopes = {"*": "read"}


class SchemaView(_Public, SpectacularAPIView):
    pass


class SwaggerView(_Public, SpectacularSwaggerView):
    pass


class RedocView(_Public, SpectacularRedocView):
    pass


# The seed's paths have no trailing slash (`POST /api/v1/codes`); both spellings work.
router = SimpleRouter()
router.trailing_slash = "/?"  # the constructor only knows "/" or nothing
router.register("codes", CodeViewSet, basename="code")
router.register("groups", GroupViewSet, basename="group")
router.register("keys", ApiKeyViewSet, basename="key")

v1 = [
    re_path(r"^render/?$", RenderView.as_view(), name="render"),
    path("schema/", SchemaView.as_view(), name="schema"),
    path("docs/", SwaggerView.as_view(url_name="api:v1:schema"), name="swagger"),
    path("redoc/", RedocView.as_view(url_name="api:v1:schema"), name="redoc"),
    *analytics_urls,
    *router.urls,
]

app_name = "api"
urlpatterns = [
    path("v1/", include((v1, "v1"))),
    path("v1/docs/errors/", errors_page, name="errors"),
    re_path(r"^.*$", NotFoundView.as_view(), name="not-found"),
]
