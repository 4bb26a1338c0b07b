"""Cancelling an event tells every confirmed and waitlisted attendee, once, and its page
says it is cancelled."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client

from asks.event_tasks import send_cancellation_notices
from asks.models import Ask
from tests.asks.events import PLACE, confirmed, everything_in, make_event, rsvp

pytestmark = pytest.mark.django_db


@pytest.mark.usefixtures("eager_tasks")
def test_cancelling_mails_every_confirmed_and_waitlisted_attendee_and_nobody_else(django_capture_on_commit_callbacks):
    event = make_event(capacity=2)
    for name in ("amal", "bilal", "carim"):  # the third waits
        confirmed(event, name, language="en")
    rsvp(event, "dana")  # never confirmed
    confirmed(event, "emad").withdraw()  # waited, then left
    with django_capture_on_commit_callbacks(execute=True):
        event.cancel()
    told = sorted(m.to[0] for m in mail.outbox)
    assert told == ["amal@example.org", "bilal@example.org", "carim@example.org"]


def test_the_notice_names_the_event_but_not_the_place():
    event = make_event()
    confirmed(event, "amal", language="en")
    Ask.objects.filter(pk=event.pk).update(status=Ask.Status.CANCELLED)
    send_cancellation_notices(event.pk)
    (notice,) = mail.outbox
    assert (notice.subject, PLACE in everything_in(notice)) == ("Cancelled: Bab al-Faraj clean-up", False)


def test_a_second_cancel_is_refused_and_queues_nothing(django_capture_on_commit_callbacks):
    event = make_event()
    stale = Ask.objects.get(pk=event.pk)
    with django_capture_on_commit_callbacks() as callbacks:
        event.cancel()
        with pytest.raises(ValidationError):
            stale.cancel()
    assert len(callbacks) == 1


def test_the_notices_task_does_nothing_for_an_event_that_is_not_cancelled():
    event = make_event()
    confirmed(event, "amal")
    assert (send_cancellation_notices(event.pk), mail.outbox) == (0, [])


def test_a_cancelled_events_page_says_so_and_takes_no_rsvp():
    event = make_event()
    event.cancel()
    page = Client().get(event.public_url())
    html = page.content.decode()
    # The page's own code, not its words: the words are Arabic or English by the visitor.
    assert (page.status_code, 'data-status="cancelled"' in html, 'name="given_name"' in html) == (200, True, False)


def test_one_refused_address_does_not_keep_the_others_from_hearing_of_the_cancellation(settings, caplog):
    # The task is acknowledged even when it raises: one bad address stopped the loop, and
    # everyone after it went to a cancelled demonstration.
    event = make_event()
    for name in ("amal", "bilal", "carim"):
        confirmed(event, name, language="en")
    Ask.objects.filter(pk=event.pk).update(status=Ask.Status.CANCELLED)
    settings.EMAIL_BACKEND = "tests.asks.events.RefusingAmalBackend"
    with caplog.at_level("WARNING"):
        told = send_cancellation_notices(event.pk)
    assert (told, sorted(m.to[0] for m in mail.outbox), "amal@example.org" in caplog.text) == (
        2, ["bilal@example.org", "carim@example.org"], False,
    )  # fmt: skip
