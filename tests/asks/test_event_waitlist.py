"""Capacity and shift slots: the next confirmation beyond them waits, and is told so."""

import pytest

from asks.event_tasks import send_attendee_mail
from asks.models import Response
from tests.asks.events import PLACE, confirmed, everything_in, mails_to, make_event, make_shift

pytestmark = pytest.mark.django_db


def test_an_event_at_capacity_puts_the_next_confirmation_on_the_waitlist():
    event = make_event(capacity=2)
    people = [confirmed(event, name) for name in ("amal", "bilal", "carim")]
    assert [p.status for p in people] == [Response.Status.CONFIRMED] * 2 + [Response.Status.WAITLISTED]


def test_a_full_shift_waitlists_its_next_volunteer_while_another_shift_still_takes_people():
    event = make_event()
    cleaning, planting = make_shift(event, slots=1), make_shift(event, slots=1, label="Planting")
    first, second = confirmed(event, "amal", shift=cleaning), confirmed(event, "bilal", shift=cleaning)
    third = confirmed(event, "carim", shift=planting)
    assert (first.status, second.status, third.status) == ("confirmed", "waitlisted", "confirmed")


def test_the_waitlisted_attendee_is_told_so_without_the_place():
    event = make_event(capacity=1)
    confirmed(event, "amal")
    waiting = confirmed(event, "bilal", language="en")
    send_attendee_mail(waiting.pk)
    (message,) = mails_to("bilal")
    assert ("waitlist" in message.subject, PLACE in everything_in(message)) == (True, False)


def test_a_withdrawn_rsvp_gets_no_mail_from_a_task_delivered_late():
    event = make_event()
    gone = confirmed(event, "amal")
    gone.withdraw()
    assert send_attendee_mail(gone.pk) is None and mails_to("amal") == []
