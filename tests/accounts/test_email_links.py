"""Links in emails start with SITE_URL, the address the site is served at, whatever host the
request that sent them named."""

import re
from urllib.parse import urlsplit

from django.core import mail
from django.urls import resolve, reverse

from accounts import services
from accounts.models import Membership, Role
from accounts.tasks import password_reset_send_task

SITE_URL = "http://192.168.1.20:8011"


def _links(body: str) -> list[str]:
    return re.findall(r"https?://\S+", body)


def test_invitation_email_links_to_the_site_url(
    settings, alice, acme, django_capture_on_commit_callbacks
):
    settings.SITE_URL = SITE_URL
    owner = Membership.objects.get(user=alice)

    with django_capture_on_commit_callbacks(execute=True):
        invitation = services.invitation_create(
            workspace=acme, email="dana@example.com", role=Role.EDITOR, actor=owner
        )

    (link,) = _links(mail.outbox[0].body)
    assert link.startswith(SITE_URL + "/")
    match = resolve(urlsplit(link).path)
    assert match.view_name == "accounts:invitation_accept"
    assert services.invitation_from_token(match.kwargs["token"]) == invitation


def test_invitation_sent_from_the_dashboard_ignores_the_request_host(
    settings, alice_client, django_capture_on_commit_callbacks
):
    settings.SITE_URL = SITE_URL

    with django_capture_on_commit_callbacks(execute=True):
        alice_client.post(
            reverse("settings:invite"),
            {"email": "dana@example.com", "role": "viewer"},
            HTTP_HOST="localhost",
        )

    (link,) = _links(mail.outbox[0].body)
    assert link.startswith(SITE_URL + "/")


def test_password_reset_email_links_to_the_site_url_and_the_link_works(
    settings, client, alice, monkeypatch, django_capture_on_commit_callbacks
):
    settings.SITE_URL = SITE_URL
    # The mail is sent by a task after the answer: here it runs once the request committed.
    monkeypatch.setattr(password_reset_send_task.app.conf, "task_always_eager", False)
    monkeypatch.setattr(password_reset_send_task, "delay", password_reset_send_task)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("password_reset"), {"email": "alice@example.com"}, HTTP_HOST="localhost"
        )

    assert response.status_code == 302
    (message,) = mail.outbox
    (link,) = _links(message.body)
    assert link.startswith(SITE_URL + "/")
    assert settings.SITE_NAME in message.subject
    assert resolve(urlsplit(link).path).url_name == "password_reset_confirm"
    # The link's token is valid: Django swaps it for a session and redirects to the form.
    opened = client.get(urlsplit(link).path, follow=True)
    assert opened.status_code == 200
    assert opened.context["validlink"] is True
