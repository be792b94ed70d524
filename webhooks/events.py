"""The event types an endpoint can subscribe to, with what each one's `data` holds.

Every payload is `{"id": "evt_...", "type": ..., "created_at": ..., "workspace": "ws_...",
"data": {...}}`; `data.code` is the code as the API shows it (GET /api/v1/codes/{id}), and a
scan is what analytics stores about it: never an IP address or a user-agent string.
"""

CODE_SCANNED = "code.scanned"
CODE_FIRST_SCAN = "code.first_scan"
CODE_SCAN_THRESHOLD_REACHED = "code.scan_threshold_reached"
CODE_DESTINATION_UPDATED = "code.destination_updated"
CODE_CREATED = "code.created"
CODE_UPDATED = "code.updated"
CODE_DELETED = "code.deleted"
JOB_COMPLETED = "job.completed"
JOB_FAILED = "job.failed"
TICKET_CHECKED_IN = "ticket.checked_in"
TICKET_REVOKED = "ticket.revoked"
WEBHOOK_TEST = "webhook.test"

EVENT_TYPES = {
    CODE_SCANNED: "Every scan of a code: data.code and data.scan.",
    CODE_FIRST_SCAN: "A code's first counted (human) scan: data.code and data.scan.",
    CODE_SCAN_THRESHOLD_REACHED: (
        "A code's counted scans reached one of the endpoint's scan_thresholds: data.code, "
        "data.threshold, data.scans. Once per code and threshold."
    ),
    CODE_DESTINATION_UPDATED: (
        "A dynamic code now redirects elsewhere: data.code, data.previous_destination."
    ),
    CODE_CREATED: "A code was created: data.code.",
    CODE_UPDATED: "A code was changed: data.code, data.changed (the fields that changed).",
    CODE_DELETED: "A code was deleted: data.code.",
    JOB_COMPLETED: "A bulk job finished: data.job.",
    JOB_FAILED: "A bulk job failed: data.job (with its error).",
    TICKET_CHECKED_IN: (
        "A ticket admitted someone for the first time (online, or an offline gate's upload): "
        "data.ticket and data.checkin. Once per admission."
    ),
    TICKET_REVOKED: (
        "A ticket's code stopped admitting: data.ticket and data.reason (“revoked”, or "
        "“reissued”: the ticket has a new code and data.ticket.payload is it)."
    ),
    WEBHOOK_TEST: "Sent by “Send test event”; never sent otherwise.",
}
# What an endpoint can ask for; webhook.test goes to the endpoint it was sent from only.
SUBSCRIBABLE = [t for t in EVENT_TYPES if t != WEBHOOK_TEST]
SCAN_TYPES = frozenset({CODE_SCANNED, CODE_FIRST_SCAN, CODE_SCAN_THRESHOLD_REACHED})

_CODE = {
    "id": "code_7Hk2Lm9Qx4Zp1Rt6",
    "type": "dynamic",
    "name": "Spring menu",
    "destination": "https://example.com/menu/spring",
    "short_url": "https://qr.example.com/r/aB3dE5f",
    "image_url": "/api/v1/codes/code_7Hk2Lm9Qx4Zp1Rt6/image?format=png&size=400",
    "created_at": "2026-03-08T14:30:00Z",
    "updated_at": "2026-03-09T09:12:44Z",
    "scans": 100,
    "status": "active",
    "is_active": True,
    "group": "spring-launch",
    "content_type": "url",
    "content": None,
    "logo": None,
    "expires_at": None,
    "scan_limit": None,
    "metadata": {},
    "external_id": "",
    "pass_query_string": False,
    "style": {},
}
_SCAN = {
    "scanned_at": "2026-03-09T09:15:02Z",
    "country": "DE",
    "device_type": "mobile",
    "os": "iOS",
    "browser": "Mobile Safari",
    "referrer_host": "",
    "language": "de-DE",
    "is_bot": False,
}
_JOB = {
    "id": "job_3Fg7Hj1Kl5Zx9Cv2",
    "kind": "import",
    "status": "succeeded",
    "phase": "done",
    "progress": {
        "done": 500,
        "total": 500,
        "percent": 100,
        "rate_per_second": None,
        "seconds_left": None,
    },
    "summary": {"rows": 500, "created": 498, "failed": 2},
    "error": "",
    "cancel_requested": False,
    "created_by": "dana@example.com",
    "created_at": "2026-03-09T09:14:40Z",
    "started_at": "2026-03-09T09:14:41Z",
    "finished_at": "2026-03-09T09:15:02Z",
    "result_url": "/api/v1/jobs/job_3Fg7Hj1Kl5Zx9Cv2/result",
    "errors_url": "/api/v1/jobs/job_3Fg7Hj1Kl5Zx9Cv2/errors",
    "result_expires_at": "2026-03-16T09:15:02Z",
    "url": "/api/v1/jobs/job_3Fg7Hj1Kl5Zx9Cv2",
}
_TICKET = {
    "id": "tkt_4Rt6Yu8Io0Pa2Sd4",
    "event": "evt_8Kj3Hg5Fd7Sa9Lm1",
    "holder_name": "Ada Lovelace",
    "holder_email": "ada@example.com",
    "ticket_type": "Standard",
    "external_id": "order-1042",
    "status": "active",
    "payload": "H70J1JDRKWA0 68R$718VD*TVKL  QZZO7S5$8NE1S*A9/Q6R D UAK/3FDDA68L64YDJNHG "
    "NH3G9/HTR+UW8BZ D.*4ZA2T893$5NTAWJ1E5PZNU10",
    "image_url": "/api/v1/events/evt_8Kj3Hg5Fd7Sa9Lm1/tickets/tkt_4Rt6Yu8Io0Pa2Sd4/image",
    "created_at": "2026-03-01T10:00:00Z",
    "revoked_at": None,
    "reissued_at": None,
}
_CHECKIN = {
    "id": "chk_2Wq4Er6Ty8Ui0Op2",
    "result": "valid",
    "gate": "A",
    "scanned_at": "2026-03-09T18:02:11Z",
    "recorded_at": "2026-03-09T18:02:11Z",
    "offline": False,
    "conflict": False,
    "undone_at": None,
}
EXAMPLE_DATA = {
    CODE_SCANNED: {"code": _CODE, "scan": _SCAN},
    CODE_FIRST_SCAN: {"code": {**_CODE, "scans": 1}, "scan": _SCAN},
    CODE_SCAN_THRESHOLD_REACHED: {"code": _CODE, "threshold": 100, "scans": 100},
    CODE_DESTINATION_UPDATED: {
        "code": _CODE,
        "previous_destination": "https://example.com/menu/winter",
    },
    CODE_CREATED: {"code": {**_CODE, "scans": 0}},
    CODE_UPDATED: {"code": _CODE, "changed": ["name", "destination"]},
    CODE_DELETED: {"code": {**_CODE, "status": "deleted", "is_active": False}},
    JOB_COMPLETED: {"job": _JOB},
    JOB_FAILED: {
        "job": {**_JOB, "status": "failed", "error": "Row 9731, column url: not a valid URL."}
    },
    TICKET_CHECKED_IN: {"ticket": _TICKET, "checkin": _CHECKIN},
    TICKET_REVOKED: {"ticket": {**_TICKET, "status": "revoked"}, "reason": "revoked"},
    WEBHOOK_TEST: {"endpoint": "whk_9Qw2Er4Ty6Ui8Op0", "message": "This is a test event."},
}


def example_payload(event_type: str) -> dict:
    return {
        "id": "evt_5Tg8Yh2Uj4Ik6Ol9",
        "type": event_type,
        "created_at": "2026-03-09T09:15:02.511Z",
        "workspace": "ws_2Bn4Mk6Lo8Pq0Ws3",
        "data": EXAMPLE_DATA[event_type],
    }
