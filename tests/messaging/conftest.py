"""Worker tests send through the session-wide `broker` fixture (tests/broker.py) to a local SMTP sink."""

import pytest

from devtools.sink import Sink
from tests.broker import WORKER_QUEUES  # noqa: F401 (worker tests import it from here)
from tests.services import process_env


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
