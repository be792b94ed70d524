"""Content-Security-Policy headers for the pages anyone can open without signing in.

A scan page is reached from a printed code by strangers, the API docs by anyone with the URL;
both promise to load nothing from another origin and to run nothing they did not ship. A
header (unlike the docs' <meta> fallback) also carries `frame-ancestors`, so neither can be
framed by another site.
"""

from __future__ import annotations

# Scan pages are plain HTML and one stylesheet: no script at all.
SCAN_PAGE = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
# drf-spectacular starts Swagger UI and ReDoc from inline scripts, and both style themselves
# inline; everything else stays on this origin.
API_DOCS = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self' data:; worker-src 'self' blob:; "
    "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)


def content_policy_set(response, policy: str):
    response["Content-Security-Policy"] = policy
    return response
