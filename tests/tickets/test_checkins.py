"""Check-ins through the service: every answer, offline uploads, conflicts, revocation."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from tests.factories import MembershipFactory, UserFactory
from tests.tickets.conftest import make_event
from tickets import credentials, services
from tickets.models import CheckIn, Result
from tickets.services import ScanItem


def check(event, actor, payload, **kwargs):
    return services.checkin_record(event=event, actor=actor, item=ScanItem(payload, **kwargs))


def test_a_ticket_checks_in_once_then_is_already_used(event, ticket, dora):
    first = check(event, dora, ticket.payload, gate="A")
    second = check(event, dora, ticket.payload, gate="B")

    assert first.result == Result.VALID
    assert first.ticket == ticket
    assert second.result == Result.ALREADY_USED
    assert second.first_checkin.pk == first.checkin.pk
    assert second.first_checkin.gate == "A"
    assert CheckIn.objects.filter(ticket=ticket, result=Result.VALID).count() == 1


def flipped(payload, position):
    raw = bytearray(credentials.b45decode(payload))
    raw[position] ^= 0x80
    return credentials.b45encode(bytes(raw))


@pytest.mark.parametrize(
    "mangle",
    [
        pytest.param(lambda p: flipped(p, 10), id="flipped-nonce-byte"),
        pytest.param(lambda p: flipped(p, 40), id="flipped-signature-byte"),
        pytest.param(lambda p: flipped(p, 6), id="flipped-serial-byte"),
        pytest.param(lambda p: p[:-3], id="truncated"),
        pytest.param(lambda p: p[:58], id="half"),
        pytest.param(lambda p: "https://example.com/r/aB3dE5f", id="plain-url-code"),
        pytest.param(lambda p: "Z" * 10_240, id="10kB-of-garbage"),
        pytest.param(lambda p: "", id="empty"),
        pytest.param(lambda p: "\x00\xff" * 50, id="binary"),
    ],
)
def test_a_bad_payload_is_invalid_and_admits_no_one(event, ticket, dora, mangle):
    outcome = check(event, dora, mangle(ticket.payload), gate="A")

    assert outcome.result == Result.INVALID
    assert outcome.ticket is None
    assert not CheckIn.objects.filter(result=Result.VALID).exists()
    # the real ticket still admits
    assert check(event, dora, ticket.payload).result == Result.VALID


def test_another_events_ticket_is_wrong_event(acme, alice, event, dora):
    other = make_event(acme, alice, name="Autumn Fair")
    stranger_ticket = services.ticket_issue(event=other, actor=alice, holder_name="Eve")

    outcome = check(event, dora, stranger_ticket.payload)

    assert outcome.result == Result.WRONG_EVENT
    assert outcome.ticket is None


def test_a_ticket_of_another_workspaces_event_is_just_invalid(event, dora, globex, charlie):
    foreign = make_event(globex, charlie)
    foreign_ticket = services.ticket_issue(event=foreign, actor=charlie, holder_name="Mallory")

    assert check(event, dora, foreign_ticket.payload).result == Result.INVALID


def test_a_revoked_ticket_is_refused_as_revoked(event, ticket, alice, dora):
    services.ticket_revoke(ticket=ticket, actor=alice)

    outcome = check(event, dora, ticket.payload)

    assert outcome.result == Result.REVOKED
    event.refresh_from_db()
    assert event.revocation_version == 1


def test_a_reissued_tickets_old_code_is_revoked_and_the_new_one_admits(event, ticket, alice, dora):
    old = ticket.payload
    reissued = services.ticket_reissue(ticket=ticket, actor=alice)

    assert reissued.payload != old
    assert check(event, dora, old).result == Result.REVOKED
    assert check(event, dora, reissued.payload).result == Result.VALID
    kit_revoked = event.revoked.values_list("serial", "reason")
    assert list(kit_revoked) == [(ticket.serial, "reissued")]


def test_outside_the_window_is_refused(acme, alice, dora):
    now = timezone.now()
    early = make_event(acme, alice, checkin_opens_at=now + timedelta(hours=1))
    ticket = services.ticket_issue(event=early, actor=alice, holder_name="Ada")

    assert check(early, dora, ticket.payload).result == Result.OUTSIDE_WINDOW
    assert check(early, dora, ticket.payload).result == Result.OUTSIDE_WINDOW  # not used up


def test_a_retried_scan_with_the_same_nonce_is_answered_not_counted(event, ticket, dora):
    first = check(event, dora, ticket.payload, client_nonce="scan-1")
    again = check(event, dora, ticket.payload, client_nonce="scan-1")

    assert first.result == again.result == Result.VALID
    assert again.replayed
    assert CheckIn.objects.count() == 1


def offline_item(payload, nonce, minutes_ago, gate="A"):
    return ScanItem(
        payload=payload,
        gate=gate,
        client_nonce=nonce,
        scanned_at=timezone.now() - timedelta(minutes=minutes_ago),
        offline=True,
        device_result=Result.VALID,
    )


def test_an_offline_batch_uploaded_twice_is_counted_once(event, tickets, dora):
    items = [offline_item(t.payload, f"dev1-{i}", 10 - i) for i, t in enumerate(tickets)]

    first = services.checkin_batch(event=event, actor=dora, items=items)
    replay = services.checkin_batch(event=event, actor=dora, items=items)

    assert [o.result for o in first] == [Result.VALID] * 3
    assert [o.result for o in replay] == [Result.VALID] * 3
    assert all(o.replayed for o in replay)
    assert CheckIn.objects.count() == 3


def test_a_nonce_repeated_inside_one_upload_counts_once(event, ticket, dora):
    item = offline_item(ticket.payload, "dup", 5)

    outcomes = services.checkin_batch(event=event, actor=dora, items=[item, item])

    assert [o.result for o in outcomes] == [Result.VALID, Result.VALID]
    assert CheckIn.objects.count() == 1


def test_two_offline_gates_admitting_one_ticket_report_a_conflict_first_by_time_wins(
    event, ticket, dora
):
    # Gate B scanned later but uploads first; gate A's earlier scan arrives afterwards.
    (late,) = services.checkin_batch(
        event=event, actor=dora, items=[offline_item(ticket.payload, "b-1", 2, gate="B")]
    )
    (early,) = services.checkin_batch(
        event=event, actor=dora, items=[offline_item(ticket.payload, "a-1", 7, gate="A")]
    )

    assert late.result == Result.VALID
    assert early.result == Result.VALID
    rows = {c.gate: c for c in CheckIn.objects.filter(ticket=ticket)}
    assert rows["A"].result == Result.VALID
    assert not rows["A"].conflict
    assert rows["B"].result == Result.ALREADY_USED
    assert rows["B"].conflict
    # and a later upload of a third gate is a conflict against A
    (third,) = services.checkin_batch(
        event=event, actor=dora, items=[offline_item(ticket.payload, "c-1", 1, gate="C")]
    )
    assert third.result == Result.ALREADY_USED
    assert third.conflict
    assert third.first_checkin.gate == "A"
    assert CheckIn.objects.filter(ticket=ticket, result=Result.VALID).count() == 1


def test_a_batch_of_more_than_the_limit_is_refused_whole(event, ticket, dora, settings):
    settings.TICKETS_BATCH_MAX_ITEMS = 10_000
    items = [offline_item(ticket.payload, f"n{i}", 1) for i in range(10_001)]

    with pytest.raises(ValidationError) as refused:
        services.checkin_batch(event=event, actor=dora, items=items)

    assert "10,000" in str(refused.value.message_dict["items"])
    assert not CheckIn.objects.exists()


def test_a_scan_dated_in_the_future_is_refused(event, ticket, dora):
    item = offline_item(ticket.payload, "f", -60)

    with pytest.raises(ValidationError) as refused:
        services.checkin_batch(event=event, actor=dora, items=[item])

    assert "items[0].scanned_at" in refused.value.message_dict


def test_undo_lets_the_ticket_in_again(event, ticket, alice, dora):
    first = check(event, dora, ticket.payload)

    services.checkin_undo(checkin=first.checkin, actor=alice)

    assert check(event, dora, ticket.payload).result == Result.VALID


def test_door_staff_cannot_undo_revoke_or_issue(event, ticket, dora):
    first = check(event, dora, ticket.payload)
    with pytest.raises(PermissionDenied):
        services.checkin_undo(checkin=first.checkin, actor=dora)
    with pytest.raises(PermissionDenied):
        services.ticket_revoke(ticket=ticket, actor=dora)
    with pytest.raises(PermissionDenied):
        services.ticket_issue(event=event, actor=dora, holder_name="Sneaky")


def test_viewers_check_in_only_when_the_event_allows_it(event, ticket, carol, alice):
    with pytest.raises(PermissionDenied):
        check(event, carol, ticket.payload)

    services.event_update(event=event, actor=alice, viewers_can_check_in=True)

    assert check(event, carol, ticket.payload).result == Result.VALID


def test_a_stranger_cannot_check_in_at_all(event, ticket, charlie):
    with pytest.raises(Http404):
        check(event, charlie, ticket.payload)
    assert not CheckIn.objects.exists()


def test_a_door_user_of_another_workspace_gets_404(event, ticket, globex):
    door = UserFactory(email="gus@example.com")
    MembershipFactory(user=door, workspace=globex, role="door")

    with pytest.raises(Http404):
        check(event, door, ticket.payload)
