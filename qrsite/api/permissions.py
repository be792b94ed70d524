"""Scope checks: read < write < admin. Checked before any object is looked up, so a refused
request learns nothing about which ids exist, and before the handler, so it writes nothing."""

from rest_framework import permissions

from qrsite.api.errors import ApiError

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def required_scope(view, request) -> str:
    """The view's `required_scopes` by action or method, else read for safe methods, write
    for the others."""
    scopes = getattr(view, "required_scopes", {})
    action = getattr(view, "action", None)
    if action in scopes:
        return scopes[action]
    if request.method in scopes:
        return scopes[request.method]
    if "*" in scopes:
        return scopes["*"]
    return "read" if request.method in SAFE_METHODS else "write"


class HasScope(permissions.BasePermission):
    def has_permission(self, request, view) -> bool:
        principal = request.auth
        if principal is None or not hasattr(principal, "allows"):
            return False  # DRF turns this into 401 for anonymous callers
        scope = required_scope(view, request)
        if not principal.allows(scope):
            if getattr(principal, "capped_by_role", False):
                message = (
                    f"This API key has the {principal.api_key.scope} scope, but its creator's "
                    f"current role allows only {principal.scope}; this request needs {scope}."
                )
            else:
                via = "This API key" if principal.api_key is not None else "Your role"
                message = f"{via} has the {principal.scope} scope; this request needs {scope}."
            raise ApiError("insufficient_scope", message)
        return True
