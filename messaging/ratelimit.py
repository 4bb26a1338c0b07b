"""A global send-rate limit shared by every worker process.

Celery's `rate_limit` is per worker node (and in practice caps near one task a
second), so it cannot express "the provider accepts 14 messages a second from
this account". Instead every worker takes tokens from one bucket in Redis,
refilled continuously at `settings.HAMLA_SEND_RATE` per second; the refill and
the take happen atomically in a Lua script, on Redis's clock, so workers on
different hosts agree. The bucket is keyed by the email backend, so each
provider has its own.

Without Redis (the embedded development broker) there is nothing to share:
each process keeps its own bucket, so N worker processes may together send up
to N times the configured rate. That is a development convenience only;
production requires REDIS_URL.
"""

import threading
import time

from django.conf import settings

# KEYS[1] bucket; ARGV: rate/s, capacity, tokens wanted. Returns seconds to wait
# (as a string, Lua numbers are truncated to integers on return), "0" when granted.
TAKE = """
local rate = tonumber(ARGV[1])
local capacity = tonumber(ARGV[2])
local wanted = tonumber(ARGV[3])
local now = redis.call('TIME')
local t = tonumber(now[1]) + tonumber(now[2]) / 1000000
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1]) or capacity
local at = tonumber(state[2]) or t
tokens = math.min(capacity, tokens + (t - at) * rate)
local wait = 0
if tokens >= wanted then
  tokens = tokens - wanted
else
  wait = (wanted - tokens) / rate
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(t))
redis.call('EXPIRE', KEYS[1], 3600)
return tostring(wait)
"""


class LocalBucket:
    """The per-process fallback (same algorithm, monotonic clock)."""

    def __init__(self, rate, capacity):
        self.rate, self.capacity = rate, capacity
        self.tokens, self.at = capacity, time.monotonic()
        self.lock = threading.Lock()

    def take(self, wanted=1):
        with self.lock:
            now = time.monotonic()
            self.tokens = min(self.capacity, self.tokens + (now - self.at) * self.rate)
            self.at = now
            if self.tokens >= wanted:
                self.tokens -= wanted
                return 0.0
            return (wanted - self.tokens) / self.rate


class RedisBucket:
    def __init__(self, client, key, rate, capacity):
        self.client, self.key, self.rate, self.capacity = client, key, rate, capacity
        self.script = client.register_script(TAKE)

    def take(self, wanted=1):
        return float(self.script(keys=[self.key], args=[self.rate, self.capacity, wanted]))


class Limiter:
    """`acquire()` blocks until the caller may send one message. A rate of 0 means unlimited."""

    def __init__(self, rate=None, key=None, redis_url=None, sleep=time.sleep):
        self.rate = float(settings.HAMLA_SEND_RATE if rate is None else rate)
        self.sleep = sleep
        self.bucket = None
        if self.rate <= 0:
            return
        # A burst of one second's worth, at least one message.
        capacity = max(1.0, self.rate)
        redis_url = settings.REDIS_URL if redis_url is None else redis_url
        key = key or f"hamla:send-rate:{settings.EMAIL_BACKEND}"
        if redis_url:
            import redis

            self.bucket = RedisBucket(redis.Redis.from_url(redis_url), key, self.rate, capacity)
        else:
            self.bucket = _local_bucket(key, self.rate, capacity)

    @property
    def shared(self):
        return isinstance(self.bucket, RedisBucket)

    def acquire(self):
        """Wait for a token; returns the seconds spent waiting."""
        if self.bucket is None:
            return 0.0
        waited = 0.0
        while True:
            wait = self.bucket.take(1)
            if wait <= 0:
                return waited
            self.sleep(wait)
            waited += wait


_local = {}
_local_lock = threading.Lock()


def _local_bucket(key, rate, capacity):
    with _local_lock:
        bucket = _local.get(key)
        if bucket is None or bucket.rate != rate:
            bucket = _local[key] = LocalBucket(rate, capacity)
        return bucket
