"""Claims belong to a worker instance that proves it is alive (messaging/leases.py), in process."""

import json
import smtplib
from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.utils import timezone, translation

from accounts.roles import ORGANIZER
from messaging import dispatch, leases, tasks
from messaging.models import Delivery, Message, WorkerLease
from tests.factories import logged_in, make_user

from .helpers import make_list, make_message, started_message
from .test_claims import hooked  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db


def lease(node, expired=False):
    lease_id = leases.acquire(node)
    if expired:
        WorkerLease.objects.filter(pk=lease_id).update(expires_at=timezone.now() - timedelta(seconds=1))
    return lease_id


def crash_holding(message, lease_id, task="task-1", sent=1):
    """A batch of worker `lease_id` claimed every row, sent the first `sent`, and died."""
    rows = dispatch.claim(message.pk, leases.claim_id(task, lease_id), 100)
    for pk, _contact in rows[:sent]:
        Delivery.objects.filter(pk=pk).update(status="sent")
    return [pk for pk, _ in rows]


def test_the_sweep_releases_the_rows_of_a_lapsed_lease_at_once_the_first_in_doubt():
    message = started_message(4)
    ids = crash_holding(message, lease("celery@dead", expired=True))

    result = tasks.sweep()

    counts = message.counts()
    assert result["requeued"] == 3 and (counts["sending"], counts["queued"]) == (0, 3)
    assert list(Delivery.objects.filter(in_doubt=True).values_list("pk", flat=True)) == [ids[1]]
    assert not WorkerLease.objects.filter(node="celery@dead").exists()


def test_the_sweep_leaves_a_live_leases_rows_alone():
    message = started_message(3)
    crash_holding(message, lease("celery@alive"), sent=0)

    assert tasks.sweep()["requeued"] == 0
    assert message.counts()["sending"] == 3


def test_claims_naming_a_lease_that_does_not_exist_are_released():
    message = started_message(3)
    crash_holding(message, "0123456789ab", sent=0)

    assert tasks.sweep()["requeued"] == 3


def test_a_restarted_node_releases_its_previous_instances_claims_when_it_starts():
    message = started_message(4)
    crash_holding(message, lease("celery@a"), sent=2)
    other = lease("celery@b")
    second = make_message(make_list(name="Idlib supporters", count=2, start=100)[0])
    second.schedule()
    second.start()
    crash_holding(second, other, task="task-b", sent=0)

    lease("celery@a")  # the same node, started again

    assert message.counts()["queued"] == 2
    assert WorkerLease.objects.filter(node="celery@a").count() == 1
    assert Delivery.objects.filter(claimed_by__startswith=other, status="sending").count() == 2


def test_a_redelivered_task_finds_its_rows_on_another_node():
    message = started_message(5)
    crash_holding(message, lease("celery@a"), task="task-9", sent=2)

    result = dispatch.send_batch(message.pk, leases.claim_id("task-9", lease("celery@b")))

    assert result["recovered"] == 3 and message.counts()["sent"] == 5


def test_a_renewed_lease_stays_alive_and_records_its_lateness(settings):
    settings.HAMLA_LEASE_SECONDS = 1.0
    lease_id = lease("celery@slow")
    WorkerLease.objects.filter(pk=lease_id).update(expires_at=timezone.now() + timedelta(milliseconds=10))

    assert leases.renew(lease_id, late_ms=250.0)

    row = WorkerLease.objects.get(pk=lease_id)
    assert row.expires_at > timezone.now() + timedelta(milliseconds=500)
    assert (row.late_ms, row.max_late_ms) == (250.0, 250.0)
    assert [worker["node"] for worker in leases.live()] == ["celery@slow"]


def test_a_sending_batch_renews_its_workers_lease(hooked, settings):  # noqa: F811
    settings.HAMLA_LEASE_SECONDS = 2.0
    hooked.delay = 0.05  # 100 messages: five seconds, more than twice the lease
    message = started_message(100)
    lease_id = lease("celery@busy")
    swept = []
    hooked.on_send = lambda n: swept.append(tasks.sweep()["requeued"]) if n in (60, 99) else None

    result = dispatch.send_batch(message.pk, leases.claim_id("t", lease_id))

    assert swept == [0, 0] and result["sent"] == 100
    assert not Delivery.objects.filter(message=message, in_doubt=True).exists()


def test_a_batch_of_a_stopping_worker_hands_its_rows_back_and_chains_on(hooked, monkeypatch):  # noqa: F811
    message = started_message(10)
    monkeypatch.setattr(leases, "stopping", lambda: len(mail.outbox) >= 3)

    result = dispatch.send_batch(message.pk, "w", size=10)

    assert result["sent"] in (3, 4) and result["released"] == 10 - result["sent"] and result["more"]
    assert message.counts()["sending"] == 0


def test_a_mail_server_outage_is_stored_on_the_message_with_its_time_and_no_address(hooked):  # noqa: F811
    message = started_message(3)

    def refuse(n):
        raise smtplib.SMTPResponseException(421, b"4.3.0 person0@example.org: service not available")

    hooked.on_send = refuse
    dispatch.send_batch(message.pk, "w")
    message.refresh_from_db()
    assert message.wait_reason == "provider_unavailable" and message.wait_since is not None
    assert "@" not in message.wait_detail

    hooked.on_send = None
    Delivery.objects.filter(message=message).update(next_attempt_at=None)
    dispatch.send_batch(message.pk, "w2")
    message.refresh_from_db()
    assert (message.wait_reason, message.wait_since) == ("", None)


def test_the_page_and_message_status_say_who_holds_claims_and_why_a_send_waits():
    message = started_message(4)
    crash_holding(message, lease("celery@page"), sent=1)
    Message.objects.filter(pk=message.pk).update(
        wait_reason="provider_unavailable", wait_since=timezone.now(), wait_detail="connection: ConnectionRefusedError"
    )

    out = StringIO()
    # Both in English: the command speaks the active language, which other tests in the
    # same process may have left as Arabic.
    with translation.override("en"):
        call_command("message_status", message.pk, "--json", stdout=out)
    status = json.loads(out.getvalue())
    client = logged_in(make_user(ORGANIZER))
    client.cookies.load({"django_language": "en"})
    page = client.get(message.get_absolute_url()).content.decode()

    # The lease was renewed moments ago: how many tenths of a second depends on the machine's load.
    ages = [worker.pop("lease_age_seconds") for worker in status["workers"]]
    assert (status["workers"], [0 <= age < 30 for age in ages]) == (
        [{"node": "celery@page", "rows": 3, "alive": True}],
        [True],
    )
    assert status["last_sent_at"] is None  # crash_holding marks a row sent without a time
    assert status["waiting"]["reason"] == "provider_unavailable" and status["waiting"]["since"]
    assert "celery@page" in page and status["waiting"]["text"] in page


def test_a_send_nobody_claims_says_it_waits_for_a_worker():
    message = started_message(2)
    Message.objects.filter(pk=message.pk).update(last_progress=timezone.now() - timedelta(minutes=5))
    message.refresh_from_db()
    from messaging import activity

    assert activity.waiting(message)[0] == "no_worker"


def test_staff_see_the_live_workers_on_healthz_and_strangers_do_not():
    lease("celery@one")
    lease("celery@two")
    WorkerLease.objects.filter(node="celery@two").update(expires_at=timezone.now() - timedelta(seconds=1))

    staff = json.loads(logged_in(make_user(ORGANIZER)).get("/healthz").content)
    stranger = json.loads(Client(raise_request_exception=False).get("/healthz").content)

    assert staff["workers"] == {"count": 1, "nodes": ["celery@one"]}
    assert "workers" not in stranger
