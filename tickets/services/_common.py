"""Who may do what to an event: one place for the role rules of the ticket services."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from accounts.models import ROLES_THAT_CHECK_IN, ROLES_THAT_EDIT, Membership, Role, User


def _role(actor: User, workspace_id: int) -> str | None:
    memo = actor.__dict__.setdefault("_ticket_roles", {})
    if workspace_id not in memo:
        memo[workspace_id] = (
            Membership.objects.filter(user=actor, workspace_id=workspace_id)
            .values_list("role", flat=True)
            .first()
        )
    return memo[workspace_id]


def role_known(actor: User, workspace_id: int, role: str) -> None:
    """Tell the checks a role the caller has just read (API authentication reads the
    membership), so a check-in does not read it again."""
    actor.__dict__.setdefault("_ticket_roles", {})[workspace_id] = role


def check_can_edit(actor: User, workspace_id: int) -> None:
    """Strangers get 404 (they must not learn the event exists); viewers and door staff 403."""
    if actor.is_superuser or actor.is_staff:
        return  # the admin site is an operator's tool, gated by model permissions
    role = _role(actor, workspace_id)
    if role is None:
        raise Http404("No such event.")
    if role not in ROLES_THAT_EDIT:
        raise PermissionDenied("Your role can check tickets in but not change events or tickets.")


def check_can_check_in(actor: User, event) -> None:
    if actor.is_superuser or actor.is_staff:
        return
    role = _role(actor, event.workspace_id)
    if role is None:
        raise Http404("No such event.")
    if role in ROLES_THAT_CHECK_IN or (role == Role.VIEWER and event.viewers_can_check_in):
        return
    raise PermissionDenied("Viewers cannot check tickets in at this event (ask for the door role).")
