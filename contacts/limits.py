"""Flood limits for the public forms (signup, asks), counted in the database or in Redis.

They used to live in Django's cache. With Redis that held, but the embedded default
(no REDIS_URL) is a file cache, and Django's generic `incr` (file and database caches
alike) is a get and a `set` with the cache's default timeout: every hit after the first
moved the count's expiry to five minutes after that hit, so a client waiting five
minutes was free again instead of after an hour. The file cache also culls a third of its
entries once it holds 300, so a flood of distinct addresses erased the counts that were
meant to stop it.

Here a window is one row: the first hit creates it with its end, later hits add one to it
(one upsert statement, see `hit`), and nothing moves the end until it has passed. The row's key is a keyed
hash of what is counted (a client address, an email's blind index), so the table never holds
an address; rows whose window ended are deleted by the beat purge (contacts/signup.py).

With Redis (settings.FLOOD_COUNTS_URL, the project's Redis) a window is a Redis key instead,
created with its expiry by the first hit and counted up by the others, in one round trip:
a flood from many addresses — a petition's viral moment — was a row inserted, WAL-logged
and later vacuumed per client in the database, a third of the database's work per signature
(`manage.py bench signatures`). The same semantics: the expiry is set once, by the first
hit. Redis that cannot be reached falls back to the database, so a limit never fails open.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import connection, models
from django.utils import timezone
from django.utils.crypto import salted_hmac

log = logging.getLogger(__name__)

SALT = "contacts.limits.flood"


class FloodCounter(models.Model):
    key = models.CharField(max_length=64, unique=True)
    count = models.PositiveIntegerField(default=0)
    ends = models.DateTimeField()

    class Meta:
        app_label = "contacts"

    def __str__(self):
        return f"{self.count} until {self.ends:%H:%M}"


# Names quoted for both databases; the row's old values are what every CASE reads.
UPSERT = """
INSERT INTO "contacts_floodcounter" ("key", "count", "ends") VALUES (%s, 1, %s)
ON CONFLICT ("key") DO UPDATE SET
  "count" = CASE WHEN "contacts_floodcounter"."ends" <= %s THEN 1 ELSE "contacts_floodcounter"."count" + 1 END,
  "ends" = CASE WHEN "contacts_floodcounter"."ends" <= %s THEN excluded."ends" ELSE "contacts_floodcounter"."ends" END
RETURNING "count"
"""


def hit(what, limit, window):
    """Count one hit on `what` (a string) in its window of `window` seconds, which starts at
    the first hit; True while the count is within `limit`.

    In Redis when settings.FLOOD_COUNTS_URL names one (`_redis_hit`, one round trip), else
    one database statement, an upsert: the first hit inserts the row with its end; a later
    one adds one, or starts a new window when the row's has ended. The database applies
    concurrent hits on one key one after the other (the conflicting row is locked), so none
    is lost. PostgreSQL and SQLite (3.35+) both take it."""
    key = key_for(what)
    if settings.FLOOD_COUNTS_URL:
        count = _redis_hit(key, window)
        if count is not None:
            return count <= limit
    now = timezone.now()
    moment = connection.ops.adapt_datetimefield_value(now)
    end = connection.ops.adapt_datetimefield_value(now + timedelta(seconds=window))
    with connection.cursor() as cursor:
        cursor.execute(UPSERT, [key, end, moment, moment])
        return cursor.fetchone()[0] <= limit


def key_for(what):
    """The key a count of `what` is kept under: a keyed hash, never the address itself."""
    return salted_hmac(SALT, what, algorithm="sha256").hexdigest()


_clients = {}


def _redis_hit(key, window):
    """The count after this hit in Redis, or None when Redis cannot be reached. SET NX with
    the expiry then INCR, in one MULTI: the first hit of a window creates the key with its
    end, the others only count, and nothing moves the end."""
    import redis

    url = settings.FLOOD_COUNTS_URL
    client = _clients.get(url)
    if client is None:
        client = _clients[url] = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
    name = f"hamla:flood:{key}"
    try:
        pipe = client.pipeline(transaction=True)
        pipe.set(name, 0, ex=window, nx=True)
        pipe.incr(name)
        return pipe.execute()[1]
    except redis.RedisError as exc:
        log.warning("flood counts fall back to the database: Redis answered %s", type(exc).__name__)
        return None


def forget_ended(now=None):
    """Delete the counts whose window ended; how many."""
    return FloodCounter.objects.filter(ends__lte=now or timezone.now()).delete()[0]
