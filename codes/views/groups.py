"""Campaign groups: list, create, edit, archive, delete, and a group's own page of codes."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.decorators import editor_required, workspace_required
from codes import selectors, services
from codes.forms import GroupForm
from codes.views.listing import list_context
from qrsite.forms import add_service_errors
from qrsite.htmx import go, page_or_fragment


def _group(request, group_id):
    return selectors.group_get_for_workspace(workspace=request.workspace, public_id=group_id)


@workspace_required
def group_list(request):
    archived = request.GET.get("archived") == "1"
    groups = selectors.group_list_with_stats(workspace=request.workspace, archived_only=archived)
    context = {"groups": groups, "archived": archived}
    return page_or_fragment(request, "codes/group_list.html", context, fragment="groups")


@editor_required
def group_create(request):
    form = GroupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            group = services.group_create(
                workspace=request.workspace, actor=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, f"Created the group “{group.name}”. Add codes to it from the codes list."
            )
            return redirect("codes:group_detail", group_id=group.public_id)
    status = 422 if form.errors else 200
    return render(request, "codes/group_form.html", {"form": form}, status=status)


@workspace_required
def group_detail(request, group_id):
    group = _group(request, group_id)
    context = list_context(request, request.GET, group=group)
    context.update(group=group, stats=selectors.group_stats(group=group))
    return page_or_fragment(request, "codes/group_detail.html", context, fragment="results")


@editor_required
def group_edit(request, group_id):
    group = _group(request, group_id)
    initial = {
        "name": group.name,
        "slug": group.slug,
        "description": group.description,
        "color": group.color,
    }
    form = GroupForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            group = services.group_update(group=group, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Group saved.")
            return redirect("codes:group_detail", group_id=group.public_id)
    status = 422 if form.errors else 200
    return render(request, "codes/group_form.html", {"form": form, "group": group}, status=status)


@editor_required
@require_POST
def group_archive(request, group_id):
    group = services.group_archive(group=_group(request, group_id), actor=request.user)
    messages.success(request, f"Archived “{group.name}”. Its codes keep working.")
    return go(request, _back(group))


@editor_required
@require_POST
def group_unarchive(request, group_id):
    group = services.group_unarchive(group=_group(request, group_id), actor=request.user)
    messages.success(request, f"“{group.name}” is back in the group lists.")
    return go(request, _back(group))


@editor_required
@require_POST
def group_delete(request, group_id):
    group = _group(request, group_id)
    services.group_delete(group=group, actor=request.user)
    messages.success(request, f"Deleted the group “{group.name}”. Its codes are kept, ungrouped.")
    return go(request, reverse("codes:group_list"))


def _back(group) -> str:
    return reverse("codes:group_detail", args=[group.public_id])
