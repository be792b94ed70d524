from django.shortcuts import render

from accounts import selectors
from accounts.decorators import workspace_required


@workspace_required
def home(request):
    """The workspace overview: where a new team starts and a returning one gets its bearings."""
    workspace = request.workspace
    context = {
        "member_count": selectors.member_list_for_workspace(workspace=workspace).count(),
        "pending_invitations": selectors.invitation_list_pending(workspace=workspace).count(),
    }
    return render(request, "dashboard/home.html", context)
