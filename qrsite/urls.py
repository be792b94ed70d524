from django.contrib import admin
from django.urls import include, path

from qrsite.health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    path("", include("codes.scan_urls")),
    path("", include("accounts.dashboard_urls")),
]
