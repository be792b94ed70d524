"""Sign-in and password-reset throttling, keyed so that one person's failures never lock out
someone else, and keeping no client address.

Sign-in runs through django-axes (settings AXES_*), which counts failures per account: the email
as typed, case-insensitively, whatever address the guesses come from (so changing address, or a
proxy that passes none, does not reset the count, and a colleague behind the same NAT is not
locked out). Axes is never given the client address and its rows keep no user agent; a second,
higher limit per address (a keyed hash of it, in the cache) stops one address guessing across
many accounts. Password resets are counted per address and per target email the same way.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_cool_off
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from qrsite.addresses import address_pseudonym, client_ip
from qrsite.api import ratelimit

logger = logging.getLogger(__name__)


def normalized_email(value: str | None) -> str | None:
    value = (value or "").strip().lower()
    return value or None


def login_username(request, credentials: dict | None) -> str | None:
    """AXES_USERNAME_CALLABLE: the email the login form posted (its field is `username`)."""
    if credentials and credentials.get("username"):
        return normalized_email(credentials["username"])
    data = getattr(request, "data", None) or getattr(request, "POST", {})
    return normalized_email(data.get("username"))


def no_client_address(request) -> None:
    """AXES_CLIENT_IP_CALLABLE: axes locks accounts, so it needs no address and stores none."""
    return None


def _client_address(request) -> str:
    return client_ip(request.META, trusted_proxies=settings.TRUSTED_PROXY_COUNT)


def _address_failures_key(request) -> str | None:
    address = _client_address(request)
    if not address:
        # No address to count by: the per-account lockout still holds.
        return None
    return f"login:failures:{address_pseudonym(address, purpose='login')}"


def _window_seconds() -> int:
    return int((get_cool_off() or timedelta(minutes=15)).total_seconds())


def _address_locked(request) -> bool:
    key = _address_failures_key(request)
    if key is None:
        return False
    try:
        failures = cache.get(key, 0)
    except Exception:
        logger.warning("Login throttle store unreachable; per-account lockout only")
        return False
    return failures >= settings.LOGIN_ADDRESS_FAILURE_LIMIT


def _count_address_failure(request) -> None:
    key = _address_failures_key(request)
    if key is None:
        return
    try:
        # The window starts at the first failure; later ones do not extend it.
        if not cache.add(key, 1, timeout=_window_seconds()):
            cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=_window_seconds())
    except Exception:
        logger.warning("Login throttle store unreachable; failure counted per account only")


def _forget_client(request) -> None:
    # Axes keeps these in its rows; throttling needs neither, and the user agent identifies.
    request.axes_user_agent = ""
    request.axes_http_accept = ""


class AccountLockoutHandler(AxesDatabaseHandler):
    """Axes' database handler (atomic counts shared by every process, with or without Redis)
    that stores no user agent and also locks an address after many failures across accounts."""

    def is_locked(self, request, credentials: dict | None = None) -> bool:
        return super().is_locked(request, credentials) or _address_locked(request)

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        if request is not None:
            _forget_client(request)
            _count_address_failure(request)
            if _address_locked(request):
                # Shows the locked-out page (AxesMiddleware) even when the account's own
                # count is below the limit.
                request.axes_locked_out = True
                request.axes_credentials = credentials
        return super().user_login_failed(sender, credentials, request, **kwargs)

    def user_logged_in(self, sender, request, user, **kwargs):
        _forget_client(request)
        return super().user_logged_in(sender, request, user, **kwargs)

    def user_logged_out(self, sender, request, user, **kwargs):
        _forget_client(request)
        return super().user_logged_out(sender, request, user, **kwargs)


def login_lockout_end(*, email: str) -> int:
    """Forget the sign-in failures counted against this account."""
    return AccessAttempt.objects.filter(username=normalized_email(email)).delete()[0]


def login_records_purge(*, now=None) -> int:
    """Delete sign-in records older than the lockout window, and any access logs (older
    versions kept one, with raw addresses, for every login). Returns the rows deleted."""
    now = now or timezone.now()
    threshold = now - timedelta(seconds=_window_seconds())
    deleted, _ = AccessAttempt.objects.filter(attempt_time__lt=threshold).delete()
    deleted += AccessLog.objects.all().delete()[0]
    deleted += AccessFailureLog.objects.all().delete()[0]
    return deleted


def password_reset_allowed(*, request, email: str) -> bool:
    """Count a reset request against its address and its target email; False past a limit.

    Counted the same for addresses with and without an account, so the limit tells nothing."""
    window = settings.PASSWORD_RESET_WINDOW_SECONDS
    buckets = [
        (
            "email:" + address_pseudonym(normalized_email(email) or "", purpose="reset-email"),
            settings.PASSWORD_RESET_LIMIT_PER_EMAIL,
        )
    ]
    address = _client_address(request) if request is not None else ""
    if address:
        buckets.append(
            (
                "ip:" + address_pseudonym(address, purpose="reset"),
                settings.PASSWORD_RESET_LIMIT_PER_ADDRESS,
            )
        )
    states = [
        ratelimit.hit(bucket=bucket, policy="password_reset", limit=limit, window=window)
        for bucket, limit in buckets
    ]
    return not any(state.exceeded for state in states)
