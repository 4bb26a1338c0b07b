"""A shift carries its date wherever it is shown (the RSVP form, the attendee's mail, the
organizer's pages) when the hours alone would mislead: it is not on the event's first day,
in the event's own time zone, or the event spans several days."""

import datetime
import zoneinfo

import pytest
from django.urls import reverse
from django.utils import translation

from asks.event_mail import build
from asks.models import Shift
from asks.public_forms import shift_label
from tests.factories import organizer_client

from .organizer import make_event, person

pytestmark = pytest.mark.django_db

TORONTO = zoneinfo.ZoneInfo("America/Toronto")  # not the server's zone (Europe/Istanbul)


def at(day, hour, minute=0):
    """A wall-clock time in Toronto in December 2027 (the 11th is a Saturday)."""
    return datetime.datetime(2027, 12, day, hour, minute, tzinfo=TORONTO)


def an_event(ends=None):
    return make_event(starts=at(11, 9), ends=ends or at(11, 13), time_zone="America/Toronto", capacity=None)


def a_shift(event, starts, hours=2, label="Cleaning"):
    return Shift.objects.create(
        ask=event, label_en=label, label_ar="تنظيف", starts=starts, ends=starts + datetime.timedelta(hours=hours),
        slots=3,
    )  # fmt: skip


def label(shift, event, language="en"):
    with translation.override(language):
        return shift_label(shift, event)


def test_a_shift_on_the_events_day_shows_its_hours_only():
    event = an_event()
    assert label(a_shift(event, at(11, 9)), event) == "09:00–11:00 Cleaning · 3 places left"


def test_a_shift_on_another_day_shows_its_date():
    event = an_event()
    assert label(a_shift(event, at(12, 9)), event) == "Sun 12 Dec 09:00–11:00 Cleaning · 3 places left"


def test_the_date_is_written_in_arabic_for_an_arabic_reader_with_the_hours_kept_left_to_right():
    event = an_event()
    assert label(a_shift(event, at(12, 9)), event, "ar").startswith("الأحد 12 ديسمبر \u206609:00–11:00\u2069 تنظيف")


def test_every_shift_of_an_event_spanning_several_days_shows_its_date():
    event = an_event(ends=at(12, 18))
    assert label(a_shift(event, at(11, 9)), event).startswith("Sat 11 Dec 09:00–11:00")


def test_the_day_is_the_events_own_not_the_servers_nor_utcs():
    # 21:30 in Toronto is already the next day in UTC and in Istanbul: still Saturday there.
    event = an_event()
    assert label(a_shift(event, at(11, 21, 30)), event).startswith("21:30–23:30 Cleaning")


def test_a_shift_that_runs_past_midnight_shows_its_date():
    event = an_event()
    assert label(a_shift(event, at(11, 23), hours=3), event).startswith("Sat 11 Dec 23:00–02:00")


def test_the_attendees_mail_gives_the_shifts_date():
    event = an_event()
    attendee = person(event, shift=a_shift(event, at(12, 9), label="Planting"), language="en")
    assert "Planting, Sun 12 Dec 09:00–11:00" in build(attendee, "confirmed").body


@pytest.mark.parametrize("page", ["asks:detail", "asks:responses", "asks:checkin"])
def test_the_organizers_pages_give_the_shifts_date(page):
    event = an_event()
    person(event, shift=a_shift(event, at(12, 9), label="Planting"))
    client = organizer_client()
    client.cookies["django_language"] = "en"
    html = client.get(reverse(page, args=[event.pk])).content.decode()
    assert "Sun 12 Dec" in html
