"""Someone who said "I can't come" may change their mind: answering the event's form again
puts their RSVP back to awaiting confirmation and mails them the link, as a first answer
would. Nothing a stranger types changes what is stored (the name stays the attendee's), and
the seat is decided again when they confirm, under the event's lock."""

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client

from asks import responses
from asks.models import Response

from .public import answer, confirm_links, make_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(eager_tasks, django_capture_on_commit_callbacks):
    def run(function, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return function(*args, **kwargs)

    return run


def withdrawn_rsvp(sent, event):
    sent(answer, event)
    sent(Client().post, confirm_links()[-1])
    response = Response.objects.get()
    response.withdraw()
    return response


def test_an_attendee_who_withdrew_can_rsvp_again_and_is_confirmed_by_the_new_link(sent):
    event = make_event()
    withdrawn_rsvp(sent, event)
    sent(answer, event, given_name="Someone else")
    sent(Client().post, confirm_links()[-1])
    again = Response.objects.get()
    assert (again.status, again.given_name, again.withdrawn_at) == (Response.Status.CONFIRMED, "Rima", None)


def test_answering_again_mails_a_fresh_link_and_keeps_the_rsvp_from_the_purge_for_its_life(sent):
    event = make_event()
    withdrawn_rsvp(sent, event)
    mails_before = len(mail.outbox)
    sent(answer, event)
    reopened = Response.objects.get()
    purged = responses.purge_unconfirmed(now=reopened.created + timedelta(seconds=60))
    assert (reopened.status, len(mail.outbox) - mails_before, purged) == (Response.Status.PENDING, 1, 0)
