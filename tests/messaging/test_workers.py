"""Real Celery worker processes on a real Redis broker, sending to a local SMTP sink."""

import os
import signal
import subprocess
import threading
import time
from collections import Counter

import pytest
from django.db import connection

from messaging import tasks
from messaging.models import Delivery, Message
from tests.services import ROOT, celery_process, wait_for

from .conftest import WORKER_QUEUES, wait_ready, worker_env
from .helpers import make_list, make_message

pytestmark = [pytest.mark.waits, pytest.mark.worker, pytest.mark.django_db(transaction=True)]
LOGS = ROOT / "test-artifacts" / "logs"


@pytest.fixture(scope="module")
def worker(django_db_setup, django_db_blocker, broker, sink):
    LOGS.mkdir(parents=True, exist_ok=True)
    env = worker_env(broker, sink)
    args = (
        "worker",
        "--concurrency=2",
        "--pool=prefork",
        "--without-gossip",
        "--without-mingle",
        "-Q",
        WORKER_QUEUES,
        "-l",
        "INFO",
    )
    log_path = LOGS / "messaging-worker.log"
    log_path.unlink(missing_ok=True)
    with celery_process(*args, env=env, log_path=log_path) as proc:
        wait_ready(log_path)
        yield proc


def children(proc):
    out = subprocess.run(["pgrep", "-P", str(proc.pid)], capture_output=True, text=True).stdout
    return [int(pid) for pid in out.split()]


def sending(message_id, n):
    return Delivery.objects.filter(message_id=message_id, status="sent").count() >= n


def start(contact_list, **kick):
    message = make_message(contact_list)
    message.schedule()
    assert message.start()
    tasks.kick(message, **kick)
    return message


def test_a_worker_sends_every_recipient_exactly_once_and_finishes(worker, fresh_sink):
    contact_list, contacts = make_list(count=30)
    message = start(contact_list, lanes=3, size=7)

    assert wait_for(lambda: Message.objects.get(pk=message.pk).status == "sent", timeout=30)
    assert sorted(fresh_sink.recipients()) == sorted(c.email for c in contacts)
    assert message.counts()["sent"] == 30


def test_pause_stops_sending_within_seconds_and_resume_never_resends(worker, fresh_sink):
    fresh_sink.handler.delay = 0.03
    contact_list, contacts = make_list(count=120)
    message = start(contact_list, lanes=2, size=40)
    assert wait_for(lambda: len(fresh_sink.received) >= 15, timeout=20)

    assert message.pause()
    assert wait_for(lambda: not Delivery.objects.filter(message=message, status="sending").exists(), timeout=10)
    frozen = len(fresh_sink.received)
    time.sleep(1.0)
    assert len(fresh_sink.received) == frozen < 120

    assert message.resume()
    tasks.kick(message, lanes=2, size=40)
    assert wait_for(lambda: Message.objects.get(pk=message.pk).status == "sent", timeout=30)
    assert Counter(fresh_sink.recipients()) == Counter(c.email for c in contacts)


def test_cancel_stops_sending_and_cancels_what_is_left(worker, fresh_sink):
    fresh_sink.handler.delay = 0.03
    contact_list, _ = make_list(count=120)
    message = start(contact_list, lanes=2, size=40)
    assert wait_for(lambda: len(fresh_sink.received) >= 10, timeout=20)

    assert message.cancel()
    assert wait_for(lambda: not Delivery.objects.filter(message=message, status="sending").exists(), timeout=10)
    time.sleep(0.5)
    counts = message.counts()
    assert counts["sent"] == len(fresh_sink.received) < 120
    assert counts["cancelled"] == 120 - counts["sent"] and counts["queued"] == 0


def test_killing_worker_processes_mid_send_loses_no_one_and_duplicates_at_most_the_in_flight(worker, fresh_sink):
    fresh_sink.handler.delay = 0.02
    contact_list, contacts = make_list(count=150)
    message = start(contact_list, lanes=2, size=50)
    assert wait_for(lambda: len(fresh_sink.received) >= 20, timeout=20)

    killed = children(worker)
    for pid in killed:
        os.kill(pid, signal.SIGKILL)

    finished = wait_for(lambda: Message.objects.get(pk=message.pk).status == "sent", timeout=60)
    assert finished, {k: v for k, v in message.counts().items() if v}
    received = Counter(fresh_sink.recipients())
    assert set(received) == {c.email for c in contacts}
    duplicates = sum(n - 1 for n in received.values())
    assert duplicates <= len(killed) == 2
    assert message.counts()["in_doubt"] >= duplicates


def test_a_provider_refusing_for_a_while_is_retried_with_backoff_and_recovers(worker, fresh_sink):
    fresh_sink.handler.fail_left, fresh_sink.handler.fail_code = 3, 451
    contact_list, contacts = make_list(count=20)
    message = start(contact_list, lanes=1, size=20)

    assert wait_for(lambda: Message.objects.get(pk=message.pk).status == "sent", timeout=40)
    assert fresh_sink.handler.refused == 3
    assert Counter(fresh_sink.recipients()) == Counter(c.email for c in contacts)
    attempts = list(Delivery.objects.filter(message=message).values_list("attempts", flat=True))
    assert sum(attempts) == 20 + 3 and max(attempts) > 1


def test_permanent_failures_are_recorded_and_retry_failed_resends_only_those(worker, fresh_sink):
    fresh_sink.handler.fail_left, fresh_sink.handler.fail_code = 2, 550
    contact_list, contacts = make_list(count=10)
    message = start(contact_list, lanes=1, size=10)
    assert wait_for(lambda: Message.objects.get(pk=message.pk).status == "sent", timeout=20)
    failed = list(Delivery.objects.filter(message=message, status="failed"))
    assert len(failed) == 2 and all("550" in d.error for d in failed)
    assert len(fresh_sink.received) == 8

    assert message.retry_failed() == 2
    tasks.kick(message)
    assert wait_for(lambda: Message.objects.get(pk=message.pk).status == "sent", timeout=20)
    assert Counter(fresh_sink.recipients()) == Counter(c.email for c in contacts)


def test_two_beats_start_a_due_message_once(worker, fresh_sink, broker, sink):
    contact_list, contacts = make_list(count=25)
    message = make_message(contact_list)
    message.schedule()  # due now; no worker has looked at it yet

    env = worker_env(broker, sink, HAMLA_SWEEP_SECONDS="0.5")
    beats = []
    for n in (1, 2):
        schedule = LOGS / f"messaging-beat-{n}"
        beats.append(celery_process("beat", "-s", str(schedule), env=env, log_path=LOGS / f"messaging-beat-{n}.log"))
    with beats[0], beats[1]:
        assert wait_for(lambda: Message.objects.get(pk=message.pk).status == "sent", timeout=30)
    assert Counter(fresh_sink.recipients()) == Counter(c.email for c in contacts)
    assert Delivery.objects.filter(message=message).count() == 25


def test_overlapping_sweeps_start_a_message_once(broker):
    contact_list, _ = make_list(count=15)
    message = make_message(contact_list)
    message.schedule()
    results = []

    def run():
        try:
            results.append(tasks.sweep())
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(r["started"] for r in results) == 1
    assert Delivery.objects.filter(message=message).count() == 15
