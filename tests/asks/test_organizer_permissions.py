"""Asks' staff pages hold supporters' personal data: volunteers get nothing from any of them."""

import pytest
from django.urls import reverse

from asks import tokens
from tests.factories import volunteer_client

from .organizer import make_event, person

pytestmark = pytest.mark.django_db


def test_a_volunteer_gets_nothing_from_any_asks_page():
    event = make_event()
    rima = person(event, given="Rima", email="rima@example.org")
    client = volunteer_client()
    urls = [
        reverse("asks:create", args=[event.campaign_id, "petition"]),
        reverse("asks:detail", args=[event.pk]),
        reverse("asks:edit", args=[event.pk]),
        reverse("asks:responses", args=[event.pk]),
        reverse("asks:petition_pdf", args=[event.pk]),
        reverse("asks:checkin", args=[event.pk]),
        reverse("asks:checkin_token", args=[tokens.make(rima, "checkin")]),
    ]
    posts = [
        reverse("asks:status", args=[event.pk]),
        reverse("asks:responses", args=[event.pk]),
        reverse("asks:response_confirm", args=[event.pk, rima.pk]),
        reverse("asks:checkin_response", args=[event.pk, rima.pk]),
    ]
    statuses = {client.get(url).status_code for url in urls} | {client.post(url).status_code for url in posts}
    assert statuses == {403}
