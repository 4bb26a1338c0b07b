"""core.celery_folder: kombu's folder transport, returning to Celery's loop while a worker
holds all the tasks it may, so finished tasks are acknowledged and the next ones taken."""

import itertools
import time

import pytest
from kombu import Connection, Consumer, Exchange, Queue

from core.celery_folder import BUSY_WAIT

TRANSPORT = "core.celery_folder:Transport"
POLL = 0.25
NAMES = itertools.count()


@pytest.fixture
def connection(tmp_path):
    folders = {name: tmp_path / name for name in ("out", "processed", "control")}
    for folder in folders.values():
        folder.mkdir()
    options = {
        "data_folder_in": str(folders["out"]),
        "data_folder_out": str(folders["out"]),
        "processed_folder": str(folders["processed"]),
        "control_folder": str(folders["control"]),
        "polling_interval": POLL,
    }
    with Connection("filesystem://localhost//", transport=TRANSPORT, transport_options=options) as conn:
        yield conn


def consumer_of(connection, received, prefetch):
    """A consumer of a queue of its own that may hold `prefetch` unacknowledged messages, as
    a worker's tasks channel with CELERY_WORKER_PREFETCH_MULTIPLIER and its concurrency. (Its
    own: kombu keeps the bindings of every folder transport in one state per process.)"""
    name = f"hamla-folder-test-{next(NAMES)}"
    queue = Queue(name, Exchange(name), routing_key=name)
    channel = connection.channel()
    channel.basic_qos(0, prefetch, False)
    consumer = Consumer(channel, [queue], callbacks=[lambda body, message: received.append(message)])
    consumer.consume()
    producer = connection.Producer(channel)
    return consumer, lambda body: producer.publish(body, exchange=queue.exchange, routing_key=name, declare=[queue])


def waited(connection, timeout):
    """Seconds one drain_events(timeout) call took (Celery's loop calls it with 2.0)."""
    began = time.monotonic()
    try:
        connection.drain_events(timeout=timeout)
    except TimeoutError:
        pass
    return time.monotonic() - began


def test_every_message_of_a_backlog_is_delivered_once(connection):
    received = []
    _consumer, publish = consumer_of(connection, received, prefetch=1)
    for n in range(5):
        publish({"n": n})
    for _ in range(5):
        connection.drain_events(timeout=2.0)
        received[-1].ack()
    # Once each; the folder orders by millisecond, so not always in order within one.
    assert sorted(message.payload["n"] for message in received) == list(range(5))


def test_a_worker_holding_all_it_may_returns_to_its_loop_to_acknowledge_instead_of_waiting_two_seconds(connection):
    received = []
    _consumer, publish = consumer_of(connection, received, prefetch=1)
    publish({"n": 1})
    publish({"n": 2})
    connection.drain_events(timeout=2.0)  # takes the first; the channel is now full
    assert waited(connection, 2.0) < BUSY_WAIT + 0.5


def test_an_idle_worker_lists_the_folder_once_a_polling_interval_not_every_busy_wait(connection):
    received = []
    consumer_of(connection, received, prefetch=1)
    assert waited(connection, 2.0) >= POLL
