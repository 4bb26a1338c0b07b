"""Issue 13, finding 13: a supporter's page showed raw codes ("signup", "signup_form") where
people read where the supporter came from and how they gave consent."""

import pytest
from django.urls import reverse

from contacts.models import ConsentEvent
from tests.factories import admin_client

from .helpers import make_contact

pytestmark = pytest.mark.django_db


def supporter_page(language):
    contact = make_contact(email="codes@example.org", given="Hiba")
    contact.source = "signup"
    contact.save()
    ConsentEvent.objects.create(contact=contact, kind=ConsentEvent.Kind.CONFIRMED, method="signup_form")
    client = admin_client()
    client.cookies["django_language"] = language
    return client.get(reverse("contacts:detail", args=[contact.pk])).content.decode()


@pytest.mark.parametrize(
    "language, source, method",
    [("ar", "اشتراك عبر الصفحة العامة", "نموذج التسجيل"), ("en", "Public signup", "signup form")],
)
def test_the_supporters_source_and_consent_method_are_words_in_the_pages_language(language, source, method):
    page = supporter_page(language)
    assert (source in page, method in page, "signup_form" in page, ">signup<" in page) == (True, True, False, False)
