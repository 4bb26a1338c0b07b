"""Services restarting under a send: Redis (with and without persistence), PostgreSQL, and
a mail server refusing connections for a while. Each send completes once the service is
back, no one missed, duplicates bounded by the messages in flight (the worker's
concurrency). Restarts only touch private instances started here (a redis-server on a
free port, a PostgreSQL cluster in a temporary directory), never the services other
tests share.
"""

import time
from collections import Counter

import pytest
from django.core.management import call_command
from django.db import InterfaceError, OperationalError, connections

from messaging.models import Message
from tests.services import (
    ROOT,
    celery_process,
    need_postgres,
    private_postgres,
    restartable_redis,
    wait_for,
)

from .conftest import worker_env
from .helpers import make_list, make_message

pytestmark = [pytest.mark.waits, pytest.mark.worker, pytest.mark.django_db(transaction=True)]
LOGS = ROOT / "test-artifacts" / "logs"
CONCURRENCY = 2
COUNT = 150


def send_env(sink, redis_url, **extra):
    """worker_env with short batches, sweeps and leases, so a restart shows within seconds."""
    return worker_env(
        redis_url,
        sink,
        EMAIL_TIMEOUT="5",
        HAMLA_DISPATCH_BATCH="20",
        HAMLA_DISPATCH_LANES="2",
        HAMLA_SWEEP_SECONDS="1",
        HAMLA_STALL_SECONDS="4",
        HAMLA_LEASE_SECONDS="5",
        **extra,
    )


def worker_and_beat(env, name, tmp_path):
    LOGS.mkdir(parents=True, exist_ok=True)
    log_path = LOGS / f"restarts-{name}-worker.log"
    log_path.unlink(missing_ok=True)
    args = ("worker", f"--concurrency={CONCURRENCY}", "--pool=prefork", "--without-gossip", "--without-mingle")
    worker = celery_process(*args, "-n", f"{name}@%h", "-l", "INFO", env=env, log_path=log_path)
    beat = celery_process(
        "beat", "-s", str(tmp_path / "beat-schedule"), env=env, log_path=LOGS / f"restarts-{name}-beat.log"
    )
    return worker, beat, log_path


def status(message):
    try:
        return Message.objects.filter(pk=message.pk).values_list("status", flat=True).first()
    except (OperationalError, InterfaceError):  # this process's own connection, cut by a restart
        connections["default"].close()
        return None


def send_through_an_outage(sink, env, tmp_path, name, outage, started_after=30):
    """Schedules a send to COUNT supporters (the beat starts it), runs `outage()` once
    `started_after` were received, and returns (message, contacts, finished)."""
    sink.handler.received.clear()
    sink.handler.delay = 0.02
    contact_list, contacts = make_list(count=COUNT)
    message = make_message(contact_list)
    message.schedule()
    worker, beat, log_path = worker_and_beat(env, name, tmp_path)
    with worker, beat:
        assert wait_for(lambda: len(sink.received) >= started_after, timeout=60), f"no send: see {log_path}"
        outage()
        finished = wait_for(lambda: status(message) == "sent", timeout=60, interval=0.5)
    return message, contacts, finished


def assert_everyone_about_once(message, contacts, sink, finished):
    counts = message.counts()
    assert finished, ({k: v for k, v in counts.items() if v}, status(message))
    received = Counter(sink.recipients())
    assert set(received) == {c.email for c in contacts}
    duplicates = sum(n - 1 for n in received.values())
    assert duplicates <= CONCURRENCY  # only what was in flight when the service went
    assert counts["sent"] == COUNT


@pytest.mark.parametrize("persist", [True, False], ids=["with-persistence", "without-persistence"])
def test_a_send_completes_when_redis_restarts_under_it(sink, tmp_path, persist):
    with restartable_redis(persist) as redis:
        env = send_env(sink, redis.url)
        message, contacts, finished = send_through_an_outage(
            sink, env, tmp_path, f"redis-{persist}", lambda: redis.restart(down_for=2)
        )
    assert_everyone_about_once(message, contacts, sink, finished)


def test_a_send_completes_when_the_mail_server_refuses_connections_for_a_while(sink, broker, tmp_path):
    env = send_env(sink, broker)

    def outage():  # "two minutes" scaled down: the sink refuses every connection for 5 s
        sink.refuse()
        time.sleep(5)
        sink.accept()

    message, contacts, finished = send_through_an_outage(sink, env, tmp_path, "smtp", outage)
    assert_everyone_about_once(message, contacts, sink, finished)


@pytest.fixture(scope="module")
def cluster():
    """One private PostgreSQL cluster for every PostgreSQL-restart test of this module."""
    need_postgres()  # the test process switches its own PostgreSQL connection to it
    with private_postgres() as cluster:
        yield cluster


@pytest.fixture
def on_private_postgres(cluster, django_db_blocker):
    """This process's default database is the private cluster's (migrated) for the test."""
    url = cluster.create_database("hamla_restarts")
    connection = connections["default"]
    saved = {key: connection.settings_dict[key] for key in ("NAME", "HOST", "PORT", "USER", "PASSWORD")}
    connection.close()
    connection.settings_dict.update(NAME="hamla_restarts", HOST="127.0.0.1", PORT=cluster.port, USER="postgres")
    connection.settings_dict["PASSWORD"] = ""
    with django_db_blocker.unblock():
        call_command("migrate", verbosity=0)
    try:
        yield url
    finally:
        connection.close()
        connection.settings_dict.update(saved)


def test_a_send_completes_when_postgresql_restarts_under_it(sink, broker, tmp_path, cluster, on_private_postgres):
    env = send_env(sink, broker, DATABASE_URL=on_private_postgres)
    message, contacts, finished = send_through_an_outage(
        sink, env, tmp_path, "postgres", lambda: cluster.restart(down_for=3)
    )
    assert_everyone_about_once(message, contacts, sink, finished)
