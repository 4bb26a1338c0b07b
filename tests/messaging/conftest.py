import os

import pytest

from messaging.sink import Sink
from tests.services import process_env, unavailable


def messaging_redis_url():
    """REDIS_URL in CI; otherwise this area's own database (6) so no other suite's worker
    consumes these tasks."""
    return os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/6"


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
    client.flushdb()
    names = ("broker_url", "broker_read_url", "broker_write_url", "broker_transport_options")
    saved = {name: app.conf[name] for name in names}
    app.conf.update(broker_url=url, broker_read_url=url, broker_write_url=url)
    app.conf.broker_transport_options = {"visibility_timeout": 3600}
    _reset_pools(app)
    yield url
    app.conf.update(saved)
    _reset_pools(app)


def _reset_pools(app):
    if app._pool is not None:
        app._pool.force_close_all()
    app._pool = None
    app.amqp._producer_pool = None


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
