"""Every write to events, tickets and check-ins. The dashboard, the API, the admin and the
jobs runner all call these."""

from tickets.services.checkins import (
    ScanItem,
    checkin_batch,
    checkin_record,
    checkin_undo,
)
from tickets.services.events import event_create, event_delete, event_update
from tickets.services.tickets import (
    ticket_issue,
    ticket_issue_many,
    ticket_reissue,
    ticket_revoke,
    ticket_update,
)

__all__ = [
    "ScanItem",
    "checkin_batch",
    "checkin_record",
    "checkin_undo",
    "event_create",
    "event_delete",
    "event_update",
    "ticket_issue",
    "ticket_issue_many",
    "ticket_reissue",
    "ticket_revoke",
    "ticket_update",
]
