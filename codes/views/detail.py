"""One code's page and the actions on it: status, destination and its history, group,
duplicate, delete, the image and downloads."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.views.decorators.http import require_POST, require_safe

from accounts.decorators import editor_required, workspace_required
from codes import selectors, services
from codes.forms.actions import DestinationForm, DownloadForm, ImageForm, MoveForm
from codes.rendering import content_type_for
from codes.views.common import optional_url
from codes.views.trash import remember_undo, undo_message
from qrsite.forms import add_service_errors
from qrsite.htmx import go, page_or_fragment


def _code(request, code_id):
    return selectors.code_get_for_workspace(workspace=request.workspace, public_id=code_id)


def _context(request, code, **extra) -> dict:
    workspace = request.workspace
    context = {
        "code": code,
        "history": list(selectors.destination_history_for_code(code=code)[:20])
        if code.is_dynamic
        else [],
        "destination_form": DestinationForm(initial={"destination": code.destination}),
        "move_form": MoveForm(
            initial={"group": code.group.public_id if code.group else ""},
            groups=selectors.group_choices_for_workspace(workspace=workspace),
        ),
        "download_form": DownloadForm(),
        "analytics_url": optional_url("analytics:code", code.public_id),
        "can_edit": request.membership.can_edit,
        "trash_days": settings.CODES_TRASH_DAYS,
    }
    context.update(extra)
    return context


@workspace_required
@require_safe
def detail(request, code_id):
    code = _code(request, code_id)
    return render(request, "codes/detail.html", _context(request, code))


@editor_required
@require_POST
def set_active(request, code_id, active: bool):
    code = _code(request, code_id)
    if active:
        code = services.code_activate(code=code, actor=request.user)
        messages.success(request, "Code activated: scans redirect again.")
    else:
        code = services.code_deactivate(code=code, actor=request.user)
        messages.success(request, "Code paused: scans now see a “switched off” page.")
    if request.htmx:
        return page_or_fragment(
            request, "codes/detail.html", _context(request, code), fragment="status"
        )
    return redirect("codes:detail", code_id=code.public_id)


@editor_required
@require_POST
def change_destination(request, code_id):
    code = _code(request, code_id)
    form = DestinationForm(request.POST)
    if form.is_valid():
        try:
            code = services.code_change_destination(
                code=code, destination=form.cleaned_data["destination"], actor=request.user
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Destination changed. The next scan goes there.")
            if not request.htmx:
                return redirect("codes:detail", code_id=code.public_id)
            form = DestinationForm(initial={"destination": code.destination})
    context = _context(request, code, destination_form=form, editing_destination=bool(form.errors))
    # htmx swaps only 2xx answers by default: the card, with any errors, is a 200. Only a refused
    # change gets here without htmx: the page with the form open and its errors.
    status = 200 if request.htmx else 422
    return page_or_fragment(
        request, "codes/detail.html", context, fragment="destination", status=status
    )


@editor_required
@require_POST
def rollback(request, code_id, change_id):
    code = _code(request, code_id)
    change = selectors.destination_change_get_for_code(code=code, public_id=change_id)
    try:
        code = services.code_rollback_destination(code=code, change=change, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Destination restored to {code.destination}.")
    if request.htmx:
        return page_or_fragment(
            request, "codes/detail.html", _context(request, code), fragment="destination"
        )
    return redirect("codes:detail", code_id=code.public_id)


@editor_required
@require_POST
def move(request, code_id):
    code = _code(request, code_id)
    groups = selectors.group_choices_for_workspace(workspace=request.workspace)
    form = MoveForm(request.POST, groups=groups)
    if form.is_valid():
        group = None
        if form.cleaned_data["group"]:
            group = selectors.group_get_for_workspace(
                workspace=request.workspace, public_id=form.cleaned_data["group"]
            )
        try:
            code = services.code_move_to_group(code=code, group=group, actor=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request, f"Moved to {group.name}." if group else "Removed from its group."
            )
    else:
        messages.error(request, "Choose a group from the list.")
    if request.htmx:
        return page_or_fragment(
            request, "codes/detail.html", _context(request, code), fragment="group"
        )
    return redirect("codes:detail", code_id=code.public_id)


@editor_required
@require_POST
def duplicate(request, code_id):
    code = _code(request, code_id)
    try:
        copy = services.code_duplicate(code=code, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return go(request, reverse("codes:detail", args=[code.public_id]))
    messages.success(request, f"Made a copy: “{copy.name}”. Change it as you like.")
    return go(request, reverse("codes:detail", args=[copy.public_id]))


@editor_required
@require_POST
def delete(request, code_id):
    code = _code(request, code_id)
    token = remember_undo(request, action="delete", codes=[code])
    services.code_delete(code=code, actor=request.user)
    label = code.name or code.public_id
    trash = f"It is in the trash for {settings.CODES_TRASH_DAYS} days."
    if code.is_dynamic:
        text = f"Deleted “{label}”. Printed copies now show a “no longer exists” page. {trash}"
    else:
        text = f"Deleted “{label}”. {trash}"
    undo_message(request, text, token)
    return go(request, reverse("codes:list"))


def _image_response(request, code, *, fmt: str, size: int, attachment: bool) -> HttpResponse:
    data = services.code_image(code=code, format=fmt, size=size)
    response = HttpResponse(data, content_type=content_type_for(fmt))
    if attachment:
        name = slugify(code.name) or code.public_id
        ext = "jpg" if fmt == "jpeg" else fmt
        response["Content-Disposition"] = f'attachment; filename="{name}-{size}.{ext}"'
        response["Cache-Control"] = "private, no-store"
    elif request.GET.get("v"):
        # The list's thumbnails carry the code's change time in `v`: a new design is a new URL.
        response["Cache-Control"] = "private, max-age=31536000, immutable"
    else:
        response["Cache-Control"] = "private, no-cache"
    response["X-Content-Type-Options"] = "nosniff"
    if fmt == "svg":
        # An SVG opened directly must not run anything, whatever ends up in it.
        response["Content-Security-Policy"] = (
            "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
        )
    return response


@workspace_required
@require_safe
def image(request, code_id):
    code = _code(request, code_id)
    form = ImageForm(request.GET)
    if not form.is_valid():
        return HttpResponse("Use format=svg|png and a size from 64 to 1024.", status=400)
    return _image_response(
        request,
        code,
        fmt=form.cleaned_data["format"] or "svg",
        size=form.cleaned_data["size"] or 400,
        attachment=False,
    )


@workspace_required
@require_safe
def download(request, code_id):
    code = _code(request, code_id)
    form = DownloadForm({"format": "png", "size": "1024", **request.GET.dict()})
    if not form.is_valid():
        # A hand-made URL with a bad size or format: show the page with the form's errors.
        context = _context(request, code, download_form=form)
        return page_or_fragment(
            request, "codes/detail.html", context, fragment="download", status=400
        )
    try:
        return _image_response(
            request,
            code,
            fmt=form.cleaned_data["format"],
            size=form.cleaned_data["size"],
            attachment=True,
        )
    except ValidationError as exc:
        # The guard judges the image at the size asked for: a size too small for this code
        # goes back on the form with the smallest size that works.
        add_service_errors(form, exc)
        context = _context(request, code, download_form=form)
        return page_or_fragment(
            request, "codes/detail.html", context, fragment="download", status=400
        )
