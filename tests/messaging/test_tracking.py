import base64
import json

import pytest

from contacts.models import Contact
from messaging.models import Delivery

from .helpers import make_list, make_message

pytestmark = pytest.mark.django_db
URL = "/webhooks/anymail/postmark/tracking/"


def _delivery(status="sent"):
    contact_list, (contact,) = make_list(count=1)
    message = make_message(contact_list)
    return Delivery.objects.create(message=message, contact=contact, status=status, provider_message_id="pm-123")


def _post(client, payload, auth=None):
    headers = {}
    if auth:
        headers["HTTP_AUTHORIZATION"] = "Basic " + base64.b64encode(auth.encode()).decode()
    return client.post(URL, json.dumps(payload), content_type="application/json", **headers)


BOUNCE = {
    "RecordType": "Bounce",
    "Type": "HardBounce",
    "ID": 42,
    "MessageID": "pm-123",
    "Email": "x@example.org",
    "BouncedAt": "2026-05-01T10:00:00Z",
}


def test_a_hard_bounce_marks_the_delivery_and_suppresses_the_contact(client, settings):
    settings.ANYMAIL = {**settings.ANYMAIL, "WEBHOOK_SECRET": "hook:secret"}
    delivery = _delivery()

    assert _post(client, BOUNCE, auth="hook:secret").status_code == 200

    delivery.refresh_from_db()
    assert delivery.status == "bounced"
    assert Contact.objects.get(pk=delivery.contact_id).status == "bounced"


def test_a_soft_bounce_is_noted_but_neither_bounces_the_delivery_nor_suppresses_the_contact(client, settings):
    settings.ANYMAIL = {**settings.ANYMAIL, "WEBHOOK_SECRET": "hook:secret"}
    delivery = _delivery()

    soft = {**BOUNCE, "Type": "SoftBounce", "Description": "mailbox full"}
    assert _post(client, soft, auth="hook:secret").status_code == 200

    delivery.refresh_from_db()
    assert (delivery.status, delivery.error) == ("sent", "soft bounce")
    assert Contact.objects.get(pk=delivery.contact_id).status == "subscribed"


def test_an_open_after_a_click_does_not_move_the_delivery_back(client, settings):
    settings.ANYMAIL = {**settings.ANYMAIL, "WEBHOOK_SECRET": "hook:secret"}
    delivery = _delivery(status="clicked")
    opened = {
        "RecordType": "Open",
        "MessageID": "pm-123",
        "Recipient": "x@example.org",
        "ReceivedAt": "2026-05-01T10:00:00Z",
    }
    assert _post(client, opened, auth="hook:secret").status_code == 200
    delivery.refresh_from_db()
    assert delivery.status == "clicked"


@pytest.mark.parametrize("auth", [None, "hook:wrong"])
def test_unauthenticated_webhook_calls_are_refused(client, settings, auth):
    settings.ANYMAIL = {**settings.ANYMAIL, "WEBHOOK_SECRET": "hook:secret"}
    delivery = _delivery()
    assert _post(client, BOUNCE, auth=auth).status_code in (400, 403)
    delivery.refresh_from_db()
    assert delivery.status == "sent"


def test_webhooks_are_refused_while_no_secret_is_configured(client, settings):
    settings.ANYMAIL = {**settings.ANYMAIL, "WEBHOOK_SECRET": ""}
    delivery = _delivery()
    assert _post(client, BOUNCE).status_code == 403
    delivery.refresh_from_db()
    assert delivery.status == "sent"
