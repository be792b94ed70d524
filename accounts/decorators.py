from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect


def workspace_required(view):
    """Signed in and working in a workspace; `request.membership` is then always set."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.membership:
            return redirect("accounts:workspace_create")
        return view(request, *args, **kwargs)

    return wrapper


def editor_required(view):
    """Viewers may look but not change: a 403 for them, whatever the control they found."""

    @workspace_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.membership.can_edit:
            raise PermissionDenied("Viewers cannot change anything in this workspace.")
        return view(request, *args, **kwargs)

    return wrapper


def manager_required(view):
    @workspace_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.membership.can_manage:
            raise PermissionDenied("Only owners and admins can do this.")
        return view(request, *args, **kwargs)

    return wrapper
