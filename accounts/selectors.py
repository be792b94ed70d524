"""Reads and the ownership gate: a missing and a foreign object both give 404."""

from django.db.models import OuterRef, QuerySet, Subquery
from django.http import Http404

from accounts.models import ApiKey, Invitation, Membership, Role, User, Workspace
from qrsite.api.usage import Usage, usage_for
from qrsite.hot_reads import HotRead


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


def api_key_list_for_workspace(
    *, workspace: Workspace, sandbox: bool | None = None
) -> QuerySet[ApiKey]:
    """The workspace's keys, newest first, revoked ones included (they explain a 401), each
    with `creator_role` (None: the creator left) for its `effective_scope`. `sandbox`: only
    test keys (True) or only live keys (False); the dashboard lists both (None)."""
    creator_role = Membership.objects.filter(
        user_id=OuterRef("created_by_id"), workspace_id=OuterRef("workspace_id")
    ).values("role")[:1]
    keys = ApiKey.objects.filter(workspace=workspace)
    if sandbox is not None:
        keys = keys.filter(is_test=sandbox)
    return (
        keys.select_related("created_by")
        .annotate(creator_role=Subquery(creator_role))
        .order_by("-created", "-public_id")
    )


def api_key_get_in_workspace(
    *, workspace: Workspace, public_id: str, sandbox: bool | None = None
) -> ApiKey:
    keys = ApiKey.objects.filter(workspace=workspace)
    if sandbox is not None:
        keys = keys.filter(is_test=sandbox)
    api_key = keys.filter(public_id=public_id).first()
    if api_key is None:
        raise Http404("No such API key.")
    return api_key


# The key, its workspace, its creator and the creator's membership there, in one statement
# (see qrsite.hot_reads: every API call makes this read before anything else).
_KEY_WITH_CREATOR = HotRead(
    [(ApiKey, "k"), (Workspace, "w"), (User, "u"), (Membership, "m")],
    "FROM {k_table} JOIN {w_table} ON {w}.id = {k}.workspace_id"
    " LEFT JOIN {u_table} ON {u}.id = {k}.created_by_id"
    " LEFT JOIN {m_table} ON {m}.user_id = {k}.created_by_id AND {m}.workspace_id = {k}.workspace_id"
    " WHERE {k}.prefix = %s",
)


def api_key_from_secret(*, key: str) -> ApiKey | None:
    """The key whose secret this is (revoked and expired ones too), or None, with its
    workspace and creator loaded.

    Looked up by its visible prefix, then the secret is checked against the stored hash in
    constant time; a wrong secret for a real prefix is None, like an unknown prefix. The
    creator's membership comes with it: `api_key_creator_membership` reads no more.
    """
    prefix, dot, secret = key.partition(".")
    if not dot or not prefix or not secret or len(prefix) > 16:
        return None
    found = _KEY_WITH_CREATOR.fetch([prefix])
    if found is None:
        return None
    api_key, workspace, creator, membership = found
    if not api_key.is_valid(key):
        return None
    api_key.workspace = workspace
    api_key.created_by = creator
    if membership is not None:
        membership.user = creator
        membership.workspace = workspace
    api_key._creator_membership = membership
    return api_key


def api_key_creator_membership(*, api_key: ApiKey) -> Membership | None:
    """The membership the key acts through; None when the creator has left the workspace."""
    if api_key.created_by is None:
        return None
    if hasattr(api_key, "_creator_membership"):
        membership = api_key._creator_membership
    else:
        membership = (
            Membership.objects.filter(
                user_id=api_key.created_by_id, workspace_id=api_key.workspace_id
            )
            .select_related("user", "workspace")
            .first()
        )
    role = membership.role if membership is not None else None
    remember_role(user=api_key.created_by, workspace_id=api_key.workspace_id, role=role)
    return membership


def role_in(*, user: User, workspace_id: int) -> str | None:
    """The user's role in the workspace (None: not a member), read once per user object:
    a request asks several times (authentication, then each service it calls)."""
    memo = user.__dict__.setdefault("_workspace_roles", {})
    if workspace_id not in memo:
        memo[workspace_id] = (
            Membership.objects.filter(user=user, workspace_id=workspace_id)
            .values_list("role", flat=True)
            .first()
        )
    return memo[workspace_id]


def remember_role(*, user: User, workspace_id: int, role: str | None) -> None:
    user.__dict__.setdefault("_workspace_roles", {})[workspace_id] = role


def membership_of(*, user: User | None, workspace: Workspace) -> Membership | None:
    if user is None:
        return None
    return Membership.objects.filter(user=user, workspace=workspace).select_related("user").first()


def workspace_first_owner(*, workspace: Workspace) -> Membership | None:
    return (
        Membership.objects.filter(workspace=workspace, role=Role.OWNER)
        .select_related("user", "workspace")
        .order_by("created_at", "pk")
        .first()
    )


def api_key_usage_for_workspace(
    *, workspace: Workspace, sandbox: bool | None = None
) -> list[tuple[ApiKey, Usage]]:
    """Each key of the workspace (of one mode, or both) with its request counts over the last
    24 hours and 30 days, read from the usage counters (no database rows per request)."""
    keys = list(api_key_list_for_workspace(workspace=workspace, sandbox=sandbox))
    # One multi-get per key; a workspace has a handful of keys, not thousands.
    return [(key, usage_for(bucket=key_usage_bucket(key))) for key in keys]


def key_usage_bucket(api_key: ApiKey) -> str:
    # The same name the API pipeline counts the key's requests under (Principal.bucket).
    return f"key:{api_key.public_id}"
