"""One person, two submissions at the same moment (a double tap on a slow phone): one
response is stored and both are answered alike, never a 500. The (ask, person_hash) unique
constraint decides; the loser finds the winner's row. On PostgreSQL with threads, each with
its own connection (SQLite serialises writers, so there it would prove nothing)."""

import threading

import pytest
from django.db import connection

from asks.models import Response
from tests.services import need_postgres

from .public import answer, make_ask


def race(count, submit):
    barrier = threading.Barrier(count)
    statuses = []

    def run():
        try:
            barrier.wait(timeout=10)
            statuses.append(submit())
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return statuses


@pytest.mark.django_db(transaction=True)
def test_four_identical_submissions_at_once_store_one_response_and_all_are_thanked():
    need_postgres()
    ask = make_ask()
    statuses = race(4, lambda: answer(ask).status_code)
    assert (statuses, Response.objects.filter(ask=ask).count()) == ([302] * 4, 1)


@pytest.mark.django_db(transaction=True)
def test_a_withdrawn_rsvp_answered_twice_at_once_is_reopened_once():
    need_postgres()
    from .public import make_event

    event = make_event()
    answer(event)
    response = Response.objects.get()
    response.confirm()
    response.withdraw()
    reopened = race(3, lambda: Response.objects.get(pk=response.pk).reopen())
    assert (sorted(reopened), Response.objects.get().status) == ([False, False, True], Response.Status.PENDING)
