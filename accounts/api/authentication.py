"""Who is calling: an API key (`Authorization: Bearer <key>`) or a logged-in dashboard session.

Either way the request ends up with `request.user` (the person the call acts as) and
`request.auth`, a `Principal`: the workspace, the scope, and the key if there is one. A key acts
as its creator with the smaller of its own scope and the scope of the creator's current role, so
it never does more than the creator may; if the creator has left the workspace it stops working.
"""

from __future__ import annotations

from dataclasses import dataclass

from rest_framework import authentication, exceptions

from accounts import key_cache, selectors, services
from accounts.models import (
    ROLE_SCOPES,
    SCOPE_RANK,
    ApiKey,
    Membership,
    User,
    Workspace,
    scope_within_role,
)


@dataclass
class Principal:
    workspace: Workspace
    user: User
    membership: Membership
    scope: str
    api_key: ApiKey | None = None

    @classmethod
    def for_key(cls, api_key: ApiKey, membership: Membership) -> Principal:
        """The key's scope, capped by its creator's current role: the role may have been
        lowered after the key was made, and a key must never outrank the person it acts as."""
        return cls(
            workspace=api_key.workspace,
            user=api_key.created_by,
            membership=membership,
            scope=scope_within_role(api_key.scope, membership.role),
            api_key=api_key,
        )

    @property
    def is_test(self) -> bool:
        """A test key works in the sandbox; the dashboard and live keys in the live data."""
        return self.api_key is not None and self.api_key.is_test

    @property
    def capped_by_role(self) -> bool:
        """True when the creator's role, not the key, set the scope."""
        return self.api_key is not None and self.scope != self.api_key.scope

    def allows(self, scope: str) -> bool:
        return SCOPE_RANK[self.scope] >= SCOPE_RANK[scope]

    @property
    def bucket(self) -> str:
        """What rate limits and idempotency keys are counted per."""
        if self.api_key is not None:
            return key_bucket(self.api_key)
        return f"user:{self.user.pk}{member_bucket_suffix(self.workspace)}"


def key_bucket(api_key: ApiKey) -> str:
    return selectors.key_usage_bucket(api_key)


def member_bucket_suffix(workspace: Workspace) -> str:
    return f":{workspace.public_id}"


def _refuse(code: str, message: str):
    raise exceptions.AuthenticationFailed(detail=message, code=code)


@dataclass(frozen=True)
class CachedKeyCheck:
    """What the rate limit's round trip must read for a key taken from this process's cache
    (`read_key`) and find (`generation`); `forget()` when it found something else."""

    token: str
    generation: int
    read_key: str

    def forget(self) -> None:
        key_cache.forget(self.token)


def _api_key(request, secret: str, token: str) -> ApiKey | None:
    """The key from this process's cache (to be confirmed by the rate limit's round trip:
    `request.key_cache_check`), else from the database, remembered when it is valid."""
    cached = key_cache.lookup(token)
    if cached is not None:
        api_key, generation = cached
        request.key_cache_check = CachedKeyCheck(token, generation, key_cache.generation_key())
        return api_key
    # Read before the key: a change committed during the read moves it past what is kept.
    generation = key_cache.generation()
    api_key = selectors.api_key_from_secret(key=secret)
    if api_key is not None and generation is not None:
        key_cache.remember(token, api_key, generation)
    return api_key


class ApiKeyAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if not header:
            return None
        keyword, _, key = header.strip().partition(" ")
        if keyword.lower() != self.keyword.lower() or not key.strip():
            _refuse("invalid_api_key", "Send the key as `Authorization: Bearer <key>`.")
        key = key.strip()
        token = key_cache.token_of(key)
        api_key = _api_key(request, key, token)
        if api_key is None:
            _refuse("invalid_api_key", "This API key is not valid.")
        if api_key.revoked:
            _refuse("api_key_revoked", "This API key was revoked.")
        if api_key.has_expired:
            _refuse("api_key_expired", "This API key has expired.")
        membership = selectors.api_key_creator_membership(api_key=api_key)
        if membership is None or not api_key.created_by.is_active:
            _refuse(
                "invalid_api_key",
                "The person who created this key is no longer a member of the workspace.",
            )
        used = api_key.last_used_at
        services.api_key_record_use(api_key=api_key)
        if api_key.last_used_at != used:
            key_cache.note_use(token, api_key.last_used_at)
        return api_key.created_by, Principal.for_key(api_key, membership)

    def authenticate_header(self, request):
        # Makes DRF answer 401 (not 403) when credentials are missing or wrong.
        return f'{self.keyword} realm="api"'


class SessionAuthentication(authentication.SessionAuthentication):
    """The dashboard's login, with CSRF enforced, in the workspace the user is working in."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is None:
            return None
        user, _ = result
        membership = getattr(request._request, "membership", None)
        if not membership:
            return None
        principal = Principal(
            workspace=membership.workspace,
            user=user,
            membership=membership,
            scope=ROLE_SCOPES[membership.role],
        )
        return user, principal
