"""Helpers shared by the dashboard's code views."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.urls import NoReverseMatch, reverse

from codes import services
from codes.forms.wording import for_marketer
from codes.rendering.logo import MAX_BYTES as MAX_LOGO_BYTES


def optional_url(name: str, *args) -> str:
    """The URL of a page another part of the product may not have yet (analytics, API keys)."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def upload_logo(request) -> tuple[dict | None, list[str]]:
    """Store a logo sent with the editor's form; returns (form data choosing it, refusals).

    Stored before the forms are bound because the design form refers to logos by id only,
    whether one was uploaded on its own (htmx) or with the form (no JavaScript)."""
    if request.method != "POST":
        return None, []
    data = request.POST.copy()
    upload = request.FILES.get("logo_upload")
    if upload is None:
        return data, []
    # Refused on its size before it is read into memory (the browser checks it first too).
    if upload.size > MAX_LOGO_BYTES:
        return data, [
            f"The logo is {upload.size / 1024 / 1024:.1f} MB; logos can be at most "
            f"{MAX_LOGO_BYTES // 1024 // 1024} MB. Save it smaller (PNG or JPEG) and try again."
        ]
    try:
        logo = services.logo_create(
            workspace=request.workspace,
            actor=request.user,
            data=upload.read(),
            name=upload.name.rsplit(".", 1)[0][:100],
        )
    except ValidationError as exc:
        return data, [for_marketer(message, subject="The logo") for message in exc.messages]
    data["logo"] = logo.public_id
    return data, []
