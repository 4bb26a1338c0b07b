"""Cancelling a campaign cancels what it still asks of supporters, and its events' attendees are told."""

import pytest
from django.core import mail

from asks.models import Ask
from tests.asks.events import confirmed, make_event, rsvp

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_tasks")]


def test_cancelling_a_campaign_cancels_its_open_event_and_tells_its_attendees(django_capture_on_commit_callbacks):
    event = make_event()
    confirmed(event, "amal", language="en")
    with django_capture_on_commit_callbacks(execute=True):
        event.campaign.cancel()
    event.refresh_from_db()
    assert (event.status, [m.to for m in mail.outbox]) == (Ask.Status.CANCELLED, [["amal@example.org"]])


def test_a_cancelled_campaigns_event_takes_no_more_confirmations():
    event = make_event()
    pending = rsvp(event, "amal", "en", None)
    event.campaign.cancel()
    assert pending.confirm() is None
