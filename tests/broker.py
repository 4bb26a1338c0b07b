"""The one Redis and the one Celery broker of a test process (fixtures loaded by tests/conftest.py).

`redis_service`: the URL of the Redis the tests may use (tests.services.redis_for_tests:
REDIS_URL, else a private redis-server of this process), started once per test process.

`broker`: that Redis as the broker of the in-process Celery app, for the whole session,
for every test that runs real worker processes. While it is active:
- the app in this process (test code, pytest-django's live server) sends to it;
- REDIS_URL names it in this process's environment, so every worker or beat process a
  test starts (tests.services.process_env) takes its tasks from the same broker;
- queues are this process's own, so concurrent runs on one Redis never take each other's
  tasks: the default queue is HAMLA_CELERY_QUEUE (tests.isolation) and messaging tasks go
  to QUEUE; workers that send newsletters listen on both (WORKER_QUEUES), and chains
  started on QUEUE stay on it (messaging.tasks routes them by the queue they came from).
"""

import os

import pytest

from tests.services import need_redis, redis_for_tests

QUEUE = f"hamla-messaging-test-{os.getpid()}"
WORKER_QUEUES = f"{QUEUE},{os.environ.get('HAMLA_CELERY_QUEUE', 'celery')}"

# The settings the broker fixture changes, restored when the session ends. The transport
# under its Django name: Celery reads that key before its own for a setting with no property
# of its own, and the embedded default names the folder broker's (core/celery_folder.py).
_TRANSPORT = "CELERY_BROKER_TRANSPORT"
_CONF = ("broker_url", "broker_read_url", "broker_write_url", _TRANSPORT, "broker_transport_options", "task_routes")


@pytest.fixture(scope="session")
def redis_service():
    """The URL of the Redis the tests may use; skipped (failed under CI) when there is none."""
    with redis_for_tests() as url:
        yield url


@pytest.fixture(scope="session")
def broker(redis_service):
    """The Celery app in this process sends to the test Redis; yields its URL."""
    from hamla.celery import app

    need_redis(redis_service).delete(QUEUE)  # left by an earlier run that was killed
    saved_conf = {name: app.conf.get(name) for name in _CONF}
    saved_env = os.environ.get("REDIS_URL")
    url = redis_service
    app.conf.update(broker_url=url, broker_read_url=url, broker_write_url=url)
    app.conf[_TRANSPORT] = "core.celery_redis:Transport"  # as hamla/settings.py sets it for Redis
    app.conf.broker_transport_options = {"visibility_timeout": 3600}
    app.conf.task_routes = {"messaging.tasks.*": {"queue": QUEUE}}
    os.environ["REDIS_URL"] = url
    _reset_pools(app)
    yield url
    app.conf.update(saved_conf)
    if saved_env is None:
        os.environ.pop("REDIS_URL", None)
    else:
        os.environ["REDIS_URL"] = saved_env
    _reset_pools(app)


def _reset_pools(app):
    from kombu import pools

    # Pools stay in kombu's registry under their URL and the app keeps its own: both
    # would go on sending to the broker configured before.
    pools.reset()
    app._pool = None
    app.amqp._producer_pool = None
    # Routing is cached from the configuration at first use.
    for cached in ("router", "queues", "_rtable"):
        app.amqp.__dict__.pop(cached, None)
