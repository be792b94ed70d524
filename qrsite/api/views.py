"""The request pipeline every API view shares, in this order:

1. body size (413 before anything is parsed),
2. authentication (the failure is held back until the caller has been counted; a key this
   process remembered is confirmed by the rate limit's round trip, else read again),
3. rate limit per caller and scope (429 before any permission check or write),
4. scope permission (403), 5. Idempotency-Key claim (replay / 409 / 422), 6. the handler.

Every response, errors included, leaves with the rate-limit headers, and every error in the
JSON envelope whatever the `Accept` header said.
"""

from __future__ import annotations

import dataclasses

from django.conf import settings
from django.shortcuts import render
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.viewsets import GenericViewSet

from qrsite import metrics
from qrsite.api import idempotency, ratelimit, usage
from qrsite.api.errors import ERROR_CODES, ApiError
from qrsite.api.permissions import required_scope
from qrsite.api.renderers import JSONRenderer
from qrsite.content_policy import API_DATA, content_policy_set


class _Replay(Exception):
    def __init__(self, response):
        self.response = response


class ApiMixin:
    # Service field names that the API calls differently.
    error_field_aliases: dict[str, str] = {}
    # Upload endpoints set this: their body (up to `max_body_bytes`) is parsed as a stream,
    # never read whole into memory, and the idempotency fingerprint covers its size instead.
    streamed_body = False

    def max_body_bytes(self) -> int:
        return settings.API_MAX_BODY_BYTES

    def initial(self, request, *args, **kwargs):
        self._idempotency_record = None
        too_large = self._oversized_body_error(request)
        if too_large is not None:
            # Not even authenticated: that could mean parsing the body (session CSRF check).
            self._refuse_over_limit(self._count_request(request, anonymous=True))
            raise too_large
        if request.method == "POST" and not self.streamed_body:
            # Read now, before anything parses the stream: the idempotency fingerprint needs it.
            request._request.body  # noqa: B018
        auth_error = self._authenticate_now(request)
        state = self._count_request(request)
        check = getattr(request, "key_cache_check", None)
        if check is not None and (state.read or {}).get(check.read_key) != check.generation:
            state, auth_error = self._authenticate_again(request, state, check)
        self._refuse_over_limit(state)
        if auth_error is not None:
            raise auth_error
        super().initial(request, *args, **kwargs)
        if request.method == "POST" and request.auth is not None:
            self._claim_idempotency_key(request)

    def generations_to_read(self, request, principal) -> list[str]:
        """Raw Redis keys a view wants read in the rate limit's round trip (the generations
        that confirm what this process remembers for it); the values are in
        `request._ratelimit.read`."""
        return []

    def _oversized_body_error(self, request) -> ApiError | None:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = self.max_body_bytes()
        if length > limit:
            return ApiError(
                "payload_too_large",
                f"The body is {length} bytes; this endpoint accepts at most {limit}.",
            )
        return None

    def _authenticate_again(self, request, state, check):
        """The key came from this process's cache and something changed since it was read (or
        the generation could not be read): authenticate from the database, and count the
        request again only if that makes it another caller."""
        check.forget()
        counted_as = request.auth.bucket if request.auth is not None else None
        del request.key_cache_check, request._user, request._auth
        auth_error = self._authenticate_now(request)
        if request.auth is None or request.auth.bucket != counted_as:
            return self._count_request(request), auth_error
        limit = ratelimit.limit_for(state.policy, request.auth.workspace)
        state = dataclasses.replace(state, limit=limit)
        request._ratelimit = state
        return state, auth_error

    @staticmethod
    def _authenticate_now(request) -> exceptions.APIException | None:
        try:
            request.user  # noqa: B018 - runs authentication now, so the caller can be counted
        except exceptions.APIException as exc:
            return exc
        return None

    def _count_request(self, request, *, anonymous: bool = False) -> ratelimit.RateLimitState:
        principal = None if anonymous else request.auth
        also_count = []
        read = []
        if principal is not None and hasattr(principal, "bucket"):
            policy = required_scope(self, request)
            limit = ratelimit.limit_for(policy, principal.workspace)
            bucket = principal.bucket
            if getattr(principal, "api_key", None) is not None:
                # The key's usage is counted in the rate limit's round trip; its errors
                # when the response is known (`finalize_response`).
                also_count = usage.request_counters(bucket=bucket)
                request._usage_counted = True
        else:
            policy = ratelimit.ANONYMOUS
            limit = ratelimit.limit_for(policy)
            bucket = ratelimit.anonymous_bucket(request)
        check = None if anonymous else getattr(request, "key_cache_check", None)
        if check is not None:
            read.append(check.read_key)  # confirms the cached key in the same round trip
        if principal is not None and hasattr(principal, "workspace"):
            read += self.generations_to_read(request, principal)
        state = ratelimit.hit(
            bucket=bucket, policy=policy, limit=limit, also_count=also_count, read=read
        )
        request._ratelimit = state
        return state

    @staticmethod
    def _refuse_over_limit(state: ratelimit.RateLimitState) -> None:
        if state.exceeded:
            metrics.RATE_LIMITED.labels(state.policy).inc()
            raise ApiError(
                "rate_limited",
                f"Rate limit of {state.limit} {state.policy} requests per {state.window} s "
                f"reached; retry in {state.reset} s.",
            )

    def _claim_idempotency_key(self, request):
        key = idempotency.key_from(request)
        if key is None:
            return
        claim = idempotency.claim(
            principal=request.auth.bucket,
            key=key,
            fingerprint=idempotency.fingerprint(request, streamed=self.streamed_body),
        )
        if claim.replay is not None:
            raise _Replay(idempotency.replay_response(claim.replay))
        self._idempotency_record = claim.record

    def handle_exception(self, exc):
        if isinstance(exc, _Replay):
            return exc.response
        return super().handle_exception(exc)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if isinstance(response, Response) and response.status_code >= 400:
            # Errors are JSON even when the client asked for an image.
            response.accepted_renderer = JSONRenderer()
            response.accepted_media_type = "application/json"
        content_policy_set(response, API_DATA)  # JSON, images, files: data, never a document
        state = getattr(request, "_ratelimit", None)
        if state is not None:
            for name, value in state.headers().items():
                response[name] = value
        # `_auth`, not `auth`: reading `auth` would authenticate a request refused before that.
        principal = getattr(request, "_auth", None)
        if getattr(principal, "api_key", None) is not None:
            usage.usage_record(
                bucket=principal.bucket,
                status=response.status_code,
                requests_counted=getattr(request, "_usage_counted", False),
            )
        record = getattr(self, "_idempotency_record", None)
        if record is not None:
            self._idempotency_record = None
            idempotency.complete(record, response, body=self.idempotency_body(response))
        return response

    def dispatch(self, request, *args, **kwargs):
        try:
            return super().dispatch(request, *args, **kwargs)
        finally:
            # A response that never got finalised (a crash in rendering) frees the key.
            record = getattr(self, "_idempotency_record", None)
            if record is not None:
                idempotency.release(record)

    def idempotency_body(self, response) -> bytes | None:
        """What a replay returns; None: the response as sent. Override to keep secrets out."""
        return None

    # --- helpers for subclasses -----------------------------------------------------------------

    @property
    def principal(self):
        return self.request.auth

    @property
    def workspace(self):
        return self.request.auth.workspace

    @property
    def sandbox(self) -> bool:
        """True for a test key: every read and write stays in the workspace's sandbox."""
        return bool(getattr(self.request.auth, "is_test", False))

    @property
    def actor(self):
        return self.request.auth.user


class ApiView(ApiMixin, APIView):
    pass


class ApiViewSet(ApiMixin, GenericViewSet):
    pass


@extend_schema(exclude=True)
class NotFoundView(ApiView):
    """Every /api/ URL that matches no endpoint: a 404 in the envelope, counted like any call."""

    permission_classes = []
    required_scopes = {"*": "read"}

    def _not_found(self, request, *args, **kwargs):
        raise ApiError("not_found", f"No endpoint at {request.path}. See /api/v1/docs/.")

    get = post = put = patch = delete = head = options = _not_found


def errors_page(request):
    """The error reference every `doc_url` points into."""
    return render(request, "api/errors.html", {"codes": ERROR_CODES.values()})
