"""Turning the API's names for things (a group slug, a logo id, `type`) into what the services
take. Only lookups and the one convenience the seed's requests rely on: naming a group that
does not exist yet creates it."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.http import Http404
from django.utils.text import slugify

from codes import selectors, services
from codes.models import CampaignGroup, LogoAsset


def resolve_group(*, workspace, actor, value: str | None, create: bool) -> CampaignGroup | None:
    """The group named by slug or id; None for no group. With `create`, an unknown slug
    creates the group (`"group": "product-labels"` works on a fresh workspace)."""
    if value is None or value == "":
        return None
    is_id = value.startswith("grp_")
    lookup = {"public_id": value} if is_id else {"slug": value}
    try:
        return selectors.group_get_for_workspace(workspace=workspace, **lookup)
    except Http404:
        pass
    if not create or is_id or slugify(value) != value:
        raise ValidationError({"group": f"No group “{value}” in this workspace."})
    try:
        return services.group_create(workspace=workspace, actor=actor, name=value, slug=value)
    except (ValidationError, IntegrityError):
        # Created concurrently by another request naming the same new group.
        try:
            return selectors.group_get_for_workspace(workspace=workspace, slug=value)
        except Http404:
            raise ValidationError({"group": f"Could not create the group “{value}”."}) from None


def resolve_logo(*, workspace, value: str | None) -> LogoAsset | None:
    if value is None or value == "":
        return None
    try:
        return selectors.logo_get_for_workspace(workspace=workspace, public_id=value)
    except Http404:
        raise ValidationError({"logo": f"No logo “{value}” in this workspace."}) from None


def code_create_from_input(*, workspace, actor, data: dict, groups: dict | None = None):
    """POST /codes (and each bulk item) after shape validation: the one create path.
    `groups` remembers the groups already resolved in this batch."""
    data = dict(data)
    data.pop("format", None)
    data.pop("size", None)
    name = data.pop("group", None)
    if groups is not None and name in groups:
        group = groups[name]
    else:
        group = resolve_group(workspace=workspace, actor=actor, value=name, create=True)
        if groups is not None:
            groups[name] = group
    logo = resolve_logo(workspace=workspace, value=data.pop("logo", None))
    return services.code_create(
        workspace=workspace,
        actor=actor,
        kind=data.pop("type"),
        group=group,
        logo=logo,
        **data,
    )


def codes_create_from_input(*, workspace, actor, items: dict[int, dict]) -> list:
    """POST /codes/bulk after shape validation: each item (by its index in the request) taken
    as `code_create_from_input` takes it, all created by `code_create_many`. Raises
    `services.ItemErrors` keyed by those indexes, naming every refused item."""
    groups: dict = {}
    resolved: dict[int, dict] = {}
    errors: dict[int, ValidationError] = {}
    for index, data in items.items():
        data = dict(data)
        data.pop("format", None)
        data.pop("size", None)
        name = data.pop("group", None)
        try:
            if name not in groups:
                groups[name] = resolve_group(
                    workspace=workspace, actor=actor, value=name, create=True
                )
            data["logo"] = resolve_logo(workspace=workspace, value=data.pop("logo", None))
        except ValidationError as exc:
            errors[index] = exc
            continue
        data["kind"] = data.pop("type")
        resolved[index] = {**data, "group": groups[name]}
    indexes = list(resolved)
    try:
        codes = services.code_create_many(
            workspace=workspace, actor=actor, items=list(resolved.values())
        )
    except services.ItemErrors as exc:
        errors.update({indexes[position]: error for position, error in exc.by_index.items()})
    if errors:
        raise services.ItemErrors(errors)
    return codes
