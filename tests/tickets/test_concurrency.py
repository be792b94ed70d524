"""Twenty gates scanning one ticket at the same moment, on PostgreSQL: exactly one admits."""

import threading

import pytest
from django.db import connection

from tickets import services
from tickets.models import CheckIn, Result
from tickets.services import ScanItem

GATES = 20


def _race(target, count):
    barrier = threading.Barrier(count)
    results, errors = [], []

    def run(index):
        from django.db import connection as thread_connection

        try:
            barrier.wait()
            results.append(target(index))
        except Exception as exc:  # a thread's failure must fail the test, not vanish
            errors.append(exc)
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    return results


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_gates_scanning_one_ticket_at_once_admit_exactly_one(event, ticket, dora):
    if connection.vendor != "postgresql":
        pytest.skip("needs DATABASE_URL pointing at PostgreSQL")

    def scan(index):
        item = ScanItem(ticket.payload, gate=f"G{index}", client_nonce=f"gate-{index}")
        return services.checkin_record(event=event, actor=dora, item=item).result

    results = _race(scan, GATES)

    assert sorted(results) == [Result.ALREADY_USED] * (GATES - 1) + [Result.VALID]
    assert CheckIn.objects.filter(ticket=ticket, result=Result.VALID).count() == 1
    assert CheckIn.objects.filter(ticket=ticket).count() == GATES


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_one_offline_queue_uploaded_by_twenty_retries_at_once_counts_once(event, tickets, dora):
    if connection.vendor != "postgresql":
        pytest.skip("needs DATABASE_URL pointing at PostgreSQL")
    from django.utils import timezone

    now = timezone.now()
    items = [
        ScanItem(t.payload, gate="A", client_nonce=f"q-{i}", scanned_at=now, offline=True)
        for i, t in enumerate(tickets)
    ]

    def upload(index):
        outcomes = services.checkin_batch(event=event, actor=dora, items=list(items))
        return [o.result for o in outcomes]

    results = _race(upload, GATES)

    assert all(r == [Result.VALID] * 3 for r in results)
    assert CheckIn.objects.filter(event=event).count() == 3
