"""Jobs as /metrics shows them: how many of each kind are in each state, and how long the
oldest queued one has waited (a stuck or missing worker shows here first)."""

from django.db.models import Count, Min
from django.utils import timezone

from jobs.models import Job, Status
from qrsite.metrics import gauge


def job_states():
    by_state = gauge("qrstudio_jobs", "Jobs by kind and state.", ["kind", "state"])
    for row in Job.objects.values("kind", "status").annotate(n=Count("id")).order_by():
        by_state.add_metric([row["kind"], row["status"]], row["n"])
    yield by_state
    oldest = Job.objects.filter(status=Status.QUEUED).aggregate(at=Min("created_at"))["at"]
    waiting = gauge("qrstudio_jobs_oldest_queued_seconds", "Age of the oldest queued job.")
    waiting.add_metric([], (timezone.now() - oldest).total_seconds() if oldest else 0)
    yield waiting
