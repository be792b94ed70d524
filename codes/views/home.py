from django.shortcuts import render

from accounts import selectors as account_selectors
from accounts.decorators import workspace_required
from codes import selectors


@workspace_required
def home(request):
    """The workspace overview: where a new team starts and a returning one gets its bearings."""
    workspace = request.workspace
    stats = selectors.workspace_code_stats(workspace=workspace)
    codes = selectors.code_list_for_workspace(workspace=workspace)
    context = {
        "member_count": account_selectors.member_list_for_workspace(workspace=workspace).count(),
        "pending_invitations": account_selectors.invitation_list_pending(
            workspace=workspace
        ).count(),
        "code_stats": stats,
        "api_key_used": account_selectors.api_key_list_for_workspace(workspace=workspace)
        .filter(last_used_at__isnull=False)
        .exists(),
        "recent_codes": list(codes[:5]) if stats["code_count"] else [],
        "top_codes": (
            list(
                selectors.code_list_for_workspace(
                    workspace=workspace, kind="dynamic", ordering="most_scanned"
                ).filter(scan_count__gt=0)[:5]
            )
            if stats["scan_total"]
            else []
        ),
    }
    return render(request, "dashboard/home.html", context)
