"""The "I can't come" page: asks first, withdraws on POST, gives the seat to exactly one
person on the waitlist who is mailed; bad links are 4xx pages in the visitor's language."""

import pytest
from django.test import Client
from django.urls import reverse

from asks import tokens
from asks.models import Response
from tests.asks.events import (
    PLACE,
    confirmed,
    everything_in,
    mails_to,
    make_event,
)

pytestmark = pytest.mark.django_db


def withdraw_url(response, purpose="withdraw"):
    return reverse("public:ask_withdraw", args=[tokens.make(response, purpose)])


def test_opening_the_link_changes_nothing_until_the_button_is_pressed():
    event = make_event()
    attendee = confirmed(event, "amal")
    page = Client().get(withdraw_url(attendee))
    attendee.refresh_from_db()
    assert (page.status_code, attendee.status) == (200, Response.Status.CONFIRMED)


@pytest.mark.usefixtures("eager_tasks")
def test_i_cant_come_frees_the_seat_for_exactly_one_waitlisted_person_who_is_mailed(django_capture_on_commit_callbacks):
    event = make_event(capacity=1)
    leaving = confirmed(event, "amal")
    first, second = confirmed(event, "bilal", language="en"), confirmed(event, "carim")
    with django_capture_on_commit_callbacks(execute=True):
        Client().post(withdraw_url(leaving))
    statuses = {r.given_name: r.status for r in Response.objects.filter(pk__in=[first.pk, second.pk])}
    promoted_mail = mails_to("bilal")
    assert (statuses, len(promoted_mail), PLACE in everything_in(promoted_mail[0]), mails_to("carim")) == (
        {"bilal": "confirmed", "carim": "waitlisted"},
        1,
        True,
        [],
    )


def test_the_page_shows_the_area_but_never_the_exact_place():
    event = make_event()
    page = Client().get(withdraw_url(confirmed(event, "amal", language="en")))
    html = page.content.decode()
    assert ("Bab al-Faraj quarter" in html, PLACE in html) == (True, False)


def test_a_forged_token_is_a_404_page_in_the_visitors_language():
    page = Client(headers={"accept-language": "en"}).get(reverse("public:ask_withdraw", args=["forged:token"]))
    assert (page.status_code, page.context["refusal"], 'lang="en"' in page.content.decode()) == (404, "invalid", True)


def test_a_confirmation_link_cannot_be_replayed_as_a_withdrawal():
    attendee = confirmed(make_event(), "amal")
    page = Client().post(withdraw_url(attendee, purpose="confirm"))
    attendee.refresh_from_db()
    assert (page.status_code, attendee.status) == (404, Response.Status.CONFIRMED)


def test_a_second_click_is_a_400_saying_it_is_already_done_in_the_attendees_language():
    attendee = confirmed(make_event(), "amal", language="ar")
    url = withdraw_url(attendee)
    Client().post(url)
    again = Client().post(url)
    assert (again.status_code, again.context["refusal"], 'lang="ar"' in again.content.decode()) == (
        400,
        "withdrawn",
        True,
    )


def test_a_cancelled_event_cannot_be_withdrawn_from():
    event = make_event()
    attendee = confirmed(event, "amal")
    event.cancel()
    page = Client().post(withdraw_url(attendee))
    assert (page.status_code, page.context["refusal"]) == (400, "over")
