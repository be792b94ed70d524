"""What events say about codes and scans: the code as the API shows it, the scan as analytics
stores it (never an IP address, a user agent or the visitor hash)."""

import json

from codes.api.serializers import CodeSerializer


def code_payload(code) -> dict:
    # Through JSON: the stored event is exactly what receivers get.
    return json.loads(json.dumps(CodeSerializer(code).data))


def job_payload(job) -> dict:
    # The job as GET /api/v1/jobs/{id} shows it (links as paths: there is no request).
    from jobs.api.serializers import JobSerializer

    return json.loads(json.dumps(JobSerializer(job).data))


def scan_payload(scan) -> dict:
    return {
        "scanned_at": scan.scanned_at.isoformat().replace("+00:00", "Z"),
        "country": scan.country,
        "device_type": scan.device_type,
        "os": scan.os,
        "browser": scan.browser,
        "referrer_host": scan.referrer_host,
        "language": scan.language,
        "is_bot": scan.is_bot,
    }


def ticket_payload(ticket) -> dict:
    from tickets.api.serializers import TicketSerializer

    return json.loads(json.dumps(TicketSerializer(ticket).data))


def checkin_payload(checkin) -> dict:
    from tickets.api.serializers import CheckInSerializer

    return json.loads(json.dumps(CheckInSerializer(checkin).data))
