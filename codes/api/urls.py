"""API routes for codes and groups, mounted under /api/v1/ by the project's URLconf."""

from django.urls import re_path

from codes.api.assets import BrandTemplateViewSet, LogoViewSet
from codes.api.sandbox import SandboxWipeView
from codes.api.views import CheckView, CodeViewSet, GroupViewSet, RenderView
from qrsite.api.routers import ApiRouter

router = ApiRouter()
router.register("codes", CodeViewSet, basename="code")
router.register("groups", GroupViewSet, basename="group")
router.register("logos", LogoViewSet, basename="logo")
router.register("templates", BrandTemplateViewSet, basename="template")

urlpatterns = [
    re_path(r"^render/?$", RenderView.as_view(), name="render"),
    re_path(r"^check/?$", CheckView.as_view(), name="check"),
    re_path(r"^sandbox/wipe/?$", SandboxWipeView.as_view(), name="sandbox-wipe"),
    *router.urls,
]
