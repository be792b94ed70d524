"""Security headers that say what a page may load and use.

Every dashboard page gets the Content-Security-Policy in settings.CONTENT_SECURITY_POLICY
(django-csp's middleware) and the Permissions-Policy below. Pages with other needs set their
own header here, which the middleware then leaves alone:

- scan pages are reached from a printed code by strangers: plain HTML and one stylesheet, no
  script at all;
- the API docs run Swagger UI and ReDoc from our static files; both style themselves with
  injected <style> elements, so style-src allows inline styles there (scripts stay 'self');
- uploaded files (logos, job results) are data, never a document: nothing may run or load, and
  a browser that opens one directly gets a sandboxed, unscriptable origin;
- the API's answers (JSON, images) are data too, and get the same policy.

A response that brings its own policy skips the site policy's assembly as well
(`ContentSecurityPolicyMiddleware`): django-csp builds it for every response, which cost a
cached API image a tenth of its time.
"""

from __future__ import annotations

from functools import wraps

from csp.middleware import CSPMiddleware

# Scan pages are plain HTML and one stylesheet: no script at all.
SCAN_PAGE = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
API_DOCS = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self' data:; worker-src 'self' blob:; "
    "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)
UPLOADED_FILE = "default-src 'none'; frame-ancestors 'none'; sandbox"
API_DATA = UPLOADED_FILE

# Nothing the dashboard does needs these powerful features; a page that does (the door page's
# camera) allows one for its own origin with `permissions_allow`.
PERMISSIONS_DENIED = (
    "accelerometer",
    "autoplay",
    "camera",
    "display-capture",
    "geolocation",
    "gyroscope",
    "magnetometer",
    "microphone",
    "midi",
    "payment",
    "publickey-credentials-get",
    "serial",
    "usb",
    "xr-spatial-tracking",
)


def content_policy_set(response, policy: str):
    response["Content-Security-Policy"] = policy
    return response


def uploaded_file_headers_set(response):
    """Mark a response that carries an uploaded (or generated) file as inert data."""
    response["Content-Security-Policy"] = UPLOADED_FILE
    response["X-Content-Type-Options"] = "nosniff"
    return response


def permissions_policy(allowed: frozenset[str] = frozenset()) -> str:
    return ", ".join(
        f"{feature}=(self)" if feature in allowed else f"{feature}=()"
        for feature in PERMISSIONS_DENIED
    )


DEFAULT_PERMISSIONS_POLICY = permissions_policy()


def permissions_allow(*features: str):
    """View decorator: this page may use `features` (e.g. "camera") on our own origin."""
    unknown = set(features) - set(PERMISSIONS_DENIED)
    if unknown:
        raise ValueError(f"not a feature the policy lists: {sorted(unknown)}")
    header = permissions_policy(frozenset(features))

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            response = view(request, *args, **kwargs)
            response["Permissions-Policy"] = header
            return response

        return wrapped

    return decorator


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, which leaves a response's own policy alone without building the
    site's first."""

    def process_response(self, request, response):
        if "Content-Security-Policy" in response:
            return response
        return super().process_response(request, response)


class PermissionsPolicyMiddleware:
    """Sends DEFAULT_PERMISSIONS_POLICY unless the view set its own (`permissions_allow`)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "Permissions-Policy" not in response:
            response["Permissions-Policy"] = DEFAULT_PERMISSIONS_POLICY
        return response
