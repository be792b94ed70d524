"""API routes for API keys, mounted under /api/v1/ by the project's URLconf."""

from django.urls import re_path

from accounts.api.views import ApiKeyViewSet, UsageView
from qrsite.api.routers import ApiRouter

router = ApiRouter()
router.register("keys", ApiKeyViewSet, basename="key")

urlpatterns = [re_path(r"^usage/?$", UsageView.as_view(), name="usage"), *router.urls]
