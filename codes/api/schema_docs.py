"""OpenAPI descriptions and examples of the codes endpoints (kept out of the views so they
stay readable). The request examples are the seed's, verbatim."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    inline_serializer,
)
from rest_framework import serializers

from codes.api.serializers import (
    BulkCreateSerializer,
    BulkIdsSerializer,
    BulkUpdateSerializer,
    CheckReportSerializer,
    CodeCreateSerializer,
    CodeSerializer,
    CodeUpdateSerializer,
    DestinationChangeSerializer,
    GroupCreateSerializer,
    GroupSerializer,
    GroupUpdateSerializer,
    RenderSerializer,
)

CODE = {
    "id": "code_7Hq2kP9sLmN4xYz1",
    "type": "dynamic",
    "name": "Product 123 - Label QR",
    "destination": "https://yoursite.com/product/123",
    "short_url": "https://qr.example.com/r/Ab3dE9x",
    "image_url": "https://qr.example.com/api/v1/codes/code_7Hq2kP9sLmN4xYz1/image?format=svg&size=400",
    "created_at": "2026-03-08T14:30:00Z",
    "updated_at": "2026-03-08T14:30:00Z",
    "scans": 0,
    "status": "active",
    "is_active": True,
    "group": "product-labels",
    "content_type": "url",
    "content": None,
    "logo": None,
    "expires_at": None,
    "scan_limit": None,
    "metadata": {},
    "external_id": "",
    "pass_query_string": False,
    "style": {
        "foreground_color": "#000000",
        "background_color": "#FFFFFF",
        "error_correction": "M",
    },
}
GROUP = {
    "id": "grp_Q8wE3rT6yU1iO9pA",
    "name": "product-labels",
    "slug": "product-labels",
    "description": "",
    "color": "#4f46e5",
    "archived": False,
    "code_count": 12,
    "created_at": "2026-03-01T09:00:00Z",
    "updated_at": "2026-03-01T09:00:00Z",
}
CHANGE = {
    "id": "chg_Z1x2C3v4B5n6M7q8",
    "old_destination": "https://yoursite.com/product/123",
    "new_destination": "https://yoursite.com/product/123/v2",
    "changed_at": "2026-03-09T10:00:00Z",
    "changed_by": "alice@example.com",
    "restored_from": None,
}

IMAGE_TYPES = {"image/png", "image/svg+xml", "application/pdf", "image/jpeg", "image/webp"}


def _images(status: int) -> dict:
    return {(status, media): OpenApiTypes.BINARY for media in sorted(IMAGE_TYPES)}


def _page(example: dict) -> dict:
    return {
        "next": "https://qr.example.com/api/v1/…?cursor=cD0yMDI2",
        "previous": None,
        "results": [example],
    }


CODES_TAG = ["codes"]

LIST = {
    "summary": "List codes",
    "description": "Newest first, by cursor. Filters combine with AND.",
    "tags": CODES_TAG,
    "responses": {200: CodeSerializer(many=True)},
    "parameters": [
        OpenApiParameter("page_size", int, description="1-200, default 50."),
        OpenApiParameter("cursor", str, description="The `next`/`previous` link's cursor."),
        OpenApiParameter("active", bool, description="`true` or `false`."),
    ],
    "examples": [OpenApiExample("A page of codes", value=_page(CODE), response_only=True)],
}
CREATE = {
    "summary": "Create a code",
    "description": (
        "Returns 201 with the code as JSON, or, with `Accept: image/png` (`image/svg+xml`, "
        "`application/pdf`), the image itself and a `Location` header. `type` defaults to "
        "`static`; a dynamic code gets a `short_url` whose destination can change later. "
        "Style options use the render spec's names, at the top level or in `style`."
    ),
    "tags": CODES_TAG,
    "request": CodeCreateSerializer,
    "responses": {(201, "application/json"): CodeSerializer, **_images(201)},
    "examples": [
        OpenApiExample(
            "Generate a simple QR code",
            request_only=True,
            value={
                "destination": "https://yoursite.com/product/123",
                "size": 400,
                "format": "png",
                "foreground_color": "#000000",
                "background_color": "#FFFFFF",
                "error_correction": "M",
            },
        ),
        OpenApiExample(
            "Create a dynamic managed code",
            request_only=True,
            value={
                "destination": "https://yoursite.com/product/123",
                "type": "dynamic",
                "name": "Product 123 - Label QR",
                "group": "product-labels",
                "size": 400,
                "format": "svg",
            },
        ),
        OpenApiExample("Created", value=CODE, response_only=True, status_codes=[201]),
    ],
}
RETRIEVE = {
    "summary": "Get a code",
    "tags": CODES_TAG,
    "responses": {200: CodeSerializer},
    "examples": [OpenApiExample("A dynamic code", value=CODE, response_only=True)],
}
UPDATE = {
    "summary": "Change a code",
    "description": (
        "Only the fields sent change. A dynamic code's new destination takes effect at once "
        "and is recorded in its history; the printed image stays the same."
    ),
    "tags": CODES_TAG,
    "request": CodeUpdateSerializer,
    "responses": {200: CodeSerializer},
    "examples": [
        OpenApiExample(
            "Update a destination",
            request_only=True,
            value={"destination": "https://yoursite.com/product/123/v2"},
        ),
        OpenApiExample(
            "Updated",
            response_only=True,
            value={**CODE, "destination": "https://yoursite.com/product/123/v2"},
        ),
    ],
}
DESTROY = {
    "summary": "Delete a code",
    "description": "Scans of a deleted dynamic code get a 'gone' page; its short URL is never reused.",
    "tags": CODES_TAG,
    "responses": {204: None},
}
IMAGE = {
    "summary": "Get a code's image",
    "description": (
        "A strong `ETag` (the design's hash, answered without rendering): send it back in "
        "`If-None-Match` for a 304. The versioned `image_url` of a code (`&v=...`) answers with "
        "`Cache-Control: private, max-age=31536000, immutable`; other URLs with "
        "`private, no-cache` (revalidate). Every raster passes the scannability guard at the "
        "size asked for, or the answer is a 400 saying why."
    ),
    "tags": CODES_TAG,
    "parameters": [
        OpenApiParameter(
            "format",
            str,
            enum=["png", "svg", "pdf", "jpeg", "webp"],
            description="Default: the format the code was created with.",
        ),
        OpenApiParameter(
            "size", int, description="Width in px, 64-4096; default: the size it was created with."
        ),
        OpenApiParameter("dpi", int, description="72-1200, default 300 (PNG, JPEG, PDF)."),
        OpenApiParameter("margin", int, description="Quiet zone in modules, 2-16."),
        OpenApiParameter("transparent", bool, description="No background (not for JPEG)."),
        OpenApiParameter("v", str, description="Design version from `image_url`."),
    ],
    "responses": {**_images(200), 304: OpenApiResponse(description="Not modified.")},
}
DESTINATIONS = {
    "summary": "Destination history",
    "description": "Newest first; the last entry is the code's creation.",
    "tags": CODES_TAG,
    "responses": {200: DestinationChangeSerializer(many=True)},
    "examples": [OpenApiExample("History", value=_page(CHANGE), response_only=True)],
}
ROLLBACK = {
    "summary": "Restore an earlier destination",
    "description": "Points the code back at the destination that history entry set (recorded as a new change).",
    "tags": CODES_TAG,
    "request": None,
    "responses": {200: CodeSerializer},
    "examples": [OpenApiExample("Restored", value=CODE, response_only=True)],
}
BULK_CREATE = {
    "summary": "Create codes in bulk",
    "description": (
        "All or nothing: if any code is refused, none is created and the 400 lists every "
        "problem with its `index`. Counts as one request against the rate limit. Up to 1,000 "
        "codes are created in the request (201). More than 1,000, or any request with "
        "`Prefer: respond-async`, is answered `202 Accepted` with a job and "
        "`Location: /api/v1/jobs/{id}` to poll; the job's results CSV lists every code."
    ),
    "tags": CODES_TAG,
    "request": BulkCreateSerializer,
    "parameters": [
        OpenApiParameter(
            "Prefer",
            str,
            location=OpenApiParameter.HEADER,
            description="`respond-async`: answer 202 with a job whatever the count.",
        )
    ],
    "responses": {
        201: inline_serializer(
            "BulkCreated", {"count": serializers.IntegerField(), "codes": CodeSerializer(many=True)}
        ),
        202: inline_serializer(
            "BulkAccepted",
            {
                "id": serializers.CharField(),
                "kind": serializers.CharField(),
                "status": serializers.CharField(),
                "url": serializers.URLField(),
            },
        ),
    },
    "examples": [
        OpenApiExample(
            "Bulk generation",
            request_only=True,
            value={
                "codes": [
                    {"destination": "https://yoursite.com/item/1", "name": "Item 1"},
                    {"destination": "https://yoursite.com/item/2", "name": "Item 2"},
                    {"destination": "https://yoursite.com/item/3", "name": "Item 3"},
                ],
                "defaults": {
                    "type": "dynamic",
                    "size": 400,
                    "format": "svg",
                    "group": "inventory-batch-march",
                },
            },
        ),
        OpenApiExample(
            "Created", response_only=True, status_codes=[201], value={"count": 1, "codes": [CODE]}
        ),
    ],
}
_COUNTED = inline_serializer(
    "BulkUpdated", {"count": serializers.IntegerField(), "codes": CodeSerializer(many=True)}
)
BULK_UPDATE = {
    "summary": "Activate, deactivate or move many codes",
    "description": "All or nothing, up to 1,000 ids; an unknown id refuses the whole request.",
    "tags": CODES_TAG,
    "request": BulkUpdateSerializer,
    "responses": {200: _COUNTED},
    "examples": [
        OpenApiExample(
            "Pause a campaign",
            request_only=True,
            value={"ids": ["code_7Hq2kP9sLmN4xYz1"], "is_active": False, "group": "archive-2026"},
        ),
        OpenApiExample("Updated", response_only=True, value={"count": 1, "codes": [CODE]}),
    ],
}
BULK_DELETE = {
    "summary": "Delete many codes",
    "description": "All or nothing, up to 1,000 ids.",
    "tags": CODES_TAG,
    "request": BulkIdsSerializer,
    "responses": {200: inline_serializer("BulkDeleted", {"count": serializers.IntegerField()})},
    "examples": [
        OpenApiExample(
            "Delete two",
            request_only=True,
            value={"ids": ["code_7Hq2kP9sLmN4xYz1", "code_B2n3M4q5W6e7R8t9"]},
        ),
        OpenApiExample("Deleted", response_only=True, value={"count": 2}),
    ],
}

GROUPS_TAG = ["groups"]
GROUP_LIST = {
    "summary": "List campaign groups",
    "tags": GROUPS_TAG,
    "parameters": [OpenApiParameter("include_archived", bool), OpenApiParameter("page_size", int)],
    "responses": {200: GroupSerializer(many=True)},
    "examples": [OpenApiExample("Groups", value=_page(GROUP), response_only=True)],
}
GROUP_CREATE = {
    "summary": "Create a campaign group",
    "tags": GROUPS_TAG,
    "request": GroupCreateSerializer,
    "responses": {201: GroupSerializer},
    "examples": [
        OpenApiExample(
            "New group", request_only=True, value={"name": "Spring launch", "color": "#0f766e"}
        ),
        OpenApiExample("Created", response_only=True, status_codes=[201], value=GROUP),
    ],
}
GROUP_RETRIEVE = {
    "summary": "Get a campaign group",
    "tags": GROUPS_TAG,
    "responses": {200: GroupSerializer},
    "examples": [OpenApiExample("A group", value=GROUP, response_only=True)],
}
GROUP_UPDATE = {
    "summary": "Rename, recolour or archive a group",
    "tags": GROUPS_TAG,
    "request": GroupUpdateSerializer,
    "responses": {200: GroupSerializer},
    "examples": [
        OpenApiExample("Archive", request_only=True, value={"archived": True}),
        OpenApiExample("Archived", response_only=True, value={**GROUP, "archived": True}),
    ],
}
GROUP_DESTROY = {
    "summary": "Delete a group",
    "description": "Its codes stay, in no group, and keep redirecting.",
    "tags": GROUPS_TAG,
    "responses": {204: None},
}
CHECK = {
    "summary": "Check whether a design will scan, as delivered",
    "description": (
        "The same body as `POST /render`, answered with the scannability report instead of the "
        "image: whether both decoders (zxing-cpp and ZBar) read it at the delivered `size` "
        "(raster formats; SVG and PDF are judged at their minimum print size), the share of "
        "real-world conditions it survives (`score`: blur, distance, rotation, tilt, JPEG "
        "re-compression, low contrast), the weakest condition and the change that helps it, "
        "and the smallest raster size that works. `ok: false` lists the refusals in `errors`; "
        "only a malformed body is a 400."
    ),
    "tags": ["render"],
    "request": RenderSerializer,
    "responses": {200: CheckReportSerializer},
    "examples": [
        OpenApiExample(
            "Rounded modules with circle eyes at 256 px",
            request_only=True,
            value={
                "destination": "https://yoursite.com/product/123",
                "size": 256,
                "format": "png",
                "module_shape": "rounded",
                "finder_frame_shape": "circle",
                "finder_ball_shape": "circle",
            },
        )
    ],
}

RENDER = {
    "summary": "Render an image without storing anything",
    "description": (
        "Stateless generation: a URL (`destination`) or other content, styled, returned as an "
        "image. The format is `format`, else the `Accept` header, else PNG. Designs that would "
        "not scan are refused with the reason."
    ),
    "tags": ["render"],
    "request": RenderSerializer,
    "responses": _images(200),
    "examples": [
        OpenApiExample(
            "A styled code",
            request_only=True,
            value={
                "destination": "https://yoursite.com/product/123",
                "size": 400,
                "format": "png",
                "foreground_color": "#1e1b4b",
                "module_shape": "rounded",
                "frame": "banner",
                "label": "Scan me",
            },
        )
    ],
}
