"""Signed links that stand for one response: confirm it, withdraw it ("I can't come"), check
it in at the door (the QR code in an attendee's mail).

A token carries the response's id and a keyed digest of (that id, its person_hash): an id
reused after a deletion (SQLite can reuse the highest id) never reaches someone else, and
nothing in it names the person. A signed token is readable by whoever holds it (base64 JSON),
so the digest is keyed (salted_hmac, SECRET_KEY) and differs per response: one person's links
to two events share nothing that says they are one person. Each purpose has its own salt: a
confirmation link cannot be replayed as a check-in. Confirmation links live as long as a
signup's; withdraw and check-in links as long as the event can matter (until the response or
its ask is gone).

The old format carried person_hash[:16] itself, the same for one person on every ask, so two
forwarded links could be matched to one person. It is still read (`LEGACY` below): those
links are already in people's mailboxes — confirmation links for 7 days, "I can't come" links
and check-in QR codes until their event — and refusing them would leave attendees unable to
withdraw or be checked in at the door, while it would unlink nothing already sent. Nothing
makes that format any more; the branch can go once every event whose mails left before this
change is over.
"""

from django.conf import settings
from django.core import signing
from django.utils.crypto import constant_time_compare, salted_hmac

CONFIRM_MAX_AGE = 7 * 24 * 3600
SALTS = {
    "confirm": "asks.response.confirm",
    "withdraw": "asks.response.withdraw",
    "checkin": "asks.response.checkin",
}
MAX_AGES = {"confirm": CONFIRM_MAX_AGE, "withdraw": None, "checkin": None}
DIGEST_SALT = "asks.tokens.response-person"
# The old payload's key for person_hash[:16] (see the module docstring).
LEGACY = "h"


def _digest(response, secret=None):
    # 64 bits: the signature already makes a token unforgeable; this only tells one holder of
    # an id from the next.
    value = f"{response.pk}:{response.person_hash}"
    return salted_hmac(DIGEST_SALT, value, secret=secret, algorithm="sha256").hexdigest()[:16]


def make(response, purpose):
    """A URL-safe token for `response` and `purpose` (a key of SALTS)."""
    return signing.dumps({"r": response.pk, "d": _digest(response)}, salt=SALTS[purpose], compress=True)


def _belongs(payload, response):
    """Whether the payload was made for this response (this id and this person)."""
    if "d" in payload:
        digest = payload["d"]
        # Every key signing accepts (SECRET_KEY_FALLBACKS during a rotation), or a rotation
        # would break the links its signature still vouches for.
        secrets = [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]
        return isinstance(digest, str) and any(constant_time_compare(digest, _digest(response, s)) for s in secrets)
    return isinstance(payload.get(LEGACY), str) and constant_time_compare(payload[LEGACY], response.person_hash[:16])


def read(token, purpose):
    """The Response a valid token of `purpose` stands for, or None (bad, expired, deleted)."""
    from .models import Response

    if not isinstance(token, str) or len(token) > 300:
        return None
    try:
        payload = signing.loads(token, salt=SALTS[purpose], max_age=MAX_AGES[purpose])
    except signing.BadSignature:
        return None
    if not isinstance(payload, dict) or not isinstance(payload.get("r"), int):
        return None
    response = Response.objects.select_related("ask__campaign", "shift").filter(pk=payload["r"]).first()
    if response is None or not _belongs(payload, response):
        return None
    return response
