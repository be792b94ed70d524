"""job.completed and job.failed: a finished bulk job becomes an event for the endpoints that
want it, once, with the job as the API shows it."""

from jobs import services as job_services
from tests.jobs.conftest import csv_bytes, run, upload, url_rows
from webhooks.models import WebhookEvent


def _import(acme, alice, rows):
    file = job_services.import_file_create(
        workspace=acme, actor=alice, file=upload(csv_bytes(rows)), name="codes.csv"
    )
    return job_services.import_start(
        upload=file, actor=alice, mapping={"url": "destination", "sku": "external_id"}
    )


def test_a_finished_import_sends_job_completed_with_the_job(
    acme, alice, make_endpoint, django_capture_on_commit_callbacks
):
    make_endpoint("http://127.0.0.1:9/hooks", events=["job.completed", "job.failed"])

    with django_capture_on_commit_callbacks(execute=True):
        job = run(_import(acme, alice, url_rows(3)))

    (event,) = WebhookEvent.objects.all()
    assert event.type == "job.completed"
    assert event.data["job"]["id"] == job.public_id
    assert event.data["job"]["status"] == "succeeded"
    assert event.data["job"]["progress"]["total"] == 3


def test_a_failed_import_sends_job_failed_and_nothing_to_endpoints_not_asking(
    acme, alice, make_endpoint, django_capture_on_commit_callbacks
):
    wants_failures, _ = make_endpoint("http://127.0.0.1:9/a", events=["job.failed"])
    make_endpoint("http://127.0.0.1:9/b", events=["code.created"])
    rows = [["url", "sku"], ['=HYPERLINK("https://evil.example")', "a"]]

    with django_capture_on_commit_callbacks(execute=True):
        job = run(_import(acme, alice, rows))

    (event,) = WebhookEvent.objects.all()
    assert event.type == "job.failed"
    assert event.data["job"]["id"] == job.public_id
    assert event.data["job"]["error"]
    assert [d.endpoint_id for d in event.deliveries.all()] == [wants_failures.pk]
