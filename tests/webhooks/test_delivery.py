"""How deliveries go: a real receiver on 127.0.0.1 answers each attempt, the sender records
it and schedules the next one."""

import socket
import time
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from tests.webhooks.receiver import Answer
from webhooks import services
from webhooks.delivery import endpoint_drain, endpoints_due
from webhooks.models import DeliveryState, WebhookAttempt, WebhookDelivery, WebhookEndpoint


@pytest.fixture
def endpoint(receiver, make_endpoint):
    return make_endpoint(receiver.url)[0]


def _send_test(endpoint, actor):
    """A test event, sent once by calling the sender directly (as the task does)."""
    delivery = services.endpoint_send_test(endpoint=endpoint, actor=actor)
    endpoint_drain(endpoint_id=endpoint.pk)
    delivery.refresh_from_db()
    return delivery


def test_a_2xx_answer_is_delivered_and_logged(receiver, endpoint, alice_admin):
    receiver.answer(Answer(202, body=b'{"thanks": true}'))

    delivery = _send_test(endpoint, alice_admin)

    assert delivery.state == DeliveryState.SUCCEEDED
    (attempt,) = delivery.attempts.all()
    assert attempt.status_code == 202
    assert attempt.response_snippet == '{"thanks": true}'
    assert attempt.next_attempt_at is None
    assert attempt.latency_ms < 5000


def test_failures_retry_on_the_schedule_then_fail_for_good(
    receiver, endpoint, alice_admin, settings
):
    receiver.default = Answer(500, body=b"oops")
    schedule = settings.WEBHOOKS_RETRY_SCHEDULE
    delivery = services.endpoint_send_test(endpoint=endpoint, actor=alice_admin)
    gaps = []
    now = timezone.now()
    with time_machine.travel(now, tick=False) as clock:
        endpoint_drain(endpoint_id=endpoint.pk)
        for _ in schedule:
            delivery.refresh_from_db()
            assert delivery.state == DeliveryState.PENDING
            gaps.append((delivery.next_attempt_at - timezone.now()).total_seconds())
            # Nothing is sent before its time...
            clock.move_to(delivery.next_attempt_at - timedelta(seconds=1))
            assert endpoint_drain(endpoint_id=endpoint.pk) == 0
            # ...and it is sent when it comes.
            clock.move_to(delivery.next_attempt_at)
            assert endpoint_drain(endpoint_id=endpoint.pk) == 1

    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.FAILED
    assert delivery.attempt_count == len(schedule) + 1 == len(receiver.requests)
    for gap, base in zip(gaps, schedule, strict=True):
        assert base * 0.9 <= gap <= base * 1.1  # the schedule, with its jitter
    assert sum(schedule) / 86400 == pytest.approx(3.15, abs=0.1)  # about three days
    # Every retry carries the same webhook-id: the receiver's idempotency key.
    assert {r.headers["webhook-id"] for r in receiver.requests} == {delivery.message_id}
    assert len({r.headers["webhook-timestamp"] for r in receiver.requests}) > 1  # per attempt


def test_410_gone_disables_the_endpoint(receiver, endpoint, alice_admin):
    receiver.answer(Answer(410, body=b"gone"))

    delivery = _send_test(endpoint, alice_admin)

    endpoint.refresh_from_db()
    assert delivery.state == DeliveryState.FAILED
    assert not endpoint.is_enabled
    assert "410" in endpoint.disabled_reason
    with pytest.raises(Exception, match="disabled"):
        services.endpoint_send_test(endpoint=endpoint, actor=alice_admin)


def test_a_redirect_is_a_failure_and_is_not_followed(receiver, endpoint, alice_admin):
    receiver.answer(Answer(301, headers={"Location": receiver.url + "/moved"}))

    delivery = _send_test(endpoint, alice_admin)

    assert delivery.state == DeliveryState.PENDING  # to be retried
    attempt = delivery.attempts.get()
    assert attempt.status_code == 301
    assert "Redirects are not followed" in attempt.error
    assert [r.path for r in receiver.requests] == ["/hooks"]


@pytest.mark.parametrize("status", [429, 503])
def test_429_and_503_retry_after_the_receivers_retry_after(receiver, endpoint, alice_admin, status):
    receiver.answer(Answer(status, headers={"Retry-After": "120"}))

    before = timezone.now()
    delivery = _send_test(endpoint, alice_admin)

    wait = (delivery.next_attempt_at - before).total_seconds()
    assert 119 <= wait <= 125


def test_retry_after_as_a_date_is_honoured(receiver, endpoint, alice_admin):
    from email.utils import format_datetime

    when = timezone.now() + timedelta(hours=1)
    receiver.answer(Answer(429, headers={"Retry-After": format_datetime(when, usegmt=True)}))

    delivery = _send_test(endpoint, alice_admin)

    assert abs((delivery.next_attempt_at - when).total_seconds()) < 5


def test_a_slow_receiver_times_out(receiver, endpoint, alice_admin, settings):
    settings.WEBHOOKS_TIMEOUT_SECONDS = 1
    receiver.answer(Answer(200, delay=3))

    started = time.monotonic()
    delivery = _send_test(endpoint, alice_admin)

    assert time.monotonic() - started < 2.5
    attempt = delivery.attempts.get()
    assert attempt.status_code is None
    assert "timed out" in attempt.error
    assert delivery.state == DeliveryState.PENDING


def test_a_receiver_that_never_answers_times_out(make_endpoint, alice_admin, settings):
    settings.WEBHOOKS_TIMEOUT_SECONDS = 1
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(5)  # connections are accepted by the kernel, and nothing ever answers
    try:
        endpoint, _ = make_endpoint(f"http://127.0.0.1:{silent.getsockname()[1]}/hooks")
        started = time.monotonic()
        delivery = _send_test(endpoint, alice_admin)
    finally:
        silent.close()

    assert time.monotonic() - started < 2.5
    assert "timed out" in delivery.attempts.get().error


def test_a_10_mb_answer_is_truncated_not_stored(receiver, endpoint, alice_admin, settings):
    receiver.answer(Answer(200, body=b"x" * 10_000_000, body_chunks=1000))

    delivery = _send_test(endpoint, alice_admin)

    attempt = delivery.attempts.get()
    assert delivery.state == DeliveryState.SUCCEEDED
    assert len(attempt.response_snippet) < settings.WEBHOOKS_RESPONSE_SNIPPET_BYTES + 20
    assert attempt.response_snippet.endswith("(truncated)")


def test_five_days_of_failures_disable_the_endpoint_and_email_the_owners(
    receiver, endpoint, alice_admin, settings, django_capture_on_commit_callbacks
):
    receiver.default = Answer(500)
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        _send_test(endpoint, alice_admin)
        endpoint.refresh_from_db()
        assert endpoint.failing_since is not None
        assert endpoint.is_enabled
        clock.move_to(start + timedelta(days=settings.WEBHOOKS_DISABLE_AFTER_DAYS, minutes=1))
        with django_capture_on_commit_callbacks(execute=True):
            _send_test(endpoint, alice_admin)

    endpoint.refresh_from_db()
    assert not endpoint.is_enabled
    assert "5 days" in endpoint.disabled_reason
    (message,) = mail.outbox
    assert message.to == ["alice@example.com"]
    assert endpoint.url in message.body


def test_a_success_ends_the_failing_state(receiver, endpoint, alice_admin):
    receiver.answer(Answer(500), Answer(200))
    _send_test(endpoint, alice_admin)
    endpoint.refresh_from_db()
    assert endpoint.failing_since is not None

    _send_test(endpoint, alice_admin)

    endpoint.refresh_from_db()
    assert endpoint.failing_since is None


def test_a_dead_senders_delivery_is_picked_up_once_its_lease_runs_out(
    receiver, endpoint, alice_admin, settings
):
    services.endpoint_send_test(endpoint=endpoint, actor=alice_admin)
    # A sender took the lease and died before recording anything.
    lease = timedelta(
        seconds=settings.WEBHOOKS_TIMEOUT_SECONDS + settings.WEBHOOKS_LEASE_MARGIN_SECONDS
    )
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
        lease_token="dead", lease_until=timezone.now() + lease
    )
    assert endpoints_due() == []
    assert endpoint_drain(endpoint_id=endpoint.pk) == 0

    with time_machine.travel(timezone.now() + lease + timedelta(seconds=1)):
        assert endpoints_due() == [endpoint.pk]
        assert endpoint_drain(endpoint_id=endpoint.pk) == 1

    assert WebhookDelivery.objects.get().state == DeliveryState.SUCCEEDED
    assert len(receiver.requests) == 1


def test_redeliver_sends_the_same_webhook_id_again(receiver, endpoint, alice_admin):
    delivery = _send_test(endpoint, alice_admin)

    again = services.delivery_redeliver(delivery=delivery, actor=alice_admin)
    endpoint_drain(endpoint_id=endpoint.pk)

    again.refresh_from_db()
    assert again.pk != delivery.pk
    assert again.state == DeliveryState.SUCCEEDED
    assert [r.headers["webhook-id"] for r in receiver.requests] == [delivery.message_id] * 2
    assert WebhookAttempt.objects.count() == 2


def test_deliveries_go_out_in_the_order_of_their_events(receiver, endpoint, alice_admin):
    sent = [services.endpoint_send_test(endpoint=endpoint, actor=alice_admin) for _ in range(5)]

    endpoint_drain(endpoint_id=endpoint.pk)

    assert [r.headers["webhook-id"] for r in receiver.requests] == [d.message_id for d in sent]


@pytest.mark.django_db(transaction=True)
def test_an_endpoint_deleted_during_a_delivery_ends_its_sender_quietly(
    receiver, make_endpoint, alice_admin, monkeypatch
):
    import threading

    from webhooks import tasks

    # No sender on commit: the one below is the only one.
    monkeypatch.setattr(tasks, "endpoint_drain_enqueue", lambda endpoint_id: None)
    endpoint, _ = make_endpoint(receiver.url)
    receiver.answer(Answer(200, delay=1))
    services.endpoint_send_test(endpoint=endpoint, actor=alice_admin)
    outcome = []

    def send():
        from django.db import connection

        try:
            outcome.append(endpoint_drain(endpoint_id=endpoint.pk))
        finally:
            connection.close()

    sender = threading.Thread(target=send)
    sender.start()
    receiver.wait_for(1)
    services.endpoint_delete(endpoint=endpoint, actor=alice_admin)
    sender.join(timeout=30)

    assert outcome == [0]  # it sent, found its endpoint gone, and stopped without an error
    assert len(receiver.requests) == 1
    assert not WebhookDelivery.objects.exists()
