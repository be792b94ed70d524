"""Subscriptions to codes: a wiped sandbox takes its jobs (and their files) with it."""

from django.db import transaction
from django.dispatch import receiver

from codes.signals import sandbox_wiped
from jobs.models import Job

FILE_FIELDS = ("input_file", "result_file", "errors_file")


@receiver(sandbox_wiped, dispatch_uid="jobs.sandbox_wiped")
def on_sandbox_wiped(sender, workspace, **kwargs):
    jobs = list(Job.objects.in_mode(sandbox=True).filter(workspace=workspace))
    for job in jobs:
        for field in FILE_FIELDS:
            file = getattr(job, field)
            if file:
                transaction.on_commit(lambda f=file, n=file.name: f.storage.delete(n))
    Job.objects.filter(pk__in=[job.pk for job in jobs]).delete()
