from django.db import models
from django.utils import timezone


class IdempotencyRecord(models.Model):
    """The first response to a POST sent with an `Idempotency-Key`, kept for replays.

    The unique constraint is the lock: of two concurrent requests with one key, exactly one
    inserts the row and runs; the other finds it and waits (409) or replays it. `status_code`
    is null while the first request is still running.
    """

    # Who sent it, as the caller's authentication names it (accounts: "key:<api key id>" or
    # "user:<user id>:<workspace id>"), so keys never collide across callers. A string, not a
    # foreign key: the kernel knows no app (accounts purges a deleted workspace's records).
    principal = models.CharField(max_length=100)
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64, help_text="SHA-256 of method, path and body.")
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    headers = models.JSONField(default=dict, blank=True)
    body = models.BinaryField(default=bytes, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    locked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["principal", "key"], name="api_idempotency_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.principal} {self.key}"

    @property
    def is_complete(self) -> bool:
        return self.status_code is not None
