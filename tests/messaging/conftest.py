import os

import pytest

from messaging.sink import Sink
from tests.services import process_env, redis_url, unavailable

# Our own queue: another suite (or another person's run of this one) on the same Redis
# database must not take our tasks. Workers listen on it (and on the default queue, where
# beat sends the sweep); sends started on it stay on it (messaging.tasks routes chains).
QUEUE = f"hamla-messaging-test-{os.getpid()}"
WORKER_QUEUES = f"{QUEUE},{os.environ.get('HAMLA_CELERY_QUEUE', 'celery')}"


def messaging_redis_url():
    return redis_url()


@pytest.fixture(scope="module")
def broker():
    """The Celery app in this process sends to a real Redis broker for the module."""
    import redis

    from hamla.celery import app

    url = messaging_redis_url()
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=1)
        client.ping()
    except Exception:  # noqa: BLE001
        unavailable(f"Redis is not reachable at {url}: start `redis-server` or set REDIS_URL")
    client.delete(QUEUE)
    names = (
        "broker_url",
        "broker_read_url",
        "broker_write_url",
        "broker_transport_options",
        "task_default_queue",
        "task_routes",
    )
    saved = {name: app.conf[name] for name in names}
    app.conf.update(broker_url=url, broker_read_url=url, broker_write_url=url)
    app.conf.broker_transport_options = {"visibility_timeout": 3600}
    app.conf.task_default_queue = QUEUE
    app.conf.task_routes = {"messaging.tasks.*": {"queue": QUEUE}}
    _reset_pools(app)
    yield url
    app.conf.update(saved)
    _reset_pools(app)


def _reset_pools(app):
    from kombu import pools

    # Closed pools stay in kombu's registry under their URL; clear it so the next use
    # of the same URL (the next module) gets a fresh pool.
    pools.reset()
    app._pool = None
    app.amqp._producer_pool = None
    # Routing is cached from the configuration at first use.
    for cached in ("router", "queues", "_rtable"):
        app.amqp.__dict__.pop(cached, None)


@pytest.fixture(scope="module")
def sink():
    with Sink() as sink:
        yield sink


@pytest.fixture
def fresh_sink(sink):
    """The module's sink, emptied and well-behaved again."""
    handler = sink.handler
    with handler.lock:
        handler.received.clear()
        handler.count = handler.refused = handler.fail_left = 0
        handler.delay = 0.0
        handler.fail_code = 451
    return sink


def worker_env(broker, sink, **extra):
    return process_env(
        REDIS_URL=broker,
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=sink.port,
        HAMLA_SEND_RATE="0",
        **extra,
    )


def wait_ready(log_path, timeout=60):
    """Block until the worker writing `log_path` says it is ready (startup is slow on a busy machine)."""
    from tests.services import wait_for

    assert wait_for(lambda: log_path.exists() and b" ready." in log_path.read_bytes(), timeout=timeout), (
        f"the worker did not start: see {log_path}"
    )
