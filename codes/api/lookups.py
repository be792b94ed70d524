"""Turning the API's names for things (a group slug, a logo id, `type`) into what the services
take: lookups only. Naming a group that does not exist yet creates it (the seed's requests
rely on it), and that write is the service's `group_get_or_create`."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404

from codes import selectors, services
from codes.models import CampaignGroup, LogoAsset, QRCode


def resolve_group(*, workspace, actor, value: str | None) -> CampaignGroup | None:
    """The group named by id (`grp_...`) or slug; None for no group. An unknown slug creates
    the group (`"group": "product-labels"` works on a fresh workspace); an unknown id does not."""
    if value is None or value == "":
        return None
    if value.startswith("grp_"):
        try:
            return selectors.group_get_for_workspace(workspace=workspace, public_id=value)
        except Http404:
            raise ValidationError({"group": f"No group “{value}” in this workspace."}) from None
    return services.group_get_or_create(workspace=workspace, actor=actor, slug=value)


def resolve_logo(*, workspace, value: str | None) -> LogoAsset | None:
    if value is None or value == "":
        return None
    try:
        return selectors.logo_get_for_workspace(workspace=workspace, public_id=value)
    except Http404:
        raise ValidationError({"logo": f"No logo “{value}” in this workspace."}) from None


def _service_arguments(*, workspace, actor, data: dict, groups: dict) -> dict:
    """One create item in the API's terms -> `code_create`'s keyword arguments. `groups`
    remembers the groups already resolved in this request."""
    data = dict(data)
    data.pop("format", None)  # how the answer is shown, not part of the code
    data.pop("size", None)
    name = data.pop("group", None)
    if name not in groups:
        groups[name] = resolve_group(workspace=workspace, actor=actor, value=name)
    data["group"] = groups[name]
    data["logo"] = resolve_logo(workspace=workspace, value=data.pop("logo", None))
    data["kind"] = data.pop("type")
    return data


def code_create_from_input(*, workspace, actor, data: dict) -> QRCode:
    """POST /codes after shape validation."""
    arguments = _service_arguments(workspace=workspace, actor=actor, data=data, groups={})
    return services.code_create(workspace=workspace, actor=actor, **arguments)


def codes_create_from_input(*, workspace, actor, items: dict[int, dict]) -> list[QRCode]:
    """POST /codes/bulk after shape validation: each item (by its index in the request) taken
    as `code_create_from_input` takes it, all created by `code_create_many`. Raises
    `services.ItemErrors` keyed by those indexes, naming every refused item."""
    groups: dict = {}
    arguments: dict[int, dict] = {}
    errors: dict[int, ValidationError] = {}
    for index, data in items.items():
        try:
            arguments[index] = _service_arguments(
                workspace=workspace, actor=actor, data=data, groups=groups
            )
        except ValidationError as exc:
            errors[index] = exc
    indexes = list(arguments)
    try:
        codes = services.code_create_many(
            workspace=workspace, actor=actor, items=list(arguments.values())
        )
    except services.ItemErrors as exc:
        errors.update({indexes[position]: error for position, error in exc.by_index.items()})
    if errors:
        raise services.ItemErrors(errors)
    return codes
