"""Subscriptions to the apps below (codes) and beside (analytics): their changes become
outbox events in the same transaction."""

import logging

from django.db import transaction
from django.dispatch import receiver

from analytics.signals import scans_recorded
from codes.signals import code_changed, codes_created, sandbox_wiped
from jobs.signals import job_finished
from tickets.signals import checkins_recorded, ticket_revoked
from webhooks import events as ev
from webhooks.models import WebhookEndpoint
from webhooks.payloads import checkin_payload, code_payload, job_payload, ticket_payload
from webhooks.scans import scan_events_record
from webhooks.services import endpoints_wanting, event_record

logger = logging.getLogger(__name__)


@receiver(code_changed, dispatch_uid="webhooks.code_changed")
def on_code_changed(sender, code, action, changed=(), previous_destination=None, **kwargs):
    if action == "created":
        types = [ev.CODE_CREATED]
    elif action == "deleted":
        types = [ev.CODE_DELETED]
    else:
        types = [ev.CODE_UPDATED]
        if previous_destination is not None:
            types.append(ev.CODE_DESTINATION_UPDATED)
    data = None
    for event_type in types:
        endpoints = endpoints_wanting(
            workspace_id=code.workspace_id,
            event_type=event_type,
            group_id=code.group_id,
            sandbox=code.is_test,
        )
        if not endpoints:
            continue
        data = data or {"code": code_payload(code)}
        extra = {}
        if event_type == ev.CODE_UPDATED:
            extra = {"changed": list(changed)}
        elif event_type == ev.CODE_DESTINATION_UPDATED:
            extra = {"previous_destination": previous_destination}
        event_record(
            workspace=code.workspace_id,
            type=event_type,
            data={**data, **extra},
            group_id=code.group_id,
            endpoints=endpoints,
        )


@receiver(codes_created, dispatch_uid="webhooks.codes_created")
def on_codes_created(sender, codes, **kwargs):
    # A bulk create: the endpoints are looked up once per workspace and group, not per code.
    batches: dict[tuple[int, int | None, bool], list] = {}
    for code in codes:
        batches.setdefault((code.workspace_id, code.group_id, code.is_test), []).append(code)
    for (workspace_id, group_id, sandbox), batch in batches.items():
        endpoints = endpoints_wanting(
            workspace_id=workspace_id,
            event_type=ev.CODE_CREATED,
            group_id=group_id,
            sandbox=sandbox,
        )
        for code in batch if endpoints else ():
            event_record(
                workspace=workspace_id,
                type=ev.CODE_CREATED,
                data={"code": code_payload(code)},
                group_id=group_id,
                endpoints=endpoints,
            )


@receiver(sandbox_wiped, dispatch_uid="webhooks.sandbox_wiped")
def on_sandbox_wiped(sender, workspace, **kwargs):
    # Test-mode endpoints belong to the sandbox; their deliveries go with them (cascade).
    WebhookEndpoint.objects.in_mode(sandbox=True).filter(workspace=workspace).delete()


@receiver(scans_recorded, dispatch_uid="webhooks.scans_recorded")
def on_scans_recorded(sender, scans, counts, **kwargs):
    # A savepoint: a failure here is logged by analytics and leaves its scans stored.
    with transaction.atomic():
        scan_events_record(scans=scans, counts=counts)


@receiver(job_finished, dispatch_uid="webhooks.job_finished")
def on_job_finished(sender, job, **kwargs):
    # Sent after the job's final commit; a cancelled job finished too (its status says so).
    event_type = ev.JOB_FAILED if job.status == "failed" else ev.JOB_COMPLETED
    wanted = endpoints_wanting(
        workspace_id=job.workspace_id, event_type=event_type, group_id=None, sandbox=job.is_test
    )
    if not wanted:
        return
    with transaction.atomic():
        event_record(
            workspace=job.workspace_id,
            type=event_type,
            data={"job": job_payload(job)},
            dedupe_key=f"{event_type}:{job.public_id}",
            endpoints=wanted,
        )


@receiver(checkins_recorded, dispatch_uid="webhooks.checkins_recorded")
def on_checkins_recorded(sender, checkins, **kwargs):
    # One lookup of the endpoints per online scan or offline upload, not per check-in (all of
    # one event, so of one mode: a sandbox event's admissions go to test-mode endpoints only).
    event = checkins[0].event
    endpoints = endpoints_wanting(
        workspace_id=event.workspace_id, event_type=ev.TICKET_CHECKED_IN, sandbox=event.is_test
    )
    for checkin in checkins if endpoints else ():
        event_record(
            workspace=event.workspace_id,
            type=ev.TICKET_CHECKED_IN,
            data={"ticket": ticket_payload(checkin.ticket), "checkin": checkin_payload(checkin)},
            endpoints=endpoints,
        )


@receiver(ticket_revoked, dispatch_uid="webhooks.ticket_revoked")
def on_ticket_revoked(sender, ticket, reason, **kwargs):
    event_record(
        workspace=ticket.workspace_id,
        type=ev.TICKET_REVOKED,
        data={"ticket": ticket_payload(ticket), "reason": reason},
        sandbox=ticket.event.is_test,
    )
