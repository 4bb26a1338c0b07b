"""Two people confirm the last seat at the same moment: one gets it, the other waits.

Response.confirm locks the event's Ask row (SELECT … FOR UPDATE) before counting seats, so
the second confirmation counts after the first has committed and finds the event full. On
PostgreSQL this is tested with two threads, each with its own connection, released together
by a barrier; SQLite serialises every writer anyway (its FOR UPDATE is a no-op, but only
one write transaction runs at a time), so there the test is skipped rather than proving
nothing."""

import threading

import pytest
from django.db import connection

from asks.models import Response
from tests.asks.events import make_event, make_shift, rsvp
from tests.services import need_postgres


def race(responses):
    """Confirm each response in a thread of its own, all at once; their new statuses, sorted."""
    barrier = threading.Barrier(len(responses))
    results = []

    def confirm(response):
        try:
            barrier.wait(timeout=10)
            results.append(Response.objects.get(pk=response.pk).confirm())
        finally:
            connection.close()

    threads = [threading.Thread(target=confirm, args=(r,)) for r in responses]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return sorted(results)


@pytest.mark.django_db(transaction=True)
def test_two_confirmations_for_the_last_seat_give_it_to_exactly_one():
    need_postgres()
    event = make_event(capacity=1)
    assert race([rsvp(event, "amal"), rsvp(event, "bilal")]) == ["confirmed", "waitlisted"]


@pytest.mark.django_db(transaction=True)
def test_two_confirmations_for_a_shifts_last_slot_give_it_to_exactly_one():
    need_postgres()
    event = make_event()
    shift = make_shift(event, slots=1)
    assert race([rsvp(event, "amal", shift=shift), rsvp(event, "bilal", shift=shift)]) == ["confirmed", "waitlisted"]
