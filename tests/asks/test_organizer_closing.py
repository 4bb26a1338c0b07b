"""Closing an ask: it enters the campaign's mobilisation history once, without retyping."""

import datetime
import zoneinfo

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from asks.models import Ask
from campaigns.models import Action, Campaign
from tests.campaigns.helpers import make_campaign
from tests.factories import organizer_client

from .organizer import make_ask, make_event, make_shift, person

pytestmark = pytest.mark.django_db

DAMASCUS = zoneinfo.ZoneInfo("Asia/Damascus")


def held_cleanup():
    # 00:30 in Damascus is still the day before in UTC: the history takes the local date.
    event = make_event(
        make_campaign(kind=Campaign.Kind.CLEANUP), starts=datetime.datetime(2026, 3, 7, 0, 30, tzinfo=DAMASCUS)
    )
    shift = make_shift(event, slots=1)
    person(event, shift=shift, checked_in=True)
    person(event, checked_in=True)
    person(event)  # confirmed, did not come
    return event


def test_closing_an_event_makes_a_history_action_with_its_attendance():
    action = held_cleanup().close()
    assert (action.kind, action.date, action.participants, action.is_public) == (
        Action.Kind.CLEANUP,
        datetime.date(2026, 3, 7),
        2,
        True,
    )


def test_the_history_entry_says_what_happened_in_english():
    action = held_cleanup().close()
    assert action.description_en == "Clean-up held: 2 attended, 1 shift filled — Clean-up day"


def test_the_history_entry_is_written_in_arabic_too():
    assert held_cleanup().close().description_ar


def test_closing_twice_makes_one_action():
    event = held_cleanup()
    event.close()
    with pytest.raises(ValidationError):
        Ask.objects.get(pk=event.pk).close()
    assert Action.objects.filter(campaign=event.campaign).count() == 1


def test_the_event_is_linked_to_its_history_action():
    event = held_cleanup()
    action = event.close()
    assert Ask.objects.get(pk=event.pk).history_action == action


def test_closing_a_petition_records_its_signatures():
    petition = make_ask()
    for _ in range(3):
        person(petition)
    assert petition.close().description_en.startswith("Petition closed: 3 signatures")


def test_signatures_are_counted_with_thousands_separated():
    from django.utils import translation

    from asks.closing import describe

    petition = make_ask(title_en="Stop the dump")
    with translation.override("en"):
        described = describe(petition, {"confirmed": 1234})
    assert described == "Petition closed: 1,234 signatures — Stop the dump"


def test_the_close_button_asks_for_confirmation_first():
    event = held_cleanup()
    client = organizer_client()
    client.post(reverse("asks:status", args=[event.pk]), {"status": "closed"})
    assert Ask.objects.get(pk=event.pk).status == Ask.Status.OPEN


def test_the_confirmed_close_is_audited():
    from accounts.models import AuditEvent

    event = held_cleanup()
    organizer_client().post(reverse("asks:status", args=[event.pk]), {"status": "closed", "confirm": "closed"})
    assert AuditEvent.objects.filter(action="ask.status", object_id=str(event.pk), detail__new="closed").exists()


def test_cancelling_an_event_goes_through_ask_cancel(django_capture_on_commit_callbacks):
    event = make_event()
    with django_capture_on_commit_callbacks() as callbacks:
        organizer_client().post(
            reverse("asks:status", args=[event.pk]), {"status": "cancelled", "confirm": "cancelled"}
        )
    assert (Ask.objects.get(pk=event.pk).status, len(callbacks)) == (Ask.Status.CANCELLED, 1)


def test_a_draft_cannot_be_closed():
    draft = make_ask(status=Ask.Status.DRAFT)
    response = organizer_client().post(
        reverse("asks:status", args=[draft.pk]), {"status": "closed", "confirm": "closed"}
    )
    assert (response.status_code, Ask.objects.get(pk=draft.pk).status) == (302, Ask.Status.DRAFT)


def test_an_event_that_has_not_started_cannot_be_closed():
    event = make_event()  # in two days
    with pytest.raises(ValidationError) as refused:
        event.close()
    assert refused.value.code == "event_not_started"
