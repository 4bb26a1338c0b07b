"""A batch owns its claimed rows until it gives them back: what happens around that edge."""

import smtplib
import threading
import time
from collections import Counter

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.db import connection, transaction

from messaging import dispatch
from messaging.models import Delivery, Message
from tests.services import need_postgres

from .helpers import started_message

pytestmark = pytest.mark.django_db


class HookedBackend(EmailBackend):
    """The locmem backend, calling `on_send(n)` before its n-th message (n from 1)."""

    on_send = None
    count = 0
    delay = 0.0

    def send_messages(self, messages):
        cls = type(self)
        cls.count += 1
        if cls.on_send is not None:
            cls.on_send(cls.count)
        if cls.delay:
            time.sleep(cls.delay)
        return super().send_messages(messages)


@pytest.fixture
def hooked(settings):
    settings.EMAIL_BACKEND = f"{__name__}.HookedBackend"
    HookedBackend.on_send, HookedBackend.count, HookedBackend.delay = None, 0, 0.0
    yield HookedBackend
    HookedBackend.on_send, HookedBackend.count, HookedBackend.delay = None, 0, 0.0


def test_a_batch_whose_claim_was_taken_stops_so_only_its_in_flight_row_goes_twice(hooked):
    message = started_message(10)

    def sweep_takes_the_claim(n):
        if n == 3:
            hooked.on_send = None
            assert Delivery.requeue_stale(0) == 8  # as if worker A had looked dead
            dispatch.send_batch(message.pk, "worker-b")

    hooked.on_send = sweep_takes_the_claim
    dispatch.send_batch(message.pk, "worker-a")

    received = Counter(m.to[0] for m in mail.outbox)
    assert set(received) == {f"person{i}@example.org" for i in range(10)}
    twice = [address for address, n in received.items() if n > 1]
    assert len(twice) == 1
    in_doubt = Delivery.objects.get(message=message, in_doubt=True)
    assert in_doubt.contact.email == twice[0]
    assert message.counts()["sent"] == 10


def test_a_live_batch_renews_its_claim_so_the_sweep_leaves_it_alone(hooked, settings):
    settings.HAMLA_CLAIM_STALE_SECONDS = 1.0
    hooked.delay = 0.05  # 40 messages take 2 s, twice the stale threshold
    message = started_message(40)
    requeued = []
    hooked.on_send = lambda n: requeued.append(Delivery.requeue_stale(1.0)) if n == 35 else None

    result = dispatch.send_batch(message.pk, "slow-worker")

    assert requeued == [0]
    assert result["sent"] == 40 and len(mail.outbox) == 40
    assert not Delivery.objects.filter(message=message, in_doubt=True).exists()


def test_a_cancel_during_a_provider_outage_leaves_nothing_queued(hooked):
    message = started_message(5)

    def cancel_then_fail(n):
        if n == 2:
            Message.objects.get(pk=message.pk).cancel()
            raise smtplib.SMTPServerDisconnected("gone")

    hooked.on_send = cancel_then_fail
    dispatch.send_batch(message.pk, "w")

    message.refresh_from_db()
    counts = message.counts()
    assert message.status == "cancelled"
    assert (counts["sent"], counts["queued"], counts["sending"], counts["cancelled"]) == (1, 0, 0, 4)


def test_a_recipient_whose_email_cannot_be_built_fails_alone(hooked, monkeypatch):
    message = started_message(5)
    real_build, calls = dispatch.emails.build, []

    def build(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise ValueError("unrenderable")
        return real_build(*args, **kwargs)

    monkeypatch.setattr(dispatch.emails, "build", build)
    result = dispatch.send_batch(message.pk, "w")

    assert (result["sent"], result["failed"]) == (4, 1)
    failed = Delivery.objects.get(message=message, status="failed")
    assert failed.error == "not built: ValueError"
    assert message.counts()["sending"] == 0


def test_a_batch_the_database_fails_gives_its_rows_back_at_once(hooked, monkeypatch):
    message = started_message(4)

    def database_gone(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(dispatch.Recorder, "sent", database_gone)
    with pytest.raises(RuntimeError):
        dispatch.send_batch(message.pk, "w")

    counts = message.counts()
    assert (counts["sending"], counts["queued"], counts["in_doubt"]) == (0, 4, 1)


def test_retry_failed_starts_the_attempts_afresh_and_leaves_a_cancelled_message_alone():
    message = started_message(2)
    Delivery.objects.filter(message=message).update(status="failed", attempts=8)
    assert message.retry_failed() == 2
    assert set(Delivery.objects.filter(message=message).values_list("status", "attempts")) == {("queued", 0)}

    Delivery.objects.filter(message=message).update(status="failed")
    assert message.cancel()
    assert message.retry_failed() == 0
    assert message.counts()["failed"] == 2


@pytest.mark.django_db(transaction=True)
def test_finishing_waits_for_a_retry_in_progress_and_then_sees_its_rows():
    need_postgres()
    message = started_message(2)
    Delivery.objects.filter(message=message).update(status="failed")
    retry_holds_the_lock, finish_tried = threading.Event(), threading.Event()
    outcome = {}

    def retry():
        try:
            with transaction.atomic():
                Message.objects.get(pk=message.pk).retry_failed()  # re-queues, inside our transaction
                retry_holds_the_lock.set()
                finish_tried.wait(5)
                time.sleep(0.3)  # the finisher is blocked on the message row meanwhile
        finally:
            connection.close()

    def finish():
        try:
            retry_holds_the_lock.wait(5)
            finish_tried.set()
            outcome["finished"] = Message.objects.get(pk=message.pk).finish_if_done()
        finally:
            connection.close()

    threads = [threading.Thread(target=retry), threading.Thread(target=finish)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)

    assert outcome == {"finished": False}
    assert Message.objects.get(pk=message.pk).status == "sending"
    assert message.counts()["queued"] == 2
