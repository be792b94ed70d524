"""Every (method, path) the client calls, in the API's own spelling: the drift test checks
each against the server's OpenAPI schema."""

CODES = ("GET", "/api/v1/codes")
CODE_CREATE = ("POST", "/api/v1/codes")
CODE = ("GET", "/api/v1/codes/{id}")
CODE_UPDATE = ("PATCH", "/api/v1/codes/{id}")
CODE_DELETE = ("DELETE", "/api/v1/codes/{id}")
CODE_IMAGE = ("GET", "/api/v1/codes/{id}/image")
CODE_ANALYTICS = ("GET", "/api/v1/codes/{id}/analytics")
CODES_BULK = ("POST", "/api/v1/codes/bulk")
GROUPS = ("GET", "/api/v1/groups")
GROUP_CREATE = ("POST", "/api/v1/groups")
GROUP = ("GET", "/api/v1/groups/{id}")
GROUP_UPDATE = ("PATCH", "/api/v1/groups/{id}")
GROUP_DELETE = ("DELETE", "/api/v1/groups/{id}")
JOBS = ("GET", "/api/v1/jobs")
JOB = ("GET", "/api/v1/jobs/{id}")
JOB_CANCEL = ("POST", "/api/v1/jobs/{id}/cancel")
WEBHOOKS = ("GET", "/api/v1/webhooks")
WEBHOOK_CREATE = ("POST", "/api/v1/webhooks")
WEBHOOK = ("GET", "/api/v1/webhooks/{id}")
WEBHOOK_DELETE = ("DELETE", "/api/v1/webhooks/{id}")
WEBHOOK_TEST = ("POST", "/api/v1/webhooks/{id}/test")
LOGOS = ("GET", "/api/v1/logos")
LOGO_CREATE = ("POST", "/api/v1/logos")
TEMPLATES = ("GET", "/api/v1/templates")
TEMPLATE = ("GET", "/api/v1/templates/{id}")
USAGE = ("GET", "/api/v1/usage")
SANDBOX_WIPE = ("POST", "/api/v1/sandbox/wipe")

# Query parameters the client sends, per endpoint (checked against the schema too).
QUERY_PARAMETERS = {
    CODE_IMAGE: ("format", "size", "dpi", "margin", "transparent"),
    CODE_ANALYTICS: ("start", "end", "timezone", "interval", "include_bots", "limit"),
}
