"""Every write to users, workspaces, memberships and invitations goes through here.

Permission rules live here too (not in views), so the dashboard, the API and admin actions
cannot drift apart: an `actor` membership is passed in and checked. The admin site passes its
staff user instead: an operator is not bound by workspace roles, but every rule about the data
itself (a workspace keeps an owner, an invitation is emailed) holds for them too.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import ApiKey, ApiScope, Invitation, Membership, Role, User, Workspace
from qrsite.ids import random_base62

INVITATION_SALT = "accounts.invitation"


def _unique_workspace_slug(name: str) -> str:
    base = slugify(name)[:40] or "workspace"
    slug = base
    while Workspace.objects.filter(slug=slug).exists():
        slug = f"{base}-{random_base62(5).lower()}"
    return slug


# A member acting in their own workspace, or a staff user on the admin site.
Actor = Membership | User


def _require_manager(actor: Actor) -> None:
    if isinstance(actor, User):
        if not actor.is_staff:
            raise PermissionDenied
    elif not actor.can_manage:
        raise PermissionDenied("Only owners and admins can manage members.")


def _require_same_workspace(actor: Actor, workspace_id: int) -> None:
    if isinstance(actor, Membership) and actor.workspace_id != workspace_id:
        raise PermissionDenied


def _acts_as_owner(actor: Actor) -> bool:
    return isinstance(actor, User) or actor.is_owner


def _actor_user(actor: Actor) -> User:
    return actor if isinstance(actor, User) else actor.user


@transaction.atomic
def workspace_create(*, name: str, owner: User, slug: str | None = None) -> Workspace:
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Give the workspace a name."})
    if slug is not None:
        slug = slugify(slug)
        if not slug:
            raise ValidationError({"slug": "Use letters, digits and hyphens."})
        if Workspace.objects.filter(slug=slug).exists():
            raise ValidationError({"slug": f"The slug “{slug}” is taken."})
    workspace = Workspace.objects.create(name=name, slug=slug or _unique_workspace_slug(name))
    Membership.objects.create(user=owner, workspace=workspace, role=Role.OWNER)
    return workspace


@transaction.atomic
def workspace_rename(*, workspace: Workspace, name: str, actor: Actor) -> Workspace:
    _require_manager(actor)
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Give the workspace a name."})
    workspace.name = name
    workspace.save(update_fields=["name", "updated_at"])
    return workspace


@transaction.atomic
def user_sign_up(*, email: str, password: str, full_name: str = "") -> User:
    """Create an account and its personal workspace, where the new user is the owner."""
    email = User.objects.normalize_email(email).strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError(
            {"email": "An account with this email already exists. Log in instead."}
        )
    user = User(email=email, full_name=full_name.strip())
    try:
        validate_password(password, user=user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:  # a concurrent sign-up with the same address won the race
        raise ValidationError({"email": "An account with this email already exists."}) from exc
    first_name = (user.full_name.split() or [email.split("@")[0]])[0]
    workspace_create(name=f"{first_name}’s workspace", owner=user)
    return user


def invitation_token(invitation: Invitation) -> str:
    return signing.TimestampSigner(salt=INVITATION_SALT).sign(invitation.public_id)


def invitation_url(invitation: Invitation) -> str:
    path = reverse("accounts:invitation_accept", args=[invitation_token(invitation)])
    return settings.SITE_URL.rstrip("/") + path


def _send_invitation_email(invitation_id: int) -> None:
    invitation = Invitation.objects.select_related("workspace", "invited_by").get(pk=invitation_id)
    context = {
        "invitation": invitation,
        "url": invitation_url(invitation),
        "days": settings.INVITATION_MAX_AGE_DAYS,
        "site_name": settings.SITE_NAME,
    }
    send_mail(
        subject=f"You are invited to {invitation.workspace.name} on {settings.SITE_NAME}",
        message=render_to_string("accounts/email/invitation.txt", context),
        from_email=None,
        recipient_list=[invitation.email],
    )


@transaction.atomic
def invitation_create(*, workspace: Workspace, email: str, role: str, actor: Actor) -> Invitation:
    """Invite someone by email; re-inviting the same address renews the link."""
    _require_manager(actor)
    email = User.objects.normalize_email(email).strip().lower()
    if role not in Role.values:
        raise ValidationError({"role": "Choose owner, admin, editor or viewer."})
    if role == Role.OWNER and not _acts_as_owner(actor):
        raise ValidationError({"role": "Only an owner can invite another owner."})
    if Membership.objects.filter(workspace=workspace, user__email__iexact=email).exists():
        raise ValidationError({"email": f"{email} is already a member of this workspace."})
    Invitation.objects.filter(
        workspace=workspace, email__iexact=email, accepted_at__isnull=True
    ).delete()
    invitation = Invitation.objects.create(
        workspace=workspace, email=email, role=role, invited_by=_actor_user(actor)
    )
    transaction.on_commit(lambda: _send_invitation_email(invitation.pk))
    return invitation


def invitation_from_token(token: str) -> Invitation:
    """The pending invitation a link points to; a clear ValidationError otherwise."""
    signer = signing.TimestampSigner(salt=INVITATION_SALT)
    try:
        public_id = signer.unsign(token, max_age=settings.INVITATION_MAX_AGE_DAYS * 86400)
    except signing.SignatureExpired as exc:
        raise ValidationError(
            "This invitation has expired. Ask the person who invited you to send a new one.",
            code="expired",
        ) from exc
    except signing.BadSignature as exc:
        raise ValidationError(
            "This invitation link is not valid. Check that you copied the whole link.",
            code="invalid",
        ) from exc
    invitation = (
        Invitation.objects.select_related("workspace", "invited_by")
        .filter(public_id=public_id)
        .first()
    )
    if invitation is None:
        raise ValidationError("This invitation was withdrawn.", code="revoked")
    if not invitation.is_pending:
        raise ValidationError("This invitation has already been used.", code="used")
    return invitation


@transaction.atomic
def invitation_accept(*, token: str, user: User) -> Membership:
    invitation = invitation_from_token(token)
    # Lock the row so a double-submitted link creates one membership.
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_pending:
        raise ValidationError("This invitation has already been used.", code="used")
    if invitation.email.lower() != user.email.lower():
        raise ValidationError(
            f"This invitation was sent to {invitation.email}. "
            "Log in with that address to accept it.",
            code="wrong_user",
        )
    membership, _ = Membership.objects.get_or_create(
        user=user, workspace=invitation.workspace, defaults={"role": invitation.role}
    )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    return membership


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, actor: Actor) -> None:
    _require_manager(actor)
    _require_same_workspace(actor, invitation.workspace_id)
    if not invitation.is_pending:
        # The accepted row records who invited whom; the membership is what to remove.
        raise ValidationError("This invitation was already accepted; remove the member instead.")
    invitation.delete()


def _ensure_an_owner_remains(membership: Membership) -> None:
    others = (
        Membership.objects.select_for_update()
        .filter(workspace_id=membership.workspace_id, role=Role.OWNER)
        .exclude(pk=membership.pk)
    )
    if not others.exists():
        raise ValidationError(
            {"role": "A workspace needs at least one owner. Make someone else owner first."}
        )


@transaction.atomic
def membership_change_role(*, membership: Membership, role: str, actor: Actor) -> Membership:
    _require_manager(actor)
    _require_same_workspace(actor, membership.workspace_id)
    if role not in Role.values:
        raise ValidationError({"role": "Choose owner, admin, editor or viewer."})
    if role == membership.role:
        return membership
    if Role.OWNER in (role, membership.role) and not _acts_as_owner(actor):
        raise ValidationError({"role": "Only an owner can grant or take away the owner role."})
    if membership.role == Role.OWNER:
        _ensure_an_owner_remains(membership)
    membership.role = role
    membership.save(update_fields=["role"])
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership, actor: Actor) -> None:
    """Remove a member; anyone may leave, managers may remove others (owners only by owners)."""
    _require_same_workspace(actor, membership.workspace_id)
    leaving = isinstance(actor, Membership) and membership.pk == actor.pk
    if not leaving:
        _require_manager(actor)
        if membership.is_owner and not _acts_as_owner(actor):
            raise PermissionDenied("Only an owner can remove another owner.")
    if membership.is_owner:
        _ensure_an_owner_remains(membership)
    membership.delete()


# --- API keys -----------------------------------------------------------------------------------

API_KEY_NAME_MAX = 50
# `last_used_at` is advisory; writing it at most this often keeps the hot path free of writes.
API_KEY_TOUCH_SECONDS = 60


def _require_key_manager(actor: Membership) -> None:
    if not actor.can_manage:
        raise PermissionDenied("Only workspace owners and admins can create or revoke API keys.")


@transaction.atomic
def api_key_create(
    *,
    workspace: Workspace,
    actor: Membership,
    name: str,
    scope: str,
    expires_at=None,
    test: bool = False,
) -> tuple[ApiKey, str]:
    """Create a key for the workspace; returns it with its secret, which is never shown again.
    The key acts as `actor`: it can never do more than its creator may in the workspace. A
    `test` key (`qr_test_...`) works in the workspace's sandbox only."""
    _require_key_manager(actor)
    if actor.workspace_id != workspace.pk:
        raise PermissionDenied
    errors: dict[str, str] = {}
    name = " ".join(str(name or "").split())
    if not name:
        errors["name"] = "Name the key after the system that will use it."
    elif len(name) > API_KEY_NAME_MAX:
        errors["name"] = f"Use at most {API_KEY_NAME_MAX} characters."
    if scope not in ApiScope.values:
        errors["scope"] = "Choose read, write or admin."
    if expires_at is not None:
        if timezone.is_naive(expires_at):
            errors["expires_at"] = "Give a date and time with a time zone."
        elif expires_at <= timezone.now():
            errors["expires_at"] = "Choose a time in the future."
    if errors:
        raise ValidationError(errors)
    return ApiKey.objects.create_key(
        workspace=workspace,
        name=name,
        scope=scope,
        expiry_date=expires_at,
        created_by=actor.user,
        is_test=bool(test),
    )


@transaction.atomic
def api_key_revoke(*, api_key: ApiKey, actor: Membership | User) -> ApiKey:
    """Revoke at once (the next request in any process refuses it: key_cache). Idempotent.
    `actor` is a manager's membership, or a staff user revoking from the admin site."""
    if isinstance(actor, User):
        if not actor.is_staff:
            raise PermissionDenied
    else:
        _require_key_manager(actor)
        if api_key.workspace_id != actor.workspace_id:
            raise PermissionDenied
    api_key = ApiKey.objects.select_for_update().get(pk=api_key.pk)
    if not api_key.revoked:
        api_key.revoked = True
        api_key.revoked_at = timezone.now()
        api_key.save(update_fields=["revoked", "revoked_at"])
    return api_key


def api_key_record_use(*, api_key: ApiKey) -> None:
    """Note that the key was used; one conditional UPDATE a minute at most per key."""
    now = timezone.now()
    cutoff = now - timedelta(seconds=API_KEY_TOUCH_SECONDS)
    if api_key.last_used_at is not None and api_key.last_used_at >= cutoff:
        return
    ApiKey.objects.filter(pk=api_key.pk).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=cutoff)
    ).update(last_used_at=now)
    api_key.last_used_at = now
