"""Prometheus metrics at `/metrics`, for the people who run the platform (docs/operations.md
lists every metric and the alerts to set on them).

Refused (404, as if absent) unless the request carries `Authorization: Bearer $METRICS_TOKEN`;
with no token set the endpoint is off. Counters and histograms live in each process; under
gunicorn set `PROMETHEUS_MULTIPROC_DIR` to an empty directory (docs/deploy.md) so a scrape
adds up every worker. State that is the same whoever is asked (jobs by state, pending webhook
deliveries, the scan buffer, queue lengths) is read at scrape time from the database and
Redis by sources the apps register (`register_state`): the kernel imports no app.
"""

from __future__ import annotations

import hmac
import logging
import os
import time
from collections.abc import Callable, Iterable

from django.conf import settings
from django.http import Http404, HttpResponse
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily, Metric

logger = logging.getLogger(__name__)

_LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)

HTTP_REQUESTS = Counter(
    "qrstudio_http_requests_total",
    "Requests answered, by URL pattern, method and status (scans: qrstudio_redirects_total).",
    ["route", "method", "status"],
)
HTTP_LATENCY = Histogram(
    "qrstudio_http_request_seconds",
    "Time to answer a request, by URL pattern.",
    ["route"],
    buckets=_LATENCY_BUCKETS,
)
REDIRECTS = Counter(
    "qrstudio_redirects_total",
    "Scans answered at /r/<slug>, by outcome (redirect, refused, not_found, unavailable).",
    ["outcome"],
)
REDIRECT_LATENCY = Histogram(
    "qrstudio_redirect_seconds", "Time to answer a scan.", buckets=_LATENCY_BUCKETS
)
SCANS_QUEUED = Counter(
    "qrstudio_scans_queued_total", "Scans handed to the recorder after their redirect was sent."
)
SCANS_RECORDED = Counter(
    "qrstudio_scans_recorded_total", "Scans stored in the database (directly or by a flush)."
)
SCANS_FLUSHED = Counter(
    "qrstudio_scans_flushed_total", "Buffered scans moved from Redis to the database."
)
RECORDING_FALLBACKS = Counter(
    "qrstudio_scan_recording_fallbacks_total",
    "Scans written straight to the database because the Redis buffer could not take them.",
)
TICKET_CHECKINS = Counter(
    "qrstudio_ticket_checkins_total",
    "Ticket scans stored at the door, by result (valid, already_used, revoked, wrong_event, "
    "outside_window, invalid) and source (online, offline upload); an upload sent twice once.",
    ["result", "source"],
)
TICKET_CHECKIN_CONFLICTS = Counter(
    "qrstudio_ticket_checkin_conflicts_total",
    "Offline admissions of a ticket another gate had admitted first.",
)
TICKET_CHECKIN_UNDOS = Counter(
    "qrstudio_ticket_checkin_undos_total", "Admissions undone by door staff."
)
RATE_LIMITED = Counter(
    "qrstudio_api_rate_limited_total", "API requests refused with 429, by policy.", ["policy"]
)

StateSource = Callable[[], Iterable[Metric]]
_state_sources: list[StateSource] = []


def register_state(source: StateSource) -> None:
    """Add a function yielding gauge families read at scrape time (once per source)."""
    if source not in _state_sources:
        _state_sources.append(source)


def gauge(name: str, documentation: str, labels: list[str] | None = None) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, documentation, labels=labels)


class _StateCollector:
    def collect(self):
        for source in _state_sources:
            try:
                yield from source()
            except Exception:
                # A scrape during an outage still answers; the down component shows as
                # missing series (and in /healthz/ready), not as a failed scrape.
                logger.warning("metrics source %s failed", source.__qualname__, exc_info=True)


def _queue_lengths() -> Iterable[Metric]:
    broker = settings.CELERY_BROKER_URL
    if not broker.startswith(("redis://", "rediss://")):
        return
    import redis

    client = redis.Redis.from_url(broker, socket_timeout=0.5, socket_connect_timeout=0.5)
    family = gauge("qrstudio_celery_queue_length", "Tasks waiting in a Celery queue.", ["queue"])
    queue = settings.CELERY_TASK_DEFAULT_QUEUE
    family.add_metric([queue], client.llen(queue))
    yield family


register_state(_queue_lengths)
_state = _StateCollector()
REGISTRY.register(_state)


def render_metrics() -> bytes:
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return generate_latest(REGISTRY)
    # Each process's counters from their files, plus the state read now.
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    registry.register(_state)
    return generate_latest(registry)


def metrics_view(request):
    token = settings.METRICS_TOKEN
    given = request.META.get("HTTP_AUTHORIZATION", "")
    if not token or not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        raise Http404("Not found.")
    return HttpResponse(render_metrics(), content_type=CONTENT_TYPE_LATEST)


class RequestMetricsMiddleware:
    """Counts and times every request but scans (the redirect counts its own), by the URL
    pattern it matched: the pattern, never the path, so ids do not explode the series."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        start = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        route = (match.route or match.view_name) if match is not None else "unmatched"
        HTTP_REQUESTS.labels(route, request.method, str(response.status_code)).inc()
        HTTP_LATENCY.labels(route).observe(time.perf_counter() - start)
        return response
