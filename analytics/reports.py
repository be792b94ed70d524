"""Scheduled email reports: who gets which PDF report when, and sending them.

Weekly reports go out on Mondays for the week before (Monday to Sunday), monthly ones on the
1st for the month before, both in UTC. The beat task runs every hour and sends what is due and
not yet sent that day; a subscription whose recipient left the workspace is skipped.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.db.models import Q
from django.utils import timezone

from accounts.models import ROLES_THAT_MANAGE, Membership, User, Workspace
from analytics.exports import filename, report_pdf
from analytics.models import ReportFrequency, ReportSubscription
from analytics.ranges import parse_period
from analytics.selectors import analytics_for_group, analytics_for_workspace
from codes.models import CampaignGroup

logger = logging.getLogger(__name__)


def report_period_due(frequency: str, today: date) -> tuple[date, date] | None:
    """(first, last) day the report sent `today` covers, or None when it is not sent today."""
    if frequency == ReportFrequency.WEEKLY and today.weekday() == 0:
        return today - timedelta(days=7), today - timedelta(days=1)
    if frequency == ReportFrequency.MONTHLY and today.day == 1:
        last = today - timedelta(days=1)
        return last.replace(day=1), last
    return None


def report_subscription_create(
    *,
    workspace: Workspace,
    actor: User,
    recipient: User,
    frequency: str,
    group: CampaignGroup | None = None,
) -> ReportSubscription:
    """Owners and admins subscribe themselves or a teammate."""
    if not Membership.objects.filter(
        user=actor, workspace=workspace, role__in=ROLES_THAT_MANAGE
    ).exists():
        raise PermissionDenied("Only owners and admins schedule reports.")
    if not Membership.objects.filter(user=recipient, workspace=workspace).exists():
        raise ValidationError({"recipient": "Choose a member of this workspace."})
    if frequency not in ReportFrequency.values:
        raise ValidationError({"frequency": "Choose weekly or monthly."})
    if group is not None and group.workspace_id != workspace.pk:
        raise ValidationError({"group": "Choose one of this workspace's groups."})
    duplicate = ReportSubscription.objects.filter(
        workspace=workspace, recipient=recipient, group=group, frequency=frequency
    )
    if duplicate.exists():
        raise ValidationError({"recipient": f"{recipient.email} already gets this report."})
    return ReportSubscription.objects.create(
        workspace=workspace, recipient=recipient, group=group, frequency=frequency, created_by=actor
    )


def report_subscription_delete(*, subscription: ReportSubscription, actor: User) -> None:
    manages = Membership.objects.filter(
        user=actor, workspace_id=subscription.workspace_id, role__in=ROLES_THAT_MANAGE
    ).exists()
    if not manages and actor.pk != subscription.recipient_id:
        raise PermissionDenied("Only owners and admins, or the recipient, stop a report.")
    subscription.delete()


def report_email(subscription: ReportSubscription, first: date, last: date) -> EmailMessage:
    """The email with the PDF report of [first, last] attached."""
    period = parse_period({"start": first.isoformat(), "end": last.isoformat()})
    workspace = subscription.workspace
    if subscription.group_id:
        report = analytics_for_group(
            workspace=workspace, public_id=subscription.group.public_id, period=period
        )
        subject_name = subscription.group.name
    else:
        report = analytics_for_workspace(workspace=workspace, period=period)
        subject_name = workspace.name
    totals = report.totals
    body = (
        f"Your {subscription.get_frequency_display().split(' ')[0].lower()} scan report for "
        f"{subject_name}, {first:%d %b %Y} to {last:%d %b %Y}:\n\n"
        f"  Scans: {totals.scans} ({totals.unique_scans} unique)\n"
        f"  The period before: {report.previous.scans}\n\n"
        f"The PDF attached has the charts and breakdowns. {settings.SITE_URL}/analytics/\n\n"
        f"You get this because an owner or admin of {workspace.name} subscribed you; they (or "
        "you, on the Analytics reports page) can stop it.\n"
    )
    message = EmailMessage(
        subject=f"Scan report: {subject_name}, {first:%d %b} to {last:%d %b %Y}",
        body=body,
        to=[subscription.recipient.email],
    )
    message.attach(filename(report, "pdf"), report_pdf(report), "application/pdf")
    return message


def report_subscriptions_send(*, today: date | None = None) -> int:
    """Send every report due today that has not gone out yet; returns how many were sent."""
    today = today or timezone.now().date()
    sent = 0
    due = ReportSubscription.objects.filter(
        Q(last_sent_on__isnull=True) | Q(last_sent_on__lt=today)
    ).select_related("workspace", "recipient", "group")
    for subscription in due:
        covered = report_period_due(subscription.frequency, today)
        if covered is None:
            continue
        if not Membership.objects.filter(
            user_id=subscription.recipient_id, workspace_id=subscription.workspace_id
        ).exists():
            continue
        # Claim the day first: another run that reaches this row sends nothing.
        claimed = (
            ReportSubscription.objects.filter(pk=subscription.pk)
            .filter(Q(last_sent_on__isnull=True) | Q(last_sent_on__lt=today))
            .update(last_sent_on=today)
        )
        if not claimed:
            continue
        try:
            report_email(subscription, *covered).send()
        except Exception:
            # Give the day back so the next hourly run tries again.
            ReportSubscription.objects.filter(pk=subscription.pk).update(
                last_sent_on=subscription.last_sent_on
            )
            logger.exception("report %s not sent", subscription.public_id)
            continue
        sent += 1
    return sent
