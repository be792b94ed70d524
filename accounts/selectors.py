"""Reads and the ownership gate: a missing and a foreign object both give 404."""

from django.db.models import QuerySet
from django.http import Http404

from accounts.models import Invitation, Membership, User, Workspace


def membership_list_for_user(*, user: User) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(user=user).select_related("workspace").order_by("workspace__name")
    )


def membership_get_for_user(*, user: User, workspace_public_id: str) -> Membership:
    membership = (
        Membership.objects.select_related("workspace")
        .filter(user=user, workspace__public_id=workspace_public_id)
        .first()
    )
    if membership is None:
        raise Http404("No such workspace.")
    return membership


def member_list_for_workspace(*, workspace: Workspace) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(workspace=workspace)
        .select_related("user")
        .order_by("user__email")
    )


def member_get_in_workspace(*, workspace: Workspace, public_id: str) -> Membership:
    membership = (
        Membership.objects.select_related("user", "workspace")
        .filter(workspace=workspace, public_id=public_id)
        .first()
    )
    if membership is None:
        raise Http404("No such member.")
    return membership


def invitation_list_pending(*, workspace: Workspace) -> QuerySet[Invitation]:
    return Invitation.objects.filter(workspace=workspace, accepted_at__isnull=True).select_related(
        "invited_by"
    )


def invitation_get_in_workspace(*, workspace: Workspace, public_id: str) -> Invitation:
    invitation = Invitation.objects.filter(
        workspace=workspace, public_id=public_id, accepted_at__isnull=True
    ).first()
    if invitation is None:
        raise Http404("No such invitation.")
    return invitation
