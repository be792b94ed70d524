"""Every write to codes, groups, logos, brand templates and destination history: the one write path.

The dashboard, the API, admin actions and tasks all call these. Each takes the acting user
(`actor`), checks that they may edit the workspace (404 for a stranger, 403 for a viewer),
runs in a transaction and raises `ValidationError({field: message})` without writing anything
when the input is refused. Redirect-cache invalidation runs after commit.
"""

from codes.services._common import UNSET
from codes.services.brand import scan_page_brand_set
from codes.services.bulk import ItemErrors, code_create_many
from codes.services.codes import (
    code_activate,
    code_change_destination,
    code_create,
    code_deactivate,
    code_delete,
    code_duplicate,
    code_image,
    code_image_digest,
    code_move_to_group,
    code_payload,
    code_rollback_destination,
    code_update,
)
from codes.services.groups import (
    group_archive,
    group_create,
    group_delete,
    group_get_or_create,
    group_unarchive,
    group_update,
)
from codes.services.logos import logo_create
from codes.services.sandbox import SandboxWipe, sandbox_wipe
from codes.services.templates import (
    BulkResult,
    brand_template_apply,
    brand_template_create,
    brand_template_delete,
    brand_template_update,
    codes_bulk_update,
)
from codes.services.trash import code_restore, codes_purge_deleted

__all__ = [
    "UNSET",
    "BulkResult",
    "ItemErrors",
    "SandboxWipe",
    "brand_template_apply",
    "brand_template_create",
    "brand_template_delete",
    "brand_template_update",
    "code_activate",
    "code_change_destination",
    "code_create",
    "code_create_many",
    "code_deactivate",
    "code_delete",
    "code_duplicate",
    "code_image",
    "code_image_digest",
    "code_move_to_group",
    "code_payload",
    "code_restore",
    "code_rollback_destination",
    "code_update",
    "codes_bulk_update",
    "codes_purge_deleted",
    "group_archive",
    "group_create",
    "group_delete",
    "group_get_or_create",
    "group_unarchive",
    "group_update",
    "logo_create",
    "sandbox_wipe",
    "scan_page_brand_set",
]
