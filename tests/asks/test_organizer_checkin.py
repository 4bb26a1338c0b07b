"""Check-in at the door: the list, the button, and the page the attendee's QR code opens."""

import pytest
from django.urls import reverse

from accounts.models import AuditEvent
from asks import tokens
from asks.models import Response
from tests.factories import organizer_client

from .organizer import make_ask, make_event, person

pytestmark = pytest.mark.django_db


def test_the_door_list_shows_confirmed_attendees_only():
    event = make_event()
    person(event, given="Rima")
    person(event, given="Omar", status=Response.Status.WAITLISTED)
    page = organizer_client().get(reverse("asks:checkin", args=[event.pk]))
    assert [r.given_name for r in page.context["people"]] == ["Rima"]


def test_the_door_search_narrows_the_list_by_name():
    event = make_event()
    person(event, given="Rima")
    person(event, given="Omar")
    page = organizer_client().post(reverse("asks:checkin", args=[event.pk]), {"q": "oma"})
    assert [r.given_name for r in page.context["people"]] == ["Omar"]


def test_the_check_in_button_checks_the_attendee_in_and_is_audited():
    event = make_event()
    rima = person(event)
    organizer_client().post(reverse("asks:checkin_response", args=[event.pk, rima.pk]))
    rima.refresh_from_db()
    audited = AuditEvent.objects.filter(action="ask.check_in", detail__response=rima.pk).exists()
    assert (rima.checked_in_at is not None, audited) == (True, True)


def test_the_door_count_moves_with_each_check_in():
    event = make_event()
    rima, _omar = person(event), person(event)
    client = organizer_client()
    client.post(reverse("asks:checkin_response", args=[event.pk, rima.pk]))
    page = client.get(reverse("asks:checkin", args=[event.pk]))
    assert page.context["counts"] == {"confirmed": 2, "checked_in": 1}


def test_a_scanned_code_shows_the_attendee_and_a_check_in_button():
    event = make_event()
    rima = person(event, given="Rima", family="Haddad")
    page = organizer_client().get(reverse("asks:checkin_token", args=[tokens.make(rima, "checkin")])).content.decode()
    assert "Rima Haddad" in page and 'type="submit" class="primary big"' in page


def test_posting_the_scanned_page_checks_in():
    event = make_event()
    rima = person(event)
    organizer_client().post(reverse("asks:checkin_token", args=[tokens.make(rima, "checkin")]), {"door": event.pk})
    rima.refresh_from_db()
    assert rima.checked_in_at is not None


def test_a_second_scan_says_already_checked_in():
    event = make_event()
    rima = person(event, checked_in=True)
    page = organizer_client().get(reverse("asks:checkin_token", args=[tokens.make(rima, "checkin")]))
    assert page.context["person"].checked_in_at is not None and b"big" not in page.content


def test_a_bad_token_is_a_404():
    assert organizer_client().get(reverse("asks:checkin_token", args=["not-a-token"])).status_code == 404


def test_a_confirmation_token_is_not_a_check_in_token():
    rima = person(make_event())
    assert organizer_client().get(reverse("asks:checkin_token", args=[tokens.make(rima, "confirm")])).status_code == 404


def test_a_petitions_signature_cannot_be_checked_in():
    signer = person(make_ask())
    assert (
        organizer_client().get(reverse("asks:checkin_token", args=[tokens.make(signer, "checkin")])).status_code == 404
    )


def test_a_withdrawn_attendee_is_not_checked_in():
    event = make_event()
    gone = person(event, status=Response.Status.WITHDRAWN)
    organizer_client().post(reverse("asks:checkin_token", args=[tokens.make(gone, "checkin")]), {"door": event.pk})
    gone.refresh_from_db()
    assert gone.checked_in_at is None


def test_nobody_is_checked_in_at_a_cancelled_event():
    event = make_event()
    rima = person(event)
    event.cancel()
    organizer_client().post(reverse("asks:checkin_response", args=[event.pk, rima.pk]))
    rima.refresh_from_db()
    assert rima.checked_in_at is None
