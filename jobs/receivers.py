"""Subscriptions to codes: a wiped sandbox takes its jobs (and their files) with it."""

from django.db import transaction
from django.dispatch import receiver

from codes.signals import sandbox_wiped
from jobs.models import ImportFile, Job

FILE_FIELDS = ("input_file", "result_file", "errors_file")


def _delete_after_commit(file) -> None:
    transaction.on_commit(lambda f=file, n=file.name: f.storage.delete(n))


@receiver(sandbox_wiped, dispatch_uid="jobs.sandbox_wiped")
def on_sandbox_wiped(sender, workspace, **kwargs):
    jobs = list(Job.objects.in_mode(sandbox=True).filter(workspace=workspace))
    for job in jobs:
        for field in FILE_FIELDS:
            file = getattr(job, field)
            if file:
                _delete_after_commit(file)
    # An upload is made by the call that starts its import, so a sandbox job's is the sandbox's.
    named = {job.params["upload"] for job in jobs if job.params.get("upload")}
    uploads = list(ImportFile.objects.filter(workspace=workspace, public_id__in=named))
    for upload in uploads:
        _delete_after_commit(upload.file)
    Job.objects.filter(pk__in=[job.pk for job in jobs]).delete()
    ImportFile.objects.filter(pk__in=[upload.pk for upload in uploads]).delete()
