"""Scan recording as /metrics shows it beyond the per-process counters: scans waiting in the
Redis buffer, and how far the rollups trail the scans stored."""

from django.conf import settings
from django.db.models import Max
from django.utils import timezone

from analytics import buffer
from analytics.models import Scan
from analytics.rollup_models import RollupState
from qrsite.metrics import gauge


def recording_state():
    if settings.SCAN_BUFFER_URL:
        waiting = gauge("qrstudio_scan_buffer_length", "Scans in the Redis buffer, not flushed.")
        waiting.add_metric([], buffer.pending())
        yield waiting
    state = RollupState.objects.first()
    newest = Scan.objects.aggregate(top=Max("id"))["top"] or 0
    behind = gauge(
        "qrstudio_rollup_lag_scans", "Scans stored since the last rollup run checked for new ones."
    )
    behind.add_metric([], max(newest - (state.scan_id_checked if state else 0), 0))
    yield behind
    age = gauge("qrstudio_rollup_age_seconds", "Seconds since the rollup last ran.")
    age.add_metric([], (timezone.now() - state.updated_at).total_seconds() if state else 0)
    yield age
