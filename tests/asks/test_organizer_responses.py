"""The responses list: counts, people (audited, masked for organizers), search, hand confirmation."""

import pytest
from django.urls import reverse

from accounts.models import AuditEvent
from asks import breakdown
from asks.models import Response
from contacts.filters import apply_filters
from contacts.models import Contact
from tests.factories import admin_client, organizer_client

from .organizer import make_ask, make_event, person

pytestmark = pytest.mark.django_db


def test_viewing_the_responses_is_audited():
    petition = make_ask()
    person(petition)
    organizer_client().get(reverse("asks:responses", args=[petition.pk]))
    assert AuditEvent.objects.filter(action="ask.responses_view", object_id=str(petition.pk), detail__shown=1).exists()


def test_organizers_see_emails_masked():
    petition = make_ask()
    person(petition, email="salma.k@example.org")
    page = organizer_client().get(reverse("asks:responses", args=[petition.pk])).content.decode()
    assert ("salma.k@example.org" in page, "s•••@example.org" in page) == (False, True)


def test_showing_emails_is_a_post_that_is_audited():
    petition = make_ask()
    person(petition, email="salma.k@example.org")
    page = organizer_client().post(reverse("asks:responses", args=[petition.pk]), {"reveal": "1"}).content.decode()
    audited = AuditEvent.objects.filter(action="ask.responses_reveal").exists()
    assert ("salma.k@example.org" in page, audited) == (True, True)


def test_admins_see_names_and_emails():
    petition = make_ask()
    person(petition, given="Salma", family="Kurdi", email="salma.k@example.org")
    page = admin_client().get(reverse("asks:responses", args=[petition.pk])).content.decode()
    assert "Salma Kurdi" in page and "salma.k@example.org" in page


def test_the_page_is_never_cached():
    petition = make_ask()
    response = organizer_client().get(reverse("asks:responses", args=[petition.pk]))
    assert "no-store" in response["Cache-Control"]


def test_an_exact_email_search_finds_the_one_person():
    petition = make_ask()
    person(petition, given="Salma", email="salma.k@example.org")
    person(petition, given="Omar", email="omar@example.org")
    page = admin_client().post(reverse("asks:responses", args=[petition.pk]), {"q": "SALMA.K@example.org"})
    assert [r.given_name for r in page.context["people"]] == ["Salma"]


def test_a_phone_search_finds_the_person_whatever_the_spelling():
    petition = make_ask()
    person(petition, given="Omar", phone="+963 944 123 456", email="")
    person(petition, given="Salma")
    page = admin_client().post(reverse("asks:responses", args=[petition.pk]), {"q": "00963944123456"})
    assert [r.given_name for r in page.context["people"]] == ["Omar"]


def test_a_name_search_finds_part_of_a_name():
    petition = make_ask()
    person(petition, given="سلمى", family="الكردي")
    person(petition, given="Omar")
    page = admin_client().post(reverse("asks:responses", args=[petition.pk]), {"q": "الكر"})
    assert [r.given_name for r in page.context["people"]] == ["سلمى"]


def test_neighbourhoods_spelled_alike_are_one_group_named_once():
    petition = make_ask()
    person(petition, neighbourhood="حماة")
    person(petition, neighbourhood="حماه")
    person(petition, neighbourhood="Bab al-Hadid")
    person(petition, neighbourhood="حماة", status=Response.Status.PENDING)  # does not count yet
    groups = breakdown.by_neighbourhood(petition)
    assert (groups[0][0] in ("حماة", "حماه"), [n for _label, n in groups]) == (True, [2, 1])


def test_responses_without_a_print_run_are_counted_as_no_flyer():
    petition = make_ask()
    person(petition)
    assert [n for _label, n in breakdown.by_print_run(petition)] == [1]


def test_counts_by_status_include_the_waitlist():
    event = make_event()
    person(event)
    person(event, status=Response.Status.WAITLISTED)
    person(event, status=Response.Status.WITHDRAWN)
    person(event, status=Response.Status.PENDING)
    assert breakdown.by_status(event) == {"pending": 1, "confirmed": 1, "waitlisted": 1, "withdrawn": 1}


def test_an_organizer_confirms_a_phone_only_response_by_hand_and_it_is_audited():
    petition = make_ask()
    omar = person(petition, phone="+963944123456", email="", status=Response.Status.PENDING)
    organizer_client().post(reverse("asks:response_confirm", args=[petition.pk, omar.pk]))
    omar.refresh_from_db()
    audited = AuditEvent.objects.filter(action="ask.response_confirm", detail__response=omar.pk).exists()
    assert (omar.status, audited) == (Response.Status.CONFIRMED, True)


def test_a_response_with_an_email_is_not_confirmed_by_hand():
    petition = make_ask()
    salma = person(petition, email="salma@example.org", status=Response.Status.PENDING)
    organizer_client().post(reverse("asks:response_confirm", args=[petition.pk, salma.pk]))
    salma.refresh_from_db()
    assert salma.status == Response.Status.PENDING


def test_a_phone_only_signer_who_asked_to_be_kept_informed_becomes_a_contact_when_confirmed_by_hand():
    petition = make_ask()
    omar = person(petition, phone="+963944123457", email="", status=Response.Status.PENDING, keep_informed=True)
    organizer_client().post(reverse("asks:response_confirm", args=[petition.pk, omar.pk]))
    omar.refresh_from_db()
    assert Contact.objects.by_phone("+963944123457").filter(pk=omar.contact_id, source="petition").exists()


def test_the_came_from_filter_finds_supporters_an_ask_brought_in():
    petition = make_ask()
    omar = person(petition, phone="+963944123458", email="", status=Response.Status.PENDING, keep_informed=True)
    organizer_client().post(reverse("asks:response_confirm", args=[petition.pk, omar.pk]))
    assert list(apply_filters(Contact.objects.all(), {"source": ["ask"]}).values_list("source", flat=True)) == [
        "petition"
    ]


def test_a_phone_only_response_to_a_cancelled_event_is_not_confirmed_by_hand():
    # The public link refuses once the ask is not open; the organizer's button must too, or a
    # cancelled event gains attendees and a closed petition signatures its history never had.
    event = make_event()
    omar = person(event, phone="+963944123458", email="", status=Response.Status.PENDING)
    event.cancel()
    organizer_client().post(reverse("asks:response_confirm", args=[event.pk, omar.pk]))
    omar.refresh_from_db()
    assert omar.status == Response.Status.PENDING


def test_a_response_is_not_confirmed_once_its_petition_is_closed():
    petition = make_ask()
    salma = person(petition, email="salma@example.org", status=Response.Status.PENDING)
    petition.close()
    assert (salma.confirm(), Response.objects.get(pk=salma.pk).status) == (None, Response.Status.PENDING)


def test_the_confirm_by_hand_button_is_offered_only_while_the_ask_is_open():
    petition = make_ask()
    omar = person(petition, phone="+963944123461", email="", status=Response.Status.PENDING)
    confirm = reverse("asks:response_confirm", args=[petition.pk, omar.pk])
    client = organizer_client()
    before = confirm in client.get(reverse("asks:responses", args=[petition.pk])).content.decode()
    petition.close()
    after = confirm in client.get(reverse("asks:responses", args=[petition.pk])).content.decode()
    assert (before, after) == (True, False)
