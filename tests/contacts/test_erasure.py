"""Erasing a contact: consent history stays for the counts, with nothing that leads back to
the person; apps above contacts forget their part through the contact_erased seam."""

import pytest

from accounts.roles import ADMIN
from contacts.importing import import_file
from contacts.models import ConsentEvent, Contact, contact_erased
from tests.factories import make_user

from .helpers import a_list, make_contact, write_csv

pytestmark = pytest.mark.django_db


def test_an_erased_contacts_consent_events_stay_for_the_counts_but_lose_their_details(tmp_path):
    path = write_csv(tmp_path / "zaidoun-haddad-family.csv", ["name,email", "Zaidoun,zaidoun@example.org"])
    import_file(path, a_list())
    contact = Contact.objects.by_email("zaidoun@example.org")
    contact.change_language("en")
    contact.suppress(Contact.Status.BOUNCED, detail={"esp": "postmark"})
    kinds = sorted(contact.consent_events.values_list("kind", flat=True))

    former_id = contact.erase(by=make_user(ADMIN))

    left = ConsentEvent.objects.exclude(kind=ConsentEvent.Kind.ERASED)
    assert (
        sorted(left.values_list("kind", flat=True)),
        [e.detail for e in left],
        left.filter(contact=None).count(),
    ) == (
        kinds,
        [{}, {}, {}],
        3,
    ) and ConsentEvent.objects.get(kind=ConsentEvent.Kind.ERASED).detail == {"contact_id": former_id}


def test_apps_above_contacts_hear_of_an_erasure_while_the_contact_still_exists():
    contact = make_contact(email="heard@example.org")
    heard = []

    def receiver(sender, contact_id, **kwargs):
        heard.append((contact_id, Contact.objects.filter(pk=contact_id).exists()))

    contact_erased.connect(receiver)
    try:
        former_id = contact.erase(by=make_user(ADMIN))
    finally:
        contact_erased.disconnect(receiver)
    assert heard == [(former_id, True)]


def test_an_app_that_cannot_forget_stops_the_erasure_so_nothing_is_half_forgotten():
    contact = make_contact(email="kept@example.org")

    def receiver(sender, contact_id, **kwargs):
        raise RuntimeError("cannot forget")

    contact_erased.connect(receiver)
    try:
        with pytest.raises(RuntimeError):
            contact.erase(by=make_user(ADMIN))
    finally:
        contact_erased.disconnect(receiver)
    assert (Contact.objects.filter(pk=contact.pk).exists(), ConsentEvent.objects.filter(kind="erased").exists()) == (
        True,
        False,
    )
