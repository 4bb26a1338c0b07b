"""Every weighty step asks first, in words: the POST that acts carries `confirm`; without it
nothing happens and the page says what would (issue 13, finding 7)."""

import pytest
from django.urls import reverse
from django.utils import translation

from accounts.models import AuditEvent
from accounts.roles import ADMIN, ORGANIZER
from contacts.models import ContactList, Segment, Tag
from tests.contacts.helpers import a_list, make_contact
from tests.factories import logged_in, make_user

pytestmark = pytest.mark.django_db


def test_a_freeze_post_without_the_confirmation_freezes_nobody_and_says_what_would_happen():
    admin, member = make_user(ADMIN), make_user(ORGANIZER, username="rana")
    with translation.override("en"):
        response = logged_in(admin).post(reverse("accounts:freeze", args=[member.pk]), HTTP_ACCEPT_LANGUAGE="en")
    member.refresh_from_db()
    text = response.content.decode()
    assert (member.is_active, "Freeze rana’s account?" in text, 'name="confirm" value="freeze"' in text) == (
        True,
        True,
        True,
    )


def test_the_confirmation_page_speaks_arabic():
    admin, member = make_user(ADMIN), make_user(ORGANIZER, username="rana")
    response = logged_in(admin).get(reverse("accounts:freeze", args=[member.pk]), HTTP_ACCEPT_LANGUAGE="ar")
    assert "تجميد" in response.content.decode()


def test_deleting_a_list_without_the_confirmation_deletes_nothing():
    contact_list = a_list("Aleppo volunteers")
    client = logged_in(make_user())
    response = client.post(reverse("contacts:list_edit", args=[contact_list.pk]), {"delete": "1"})
    assert (response.status_code, ContactList.objects.filter(pk=contact_list.pk).exists()) == (200, True)


def test_a_confirmed_list_deletion_deletes_and_audits():
    contact_list = a_list("Aleppo volunteers")
    client = logged_in(make_user())
    client.post(reverse("contacts:list_edit", args=[contact_list.pk]), {"delete": "1", "confirm": "delete"})
    assert (
        ContactList.objects.filter(pk=contact_list.pk).exists(),
        AuditEvent.objects.filter(action="contacts.list_delete").count(),
    ) == (False, 1)


def test_deleting_a_tag_without_the_confirmation_deletes_nothing_and_counts_its_supporters():
    tag = Tag.objects.create(name="drivers")
    make_contact().tags.add(tag)
    client = logged_in(make_user())
    with translation.override("en"):
        response = client.post(reverse("contacts:tags"), {"delete": str(tag.pk)}, HTTP_ACCEPT_LANGUAGE="en")
    assert (Tag.objects.filter(pk=tag.pk).exists(), "taken off 1 supporter" in response.content.decode()) == (
        True,
        True,
    )


def test_a_confirmed_tag_deletion_deletes_and_audits():
    tag = Tag.objects.create(name="drivers")
    logged_in(make_user()).post(reverse("contacts:tags"), {"delete": str(tag.pk), "confirm": "delete"})
    assert (
        Tag.objects.filter(pk=tag.pk).exists(),
        AuditEvent.objects.filter(action="contacts.tag_delete").count(),
    ) == (
        False,
        1,
    )


def test_deleting_a_tag_that_is_not_there_is_a_404():
    response = logged_in(make_user()).post(reverse("contacts:tags"), {"delete": "x1"})
    assert response.status_code == 404


def test_deleting_a_segment_without_the_confirmation_deletes_nothing():
    segment = Segment.objects.create(name="Recent", filters={})
    client = logged_in(make_user())
    client.post(reverse("contacts:segment", args=[segment.pk]), {"delete": "1"})
    assert Segment.objects.filter(pk=segment.pk).exists()


def test_a_confirmed_segment_deletion_deletes_and_audits():
    segment = Segment.objects.create(name="Recent", filters={})
    client = logged_in(make_user())
    client.post(reverse("contacts:segment", args=[segment.pk]), {"delete": "1", "confirm": "delete"})
    assert (
        Segment.objects.filter(pk=segment.pk).exists(),
        AuditEvent.objects.filter(action="contacts.segment_delete").count(),
    ) == (False, 1)
