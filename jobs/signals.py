"""What other apps subscribe to (jobs imports none of them).

`job_finished` is sent after the commit that moves a job to succeeded, failed or cancelled,
once per job, with `job` (a `jobs.models.Job`) as its argument: webhooks turn it into
`job.completed` / `job.failed` events.
"""

from django.dispatch import Signal

job_finished = Signal()
