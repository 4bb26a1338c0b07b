"""Rotating the encryption key re-encrypts what asks store: responses and an event's exact place."""

import io

import pytest
from django.core.management import call_command

from contacts import crypto
from tests.asks.events import PLACE, make_event, rsvp
from tests.contacts.test_crypto import new_key

pytestmark = pytest.mark.django_db


def test_rotating_the_key_re_encrypts_responses_and_the_place_and_keeps_them_readable(settings):
    old_key = settings.HAMLA_ENCRYPTION_KEY.split(",")[-1]
    settings.HAMLA_ENCRYPTION_KEY = old_key
    event = make_event()
    response = rsvp(event, "amal", "en", None)
    settings.HAMLA_ENCRYPTION_KEY = f"{new_key()},{old_key}"

    call_command("rotate_encryption_key", stdout=io.StringIO())

    event.refresh_from_db()
    response.refresh_from_db()
    columns = [bytes(event.place_enc)] + [bytes(getattr(response, f"{n}_enc")) for n in ("given_name", "email")]
    assert ([crypto.is_current(c) for c in columns], event.place, response.email) == (
        [True, True, True],
        PLACE,
        "amal@example.org",
    )
