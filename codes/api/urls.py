"""API routes for codes and groups, mounted under /api/v1/ by the project's URLconf."""

from django.urls import re_path

from codes.api.views import CodeViewSet, GroupViewSet, RenderView
from qrsite.api.routers import ApiRouter

router = ApiRouter()
router.register("codes", CodeViewSet, basename="code")
router.register("groups", GroupViewSet, basename="group")

urlpatterns = [
    re_path(r"^render/?$", RenderView.as_view(), name="render"),
    *router.urls,
]
