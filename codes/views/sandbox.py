"""The API keys page's "Wipe sandbox" button: the same service as POST /api/v1/sandbox/wipe."""

from django.contrib import messages
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from accounts.decorators import editor_required
from codes import services


@editor_required
@require_POST
def sandbox_wipe(request):
    wiped = services.sandbox_wipe(workspace=request.workspace, actor=request.user)
    messages.success(
        request,
        f"Sandbox wiped: {wiped.codes} test code{'s' if wiped.codes != 1 else ''}, "
        f"{wiped.groups} group{'s' if wiped.groups != 1 else ''}, {wiped.logos} "
        f"logo{'s' if wiped.logos != 1 else ''} and {wiped.events} "
        f"event{'s' if wiped.events != 1 else ''} (with their tickets) deleted, with their "
        "jobs and test webhooks. Live data was not touched.",
    )
    return redirect("settings:api_keys")
