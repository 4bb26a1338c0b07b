"""An organizer moves a shift of an open event (its start or end): each confirmed and
waitlisted volunteer who chose that shift is told by mail, in their language, with the
shift as it now stands — in the same single change notice when the event moved too. Adding
or relabelling a shift mails nobody; a shift that volunteers chose cannot be deleted (they
would lose it without a word); drafts and events that are over mail nobody."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from asks.event_tasks import send_change_notices
from asks.models import Ask, Response
from tests.asks.events import confirmed, html_of, language_and_direction, mails_to, make_shift
from tests.asks.test_event_changed import an_event, form_data, later, local
from tests.factories import organizer_client

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_tasks")]


def shift_fields(event, shifts, moved=None, extra=()):
    """The shift forms as the edit page posts them back, with `moved` {shift: (starts, ends)}
    typed anew, and `extra` dicts of field changes for a shift by its index."""
    data = {"shifts-TOTAL_FORMS": str(len(shifts)), "shifts-INITIAL_FORMS": str(len(shifts))}
    for i, shift in enumerate(shifts):
        starts, ends = (moved or {}).get(shift, (shift.starts, shift.ends))
        data.update({
            f"shifts-{i}-id": str(shift.pk),
            f"shifts-{i}-ask": str(event.pk),
            f"shifts-{i}-label_ar": shift.label_ar,
            f"shifts-{i}-label_en": shift.label_en,
            f"shifts-{i}-starts": local(starts, event),
            f"shifts-{i}-ends": local(ends, event),
            f"shifts-{i}-slots": str(shift.slots),
        })  # fmt: skip
    for i, changes in extra:
        data.update({f"shifts-{i}-{name}": value for name, value in changes.items()})
    return data


def post(event, data, capture):
    with capture(execute=True):
        return organizer_client().post(reverse("asks:edit", args=[event.pk]), data)


@pytest.fixture
def edit(django_capture_on_commit_callbacks):
    """Save the event's form with its shifts, `moved` ones retimed, plus `changes` to the event."""

    def save(event, shifts, moved=None, extra=(), **changes):
        answer = post(event, {**form_data(event, **changes), **shift_fields(event, shifts, moved, extra)},
                      django_capture_on_commit_callbacks)  # fmt: skip
        assert answer.status_code == 302, answer.context["shifts"].errors if answer.context else answer
        return answer

    return save


def an_event_with_shifts(**extra):
    event = an_event(**extra)
    return event, make_shift(event, 5, label="Cleaning"), make_shift(event, 5, timedelta(hours=2), "Planting")


def an_hour_later(shift):
    return shift.starts + timedelta(hours=1), shift.ends + timedelta(hours=1)


def test_moving_a_shift_mails_its_confirmed_and_waitlisted_volunteers_and_nobody_else(edit):
    event, cleaning, planting = an_event_with_shifts()
    cleaning.slots = 1
    cleaning.save()
    confirmed(event, "amal", "en", shift=cleaning)
    confirmed(event, "bilal", "en", shift=cleaning)  # waitlisted: the shift is full
    confirmed(event, "carim", "en", shift=planting)
    confirmed(event, "dana", "en")  # no shift
    edit(event, [cleaning, planting], {cleaning: an_hour_later(cleaning)})
    assert sorted(m.to[0] for m in mail.outbox) == ["amal@example.org", "bilal@example.org"]


def test_the_mail_says_the_shift_changed_and_gives_its_new_hours(edit):
    event, cleaning, planting = an_event_with_shifts()
    confirmed(event, "amal", "en", shift=cleaning)
    starts, ends = an_hour_later(cleaning)
    edit(event, [cleaning, planting], {cleaning: (starts, ends)})
    (notice,) = mails_to("amal")
    hours = f"{local(starts, event)[-5:]}–{local(ends, event)[-5:]}"
    assert (notice.subject, re.findall(r'data-changed="(\w+)"', html_of(notice)), hours in notice.body) == (
        "Changed: Bab al-Faraj clean-up", ["shift"], True,
    )  # fmt: skip


def test_moving_the_event_and_the_shift_together_sends_each_volunteer_one_mail_saying_both(edit):
    event, cleaning, planting = an_event_with_shifts()
    confirmed(event, "amal", "en", shift=cleaning)
    moved = {cleaning: an_hour_later(cleaning)}
    edit(event, [cleaning, planting], moved, starts=later(event, 1), ends=later(event, 5))
    assert [re.findall(r'data-changed="(\w+)"', html_of(m)) for m in mails_to("amal")] == [["when", "shift"]]


def test_each_volunteer_reads_it_in_their_own_language(edit):
    event, cleaning, planting = an_event_with_shifts()
    confirmed(event, "amal", "ar", shift=cleaning)
    confirmed(event, "bob", "en", shift=cleaning)
    edit(event, [cleaning, planting], {cleaning: an_hour_later(cleaning)})
    assert [language_and_direction(m) for m in mails_to("amal") + mails_to("bob")] == [("ar", "rtl"), ("en", "ltr")]


def test_a_waitlisted_volunteer_is_told_of_a_new_shift_time_without_the_exact_place(edit):
    event, cleaning, planting = an_event_with_shifts(capacity=1)
    confirmed(event, "amal", "en", shift=planting)
    confirmed(event, "bilal", "en", shift=cleaning)  # waitlisted: the event is full
    edit(event, [cleaning, planting], {cleaning: an_hour_later(cleaning)}, place="Somewhere new")
    (notice,) = mails_to("bilal")
    assert (re.findall(r'data-changed="(\w+)"', html_of(notice)), "Somewhere new" in notice.body) == (["shift"], False)


@pytest.mark.parametrize(
    "extra", [[(0, {"label_en": "Sweeping"})], [(0, {"slots": "9"})]], ids=["relabelled", "more_slots"]
)
def test_an_edit_of_a_shift_that_keeps_its_times_mails_nobody(edit, extra):
    event, cleaning, planting = an_event_with_shifts()
    confirmed(event, "amal", "en", shift=cleaning)
    edit(event, [cleaning, planting], extra=extra)
    assert mail.outbox == []


def test_adding_a_shift_mails_nobody(django_capture_on_commit_callbacks):
    event, cleaning, planting = an_event_with_shifts()
    confirmed(event, "amal", "en", shift=cleaning)
    data = {**form_data(event), **shift_fields(event, [cleaning, planting])}
    new = {"label_en": "Painting", "label_ar": "دهان", "starts": later(event, 1), "ends": later(event, 3), "slots": "3"}
    data.update({"shifts-TOTAL_FORMS": "3", **{f"shifts-2-{name}": value for name, value in new.items()}})
    answer = post(event, data, django_capture_on_commit_callbacks)
    assert (answer.status_code, event.shifts.count(), mail.outbox) == (302, 3, [])


def test_moving_a_shift_of_a_draft_mails_nobody(edit):
    event, cleaning, planting = an_event_with_shifts()
    confirmed(event, "amal", "en", shift=cleaning)
    Ask.objects.filter(pk=event.pk).update(status=Ask.Status.DRAFT)
    edit(event, [cleaning, planting], {cleaning: an_hour_later(cleaning)})
    assert mail.outbox == []


def test_the_notices_task_mails_no_volunteer_about_an_event_that_is_over():
    event = an_event(starts_in=timedelta(hours=-6))
    cleaning = make_shift(event, 5)
    confirmed(event, "amal", "en", shift=cleaning)
    assert (send_change_notices(event.pk, [], [cleaning.pk]), mail.outbox) == (0, [])


def test_deleting_a_shift_that_volunteers_chose_is_refused_and_keeps_it(django_capture_on_commit_callbacks):
    event, cleaning, planting = an_event_with_shifts()
    confirmed(event, "amal", "en", shift=cleaning)
    data = {**form_data(event), **shift_fields(event, [cleaning, planting]), "shifts-0-DELETE": "on"}
    answer = post(event, data, django_capture_on_commit_callbacks)
    codes = [error.code for error in answer.context["shifts"].non_form_errors().as_data()]
    assert (answer.status_code, codes, event.shifts.count(), mail.outbox) == (200, ["shift_has_volunteers"], 2, [])


def test_deleting_a_shift_nobody_chose_is_allowed(edit):
    event, cleaning, planting = an_event_with_shifts()
    confirmed(event, "amal", "en", shift=cleaning)
    edit(event, [cleaning, planting], extra=[(1, {"DELETE": "on"})])
    assert (list(event.shifts.all()), mail.outbox) == ([cleaning], [])


def test_one_refused_address_does_not_keep_the_other_volunteers_from_hearing_of_their_shift(settings, caplog):
    event = an_event()
    cleaning = make_shift(event, 5)
    for name in ("amal", "bilal", "carim"):
        confirmed(event, name, "en", shift=cleaning)
    settings.EMAIL_BACKEND = "tests.asks.events.RefusingAmalBackend"
    with caplog.at_level("WARNING"):
        told = send_change_notices(event.pk, [], [cleaning.pk])
    assert (told, sorted(m.to[0] for m in mail.outbox), "amal@example.org" in caplog.text) == (
        2, ["bilal@example.org", "carim@example.org"], False,
    )  # fmt: skip


def test_the_organizer_is_told_how_many_volunteers_of_a_moved_shift_gave_only_a_phone(edit):
    from django.contrib.messages import get_messages

    from tests.asks.organizer import person

    event, cleaning, planting = an_event_with_shifts()
    confirmed(event, "amal", "en", shift=cleaning)
    person(event, given="Omar", phone="+963944000001", shift=cleaning)
    person(event, given="Huda", phone="+963944000002", shift=planting)  # her shift did not move
    answer = edit(event, [cleaning, planting], {cleaning: an_hour_later(cleaning)})
    shown = [(m.level_tag, str(m)) for m in get_messages(answer.wsgi_request)]
    assert [(tag, "1" in text) for tag, text in shown] == [("success", False), ("info", False), ("warning", True)]


def test_moving_a_shifts_start_reminds_its_volunteers_again_and_moving_its_end_alone_does_not(edit):
    event, cleaning, planting = an_event_with_shifts()
    amal = confirmed(event, "amal", "en", shift=cleaning)
    reminded = timezone.now()
    Response.objects.filter(pk=amal.pk).update(reminded_day_at=reminded)
    edit(event, [cleaning, planting], {planting: (planting.starts, planting.ends + timedelta(hours=1))})
    kept = Response.objects.get(pk=amal.pk).reminded_day_at
    edit(event, [cleaning, planting], {cleaning: an_hour_later(cleaning)})
    assert (kept, Response.objects.get(pk=amal.pk).reminded_day_at) == (reminded, None)
