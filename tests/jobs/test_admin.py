"""Jobs in Django admin: listed, searchable, read-only; cancelling goes through the service."""

import pytest
from django.urls import reverse

from jobs.models import Job, Status

pytestmark = pytest.mark.django_db


def test_admin_lists_and_searches_jobs(admin_client, acme, alice):
    job = Job.objects.create(workspace=acme, kind="import", created_by=alice, total=10)

    listing = admin_client.get(reverse("admin:jobs_job_changelist"), {"q": alice.email})
    page = admin_client.get(reverse("admin:jobs_job_change", args=[job.pk]))

    assert job.public_id in listing.content.decode()
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()  # read-only: no second write path


def test_admin_cancel_action_calls_the_service(admin_client, acme, alice):
    queued = Job.objects.create(workspace=acme, kind="import", created_by=alice)
    done = Job.objects.create(workspace=acme, kind="import", created_by=alice, status="succeeded")

    response = admin_client.post(
        reverse("admin:jobs_job_changelist"),
        {"action": "cancel", "_selected_action": [queued.pk, done.pk]},
        follow=True,
    )

    queued.refresh_from_db()
    assert queued.status == Status.CANCELLED
    page = response.content.decode()
    assert "1 jobs asked to stop" in page
    assert "already succeeded" in page
