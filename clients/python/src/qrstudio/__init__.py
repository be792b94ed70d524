"""The QR Studio API from Python: `qrstudio.Client(base_url=..., api_key=...)`."""

from qrstudio.client import BulkResult, Client
from qrstudio.errors import (
    ApiConnectionError,
    ApiError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    NotFoundError,
    PayloadTooLargeError,
    PermissionDeniedError,
    QRStudioError,
    RateLimitError,
    ServerError,
    UnprocessableError,
    WebhookVerificationError,
)
from qrstudio.webhooks import verify_webhook

__all__ = [
    "ApiConnectionError",
    "ApiError",
    "AuthenticationError",
    "BadRequestError",
    "BulkResult",
    "Client",
    "ConflictError",
    "NotFoundError",
    "PayloadTooLargeError",
    "PermissionDeniedError",
    "QRStudioError",
    "RateLimitError",
    "ServerError",
    "UnprocessableError",
    "WebhookVerificationError",
    "verify_webhook",
]
__version__ = "0.1.0"
