"""What a receiver checks: the Standard Webhooks signature, verified with the same package
the docs tell receivers to use, and the outbox (a rolled-back change sends nothing)."""

import json
from datetime import timedelta

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from codes import services as code_services
from webhooks import services
from webhooks.models import WebhookDelivery, WebhookEvent


def _create_code(acme, alice, name="Menu"):
    return code_services.code_create(
        workspace=acme, actor=alice, destination="https://example.com/menu", name=name
    )


def test_a_code_created_arrives_signed_and_the_verifier_accepts_it(
    receiver, make_endpoint, acme, alice, django_capture_on_commit_callbacks
):
    _endpoint, secret = make_endpoint(receiver.url, events=["code.created"])

    with django_capture_on_commit_callbacks(execute=True):
        code = _create_code(acme, alice)

    (request,) = receiver.wait_for(1)
    payload = Webhook(secret).verify(request.body, request.headers)
    assert payload["type"] == "code.created"
    assert payload["id"].startswith("evt_")
    assert payload["id"] == request.headers["webhook-id"]
    assert payload["workspace"] == acme.public_id
    assert payload["data"]["code"]["id"] == code.public_id
    assert payload["data"]["code"]["destination"] == "https://example.com/menu"
    assert request.headers["webhook-signature"].startswith("v1,")


def test_a_wrong_secret_or_a_stale_timestamp_is_refused_by_the_verifier(
    receiver, make_endpoint, acme, alice, django_capture_on_commit_callbacks
):
    _, secret = make_endpoint(receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        _create_code(acme, alice)
    (request,) = receiver.wait_for(1)

    with pytest.raises(WebhookVerificationError):
        Webhook(services.new_secret()).verify(request.body, request.headers)
    tampered = request.body.replace(b"Menu", b"Mean")
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(tampered, request.headers)
    with (
        time_machine.travel(timezone.now() + timedelta(minutes=10)),
        pytest.raises(WebhookVerificationError, match="too old"),
    ):
        Webhook(secret).verify(request.body, request.headers)


def test_after_a_rotation_both_secrets_verify_until_the_overlap_ends(
    receiver, make_endpoint, alice_admin, django_capture_on_commit_callbacks, settings
):
    endpoint, old_secret = make_endpoint(receiver.url)
    endpoint, new_secret = services.endpoint_rotate_secret(endpoint=endpoint, actor=alice_admin)
    assert new_secret != old_secret

    with django_capture_on_commit_callbacks(execute=True):
        services.endpoint_send_test(endpoint=endpoint, actor=alice_admin)
    (during,) = receiver.wait_for(1)

    assert len(during.headers["webhook-signature"].split(" ")) == 2
    assert Webhook(old_secret).verify(during.body, during.headers)["type"] == "webhook.test"
    assert Webhook(new_secret).verify(during.body, during.headers)["type"] == "webhook.test"

    later = timezone.now() + timedelta(hours=settings.WEBHOOKS_SECRET_OVERLAP_HOURS, minutes=1)
    with time_machine.travel(later):
        with django_capture_on_commit_callbacks(execute=True):
            services.endpoint_send_test(endpoint=endpoint, actor=alice_admin)
        after = receiver.wait_for(2)[1]
        assert len(after.headers["webhook-signature"].split(" ")) == 1
        Webhook(new_secret).verify(after.body, after.headers)
        with pytest.raises(WebhookVerificationError):
            Webhook(old_secret).verify(after.body, after.headers)


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_change_sends_nothing_and_a_committed_one_is_sent(
    receiver, make_endpoint, acme, alice
):
    make_endpoint(receiver.url, events=["code.created"])

    in_outbox = []

    def change_that_fails():
        with transaction.atomic():
            _create_code(acme, alice, name="Never")
            in_outbox.append(WebhookEvent.objects.filter(type="code.created").count())
            raise RuntimeError("the change fails after the event was written")

    with pytest.raises(RuntimeError):
        change_that_fails()

    assert in_outbox == [1]  # the event was written, in the change's own transaction

    assert not WebhookEvent.objects.exists()
    assert not WebhookDelivery.objects.exists()

    _create_code(acme, alice, name="Kept")  # commits: the sender runs (eager Celery)
    (request,) = receiver.wait_for(1)
    assert json.loads(request.body)["data"]["code"]["name"] == "Kept"
    assert [r for r in receiver.requests if b"Never" in r.body] == []


def test_a_destination_change_sends_updated_and_destination_updated(
    receiver, make_endpoint, acme, alice, django_capture_on_commit_callbacks
):
    code = _create_code(acme, alice)
    _, secret = make_endpoint(receiver.url, events=["code.destination_updated", "code.updated"])

    with django_capture_on_commit_callbacks(execute=True):
        code_services.code_change_destination(
            code=code, destination="https://example.com/new", actor=alice
        )

    payloads = [Webhook(secret).verify(r.body, r.headers) for r in receiver.wait_for(2)]
    assert [p["type"] for p in payloads] == ["code.updated", "code.destination_updated"]
    assert payloads[0]["data"]["changed"] == ["destination"]
    assert payloads[1]["data"]["previous_destination"] == "https://example.com/menu"
    assert payloads[1]["data"]["code"]["destination"] == "https://example.com/new"


def test_an_endpoint_filtered_by_group_hears_only_that_groups_codes(
    receiver, make_endpoint, acme, alice, django_capture_on_commit_callbacks
):
    spring = code_services.group_create(workspace=acme, actor=alice, name="Spring")
    make_endpoint(receiver.url, events=["code.created"], group=spring)

    with django_capture_on_commit_callbacks(execute=True):
        _create_code(acme, alice, name="Elsewhere")
        code_services.code_create(
            workspace=acme, actor=alice, destination="https://example.com/s", group=spring
        )

    (request,) = receiver.wait_for(1)
    assert json.loads(request.body)["data"]["code"]["group"] == spring.slug
    assert WebhookEvent.objects.count() == 1  # nobody wanted the other one: nothing stored
