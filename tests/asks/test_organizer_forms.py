"""Creating and editing asks from the campaign page."""

import datetime
import zoneinfo

import pytest
from django.urls import reverse

from asks.models import Ask, Response
from tests.campaigns.helpers import make_campaign
from tests.factories import organizer_client

from .organizer import make_ask, make_event, person

pytestmark = pytest.mark.django_db

EVENT = {
    "title_ar": "يوم التنظيف",
    "title_en": "Clean-up day",
    "starts": "2026-12-05T09:00",
    "ends": "2026-12-05T13:00",
    "time_zone": "Asia/Damascus",
    "area_en": "Al-Jamiliyah",
    "place": "Behind the old mill",
    "capacity": "40",
    "position": "0",
    "shifts-TOTAL_FORMS": "2",
    "shifts-INITIAL_FORMS": "0",
    "shifts-MIN_NUM_FORMS": "0",
    "shifts-MAX_NUM_FORMS": "30",
    "shifts-0-label_en": "Cleaning",
    "shifts-0-starts": "2026-12-05T09:00",
    "shifts-0-ends": "2026-12-05T11:00",
    "shifts-0-slots": "12",
}


def create_event(data=EVENT, campaign=None):
    campaign = campaign or make_campaign()
    client = organizer_client()
    response = client.post(reverse("asks:create", args=[campaign.pk, "event"]), data)
    return response, Ask.objects.filter(campaign=campaign).first()


def test_an_events_local_times_are_stored_in_its_own_time_zone():
    _response, event = create_event()
    damascus = zoneinfo.ZoneInfo("Asia/Damascus")
    assert event.starts == datetime.datetime(2026, 12, 5, 9, 0, tzinfo=damascus)


def test_an_events_shifts_are_saved_from_the_same_form():
    _response, event = create_event()
    assert [(s.label_en, s.slots, s.starts.astimezone(event.zone()).hour) for s in event.shifts.all()] == [
        ("Cleaning", 12, 9)
    ]


def test_the_exact_place_is_stored_encrypted():
    _response, event = create_event()
    assert (event.place, b"old mill" in bytes(event.place_enc)) == ("Behind the old mill", False)


def test_an_empty_address_is_made_from_the_title_and_unique_in_the_campaign():
    campaign = make_campaign()
    make_ask(campaign=campaign, slug="clean-up-day")
    _response, _event = create_event(campaign=campaign)
    slugs = sorted(Ask.objects.filter(campaign=campaign).values_list("slug", flat=True))
    assert slugs[0] == "clean-up-day" and slugs[1].startswith("clean-up-day-")


def test_an_event_without_a_start_is_refused_with_the_form_shown_again():
    response, event = create_event({**EVENT, "starts": ""})
    assert (response.status_code, event) == (200, None)


def test_a_shift_ending_before_it_starts_is_refused():
    response, event = create_event({**EVENT, "shifts-0-ends": "2026-12-05T08:00"})
    assert (response.status_code, event) == (200, None)


def test_an_unknown_kind_is_a_404():
    response = organizer_client().get(reverse("asks:create", args=[make_campaign().pk, "survey"]))
    assert response.status_code == 404


def test_editing_a_petition_keeps_its_address_and_saves_the_target():
    petition = make_ask(slug="stop-the-dump")
    data = {"title_en": "Stop the dump", "target_en": "The governor", "slug": "", "position": "0"}
    organizer_client().post(reverse("asks:edit", args=[petition.pk]), data)
    petition.refresh_from_db()
    assert (petition.slug, petition.target_en) == ("stop-the-dump", "The governor")


@pytest.mark.usefixtures("eager_tasks")
def test_raising_an_open_events_capacity_moves_the_waitlist_up_and_mails_them(
    mailoutbox, django_capture_on_commit_callbacks
):
    starts = datetime.datetime(2027, 12, 5, 9, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Damascus"))
    event = make_event(capacity=1, place="Behind the old mill", starts=starts, time_zone="Asia/Damascus")
    person(event, email="first@example.org")
    waiting = person(event, email="second@example.org", status=Response.Status.WAITLISTED)
    # Only the capacity changes: the time and place are posted back as they were (a moved
    # event would mail everyone its change as well, tests/asks/test_event_changed.py).
    data = {"title_en": "Clean-up day", "starts": "2027-12-05T09:00", "ends": "2027-12-05T13:00"}
    data.update({"time_zone": "Asia/Damascus", "place": "Behind the old mill", "capacity": "2"})
    data.update({"position": "0", "shifts-TOTAL_FORMS": "0", "shifts-INITIAL_FORMS": "0"})
    with django_capture_on_commit_callbacks(execute=True):
        organizer_client().post(reverse("asks:edit", args=[event.pk]), data)
    waiting.refresh_from_db()
    assert (waiting.status, [m.to for m in mailoutbox]) == (Response.Status.CONFIRMED, [["second@example.org"]])
