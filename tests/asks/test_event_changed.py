"""An organizer moves an open event (its time, time zone, area or exact place): every confirmed
and waitlisted attendee is told by mail, in their own language, with the event as it now
stands; confirmed ones with the new exact place, waitlisted ones with the area only. Edits
that change none of these (title, text, capacity, goal) mail nobody, nor does any edit of a
draft."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from asks.event_tasks import send_change_notices
from asks.forms import LOCAL_FORMAT
from asks.models import Ask, Response
from tests.asks.events import (
    PLACE,
    confirmed,
    everything_in,
    html_of,
    language_and_direction,
    mails_to,
    make_event,
    rsvp,
)
from tests.factories import organizer_client

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_tasks")]

NEW_PLACE = "The old cinema's back door, Al-Telal street"


def an_event(**extra):
    """An open event three days ahead, on the minute (as the form stores it)."""
    event = make_event(**extra)
    start = event.starts.replace(second=0, microsecond=0)
    Ask.objects.filter(pk=event.pk).update(starts=start, ends=start + timedelta(hours=4))
    return Ask.objects.get(pk=event.pk)


def local(moment, event):
    return timezone.localtime(moment, event.zone()).strftime(LOCAL_FORMAT)


def form_data(event, **changes):
    """What the edit form posts back when the organizer changes only `changes`."""
    data = {
        "title_ar": event.title_ar,
        "title_en": event.title_en,
        "text_ar": event.text_ar,
        "text_en": event.text_en,
        "starts": local(event.starts, event),
        "ends": local(event.ends, event) if event.ends else "",
        "time_zone": event.time_zone,
        "area_ar": event.area_ar,
        "area_en": event.area_en,
        "place": event.place,
        "capacity": event.capacity if event.capacity is not None else "",
        "goal": event.goal if event.goal is not None else "",
        "slug": event.slug,
        "position": event.position,
        "shifts-TOTAL_FORMS": "0",
        "shifts-INITIAL_FORMS": "0",
    }
    data.update(changes)
    return data


@pytest.fixture
def edit(django_capture_on_commit_callbacks):
    """Post the organizer's edit of `event` and run what it queued after commit."""

    def post(event, **changes):
        with django_capture_on_commit_callbacks(execute=True):
            answer = organizer_client().post(reverse("asks:edit", args=[event.pk]), form_data(event, **changes))
        assert answer.status_code == 302, answer.context["form"].errors if answer.context else answer
        return answer

    return post


def later(event, hours=24):
    return local(event.starts + timedelta(hours=hours), event)


def test_moving_an_open_event_mails_its_confirmed_and_waitlisted_attendees_and_nobody_else(edit):
    event = an_event(capacity=1)
    confirmed(event, "amal", "en")
    confirmed(event, "bilal", "en")  # waitlisted: the event is full
    rsvp(event, "carim", "en")  # never confirmed
    confirmed(event, "dana", "en").withdraw()  # said "I can't come"
    edit(event, starts=later(event), ends=later(event, 28))
    assert sorted(m.to[0] for m in mail.outbox) == ["amal@example.org", "bilal@example.org"]


def test_the_mail_gives_the_new_day_and_hours_in_the_events_own_time_zone(edit):
    event = an_event(time_zone="America/Toronto")
    confirmed(event, "amal", "en")
    edit(event, starts=later(event), ends=later(event, 28))
    event.refresh_from_db()
    new_start = event.local_starts()
    body = mails_to("amal")[0].body
    assert (new_start.strftime("%A %-d %B %Y") in body, f"{new_start:%H:%M}–" in body, "America/Toronto" in body) == (
        True, True, True,
    )  # fmt: skip


def test_a_confirmed_attendee_gets_the_new_exact_place_and_a_waitlisted_one_the_area_only(edit):
    event = an_event(capacity=1)
    confirmed(event, "amal", "en")
    confirmed(event, "bilal", "en")  # waitlisted
    edit(event, place=NEW_PLACE, area_en="Al-Telal quarter", starts=later(event), ends=later(event, 28))
    seen = {name: everything_in(mails_to(name)[0]) for name in ("amal", "bilal")}
    assert (NEW_PLACE in seen["amal"], NEW_PLACE in seen["bilal"], "Al-Telal quarter" in seen["bilal"]) == (
        True, False, True,
    )  # fmt: skip


def test_no_change_mail_carries_the_old_place(edit):
    event = an_event()
    confirmed(event, "amal", "en")
    edit(event, place=NEW_PLACE)
    assert PLACE not in everything_in(mails_to("amal")[0])


def test_each_attendee_reads_it_in_their_own_language(edit):
    event = an_event()
    confirmed(event, "amal", "ar")
    confirmed(event, "bob", "en")
    edit(event, starts=later(event), ends=later(event, 28))
    assert [language_and_direction(m) for m in mails_to("amal") + mails_to("bob")] == [("ar", "rtl"), ("en", "ltr")]


def test_the_mail_says_what_changed(edit):
    event = an_event()
    confirmed(event, "amal", "en")
    edit(event, time_zone="Asia/Beirut", place=NEW_PLACE)
    (notice,) = mails_to("amal")
    assert (notice.subject, re.findall(r'data-changed="(\w+)"', html_of(notice))) == (
        "Changed: Bab al-Faraj clean-up", ["when", "place"],
    )  # fmt: skip


@pytest.mark.parametrize(
    "changes",
    [
        {"starts": None},  # filled in by the test: a day later
        {"time_zone": "Asia/Beirut"},
        {"area_en": "Al-Telal quarter"},
        {"place": NEW_PLACE},
    ],
    ids=["time", "time_zone", "area", "place"],
)
def test_each_change_that_matters_to_an_attendee_is_told(edit, changes):
    event = an_event()
    confirmed(event, "amal", "en")
    if "starts" in changes:
        changes = {"starts": later(event), "ends": later(event, 28)}
    edit(event, **changes)
    assert [m.subject for m in mails_to("amal")] == ["Changed: Bab al-Faraj clean-up"]


@pytest.mark.parametrize(
    "changes",
    [{"title_en": "Bab al-Faraj big clean-up"}, {"text_en": "Bring gloves."}, {"capacity": "90"}, {"goal": "60"}],
    ids=["title", "text", "capacity", "goal"],
)
def test_an_edit_that_moves_nothing_mails_nobody(edit, changes):
    event = an_event(capacity=40)
    confirmed(event, "amal", "en")
    edit(event, **changes)
    assert mail.outbox == []


def test_moving_a_draft_mails_nobody(edit):
    event = an_event()
    confirmed(event, "amal", "en")
    Ask.objects.filter(pk=event.pk).update(status=Ask.Status.DRAFT)
    edit(event, starts=later(event), ends=later(event, 28), place=NEW_PLACE)
    assert mail.outbox == []


def test_a_new_exact_place_alone_is_not_mailed_to_the_waitlist(edit):
    # The waitlisted are never shown the place: "it changed" would tell them nothing, and
    # the "a place freed up" mail will carry it.
    event = an_event(capacity=1)
    confirmed(event, "amal", "en")
    confirmed(event, "bilal", "en")  # waitlisted
    edit(event, place=NEW_PLACE)
    assert [m.to[0] for m in mail.outbox] == ["amal@example.org"]


def test_the_notices_mail_the_event_as_it_stands_when_the_worker_runs():
    # Two quick edits, the first task delivered late: it mails the second place, not the first.
    event = an_event()
    confirmed(event, "amal", "en")
    event.place = NEW_PLACE
    event.save()
    told = send_change_notices(event.pk, ["place"])
    assert (told, NEW_PLACE in everything_in(mails_to("amal")[0])) == (1, True)


def test_the_notices_task_mails_nobody_once_the_event_is_cancelled():
    event = an_event()
    confirmed(event, "amal", "en")
    Ask.objects.filter(pk=event.pk).update(status=Ask.Status.CANCELLED)
    assert (send_change_notices(event.pk, ["when"]), mail.outbox) == (0, [])


def test_the_notices_task_mails_nobody_about_an_event_that_is_over():
    event = an_event(starts_in=timedelta(hours=-6))
    confirmed(event, "amal", "en")
    assert (send_change_notices(event.pk, ["when"]), mail.outbox) == (0, [])


def test_one_refused_address_does_not_keep_the_others_from_hearing_of_the_change(settings, caplog):
    event = an_event()
    for name in ("amal", "bilal", "carim"):
        confirmed(event, name, language="en")
    settings.EMAIL_BACKEND = "tests.asks.events.RefusingAmalBackend"
    with caplog.at_level("WARNING"):
        told = send_change_notices(event.pk, ["when"])
    assert (told, sorted(m.to[0] for m in mail.outbox), "amal@example.org" in caplog.text) == (
        2, ["bilal@example.org", "carim@example.org"], False,
    )  # fmt: skip


def test_the_change_mail_inside_the_day_window_stands_for_the_day_reminder(edit):
    from asks import reminders

    event = an_event(starts_in=timedelta(hours=30))
    attendee = confirmed(event, "amal", "en")
    Response.objects.filter(pk=attendee.pk).update(confirmed_at=timezone.now() - timedelta(days=7))
    edit(event, starts=later(event, -10), ends=later(event, -6))  # now 20 h ahead
    reminders.send_due()
    assert [m.subject.split(":")[0] for m in mails_to("amal")] == ["Changed"]


def test_the_organizer_is_told_how_many_attendees_gave_only_a_phone_and_must_be_called(edit):
    from django.contrib.messages import get_messages

    from tests.asks.organizer import person

    event = an_event()
    confirmed(event, "amal", "en")
    for phone in ("+963944000001", "+963944000002"):
        person(event, given="Omar", phone=phone)
    answer = edit(event, starts=later(event), ends=later(event, 28))
    shown = [(m.level_tag, str(m)) for m in get_messages(answer.wsgi_request)]
    assert [(tag, "2" in text) for tag, text in shown] == [("success", False), ("info", False), ("warning", True)]


def test_moving_the_event_by_its_time_zone_alone_reminds_its_attendees_again(edit):
    # The same wall-clock time in another zone is another moment: the reminders sent were
    # for the old one.
    event = an_event(starts_in=timedelta(days=3))
    attendee = confirmed(event, "amal", "en")
    Response.objects.filter(pk=attendee.pk).update(reminded_day_at=timezone.now())
    edit(event, time_zone="Asia/Beirut")
    attendee.refresh_from_db()
    assert attendee.reminded_day_at is None


def test_moving_only_the_events_end_keeps_the_reminders_already_sent(edit):
    # Reminders count down to the start: a longer afternoon is no reason to remind again.
    event = an_event(starts_in=timedelta(days=3))
    attendee = confirmed(event, "amal", "en")
    Response.objects.filter(pk=attendee.pk).update(reminded_day_at=timezone.now())
    edit(event, ends=later(event, 6))
    attendee.refresh_from_db()
    assert attendee.reminded_day_at is not None
