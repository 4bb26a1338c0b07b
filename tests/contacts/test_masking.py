"""Organizers see what they need: masked email and phone on lists, search results and a
supporter's page; the full details one audited click on one supporter; admins see all."""

import pytest
from django.urls import reverse

from accounts.models import AuditEvent
from contacts.masking import mask_email, mask_phone
from tests.factories import admin_client, organizer_client

from .helpers import make_contact

pytestmark = pytest.mark.django_db

EMAIL, PHONE = "salma.planted@example.org", "+963944123487"


def planted():
    return make_contact(email=EMAIL, given="Salma", phone=PHONE)


def test_an_email_is_masked_to_its_first_letter_and_domain():
    assert mask_email("salma@example.org") == "s\u2022\u2022\u2022@example.org"


def test_a_phone_is_masked_to_its_country_code_first_and_last_two_digits():
    assert mask_phone("+963912345687") == "+963 9\u2022\u2022 \u2022\u2022\u2022 \u202287"


def test_an_organizers_list_page_holds_no_full_email_or_phone():
    planted()
    html = organizer_client().get(reverse("contacts:list")).content.decode()
    assert (EMAIL in html, PHONE in html, "+963 944 123 487" in html, mask_email(EMAIL) in html) == (
        False,
        False,
        False,
        True,
    )


def test_an_organizers_search_results_hold_no_full_email_or_phone():
    planted()
    response = organizer_client().post(reverse("contacts:list"), {"q": EMAIL}, follow=True)
    html = response.content.decode().replace(f'value="{EMAIL}"', "")  # the search box keeps what was typed
    assert (len(response.context["contacts"]), EMAIL in html, PHONE in html) == (1, False, False)


def test_an_organizer_sees_a_supporters_page_masked_until_they_reveal():
    contact = planted()
    html = organizer_client().get(reverse("contacts:detail", args=[contact.pk])).content.decode()
    assert (EMAIL in html, PHONE in html, mask_phone(PHONE) in html, 'name="reveal"' in html) == (
        False,
        False,
        True,
        True,
    )


def test_revealing_one_supporter_shows_the_details_in_that_response_and_is_audited():
    contact = planted()
    client = organizer_client()
    url = reverse("contacts:detail", args=[contact.pk])
    revealed = client.post(url, {"reveal": "1"}).content.decode()
    again = client.get(url).content.decode()
    event = AuditEvent.objects.get(action="contact.reveal")
    assert (EMAIL in revealed, PHONE in revealed, EMAIL in again, event.object_id, event.detail) == (
        True,
        True,
        False,
        str(contact.pk),
        {},
    )


def test_an_admin_sees_full_details_on_the_list_and_the_supporters_page_audited_as_before():
    contact = planted()
    client = admin_client()
    listed = client.get(reverse("contacts:list")).content.decode()
    page = client.get(reverse("contacts:detail", args=[contact.pk])).content.decode()
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert (EMAIL in listed, PHONE in listed, EMAIL in page, PHONE in page) == (True, True, True, True)
    assert {"contacts.list_view", "contact.view"} <= actions
