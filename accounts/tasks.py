"""Accounts' background work: password-reset mail and the sign-in records' clean-up."""

import threading

from celery import shared_task
from django.db import connections

RESET_MAIL_THREAD = "password-reset-mail"


@shared_task(name="accounts.password_reset_send_task", ignore_result=True)
def password_reset_send_task(email: str) -> None:
    """Mail a reset link to each active account with this email (none for an unknown one)."""
    from accounts.forms import SiteUrlPasswordResetForm

    form = SiteUrlPasswordResetForm(data={"email": email})
    if form.is_valid():
        form.send_reset_mail()


def password_reset_send_enqueue(email: str) -> None:
    """Send the reset mail outside the request; call it from transaction.on_commit."""
    if password_reset_send_task.app.conf.task_always_eager:
        # Eager Celery (no broker, the embedded default) would send inside the request, and
        # only for addresses with an account: the answer's time would tell which ones have one.
        threading.Thread(
            target=_send_in_thread, args=(email,), name=RESET_MAIL_THREAD, daemon=True
        ).start()
    else:
        password_reset_send_task.delay(email)


def _send_in_thread(email: str) -> None:
    try:
        password_reset_send_task.apply(args=(email,))
    finally:
        connections.close_all()


@shared_task(name="accounts.login_records_purge_task", ignore_result=True)
def login_records_purge_task() -> int:
    """Delete sign-in records past the lockout window. Idempotent."""
    from accounts.throttling import login_records_purge

    return login_records_purge()
