"""API routes for webhooks, mounted under /api/v1/ by the project's URLconf."""

from qrsite.api.routers import ApiRouter
from webhooks.api.views import WebhookViewSet

router = ApiRouter()
router.register("webhooks", WebhookViewSet, basename="webhook")

urlpatterns = router.urls
