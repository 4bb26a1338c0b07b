"""Flood limits for the public signup, counted in the database.

They used to live in Django's cache. With Redis that held, but the embedded default
(no REDIS_URL) is a file cache, and Django's generic `incr` (file and database caches
alike) is a get and a `set` with the cache's default timeout: every hit after the first
moved the count's expiry to five minutes after that hit, so a client waiting five
minutes was free again instead of after an hour. The file cache also culls a third of its
entries once it holds 300, so a flood of distinct addresses erased the counts that were
meant to stop it.

Here a window is one row: the first hit creates it with its end, later hits add one to it
with a single UPDATE under a row lock, and nothing moves the end. The row's key is a keyed
hash of what is counted (a client address, an email's blind index), so the table never holds
an address; rows whose window ended are deleted by the beat purge (contacts/signup.py).
"""

from datetime import timedelta

from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import salted_hmac

SALT = "contacts.limits.flood"


class FloodCounter(models.Model):
    key = models.CharField(max_length=64, unique=True)
    count = models.PositiveIntegerField(default=0)
    ends = models.DateTimeField()

    class Meta:
        app_label = "contacts"

    def __str__(self):
        return f"{self.count} until {self.ends:%H:%M}"


def hit(what, limit, window):
    """Count one hit on `what` (a string) in its window of `window` seconds, which starts at
    the first hit; True while the count is within `limit`."""
    key = salted_hmac(SALT, what, algorithm="sha256").hexdigest()
    now = timezone.now()
    with transaction.atomic():
        counter = FloodCounter.objects.select_for_update().filter(key=key).first()
        if counter is not None and counter.ends <= now:
            counter.delete()
            counter = None
        if counter is None:
            try:
                with transaction.atomic():
                    FloodCounter.objects.create(key=key, count=1, ends=now + timedelta(seconds=window))
                return 1 <= limit
            except IntegrityError:  # a concurrent first hit created it: count on that row
                counter = FloodCounter.objects.select_for_update().get(key=key)
        FloodCounter.objects.filter(pk=counter.pk).update(count=F("count") + 1)
        return counter.count + 1 <= limit


def forget_ended(now=None):
    """Delete the counts whose window ended; how many."""
    return FloodCounter.objects.filter(ends__lte=now or timezone.now()).delete()[0]
