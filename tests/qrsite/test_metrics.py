"""/metrics: off without a token, refused with a wrong one, and numbers that move when a
scan is answered, a job runs, a webhook is delivered, a caller is rate limited."""

import pytest
from django.test import Client
from prometheus_client.parser import text_string_to_metric_families

from codes import services as code_services
from jobs import services as job_services
from tests.jobs.conftest import run
from tests.webhooks.conftest import (  # noqa: F401 - fixtures
    _local_receivers_allowed,
    alice_admin,
    make_endpoint,
    receiver,
)
from webhooks import services as webhook_services
from webhooks.delivery import endpoint_drain

TOKEN = "metrics-test-token"


@pytest.fixture
def scrape(settings):
    settings.METRICS_TOKEN = TOKEN

    def read() -> dict[tuple[str, tuple], float]:
        response = Client().get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/plain")
        return {
            (sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(response.content.decode())
            for sample in family.samples
        }

    return read


def value(samples, name, **labels) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


@pytest.mark.django_db
def test_metrics_are_off_without_a_token_and_refused_with_a_wrong_one(settings):
    settings.METRICS_TOKEN = ""
    assert Client().get("/metrics").status_code == 404
    assert Client().get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 404
    settings.METRICS_TOKEN = TOKEN
    assert Client().get("/metrics").status_code == 404
    assert Client().get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 404
    assert Client().get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").status_code == 200


def test_a_scan_moves_the_redirect_and_recording_numbers(
    scrape, acme, alice, django_capture_on_commit_callbacks
):
    code = code_services.code_create(workspace=acme, actor=alice, destination="https://e.com/m")
    before = scrape()
    with django_capture_on_commit_callbacks(execute=True):
        assert Client().get(f"/r/{code.slug}").status_code == 302
        assert Client().get("/r/nosuchslug").status_code == 404
        from analytics.batching import send_all_queued

        send_all_queued()
    after = scrape()
    for name, labels in (
        ("qrstudio_redirects_total", {"outcome": "redirect"}),
        ("qrstudio_redirects_total", {"outcome": "not_found"}),
        ("qrstudio_scans_queued_total", {}),
        ("qrstudio_scans_recorded_total", {}),
    ):
        assert value(after, name, **labels) == value(before, name, **labels) + 1, name
    timed = "qrstudio_redirect_seconds_count"
    assert value(after, timed) == value(before, timed) + 2
    login = {"method": "GET", "route": "accounts/login/", "status": "200"}
    Client().get("/accounts/login/")
    assert value(scrape(), "qrstudio_http_requests_total", **login) == (
        value(after, "qrstudio_http_requests_total", **login) + 1
    )


def test_a_job_shows_in_its_state(scrape, acme, alice, django_capture_on_commit_callbacks):
    code = code_services.code_create(workspace=acme, actor=alice, destination="https://e.com/j")
    before = scrape()
    # Started without running its commit hooks: the task that would take it is not queued.
    with django_capture_on_commit_callbacks(execute=False):
        job = job_services.export_start(
            workspace=acme, actor=alice, source={"codes": [code.public_id]}, formats=["svg"]
        )
    queued = scrape()
    kind = job.kind
    assert value(queued, "qrstudio_jobs", kind=kind, state="queued") == (
        value(before, "qrstudio_jobs", kind=kind, state="queued") + 1
    )
    with django_capture_on_commit_callbacks(execute=True):
        run(job)
    done = scrape()
    assert value(done, "qrstudio_jobs", kind=kind, state="succeeded") == (
        value(before, "qrstudio_jobs", kind=kind, state="succeeded") + 1
    )
    assert value(done, "qrstudio_jobs_oldest_queued_seconds") == 0


def test_a_delivery_moves_from_pending_to_delivered(
    scrape,
    receiver,  # noqa: F811 - the fixture imported above
    make_endpoint,  # noqa: F811
    alice_admin,  # noqa: F811
):
    endpoint, _ = make_endpoint(receiver.url)
    webhook_services.endpoint_send_test(endpoint=endpoint, actor=alice_admin)
    pending = scrape()
    assert value(pending, "qrstudio_webhook_deliveries", state="pending") == 1
    assert value(pending, "qrstudio_webhook_oldest_pending_seconds") >= 0
    endpoint_drain(endpoint_id=endpoint.pk)
    delivered = scrape()
    assert value(delivered, "qrstudio_webhook_deliveries", state="pending") == 0
    assert value(delivered, "qrstudio_webhook_deliveries", state="succeeded") == 1


@pytest.mark.django_db
def test_a_refused_request_counts_as_rate_limited(scrape, settings):
    settings.API_RATE_LIMITS = {**settings.API_RATE_LIMITS, "anonymous": 1}
    before = value(scrape(), "qrstudio_api_rate_limited_total", policy="anonymous")
    statuses = [Client().get("/api/v1/").status_code for _ in range(3)]
    assert 429 in statuses
    after = value(scrape(), "qrstudio_api_rate_limited_total", policy="anonymous")
    assert after == before + statuses.count(429)


@pytest.mark.django_db
def test_door_check_ins_count_by_result_and_source(
    scrape, acme, alice, django_capture_on_commit_callbacks
):
    from tests.tickets.conftest import make_event
    from tickets import services as ticket_services
    from tickets.services import ScanItem

    event = make_event(acme, alice)
    ticket = ticket_services.ticket_issue(event=event, actor=alice, holder_name="Ada Lovelace")
    before = scrape()
    with django_capture_on_commit_callbacks(execute=True):
        first = ticket_services.checkin_record(
            event=event, actor=alice, item=ScanItem(ticket.payload, gate="A")
        )
    with django_capture_on_commit_callbacks(execute=True):
        ticket_services.checkin_record(
            event=event, actor=alice, item=ScanItem(ticket.payload, gate="B")
        )
    with django_capture_on_commit_callbacks(execute=True):
        ticket_services.checkin_undo(checkin=first.checkin, actor=alice)
    after = scrape()

    def moved(name, **labels):
        return value(after, name, **labels) - value(before, name, **labels)

    checkins = "qrstudio_ticket_checkins_total"
    assert moved(checkins, result="valid", source="online") == 1
    assert moved(checkins, result="already_used", source="online") == 1
    assert moved(checkins, result="invalid", source="online") == 0
    assert moved("qrstudio_ticket_checkin_undos_total") == 1
