"""More than one worker node on one send (as on N machines: distinct node names, one Redis,
one PostgreSQL), with the default stale, stall and lease settings."""

import os
import signal
import time
from collections import Counter

import pytest

from messaging import tasks
from messaging.models import Delivery, Message, WorkerLease
from tests.services import need_postgres, wait_for

from .conftest import worker_env
from .helpers import make_list, make_message
from .test_worker_restart import LOGS, assert_everyone_about_once, beat, sending, wait_ready, worker

pytestmark = [pytest.mark.waits, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def env(broker, sink):
    need_postgres()  # SIGKILLing workers on the shared SQLite test database is not what is tested
    LOGS.mkdir(parents=True, exist_ok=True)
    sink.handler.received.clear()
    sink.handler.delay = 0.0
    return worker_env(broker, sink)


def started(count, start=0, name="Aleppo supporters"):
    contact_list, contacts = make_list(name=name, count=count, start=start)
    message = make_message(contact_list)
    message.schedule()
    assert message.start()
    return message, contacts


def lease_of(node_prefix):
    return WorkerLease.objects.filter(node__startswith=f"{node_prefix}@").values_list("pk", flat=True).first()


def sent_by(message, lease):
    return Delivery.objects.filter(message=message, status="sent", claimed_by__startswith=f"{lease}/").count()


def test_two_nodes_share_a_send_and_the_survivor_of_a_sigkill_finishes_it_within_a_minute(env, sink, tmp_path):
    sink.handler.delay = 0.02
    message, contacts = started(200)
    (a, a_log), (b, b_log) = worker(env, "a", concurrency=1), worker(env, "b", concurrency=1)
    with a as node_a, b, beat(env, tmp_path, "multi-beat"):
        wait_ready(a_log)
        wait_ready(b_log)
        leases = {"a": lease_of("a"), "b": lease_of("b")}
        tasks.kick(message, lanes=4, size=10)
        assert wait_for(lambda: all(sent_by(message, lease) for lease in leases.values()), timeout=30)
        assert wait_for(lambda: sending(message), timeout=10)
        os.killpg(node_a.pid, signal.SIGKILL)
        node_a.wait(10)
        killed = time.monotonic()
        finished = wait_for(lambda: Message.objects.get(pk=message.pk).status == "sent", timeout=60)
        took = time.monotonic() - killed
    assert finished, {k: v for k, v in message.counts().items() if v}
    assert took < 60
    assert_everyone_about_once(message, contacts, sink, in_flight=1)


def test_a_node_added_mid_send_picks_up_work(env, sink):
    sink.handler.delay = 0.02
    message, contacts = started(240)
    (a, a_log), (b, b_log) = worker(env, "first", concurrency=1), worker(env, "added", concurrency=1)
    with a:
        wait_ready(a_log)
        tasks.kick(message, lanes=4, size=10)
        assert wait_for(lambda: len(sink.received) >= 20, timeout=30)
        with b:
            wait_ready(b_log)
            added = lease_of("added")
            assert wait_for(lambda: Message.objects.get(pk=message.pk).status == "sent", timeout=60)
            assert sent_by(message, added) > 0
    assert Counter(sink.recipients()) == Counter(c.email for c in contacts)


def test_a_node_stopped_with_sigterm_hands_its_claims_back_within_seconds(env, sink):
    sink.handler.delay = 0.1  # batches of 100: ten seconds each
    message, contacts = started(120)
    node, log_path = worker(env, "stopping", concurrency=2)
    with node as process:
        wait_ready(log_path)
        tasks.kick(message, lanes=2, size=100)
        assert wait_for(lambda: len(sink.received) >= 5 and sending(message), timeout=30)
        os.kill(process.pid, signal.SIGTERM)  # the main process only, as docker stop and systemd do
        stopped = time.monotonic()
        handed_back = wait_for(lambda: not sending(message), timeout=10, interval=0.05)
        took = time.monotonic() - stopped
        process.wait(30)
    counts = message.counts()
    assert handed_back and took < 3, counts
    assert counts["queued"] == 120 - counts["sent"] > 0
    assert not WorkerLease.objects.filter(node__startswith="stopping@").exists()


def test_a_slow_but_alive_worker_keeps_its_rows(broker, sink, tmp_path):
    need_postgres()
    LOGS.mkdir(parents=True, exist_ok=True)
    sink.handler.received.clear()
    sink.handler.delay = 2.5  # each message takes longer than the whole lease
    env = worker_env(broker, sink, HAMLA_LEASE_SECONDS="2", HAMLA_SWEEP_SECONDS="0.5")
    message, contacts = started(4)
    node, log_path = worker(env, "slow", concurrency=1)
    with node, beat(env, tmp_path, "slow-beat"):
        wait_ready(log_path)
        tasks.kick(message, lanes=1, size=4)
        finished = wait_for(lambda: Message.objects.get(pk=message.pk).status == "sent", timeout=40)
    assert finished, message.counts()
    assert Counter(sink.recipients()) == Counter(c.email for c in contacts)
    assert not Delivery.objects.filter(message=message, in_doubt=True).exists()
