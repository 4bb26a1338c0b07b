"""Finding the people who answered an ask, for the organizer's lists (responses, door list).

An exact email or phone is found through its blind index (one indexed lookup, the value
never decrypted to compare); a name is searched by decrypting the candidates and comparing
normalised text, as the contact list does (contacts/views.py): names have no index on
purpose, since keyed name tokens would let a dump show who shares a name. The name search
looks at `cap` candidates at most and says so when there were more.
"""

from django.utils.translation import gettext as _

from contacts import crypto


def search(responses, q, cap):
    """(list of responses, note) for the search `q` ("" for all, newest first, up to `cap`)."""
    q = (q or "").strip()
    if q and "@" in q:
        return list(responses.filter(email_hash=crypto.blind_index(q, "email") or "-")[:cap]), ""
    if q and (phone := crypto.phone_key(q)):
        index = crypto.blind_index(phone, "phone", normalised=True)
        return list(responses.filter(phone_hash=index)[:cap]), ""
    candidates = list(responses.order_by("-pk")[: cap + 1])
    note = ""
    if len(candidates) > cap:
        candidates = candidates[:cap]
        note = _("Showing the newest %(cap)s only; search by name, email or phone to find others.") % {"cap": cap}
        if q:
            note = _("The name search looked at the newest %(cap)s only; search by email or phone to find others.") % {
                "cap": cap
            }
    if not q:
        return candidates, note
    needle = crypto.normalise_name(q)
    return [r for r in candidates if needle in crypto.normalise_name(r.name)], note
