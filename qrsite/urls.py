"""The project's URLconf: the one place that knows every app, so it plugs each app's pages and
API routes into the shell."""

from django.contrib import admin
from django.urls import include, path

from accounts.api.urls import urlpatterns as accounts_api
from analytics.api.urls import urlpatterns as analytics_api
from codes.api.urls import urlpatterns as codes_api
from codes.views.home import home
from jobs.api.urls import urlpatterns as jobs_api
from qrsite.api.urls import api_urlpatterns
from qrsite.health import healthz, readiness
from qrsite.metrics import metrics_view
from tickets.api.urls import urlpatterns as tickets_api
from webhooks.api.urls import urlpatterns as webhooks_api

# Analytics first: `codes/<id>/analytics` must not be taken for a codes route.
api_v1 = [*analytics_api, *codes_api, *accounts_api, *jobs_api, *webhooks_api, *tickets_api]

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("healthz/ready", readiness, name="healthz-ready"),
    path("metrics", metrics_view, name="metrics"),
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    path("api/", include((api_urlpatterns(api_v1), "api"))),
    path("analytics/", include("analytics.urls")),
    path("jobs/", include("jobs.urls")),
    path("", include("codes.scan_urls")),
    path("", include("codes.urls")),
    path("", include(([path("", home, name="home")], "dashboard"))),
    path("", include("accounts.dashboard_urls")),
    path("settings/webhooks/", include("webhooks.urls")),
    path("tickets/", include("tickets.urls")),
]

# Under /api/ errors raised outside the API views are JSON too; elsewhere Django's pages.
handler400 = "qrsite.api.errors.bad_request"
handler403 = "qrsite.api.errors.permission_denied"
handler404 = "qrsite.api.errors.page_not_found"
handler500 = "qrsite.api.errors.server_error"
