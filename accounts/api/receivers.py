"""The API's stored idempotent responses go with the workspace they were made in. They live in
the kernel, which cannot point at a workspace, so accounts removes them when one is deleted."""

from django.db.models.signals import pre_delete
from django.dispatch import receiver

from accounts.api.authentication import key_bucket, member_bucket_suffix
from accounts.models import ApiKey, Workspace
from qrsite.api import idempotency


@receiver(pre_delete, sender=Workspace, dispatch_uid="accounts.forget_idempotency_records")
def forget_idempotency_records(sender, instance: Workspace, **kwargs):
    # pre_delete: the workspace's keys are still there to be named.
    keys = ApiKey.objects.filter(workspace=instance)
    idempotency.forget(
        principals=[key_bucket(key) for key in keys],
        principal_suffix=member_bucket_suffix(instance),
    )
