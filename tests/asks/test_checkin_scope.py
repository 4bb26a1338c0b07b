"""A check-in code is accepted only at its own event's door. The door is the event whose door
list the organizer opened on this phone, or the one they confirm on the scanned page when
they opened none; a code of another event is refused with the code ``other_event`` (409),
saying which event it is for, and nothing changes."""

import pytest
from django.conf import settings
from django.urls import reverse

from asks import tokens
from tests.factories import organizer_client

from .organizer import make_event, person

pytestmark = pytest.mark.django_db


def scan_url(response):
    return reverse("asks:checkin_token", args=[tokens.make(response, "checkin")])


def at_the_door_of(event):
    client = organizer_client()
    client.get(reverse("asks:checkin", args=[event.pk]))
    return client


def refusal(page):
    return page.status_code, page.context.get("refusal") if page.context else None


def checked_in(response):
    response.refresh_from_db()
    return response.checked_in_at is not None


def test_another_events_code_is_refused_at_this_events_door():
    this, other = make_event(), make_event(title_en="Friday demonstration")
    stranger = person(other)
    assert refusal(at_the_door_of(this).get(scan_url(stranger))) == (409, "other_event")


def test_checking_in_another_events_code_at_this_door_is_refused_and_changes_nothing():
    this, other = make_event(), make_event()
    stranger = person(other)
    page = at_the_door_of(this).post(scan_url(stranger), {"door": other.pk})
    assert (refusal(page), checked_in(stranger)) == ((409, "other_event"), False)


def test_the_refusal_says_which_event_the_code_is_for_and_names_nobody():
    this, other = make_event(), make_event(title_en="Friday demonstration")
    stranger = person(other, given="Zainab")
    client = at_the_door_of(this)
    client.cookies["django_language"] = "en"
    html = client.get(scan_url(stranger)).content.decode()
    assert ("Friday demonstration" in html, "Zainab" in html) == (True, False)


def test_this_events_code_is_checked_in_at_its_door():
    event = make_event()
    rima = person(event)
    at_the_door_of(event).post(scan_url(rima), {"door": event.pk})
    assert checked_in(rima)


def test_with_no_door_open_the_scanned_page_names_the_event_and_asks_to_confirm_it():
    event = make_event(title_en="Clean-up day")
    rima = person(event)
    client = organizer_client()
    client.cookies["django_language"] = "en"
    page = client.get(scan_url(rima))
    html = page.content.decode()
    assert (page.status_code, page.context["confirm_door"], "Clean-up day" in html) == (200, True, True)


def test_a_check_in_that_does_not_confirm_the_event_is_refused_and_changes_nothing():
    rima = person(make_event())
    page = organizer_client().post(scan_url(rima))
    assert (refusal(page), checked_in(rima)) == ((400, "door_unconfirmed"), False)


def test_confirming_the_event_checks_in_and_makes_it_this_phones_door():
    event, other = make_event(), make_event()
    rima, stranger = person(event), person(other)
    client = organizer_client()
    client.post(scan_url(rima), {"door": event.pk})
    assert (checked_in(rima), refusal(client.get(scan_url(stranger)))) == (True, (409, "other_event"))


def test_confirming_another_event_than_the_codes_is_refused():
    event, other = make_event(), make_event()
    rima = person(event)
    page = organizer_client().post(scan_url(rima), {"door": other.pk})
    assert (refusal(page), checked_in(rima)) == ((409, "other_event"), False)


def test_a_code_scanned_into_the_door_search_finds_that_attendee():
    event = make_event()
    rima = person(event, given="Rima")
    person(event, given="Omar")
    page = at_the_door_of(event).post(
        reverse("asks:checkin", args=[event.pk]), {"q": settings.SITE_URL + scan_url(rima)}
    )
    assert [r.pk for r in page.context["people"]] == [rima.pk]


def test_another_events_code_scanned_into_the_door_search_is_refused():
    this, other = make_event(), make_event()
    stranger = person(other)
    page = at_the_door_of(this).post(
        reverse("asks:checkin", args=[this.pk]), {"q": settings.SITE_URL + scan_url(stranger)}
    )
    assert refusal(page) == (409, "other_event")
