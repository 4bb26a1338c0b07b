"""No supporter's address in a stored error; nothing tying an erased contact to a delivery.

An address the mail libraries refuse (``zaid)@example.com``; the importer refuses them
now, but contacts stored before may hold one) makes every send fail with an error that
quotes it: Django's SMTP backend ("only zaid could be parsed from …"), anymail ("Invalid
email address 'zaid' … parsed from …"), a provider's bounce reason. The texts stored are
scrubbed; erasing the contact leaves no trace of them in any table."""

import json

import pytest
from anymail.signals import AnymailTrackingEvent, tracking
from django.db import connection

from accounts.roles import ADMIN
from contacts.models import Contact, ContactList, Membership
from messaging import dispatch
from messaging.models import Delivery
from tests.factories import make_user

from .helpers import make_message

pytestmark = pytest.mark.django_db

PLANTED_ADDRESS = "zaid)@example.com"
# The address, the piece of it Django quotes alone, and the name a provider's reason gave.
PLANTED = [PLANTED_ADDRESS, "zaid)", "only zaid", "'zaid'", "Zaidoun"]


def database_text():
    """Every value of every column of every table, as one text (bytes decoded leniently:
    ciphertext never spells a planted string by chance)."""
    parts = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, bytes | memoryview):
                        parts.append(bytes(value).decode("utf-8", "ignore"))
                    elif isinstance(value, dict | list):
                        parts.append(json.dumps(value, ensure_ascii=False))
                    elif value is not None:
                        parts.append(str(value))
    return "\n".join(parts)


def planted_contact():
    contact_list, _ = ContactList.objects.get_or_create(name="Old supporters")
    contact = Contact(status=Contact.Status.SUBSCRIBED, language="en")
    contact.email, contact.given_name = PLANTED_ADDRESS, "Zaidoun"
    contact.save()
    Membership.objects.create(contact=contact, contact_list=contact_list)
    return contact, contact_list


def send_to_planted():
    contact, contact_list = planted_contact()
    message = make_message(contact_list)
    message.schedule()
    message.start()
    dispatch.send_batch(message.pk, "w")
    return contact, Delivery.objects.get(message=message, contact=contact)


@pytest.fixture
def smtp(settings, sink):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", sink.port


@pytest.fixture
def anymail_backend(settings):
    settings.EMAIL_BACKEND = "anymail.backends.test.EmailBackend"


def leaks(text):
    return [planted for planted in PLANTED if planted.lower() in text.lower()]


def test_a_send_djangos_smtp_backend_refuses_stores_its_reason_without_the_address(smtp):
    _contact, delivery = send_to_planted()
    assert (delivery.status, delivery.error.startswith("ValueError: Invalid address"), leaks(delivery.error)) == (
        "failed",
        True,
        [],
    )


def test_a_send_anymail_refuses_stores_its_reason_without_the_address(anymail_backend):
    _contact, delivery = send_to_planted()
    assert (delivery.status, "AnymailInvalidAddress" in delivery.error, leaks(delivery.error)) == ("failed", True, [])


def bounce(delivery, reason):
    event = AnymailTrackingEvent(
        event_type="bounced", message_id=delivery.provider_message_id, reject_reason=reason, esp_event={}
    )
    tracking.send(sender=object, event=event, esp_name="Test")


def test_a_bounce_reason_quoting_the_recipient_is_stored_without_it(anymail_backend):
    contact, contact_list = planted_contact()
    delivery = Delivery.objects.create(
        message=make_message(contact_list), contact=contact, status="sent", provider_message_id="pm-1"
    )
    bounce(delivery, f'550 5.1.1 <{PLANTED_ADDRESS}>: Recipient address rejected ("{PLANTED_ADDRESS}")')
    delivery.refresh_from_db()
    assert (delivery.status, delivery.error.startswith("550 5.1.1 "), leaks(delivery.error)) == ("bounced", True, [])


def test_erasing_a_contact_leaves_nothing_of_it_in_any_table(anymail_backend):
    contact, delivery = send_to_planted()  # anymail: a refused send
    Delivery.objects.filter(pk=delivery.pk).update(status="sent", provider_message_id="pm-zaid")
    # A provider's reason can name the person in words no scrubber recognises.
    bounce(Delivery.objects.get(pk=delivery.pk), "mailbox of Zaidoun full, zaid) refused")
    assert leaks(database_text())  # planted: the test would notice them

    contact.erase(by=make_user(ADMIN))

    delivery.refresh_from_db()
    assert (leaks(database_text()), delivery.status, delivery.provider_message_id) == ([], "bounced", "")
