"""Sign-in throttling locks the account being guessed, whatever address the guesses come from,
and never a colleague behind the same address; password resets are throttled and mailed by a
task; nothing keeps a client address or user agent."""

import re
from urllib.parse import urlsplit

import pytest
from axes.models import AccessAttempt, AccessLog
from django.apps import apps
from django.core import mail
from django.core.cache import cache
from django.db import models
from django.test import Client
from django.urls import reverse

from accounts import tasks
from tests.conftest import PASSWORD

LOGIN = "/accounts/login/"


@pytest.fixture(autouse=True)
def empty_cache():
    # Throttling counters live in the cache; no test may inherit another's.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def limit(settings):
    settings.AXES_FAILURE_LIMIT = 5
    return 5


def _login(client, email, password, **meta):
    return client.post(LOGIN, {"username": email, "password": password}, **meta)


def _signed_in(client) -> bool:
    return "_auth_user_id" in client.session


ADDRESS_MODES = {
    # A new REMOTE_ADDR for each guess (no proxy).
    "remote_addr": lambda i: {"REMOTE_ADDR": f"203.0.113.{i + 1}"},
    # Behind one trusted proxy, a new forwarded address for each guess.
    "forwarded": lambda i: {
        "REMOTE_ADDR": "10.0.0.1",
        "HTTP_X_FORWARDED_FOR": f"198.51.100.{i + 1}",
    },
    # A proxy configuration that yields no client address at all.
    "no_address": lambda i: {"REMOTE_ADDR": ""},
}


@pytest.mark.parametrize("mode", ADDRESS_MODES)
def test_account_is_locked_whatever_address_the_guesses_come_from(
    client, settings, alice, limit, mode
):
    settings.TRUSTED_PROXY_COUNT = 1 if mode == "forwarded" else 0
    meta = ADDRESS_MODES[mode]
    for i in range(limit - 1):
        response = _login(client, "alice@example.com", f"wrong-{i}", **meta(i))
        assert response.status_code == 200  # the form again, with its error

    locking = _login(client, "alice@example.com", "wrong-last", **meta(limit))
    assert locking.status_code == 429

    response = _login(client, "alice@example.com", PASSWORD, **meta(limit + 1))
    assert response.status_code == 429
    assert "Too many failed attempts" in response.content.decode()
    assert not _signed_in(client)


def test_changing_the_emails_case_does_not_escape_the_lockout(client, alice, limit):
    spellings = ["alice@example.com", "ALICE@example.com", " Alice@Example.COM "]
    for i in range(limit):
        _login(client, spellings[i % 3], "wrong", REMOTE_ADDR=f"203.0.113.{i + 1}")

    response = _login(client, "alice@example.com", PASSWORD, REMOTE_ADDR="203.0.113.99")
    assert response.status_code == 429
    assert not _signed_in(client)


def test_a_colleague_behind_the_same_address_is_not_locked_out(alice, bob, limit):
    office = {"REMOTE_ADDR": "192.0.2.10"}
    attacker, colleague = Client(), Client()
    for _ in range(limit + 3):
        _login(attacker, "alice@example.com", "wrong", **office)

    response = _login(colleague, "bob@example.com", PASSWORD, **office)

    assert response.status_code == 302
    assert _signed_in(colleague)


def test_one_address_guessing_across_many_accounts_is_locked(settings, alice, bob, limit):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 8
    sprayer = {"REMOTE_ADDR": "192.0.2.66"}
    for i in range(8):
        _login(Client(), f"user{i}@example.com", "Summer2026!", **sprayer)

    refused = Client()
    assert _login(refused, "bob@example.com", PASSWORD, **sprayer).status_code == 429
    assert not _signed_in(refused)
    elsewhere = Client()
    assert (
        _login(elsewhere, "bob@example.com", PASSWORD, REMOTE_ADDR="192.0.2.67").status_code == 302
    )


def test_failures_below_the_limit_are_forgotten_after_signing_in(client, alice, limit):
    for _ in range(limit - 1):
        _login(client, "alice@example.com", "wrong")
    assert _login(client, "alice@example.com", PASSWORD).status_code == 302
    client.logout()

    for _ in range(limit - 1):
        _login(client, "alice@example.com", "wrong")
    assert _login(client, "alice@example.com", PASSWORD).status_code == 302


# --- No raw address or user agent kept -----------------------------------------------------

ADDRESSES = ["203.0.113.77", "198.51.100.23", "2001:db8::77"]
USER_AGENT = "PrivacyProbe/9.9 (X11; Linux x86_64)"


def _text_values():
    """Every text-like value in every table of the project."""
    for model in apps.get_models():
        fields = [
            field.attname
            for field in model._meta.concrete_fields
            if isinstance(
                field,
                (
                    models.CharField,
                    models.TextField,
                    models.GenericIPAddressField,
                    models.JSONField,
                ),
            )
        ]
        if not fields:
            continue
        for row in model._default_manager.values_list(*fields):
            for value in row:
                if value is not None:
                    yield model._meta.label, str(value)


def test_no_table_keeps_a_client_address_or_user_agent_after_a_round_of_logins(
    settings, alice, bob, limit
):
    settings.TRUSTED_PROXY_COUNT = 1
    for address in ADDRESSES:
        meta = {
            "REMOTE_ADDR": "10.0.0.1",
            "HTTP_X_FORWARDED_FOR": address,
            "HTTP_USER_AGENT": USER_AGENT,
        }
        client = Client()
        _login(client, "bob@example.com", "wrong", **meta)
        _login(client, "bob@example.com", PASSWORD, **meta)
        client.post(reverse("logout"), **meta)
        for _ in range(limit + 1):  # alice ends up locked out
            _login(client, "alice@example.com", "wrong", **meta)
        client.post(reverse("password_reset"), {"email": "alice@example.com"}, **meta)

    assert AccessAttempt.objects.filter(username="alice@example.com").exists()
    leaks = [
        (table, value)
        for table, value in _text_values()
        if any(secret in value for secret in [*ADDRESSES, USER_AGENT, "PrivacyProbe"])
    ]
    assert leaks == []
    assert AccessLog.objects.count() == 0


def test_no_cache_key_or_value_holds_a_client_address(settings, alice):
    # The in-memory cache can be listed whole; the suite's Redis is shared with other tests.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    from django.core.cache import cache

    settings.TRUSTED_PROXY_COUNT = 0
    _login(Client(), "alice@example.com", "wrong", REMOTE_ADDR="203.0.113.78")
    Client().post(
        reverse("password_reset"), {"email": "alice@example.com"}, REMOTE_ADDR="203.0.113.78"
    )

    assert cache._cache  # something was counted
    assert not any("203.0.113.78" in repr(item) for item in cache._cache.items())


def test_sign_in_records_are_purged_once_the_lockout_window_has_passed(
    client, alice, limit, time_machine
):
    time_machine.move_to("2026-03-02 09:00:00Z")
    for _ in range(limit):
        _login(client, "alice@example.com", "wrong")
    # An access log an older version kept, with a raw address.
    AccessLog.objects.create(username="alice@example.com", ip_address="203.0.113.5", user_agent="x")

    tasks.login_records_purge_task()
    assert AccessAttempt.objects.count() == 1  # still inside the window: the lockout holds
    assert AccessLog.objects.count() == 0

    time_machine.move_to("2026-03-02 09:16:00Z")
    tasks.login_records_purge_task()
    assert AccessAttempt.objects.count() == 0
    assert _login(client, "alice@example.com", PASSWORD).status_code == 302


# --- Password reset -------------------------------------------------------------------------


@pytest.fixture
def queued(monkeypatch):
    """The reset mail goes to a real broker's queue: record what is enqueued instead."""
    sent = []
    monkeypatch.setattr(tasks.password_reset_send_task.app.conf, "task_always_eager", False)
    monkeypatch.setattr(tasks.password_reset_send_task, "delay", sent.append)
    return sent


def _reset(client, email, **meta):
    return client.post(reverse("password_reset"), {"email": email}, **meta)


def test_reset_mail_is_sent_by_the_task_after_commit_not_by_the_request(
    client, alice, queued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        response = _reset(client, "alice@example.com")

    assert response.status_code == 302
    assert mail.outbox == []
    assert queued == []
    for callback in callbacks:
        callback()
    assert queued == ["alice@example.com"]

    tasks.password_reset_send_task(*queued)
    (message,) = mail.outbox
    assert message.to == ["alice@example.com"]


def test_known_and_unknown_addresses_get_the_same_answer_and_the_same_work(
    client, alice, queued, django_capture_on_commit_callbacks
):
    answers = []
    for email in ["alice@example.com", "nobody@example.com"]:
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            response = _reset(client, email)
        answers.append((response.status_code, response["Location"], len(callbacks)))

    assert answers[0] == answers[1] == (302, reverse("password_reset_done"), 1)
    assert queued == ["alice@example.com", "nobody@example.com"]
    assert mail.outbox == []

    tasks.password_reset_send_task("nobody@example.com")
    assert mail.outbox == []


def test_reset_requests_past_the_limit_per_email_send_nothing(
    client, settings, alice, queued, django_capture_on_commit_callbacks
):
    settings.PASSWORD_RESET_LIMIT_PER_EMAIL = 3
    for i in range(4):
        with django_capture_on_commit_callbacks(execute=True):
            response = _reset(client, "Alice@Example.com", REMOTE_ADDR=f"203.0.113.{i + 1}")
        assert response.status_code == 302
        assert response["Location"] == reverse("password_reset_done")

    assert len(queued) == 3


def test_reset_requests_past_the_limit_per_address_send_nothing(
    client, settings, alice, bob, carol, queued, django_capture_on_commit_callbacks
):
    settings.PASSWORD_RESET_LIMIT_PER_ADDRESS = 2
    for email in ["alice@example.com", "bob@example.com", "carol@example.com"]:
        with django_capture_on_commit_callbacks(execute=True):
            _reset(client, email, REMOTE_ADDR="192.0.2.44")
    with django_capture_on_commit_callbacks(execute=True):
        _reset(client, "carol@example.com", REMOTE_ADDR="192.0.2.45")

    assert queued == ["alice@example.com", "bob@example.com", "carol@example.com"]


@pytest.mark.django_db(transaction=True)
def test_without_a_broker_the_mail_is_sent_after_the_answer_not_inside_it(
    client, alice, monkeypatch
):
    # Eager Celery (the embedded default) would run the task inside the request; a thread
    # sends it instead, so the answer does not wait for the mail server.
    started = []
    monkeypatch.setattr(tasks.threading.Thread, "start", lambda thread: started.append(thread))

    response = _reset(client, "alice@example.com")

    assert response.status_code == 302
    assert mail.outbox == []
    (thread,) = started
    assert thread.name == tasks.RESET_MAIL_THREAD
    thread.run()
    (message,) = mail.outbox
    assert message.to == ["alice@example.com"]


def test_a_new_password_from_a_reset_link_ends_the_lockout(client, alice, limit):
    for _ in range(limit):
        _login(client, "alice@example.com", "wrong")
    assert _login(client, "alice@example.com", PASSWORD).status_code == 429

    tasks.password_reset_send_task("alice@example.com")
    (link,) = re.findall(r"https?://\S+", mail.outbox[0].body)
    form = client.get(urlsplit(link).path, follow=True)
    new_password = "a-brand-new-passphrase"
    client.post(
        form.redirect_chain[-1][0], {"new_password1": new_password, "new_password2": new_password}
    )

    response = _login(Client(), "alice@example.com", new_password)
    assert response.status_code == 302
