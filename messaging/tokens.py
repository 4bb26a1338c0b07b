"""Signed per-recipient tokens for unsubscribe and preference links.

A token names a contact and the message that carried the link, signed with
SECRET_KEY under a salt used for nothing else. Tokens never expire: an
unsubscribe link must keep working in an old email. A forged or altered token
fails the signature check and is refused.
"""

from django.conf import settings
from django.core import signing
from django.urls import reverse

SALT = "hamla.messaging.unsubscribe"


def make(contact_id, message_id):
    return signing.Signer(salt=SALT).sign(f"{contact_id}-{message_id or 0}")


def read(token):
    """(contact_id, message_id or None) for a valid token, else None."""
    try:
        value = signing.Signer(salt=SALT).unsign(token or "")
        contact_id, message_id = (int(part) for part in value.split("-", 1))
    except (signing.BadSignature, ValueError):
        return None
    return contact_id, (message_id or None)


def unsubscribe_url(token):
    return settings.SITE_URL + reverse("public:unsubscribe", args=[token])


def preferences_url(token):
    return settings.SITE_URL + reverse("public:preferences", args=[token])
