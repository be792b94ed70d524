from django.contrib import admin
from django.urls import include, path

from qrsite.health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    path("api/", include("qrsite.api.urls")),
    path("analytics/", include("analytics.urls")),
    path("", include("codes.scan_urls")),
    path("", include("codes.urls")),
    path("", include("accounts.dashboard_urls")),
]

# Under /api/ errors raised outside the API views are JSON too; elsewhere Django's pages.
handler400 = "qrsite.api.errors.bad_request"
handler403 = "qrsite.api.errors.permission_denied"
handler404 = "qrsite.api.errors.page_not_found"
handler500 = "qrsite.api.errors.server_error"
