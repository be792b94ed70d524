"""OpenAPI additions: the error envelope and rate-limit headers on every operation (added once
here, so no endpoint can forget to document them). Apps document their own auth schemes."""

from qrsite.api.errors import ERROR_CODES

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "field", "doc_url", "errors"],
            "properties": {
                "code": {"type": "string", "enum": sorted(ERROR_CODES)},
                "message": {"type": "string"},
                "field": {"type": "string", "nullable": True},
                "doc_url": {"type": "string", "format": "uri"},
                "request_id": {
                    "type": "string",
                    "nullable": True,
                    "description": "The X-Request-ID of the response; quote it to support.",
                },
                "errors": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["field", "code", "message"],
                        "properties": {
                            "field": {"type": "string", "nullable": True},
                            "code": {"type": "string"},
                            "message": {"type": "string"},
                            "index": {"type": "integer", "description": "Bulk item at fault."},
                        },
                    },
                },
            },
        }
    },
}

RATE_HEADERS = {
    "RateLimit-Policy": {
        "description": 'The limit that applies: `"write";q=120;w=60` (120 per 60 s).',
        "schema": {"type": "string"},
    },
    "RateLimit": {
        "description": 'What is left of it: `"write";r=119;t=42` (119 left, resets in 42 s).',
        "schema": {"type": "string"},
    },
}

# Which errors each kind of operation can answer with.
_ALWAYS = ["400", "401", "403", "404", "405", "413", "415", "429", "500", "503"]
_POST = ["409", "422"]


def _example(code: str) -> dict:
    error = ERROR_CODES[code]
    return {
        "error": {
            "code": code,
            "message": error.title,
            "field": None,
            "doc_url": f"https://qr.example.com/api/v1/docs/errors/#{code}",
            "errors": [],
            "request_id": "6f1c2b9a0d4e4f7a9b3c5d2e1f0a8b7c",
        }
    }


def add_error_responses(result, generator, request, public):
    """Postprocessing hook: every operation documents the envelope and the headers."""
    components = result.setdefault("components", {})
    components.setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    by_status: dict[str, str] = {}
    for error in ERROR_CODES.values():
        by_status.setdefault(str(error.status), error.code)
    for path in result.get("paths", {}).values():
        for method, operation in path.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            responses = operation.setdefault("responses", {})
            statuses = _ALWAYS + (_POST if method == "post" else [])
            for status in statuses:
                if status in responses:
                    continue
                code = by_status[status]
                responses[status] = {
                    "description": ERROR_CODES[code].title,
                    "content": {
                        "application/json": {
                            "schema": {"$ref": "#/components/schemas/Error"},
                            "example": _example(code),
                        }
                    },
                }
            for response in responses.values():
                response.setdefault("headers", {}).update(RATE_HEADERS)
            for status in ("429", "503"):
                if status in responses:
                    responses[status]["headers"]["Retry-After"] = {
                        "description": "Seconds to wait before retrying.",
                        "schema": {"type": "integer"},
                    }
    return result
