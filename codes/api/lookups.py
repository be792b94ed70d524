"""Turning the API's names for things (a group slug, a logo id, a brand style id, `type`) into
what the services take: lookups only. Naming a group that does not exist yet creates it (the
seed's requests rely on it), and that write is the service's `group_get_or_create`.

Every lookup is in the caller's mode (`sandbox`): a test key names sandbox groups and logos,
a live key live ones; an id of the other mode is as unknown as another workspace's."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404

from codes import selectors, services
from codes.models import CampaignGroup, LogoAsset, QRCode

TEMPLATE_PREFIX = "tpl_"


def resolve_group(
    *, workspace, actor, value: str | None, sandbox: bool = False
) -> CampaignGroup | None:
    """The group named by id (`grp_...`) or slug; None for no group. An unknown slug creates
    the group (`"group": "product-labels"` works on a fresh workspace); an unknown id does not."""
    if value is None or value == "":
        return None
    if value.startswith("grp_"):
        try:
            return selectors.group_get_for_workspace(
                workspace=workspace, public_id=value, sandbox=sandbox
            )
        except Http404:
            raise ValidationError({"group": f"No group “{value}” in this workspace."}) from None
    return services.group_get_or_create(
        workspace=workspace, actor=actor, slug=value, sandbox=sandbox
    )


def resolve_logo(*, workspace, value: str | None, sandbox: bool = False) -> LogoAsset | None:
    if value is None or value == "":
        return None
    try:
        return selectors.logo_get_for_workspace(
            workspace=workspace, public_id=value, sandbox=sandbox
        )
    except Http404:
        raise ValidationError({"logo": f"No logo “{value}” in this workspace."}) from None


def apply_template(*, workspace, data: dict) -> dict:
    """`"style": "tpl_..."` names a brand style: its options become the code's style (options
    sent beside it win) and its logo the code's logo unless one is named. Brand styles are the
    workspace's settings, shared by live and sandbox callers alike."""
    named = data.get("style")
    if not isinstance(named, str):
        return data
    if not named.startswith(TEMPLATE_PREFIX):
        raise ValidationError({"style": "Give style options as an object, or a brand style id."})
    try:
        template = selectors.brand_template_get_for_workspace(workspace=workspace, public_id=named)
    except Http404:
        raise ValidationError({"style": f"No brand style “{named}” in this workspace."}) from None
    data = dict(data)
    data["style"] = {**template.style, **data.get("style_overrides", {})}
    data.pop("style_overrides", None)
    if template.logo_id and not data.get("logo"):
        data["template_logo"] = template.logo
    return data


def service_arguments(*, workspace, actor, data: dict, groups: dict, sandbox: bool) -> dict:
    """One create item in the API's terms -> `code_create`'s keyword arguments. `groups`
    remembers the groups already resolved in this request."""
    data = dict(apply_template(workspace=workspace, data=data))
    # The image `image_url` will keep asking for.
    data["image_format"] = data.pop("format", "png")
    data["image_size"] = data.pop("size", 400)
    name = data.pop("group", None)
    if name not in groups:
        groups[name] = resolve_group(workspace=workspace, actor=actor, value=name, sandbox=sandbox)
    data["group"] = groups[name]
    template_logo = data.pop("template_logo", None)
    logo = resolve_logo(workspace=workspace, value=data.pop("logo", None), sandbox=sandbox)
    data["logo"] = logo or template_logo
    data["kind"] = data.pop("type")
    return data


def code_create_from_input(*, workspace, actor, data: dict, sandbox: bool = False) -> QRCode:
    """POST /codes after shape validation."""
    arguments = service_arguments(
        workspace=workspace, actor=actor, data=data, groups={}, sandbox=sandbox
    )
    return services.code_create(workspace=workspace, actor=actor, sandbox=sandbox, **arguments)


def codes_create_from_input(
    *, workspace, actor, items: dict[int, dict], sandbox: bool = False
) -> list[QRCode]:
    """POST /codes/bulk after shape validation: each item (by its index in the request) taken
    as `code_create_from_input` takes it, all created by `code_create_many`. Raises
    `services.ItemErrors` keyed by those indexes, naming every refused item."""
    groups: dict = {}
    arguments: dict[int, dict] = {}
    errors: dict[int, ValidationError] = {}
    for index, data in items.items():
        try:
            arguments[index] = service_arguments(
                workspace=workspace, actor=actor, data=data, groups=groups, sandbox=sandbox
            )
        except ValidationError as exc:
            errors[index] = exc
    indexes = list(arguments)
    try:
        codes = services.code_create_many(
            workspace=workspace, actor=actor, items=list(arguments.values()), sandbox=sandbox
        )
    except services.ItemErrors as exc:
        errors.update({indexes[position]: error for position, error in exc.by_index.items()})
    if errors:
        raise services.ItemErrors(errors)
    return codes
