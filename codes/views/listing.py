"""The codes list (search, filters, sort, pagination) and its bulk actions."""

from __future__ import annotations

from urllib.parse import urlsplit

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.decorators import editor_required, workspace_required
from codes import selectors, services
from codes.forms.actions import MAX_ALL_MATCHING, NO_GROUP, BulkForm
from codes.forms.content import content_type_choices
from codes.models import Kind
from codes.views.trash import remember_undo, undo_message
from qrsite.htmx import page_or_fragment, safe_next

PAGE_SIZE = 25
SORTS = [
    ("newest", "Newest first"),
    ("oldest", "Oldest first"),
    ("name", "Name A–Z"),
    ("most_scanned", "Most scanned"),
    ("updated", "Recently changed"),
]


class FilterForm(forms.Form):
    """The list's query string: every filter is in the URL, so a view can be shared."""

    q = forms.CharField(label="Search", required=False, max_length=200)
    group = forms.ChoiceField(label="Group", required=False)
    kind = forms.ChoiceField(
        label="Kind", required=False, choices=[("", "Any kind"), *Kind.choices]
    )
    type = forms.ChoiceField(label="Content", required=False)
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[("", "Any status"), ("active", "Active"), ("inactive", "Paused")],
    )
    sort = forms.ChoiceField(label="Sort by", required=False, choices=SORTS)

    def __init__(self, *args, groups=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.groups = {group.public_id: group for group in groups}
        self.fields["group"].choices = [
            ("", "All groups"),
            ("none", "No group"),
            *[(g.public_id, g.name + (" (archived)" if g.is_archived else "")) for g in groups],
        ]
        self.fields["type"].choices = [("", "Any content"), *content_type_choices()]

    def query(self) -> dict:
        """Keyword arguments for `code_list_for_workspace`; invalid filters are ignored."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        group_id = data.get("group") or ""
        status = data.get("status") or ""
        return {
            "search": data.get("q") or None,
            "group": self.groups.get(group_id),
            "ungrouped": group_id == "none",
            "kind": data.get("kind") or None,
            "content_type": data.get("type") or None,
            "is_active": {"active": True, "inactive": False}.get(status),
            "ordering": data.get("sort") or "newest",
        }

    @property
    def is_filtered(self) -> bool:
        return self.is_bound and any(
            self.data.get(name) for name in ("q", "group", "kind", "type", "status")
        )


def list_context(request, params: QueryDict, *, group=None, path: str | None = None) -> dict:
    """Everything the list's results need, for the list page, a group page and bulk replies."""
    workspace = request.workspace
    groups = list(selectors.group_choices_for_workspace(workspace=workspace, include_archived=True))
    filters = FilterForm(params, groups=groups)
    query = filters.query()
    if group is not None:
        query.update(group=group, ungrouped=False)
    codes = selectors.code_list_for_workspace(workspace=workspace, **query)
    page = Paginator(codes, PAGE_SIZE).get_page(params.get("page"))
    _add_row_urls(page.object_list)
    can_edit = request.membership.can_edit
    return {
        "filters": filters,
        "page": page,
        "codes": page.object_list,
        "groups": [g for g in groups if not g.is_archived],
        "all_groups": groups,
        "templates": (
            list(selectors.brand_template_list_for_workspace(workspace=workspace))
            if can_edit
            else []
        ),
        "bulk_form": BulkForm(groups=[g for g in groups if not g.is_archived])
        if can_edit
        else None,
        "can_edit": can_edit,
        "params": params,
        "list_group": group,
        # Pagination and "back here" links: the page the results are shown on.
        "list_url": path or request.path,
    }


def _add_row_urls(codes) -> None:
    """Each row's page and thumbnail URL, reversed once per page rather than once per row
    (reversing is a measurable share of the list's render time with 25 rows)."""
    marker = "__code__"
    detail = reverse("codes:detail", args=[marker])
    image = reverse("codes:image", args=[marker])
    for code in codes:
        code.detail_url = detail.replace(marker, code.public_id)
        # `v` changes with every edit, so the thumbnail can be cached for good.
        version = int(code.updated_at.timestamp())
        code.thumbnail_url = f"{image.replace(marker, code.public_id)}?size=96&v={version}"


@workspace_required
def code_list(request):
    context = list_context(request, request.GET)
    context["total_codes"] = (
        context["page"].paginator.count
        if not context["filters"].is_filtered
        else selectors.code_list_for_workspace(workspace=request.workspace).count()
    )
    return page_or_fragment(request, "codes/list.html", context, fragment="results")


@editor_required
@require_POST
def bulk(request):
    workspace = request.workspace
    back = safe_next(request, reverse("codes:list"))
    groups = list(selectors.group_choices_for_workspace(workspace=workspace))
    templates = list(selectors.brand_template_list_for_workspace(workspace=workspace))
    form = BulkForm(request.POST, groups=groups, templates=templates)
    codes = []
    if form.is_valid() and form.cleaned_data["all_matching"]:
        matching = _all_matching(request)
        count = matching.count()
        if count > MAX_ALL_MATCHING:
            form.add_error(
                "codes",
                f"{count:,} codes match; these actions change at most {MAX_ALL_MATCHING:,} at "
                "once. Narrow the filter (the ZIP of images takes any number).",
            )
        else:
            codes = list(matching)
            if not codes:
                form.add_error("codes", "No code matches the filter any more.")
    elif form.is_valid():
        codes = list(
            selectors.code_list_by_public_ids(
                workspace=workspace, public_ids=form.cleaned_data["codes"]
            )
        )
        if not codes:
            form.add_error("codes", "None of the selected codes exist any more.")
    if not form.is_valid():
        for error in form.errors.values():
            messages.error(request, " ".join(error))
        return _back_to_list(request, back)
    action = form.cleaned_data["action"]
    if action == "delete" and not form.cleaned_data["confirm"]:
        # Deleting stops printed codes from redirecting: ask once more, listing what goes.
        context = {"codes": codes, "next": back, "action": action, "match": _match_params(request)}
        return page_or_fragment(request, "codes/bulk_confirm.html", context, fragment="confirm")
    token = remember_undo(request, action=action, codes=codes)
    if action == "apply_style":
        template = selectors.brand_template_get_for_workspace(
            workspace=workspace, public_id=form.cleaned_data["template"]
        )
        result = services.brand_template_apply(template=template, codes=codes, actor=request.user)
        verb = f"Applied “{template.name}” to"
    else:
        group = None
        if action == "move" and form.cleaned_data["group"] != NO_GROUP:
            group = selectors.group_get_for_workspace(
                workspace=workspace, public_id=form.cleaned_data["group"]
            )
        result = services.codes_bulk_update(
            codes=codes, actor=request.user, action=action, group=group
        )
        verb = {
            "activate": "Activated",
            "deactivate": "Deactivated",
            "move": f"Moved to {group.name if group else 'no group'}:",
            "delete": "Deleted",
        }[action]
    if result.done:
        count = len(result.done)
        undo_message(request, f"{verb} {count} code{'s' if count != 1 else ''}.", token)
    for code, reason in result.refused:
        messages.error(request, f"{code.name or code.public_id}: {reason}")
    return _back_to_list(request, back)


def _match_params(request) -> dict:
    """The list's filters, posted as match_<name> beside "select all N matching"."""
    if not request.POST.get("all_matching"):
        return {}
    return {
        name: request.POST[f"match_{name}"]
        for name in ("q", "group", "kind", "type", "status")
        if request.POST.get(f"match_{name}")
    }


def _all_matching(request):
    workspace = request.workspace
    groups = list(selectors.group_choices_for_workspace(workspace=workspace, include_archived=True))
    params = QueryDict(mutable=True)
    params.update(_match_params(request))
    query = FilterForm(params, groups=groups).query()
    if group_id := request.POST.get("list_group"):
        query.update(
            group=selectors.group_get_for_workspace(workspace=workspace, public_id=group_id),
            ungrouped=False,
        )
    return selectors.code_list_for_workspace(workspace=workspace, **query).select_related(
        "workspace"
    )


def _back_to_list(request, back: str):
    """A plain form post is redirected back to the page it came from; HTMX gets that page's
    results re-rendered with the filters it was showing."""
    if not request.htmx:
        return redirect(back)
    group = None
    if group_id := request.POST.get("list_group"):
        group = selectors.group_get_for_workspace(workspace=request.workspace, public_id=group_id)
    parts = urlsplit(back)
    context = list_context(request, QueryDict(parts.query), group=group, path=parts.path)
    return render(request, "codes/list.html#results", context)
