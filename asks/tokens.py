"""Signed links that stand for one response: confirm it, withdraw it ("I can't come"), check
it in at the door (the QR code in an attendee's mail).

A token carries the response's id and the first 16 characters of its person_hash, so an id
reused after a deletion (SQLite can reuse the highest id) never reaches someone else, and
nothing in it names the person. Each purpose has its own salt: a confirmation link cannot
be replayed as a check-in. Confirmation links live as long as a signup's; withdraw and
check-in links as long as the event can matter (until the response or its ask is gone).
"""

from django.core import signing

CONFIRM_MAX_AGE = 7 * 24 * 3600
SALTS = {
    "confirm": "asks.response.confirm",
    "withdraw": "asks.response.withdraw",
    "checkin": "asks.response.checkin",
}
MAX_AGES = {"confirm": CONFIRM_MAX_AGE, "withdraw": None, "checkin": None}


def make(response, purpose):
    """A URL-safe token for `response` and `purpose` (a key of SALTS)."""
    return signing.dumps({"r": response.pk, "h": response.person_hash[:16]}, salt=SALTS[purpose], compress=True)


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
    if response is None or response.person_hash[:16] != payload.get("h"):
        return None
    return response
