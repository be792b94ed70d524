"""The trash (deleted codes, restorable for CODES_TRASH_DAYS days) and "Undo" right after a
delete or a bulk action.

Undo keeps, in the session, what the last action changed and how it was before (one action
deep): the message that reports the action carries an Undo button that posts it back.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.decorators import editor_required, workspace_required
from codes import selectors, services
from qrsite.htmx import go, safe_next

UNDO_KEY = "codes_undo"
UNDOABLE = {"delete", "move", "activate", "deactivate", "apply_style"}


def remember_undo(request, *, action: str, codes) -> str:
    """Note how `codes` are before `action` changes them; returns the token the Undo button
    posts (a newer action replaces it, so an old button cannot undo the wrong thing)."""
    if action not in UNDOABLE:
        return ""
    token = secrets.token_urlsafe(8)
    request.session[UNDO_KEY] = {
        "token": token,
        "action": action,
        "items": [
            {
                "code": code.public_id,
                "active": code.is_active,
                "group": code.group.public_id if code.group else "",
                "style": code.style,
                "logo": code.logo.public_id if code.logo else "",
            }
            for code in codes
        ],
    }
    return token


def undo_message(request, text: str, token: str) -> None:
    """A success message with an Undo button (templates/partials/_messages.html draws it)."""
    if token:
        messages.success(request, text, extra_tags=f"undo undo-{token}")
    else:
        messages.success(request, text)


@editor_required
@require_POST
def undo(request):
    record = request.session.get(UNDO_KEY)
    back = safe_next(request, reverse("codes:list"))
    if not record or record["token"] != request.POST.get("token"):
        messages.error(request, "There is nothing to undo any more.")
        return go(request, back)
    del request.session[UNDO_KEY]
    workspace, actor = request.workspace, request.user
    undone = 0
    for item in record["items"]:
        try:
            _undo_one(workspace, actor, record["action"], item)
        except (ValidationError, Http404):  # gone or changed since: the rest is still undone
            continue
        undone += 1
    messages.success(request, f"Undone: {undone} code{'s' if undone != 1 else ''} as before.")
    return go(request, back)


def _undo_one(workspace, actor, action: str, item: dict) -> None:
    if action == "delete":
        code = selectors.code_get_in_trash(workspace=workspace, public_id=item["code"])
        services.code_restore(code=code, actor=actor, activate=item["active"])
        return
    code = selectors.code_get_for_workspace(workspace=workspace, public_id=item["code"])
    if action in ("activate", "deactivate"):
        services.code_update(code=code, actor=actor, is_active=item["active"])
    elif action == "move":
        group = None
        if item["group"]:
            group = selectors.group_get_for_workspace(workspace=workspace, public_id=item["group"])
        services.code_move_to_group(code=code, group=group, actor=actor)
    elif action == "apply_style":
        logo = None
        if item["logo"]:
            logo = selectors.logo_get_for_workspace(workspace=workspace, public_id=item["logo"])
        services.code_update(code=code, actor=actor, style=item["style"], logo=logo)


@workspace_required
def trash(request):
    codes = list(selectors.code_list_in_trash(workspace=request.workspace)[:200])
    return render(
        request,
        "codes/trash.html",
        {"codes": codes, "trash_days": settings.CODES_TRASH_DAYS},
    )


@editor_required
@require_POST
def restore(request, code_id):
    code = selectors.code_get_in_trash(workspace=request.workspace, public_id=code_id)
    code = services.code_restore(code=code, actor=request.user)
    messages.success(
        request,
        f"Restored “{code.name or code.public_id}”. It is paused: activate it when it should "
        "redirect again.",
    )
    return redirect("codes:detail", code_id=code.public_id)
