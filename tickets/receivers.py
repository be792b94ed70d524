"""Subscriptions to codes: a wiped sandbox takes its events with it."""

from django.dispatch import receiver

from codes.signals import sandbox_wiped
from tickets.models import Event


@receiver(sandbox_wiped, dispatch_uid="tickets.sandbox_wiped")
def on_sandbox_wiped(sender, workspace, **kwargs):
    # Tickets, revoked credentials and check-ins go with their event (cascade); the events'
    # import and export jobs are sandbox jobs, wiped with their files by the jobs app.
    _, deleted = Event.objects.in_mode(sandbox=True).filter(workspace=workspace).delete()
    return {"events": deleted.get(Event._meta.label, 0)}
