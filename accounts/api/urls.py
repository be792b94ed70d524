"""API routes for API keys, mounted under /api/v1/ by the project's URLconf."""

from accounts.api.views import ApiKeyViewSet
from qrsite.api.routers import ApiRouter

router = ApiRouter()
router.register("keys", ApiKeyViewSet, basename="key")

urlpatterns = router.urls
