"""kombu's Redis transport, with one Redis client per channel instead of one per command.

kombu's Redis channel makes a new `redis.Redis` for every publish (and every other
command it sends outside the consumer's own connection): `conn_or_acquire` builds one each
time, on the same connection pool, and drops it after one command. Building one fills its
table of ~80 response callbacks, 0.19 ms of CPU, which was half of what queueing a
signature's confirmation mail cost the web worker (`manage.py bench signatures`). A client
holds no connection of its own (it borrows one from the pool per command, which is what
makes it safe to share between threads), so one client per channel sends the same
commands over the same pool. Nothing else changes: same URL, options, queues and messages.

Set as CELERY_BROKER_TRANSPORT when the broker is Redis (hamla/settings.py).
"""

from contextlib import contextmanager

from kombu.transport import redis as kombu_redis
from kombu.utils.objects import cached_property


class Channel(kombu_redis.Channel):
    @cached_property
    def _shared_client(self):
        return self._create_client()

    @contextmanager
    def conn_or_acquire(self, client=None):
        yield client or self._shared_client


class Transport(kombu_redis.Transport):
    Channel = Channel
