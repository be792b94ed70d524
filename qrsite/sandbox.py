"""The sandbox: rows made through a test API key live beside the workspace's live rows and are
kept apart by one flag, `is_test`. Every model with that flag takes its queryset from here, and
every read an API caller makes goes through `in_mode`, so the separation is one filter in one
place (live callers — the dashboard, live keys — never see sandbox rows, and test keys never see
live ones)."""

from __future__ import annotations

from django.db import models


def sandbox_field() -> models.BooleanField:
    return models.BooleanField(
        default=False,
        editable=False,
        help_text="Made with a test API key: sandbox data, never shown or counted as live.",
    )


class SandboxQuerySet(models.QuerySet):
    def in_mode(self, *, sandbox: bool) -> SandboxQuerySet:
        """Only the rows of one mode: the sandbox's (True) or the live data (False)."""
        return self.filter(is_test=bool(sandbox))
