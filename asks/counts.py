"""How many confirmed responses an ask (or a shift) has, cached for a few seconds.

Why a cache: a petition shared widely is read far more often than it is signed, and every
view of its page shows the goal bar. Without a cache each view would be a COUNT over the
(ask, status) index, which grows with the signatures: at a viral moment thousands of
identical COUNTs a second, each scanning more rows than the last. With TTL seconds in
Django's cache (Redis in production) the database counts each ask at most once per TTL
whatever the traffic, and the bar is at most that stale, which nobody watching a
petition grow can tell. The count is never kept in a counter row that each confirmation
bumps: that row would be locked by every confirmation of a burst (see asks/models.py).

Someone who has just confirmed sees a fresh count (`refresh`, called by the confirmation
page): one COUNT per confirmation, not per view, and it puts the fresh figure in the cache
for everyone else.
"""

from django.core.cache import cache
from django.db.models import Count

from .models import Response

TTL = 5


def _key(ask_pk):
    return f"asks:confirmed:{ask_pk}"


def _shifts_key(ask_pk):
    return f"asks:shifts-taken:{ask_pk}"


def confirmed_count(ask):
    """The ask's confirmed responses (waitlisted ones do not count), at most TTL seconds old."""
    return confirmed_counts([ask])[ask.pk]


def confirmed_counts(asks):
    """{ask pk: confirmed count} for many asks: what the cache has, and one grouped query for
    the rest."""
    pks = [ask.pk for ask in asks]
    cached = cache.get_many([_key(pk) for pk in pks])
    counts = {pk: cached[_key(pk)] for pk in pks if _key(pk) in cached}
    missing = [pk for pk in pks if pk not in counts]
    if missing:
        rows = (
            Response.objects.filter(ask_id__in=missing, status=Response.Status.CONFIRMED)
            .values("ask_id")
            .annotate(n=Count("id"))
            .values_list("ask_id", "n")
        )
        fresh = dict.fromkeys(missing, 0) | dict(rows)
        cache.set_many({_key(pk): n for pk, n in fresh.items()}, TTL)
        counts.update(fresh)
    return counts


def refresh(ask):
    """Count the ask now (not from the cache) and put the figure in the cache."""
    cache.delete(_key(ask.pk))
    return confirmed_count(ask)


def shifts_taken(ask):
    """{shift pk: confirmed count} for the ask's shifts, at most TTL seconds old; shifts with
    nobody yet are absent. The public form uses it only to say which shifts have room: the
    seat itself is decided under the Ask's row lock when the response is confirmed."""
    taken = cache.get(_shifts_key(ask.pk))
    if taken is None:
        rows = (
            Response.objects.filter(ask_id=ask.pk, status=Response.Status.CONFIRMED, shift__isnull=False)
            .values("shift_id")
            .annotate(n=Count("id"))
            .values_list("shift_id", "n")
        )
        taken = dict(rows)
        cache.set(_shifts_key(ask.pk), taken, TTL)
    return taken
