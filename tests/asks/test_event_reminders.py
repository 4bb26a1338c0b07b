"""Reminders 24 h and 2 h before: each once, in each attendee's language, through the task
functions a worker runs (mail lands in the locmem outbox)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from asks import reminders
from asks.event_tasks import send_attendee_mail, send_reminders
from asks.models import Response
from tests.asks.events import PLACE, confirmed, everything_in, language_and_direction, mails_to, make_event, make_shift

pytestmark = pytest.mark.django_db


def signed_up_a_week_ago(event, name, language="ar", shift=None):
    response = confirmed(event, name, language, shift)
    Response.objects.filter(pk=response.pk).update(confirmed_at=timezone.now() - timedelta(days=7))
    return response


def test_each_reminder_goes_once_in_each_persons_language():
    event = make_event(starts_in=timedelta(days=3))
    signed_up_a_week_ago(event, "amal", "ar")
    signed_up_a_week_ago(event, "bob", "en")
    start = event.starts
    for now in (start - timedelta(hours=23), start - timedelta(hours=22), start - timedelta(hours=1, minutes=55)):
        reminders.send_due(now)
        reminders.send_due(now)  # a second beat at the same moment
    seen = {name: [language_and_direction(m) for m in mails_to(name)] for name in ("amal", "bob")}
    seen["bob's subjects"] = [m.subject.split(":")[0] for m in mails_to("bob")]
    assert seen == {
        "amal": [("ar", "rtl")] * 2,
        "bob": [("en", "ltr")] * 2,
        "bob's subjects": ["Tomorrow", "Starting soon"],
    }


def test_every_reminder_carries_the_exact_place_and_the_i_cant_come_link():
    event = make_event(starts_in=timedelta(hours=20))
    signed_up_a_week_ago(event, "amal", "en")
    send_reminders()
    (message,) = mails_to("amal")
    assert (PLACE in everything_in(message), "/rsvp/withdraw/" in message.body) == (True, True)


def test_a_beat_that_comes_late_sends_only_the_two_hour_reminder():
    event = make_event(starts_in=timedelta(hours=1))
    signed_up_a_week_ago(event, "amal", "en")
    reminders.send_due()
    reminders.send_due(timezone.now() + timedelta(minutes=5))
    assert [m.subject for m in mails_to("amal")] == ["Starting soon: Bab al-Faraj clean-up"]


def test_the_confirmation_mail_inside_the_day_window_stands_for_the_day_reminder():
    event = make_event(starts_in=timedelta(hours=5))
    attendee = confirmed(event, "amal", "en")
    send_attendee_mail(attendee.pk)
    reminders.send_due()  # a beat right after: no "tomorrow" five minutes after "registered"
    reminders.send_due(event.starts - timedelta(hours=1, minutes=58))
    assert [m.subject.split(":")[0] for m in mails_to("amal")] == ["You are registered", "Starting soon"]


def test_a_shift_volunteer_is_reminded_before_their_shift_not_the_event():
    event = make_event(starts_in=timedelta(hours=1))
    later = make_shift(event, slots=5, offset=timedelta(hours=3))
    signed_up_a_week_ago(event, "amal", "en", shift=later)
    reminders.send_due()
    assert [m.subject.split(":")[0] for m in mails_to("amal")] == ["Tomorrow"]


def test_someone_who_withdrew_or_waits_on_the_waitlist_is_not_reminded():
    event = make_event(starts_in=timedelta(hours=1), capacity=1)
    gone = signed_up_a_week_ago(event, "amal")
    signed_up_a_week_ago(event, "bilal")  # waitlisted
    Response.objects.filter(pk=gone.pk).update(status=Response.Status.WITHDRAWN)
    assert reminders.send_due() == {"reminder_hours": 0, "reminder_day": 0}


def test_of_two_claims_on_one_reminder_exactly_one_wins():
    event = make_event(starts_in=timedelta(hours=1))
    attendee = signed_up_a_week_ago(event, "amal")
    now = timezone.now()
    assert [reminders.claim(attendee.pk, "reminder_hours", now) for _ in range(2)] == [True, False]


def test_a_send_that_fails_releases_its_claim_for_the_next_beat(settings):
    event = make_event(starts_in=timedelta(hours=1))
    signed_up_a_week_ago(event, "amal", "en")
    settings.EMAIL_BACKEND = "tests.asks.events.RefusingBackend"
    failed = reminders.send_due()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert (failed["reminder_hours"], reminders.send_due()["reminder_hours"]) == (0, 1)


def test_beat_runs_the_reminder_sweep_every_few_minutes_and_the_worker_knows_the_task(settings):
    from hamla.celery import app

    app.loader.import_default_modules()  # what a worker does at start
    name = "asks.event_tasks.send_reminders"
    every = [entry["schedule"] for entry in settings.CELERY_BEAT_SCHEDULE.values() if entry["task"] == name]
    assert (every, name in app.tasks) == ([300.0], True)


def test_a_refused_reminder_is_logged_without_the_attendees_address(settings, caplog):
    event = make_event(starts_in=timedelta(hours=1))
    signed_up_a_week_ago(event, "amal", "en")
    settings.EMAIL_BACKEND = "tests.asks.events.RecipientRefusingBackend"
    with caplog.at_level("WARNING", logger="asks.reminders"):
        reminders.send_due()
    assert (bool(caplog.records), "amal@example.org" in caplog.text) == (True, False)


def test_an_event_moved_to_a_later_day_reminds_its_attendees_again_before_the_new_start():
    from django.urls import reverse

    from tests.factories import organizer_client

    event = make_event(starts_in=timedelta(hours=20))
    signed_up_a_week_ago(event, "amal", "en")
    reminders.send_due()  # the day reminder, for the old date
    moved = event.local_starts() + timedelta(days=7)
    organizer_client().post(
        reverse("asks:edit", args=[event.pk]),
        {
            "title_ar": event.title_ar, "title_en": event.title_en, "time_zone": event.time_zone,
            "starts": moved.strftime("%Y-%m-%dT%H:%M"), "ends": "", "place": PLACE, "slug": event.slug,
            "position": "0", "shifts-TOTAL_FORMS": "0", "shifts-INITIAL_FORMS": "0",
        },
    )  # fmt: skip
    again = reminders.send_due(now=timezone.now() + timedelta(days=7))
    assert (len(mails_to("amal")), again["reminder_day"]) == (2, 1)
