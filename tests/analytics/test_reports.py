"""Scheduled email reports: when they are due, what they cover, that each goes out once, with
the PDF attached, through the configured (console by default) email backend."""

import subprocess
from datetime import date

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from analytics.models import ReportSubscription
from analytics.reports import (
    report_period_due,
    report_subscription_create,
    report_subscriptions_send,
)
from analytics.tasks import report_subscriptions_send_task
from tests.analytics.analytics_data import add_scan
from tests.codes.factories import CampaignGroupFactory, QRCodeFactory

pytestmark = pytest.mark.django_db
MONDAY = date(2026, 3, 9)


def test_weekly_reports_go_out_on_mondays_for_the_week_before():
    assert report_period_due("weekly", MONDAY) == (date(2026, 3, 2), date(2026, 3, 8))
    assert report_period_due("weekly", date(2026, 3, 10)) is None


def test_monthly_reports_go_out_on_the_first_for_the_month_before():
    assert report_period_due("monthly", date(2026, 3, 1)) == (date(2026, 2, 1), date(2026, 2, 28))
    assert report_period_due("monthly", MONDAY) is None


@pytest.fixture
def scans(acme):
    group = CampaignGroupFactory(workspace=acme, name="Spring", slug="spring")
    code = QRCodeFactory(workspace=acme, group=group, name="Poster")
    for i in range(5):
        add_scan(code, f"2026-03-0{3 + i % 3} 10:00", visitor=f"v{i}")
    return group


def test_an_owner_subscribes_a_teammate_and_the_report_arrives_once_with_the_pdf(
    acme, alice, bob, scans
):
    report_subscription_create(
        workspace=acme, actor=alice, recipient=bob, frequency="weekly", group=scans
    )
    assert report_subscriptions_send(today=MONDAY) == 1
    assert report_subscriptions_send(today=MONDAY) == 0  # a second run that day sends nothing
    (message,) = mail.outbox
    assert message.to == ["bob@example.com"]
    assert message.subject == "Scan report: Spring, 02 Mar to 08 Mar 2026"
    assert "Scans: 5 (5 unique)" in message.body
    name, pdf, mimetype = message.attachments[0]
    assert mimetype == "application/pdf"
    assert pdf.startswith(b"%PDF")
    assert name.endswith(".pdf")


def test_the_pdfs_first_page_carries_the_summary(acme, alice, scans):
    report_subscription_create(workspace=acme, actor=alice, recipient=alice, frequency="weekly")
    report_subscriptions_send(today=MONDAY)
    pdf = mail.outbox[0].attachments[0][1]
    # poppler-utils' pdftotext (installed by .ci/run): the text of page one only.
    first = subprocess.run(
        ["pdftotext", "-f", "1", "-l", "1", "-", "-"],
        input=pdf,
        capture_output=True,
        check=True,
    ).stdout.decode()
    assert "Scan report" in first
    assert "Countries" in first  # the breakdowns start on page one, not after a blank half


def test_nothing_is_sent_on_a_day_that_is_not_due(acme, alice):
    report_subscription_create(workspace=acme, actor=alice, recipient=alice, frequency="monthly")
    assert report_subscriptions_send(today=MONDAY) == 0
    assert mail.outbox == []


def test_the_beat_task_sends_through_the_console_backend_by_default(
    acme, alice, settings, capsys, time_machine
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    report_subscription_create(workspace=acme, actor=alice, recipient=alice, frequency="weekly")
    time_machine.move_to("2026-03-09 07:00Z")
    assert report_subscriptions_send_task() == 1
    out = capsys.readouterr().out
    assert "Subject: Scan report: Acme" in out
    assert "To: alice@example.com" in out
    assert "Content-Type: application/pdf" in out


def test_a_recipient_who_left_gets_nothing(acme, alice, bob):
    report_subscription_create(workspace=acme, actor=alice, recipient=bob, frequency="weekly")
    bob.memberships.all().delete()
    assert report_subscriptions_send(today=MONDAY) == 0


def test_editors_cannot_schedule_and_strangers_cannot_be_recipients(acme, alice, bob, charlie):
    with pytest.raises(PermissionDenied):
        report_subscription_create(workspace=acme, actor=bob, recipient=bob, frequency="weekly")
    with pytest.raises(ValidationError):
        report_subscription_create(
            workspace=acme, actor=alice, recipient=charlie, frequency="weekly"
        )


def test_the_same_report_twice_is_refused_on_the_page(alice_client, alice, acme):
    data = {"recipient": alice.memberships.get().public_id, "frequency": "weekly", "group": ""}
    assert alice_client.post(reverse("analytics:reports"), data).status_code == 302
    response = alice_client.post(reverse("analytics:reports"), data)
    assert response.status_code == 400
    assert "already gets this report" in response.content.decode()
    assert ReportSubscription.objects.count() == 1


@pytest.mark.parametrize(
    ("persona", "status"),
    [("alice", 200), ("bob", 403), ("carol", 403), ("charlie", 200), ("anonymous", 302)],
)
def test_permission_matrix_for_the_reports_page(persona, status, client, request):
    request.getfixturevalue("acme")
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    # charlie owns his own workspace: its reports page is his.
    assert client.get(reverse("analytics:reports")).status_code == status


@pytest.mark.parametrize(
    ("persona", "status"),
    [("alice", 302), ("bob", 403), ("carol", 403), ("charlie", 404), ("anonymous", 302)],
)
def test_permission_matrix_for_stopping_a_report(persona, status, client, request, acme, alice):
    subscription = report_subscription_create(
        workspace=acme, actor=alice, recipient=alice, frequency="weekly"
    )
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    url = reverse("analytics:report_stop", args=[subscription.public_id])
    assert client.post(url).status_code == status


# --- Comparison of two groups or codes ---------------------------------------------------------


def test_two_groups_side_by_side_over_the_same_period(alice_client, acme):
    spring = CampaignGroupFactory(workspace=acme, name="Spring", slug="spring")
    autumn = CampaignGroupFactory(workspace=acme, name="Autumn", slug="autumn")
    for i in range(3):
        add_scan(QRCodeFactory(workspace=acme, group=spring), "2026-03-03 10:00", visitor=f"s{i}")
    add_scan(QRCodeFactory(workspace=acme, group=autumn), "2026-03-04 10:00", country="DE")
    url = reverse("analytics:compare")
    query = {
        "a": spring.public_id,
        "b": autumn.public_id,
        "start": "2026-03-01",
        "end": "2026-03-07",
    }
    html = alice_client.get(url, query).content.decode()
    assert "A: Spring" in html
    assert "B: Autumn" in html
    assert '<tr><th scope="row">Scans</th><td>3</td><td>1</td></tr>' in html
    assert "Germany (100%)" in html
    assert 'class="chart chart-series"' in html


def test_comparing_with_anothers_code_is_a_404(client, acme, charlie):
    mine = QRCodeFactory(workspace=acme)
    client.force_login(charlie)
    response = client.get(reverse("analytics:compare"), {"a": mine.public_id, "b": mine.public_id})
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("persona", "status"),
    [("alice", 200), ("bob", 200), ("carol", 200), ("charlie", 404), ("anonymous", 302)],
)
def test_permission_matrix_for_comparing(persona, status, client, request, acme):
    code = QRCodeFactory(workspace=acme)
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    response = client.get(reverse("analytics:compare"), {"a": code.public_id, "b": code.public_id})
    assert response.status_code == status
