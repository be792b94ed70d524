from django.apps import AppConfig


class ApiConfig(AppConfig):
    """The REST API's infrastructure: authentication, errors, limits, idempotency records."""

    name = "qrsite.api"
    label = "api"
    verbose_name = "REST API"

    def ready(self):
        from qrsite.api import schema  # noqa: F401 - registers the OpenAPI auth extensions
