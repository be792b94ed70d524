"""The shapes the API answers with (tests/sdk compares them with the server's OpenAPI schema,
so a field added or renamed on one side fails there, not in an integrator's code)."""

from __future__ import annotations

from typing import Any, TypedDict


class Code(TypedDict):
    id: str
    type: str
    name: str
    destination: str | None
    short_url: str | None
    image_url: str
    created_at: str
    updated_at: str
    scans: int
    status: str
    is_active: bool
    group: str | None
    content_type: str
    content: dict[str, Any] | None
    logo: str | None
    expires_at: str | None
    scan_limit: int | None
    metadata: dict[str, Any]
    external_id: str
    pass_query_string: bool
    style: dict[str, Any]


class Group(TypedDict):
    id: str
    name: str
    slug: str
    description: str
    color: str
    archived: bool
    code_count: int
    created_at: str
    updated_at: str


class Job(TypedDict):
    id: str
    kind: str
    status: str
    phase: str
    progress: dict[str, Any]
    summary: Any
    error: str
    cancel_requested: bool
    created_by: str | None
    created_at: str
    started_at: str | None
    finished_at: str | None
    result_url: str | None
    errors_url: str | None
    result_expires_at: str | None
    url: str


class Logo(TypedDict):
    id: str
    name: str
    width: int
    height: int
    size_bytes: int
    checksum: str
    created_at: str


class BrandStyle(TypedDict):
    id: str
    name: str
    style: dict[str, Any]
    logo: str | None
    created_at: str
    updated_at: str


class WebhookEndpoint(TypedDict, total=False):
    id: str
    url: str
    description: str
    events: list[str]
    group: str | None
    is_enabled: bool
    secret: str  # in the create and rotate answers only


# Which schema component each shape mirrors (the drift test reads this).
SCHEMA_COMPONENTS: dict[str, type] = {
    "Code": Code,
    "Group": Group,
    "Job": Job,
    "Logo": Logo,
    "BrandTemplate": BrandStyle,
}
