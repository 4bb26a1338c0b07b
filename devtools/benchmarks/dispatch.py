"""`manage.py bench dispatch --recipients N --workers W --json`

On PostgreSQL + Redis: N synthetic supporters on one list, an SMTP sink in its own
process, W real Celery worker processes. Prints

* planning_seconds: Message.start() — the INSERT … SELECT snapshot of N deliveries;
* end_to_end_per_second: from the first batch enqueued to the last delivery sent;
* bare_minimal_per_second: a loop that builds a minimal `EmailMessage` per recipient
  and sends it over one SMTP connection into the same sink (no rendering, no queue, no
  database); `ratio` is end-to-end / this;
* bare_loop_per_second: the same loop with Hamla's rendering and MIME building, the way
  the workers do it (messaging/wire.py) (`ratio_rendered` against it);
* recovery_seconds: a second send (`recovery_recipients`, the first 10,000 of them by
  default, HAMLA_BENCH_RECOVERY_RECIPIENTS to change) during which every worker process
  is SIGKILLed at one third; the workers are started again under the same node names,
  with a beat; from their start to the send complete (`recovery_resumed_seconds`: to the
  first row sent again).

The synthetic contacts (source "bench-dispatch") and the messages are deleted at the end.
"""

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from celery import current_app
from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.management.base import CommandError
from django.db import connection, transaction

from contacts.models import Contact, ContactList, Membership
from devtools.sink import free_port
from messaging import emails, tokens, wire
from messaging.models import Delivery, Message
from messaging.tasks import kick

SOURCE = "bench-dispatch"
LIST_NAME = "Benchmark: dispatch"
RECOVERY_LIST = "Benchmark: dispatch recovery"
# The project root: the sink and the workers run as `python -m …` from there.
ROOT = Path(__file__).resolve().parents[2]
BODY = Path(__file__).with_name("dispatch_body.md")


def run(options):
    if connection.vendor != "postgresql" or not settings.REDIS_URL:
        raise CommandError(
            "the dispatch benchmark needs PostgreSQL and Redis: set DATABASE_URL=postgres://… and REDIS_URL=redis://…"
        )
    recipients = int(options.get("recipients") or 100_000)
    workers = int(options.get("workers") or 2)
    contact_list = _contacts(recipients)
    port = free_port()
    sink = subprocess.Popen(
        [sys.executable, "-m", "devtools.sink", "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    procs = []  # every process started, SIGKILLed ones included, so none outlives the run
    message = None
    recovery = []
    try:
        _wait_port(port)
        # The machine's speed drifts (other processes share the cores), so the bare loops run
        # just before and just after the end-to-end send, and the two rates are averaged.
        sample = min(recipients, 5_000)
        bare_before = _bare_loop(contact_list, port, sample)
        minimal_before = _bare_minimal(contact_list, port, sample)
        env = {
            **os.environ,
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(port),
            "HAMLA_SEND_RATE": "0",
            "LOG_LEVEL": "WARNING",
        }
        app = current_app  # the project's app, without importing the project package
        app.control.purge()
        procs += _start_workers(env, workers)
        _wait_workers(app, workers)

        message = Message.objects.create(
            subject_ar="نشرة تجريبية {{ first_name }}",
            body_ar=BODY.read_text(encoding="utf-8"),
        )
        message.lists.add(contact_list)
        message.schedule()
        t0 = time.perf_counter()
        message.start()
        planning = time.perf_counter() - t0

        t1 = time.perf_counter()
        kick(message, lanes=max(2, workers * 2))
        _wait_sent(message, t1, max(600, recipients / 50))
        elapsed = time.perf_counter() - t1
        counts = message.counts()
        end_to_end = counts["sent"] / elapsed
        bare_after = _bare_loop(contact_list, port, sample)
        minimal_after = _bare_minimal(contact_list, port, sample)
        bare = (bare_before["rate"] + bare_after["rate"]) / 2
        minimal = (minimal_before["rate"] + minimal_after["rate"]) / 2

        size = min(recipients, int(os.environ.get("HAMLA_BENCH_RECOVERY_RECIPIENTS", "10000")))
        figures = _recovery(env, workers, size, procs, recovery)
        return {
            "recipients": recipients,
            "workers": workers,
            "planning_seconds": round(planning, 3),
            "end_to_end_seconds": round(elapsed, 2),
            "end_to_end_per_second": round(end_to_end, 1),
            "bare_minimal_per_second": round(minimal, 1),
            "bare_minimal_before_after": [round(minimal_before["rate"], 1), round(minimal_after["rate"], 1)],
            "ratio": round(end_to_end / minimal, 3),
            "bare_loop_messages": bare_before["messages"] + bare_after["messages"],
            "bare_loop_per_second": round(bare, 1),
            "bare_loop_before_after": [round(bare_before["rate"], 1), round(bare_after["rate"], 1)],
            "ratio_rendered": round(end_to_end / bare, 3),
            "sent": counts["sent"],
            "failed": counts["failed"],
            "in_doubt": counts["in_doubt"],
            **figures,
        }
    finally:
        _stop(procs)
        sink.terminate()
        sink.wait(10)
        for other in recovery:
            _cleanup(other, keep_contacts=True)
        _cleanup(message)


def _start_workers(env, workers, beat=None):
    procs = []
    for n in range(workers):
        procs.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "hamla",
                    "worker",
                    "--concurrency=1",
                    "-n",
                    f"bench{n}@%h",
                    "--without-gossip",
                    "--without-mingle",
                    "-l",
                    "WARNING",
                ],  # fmt: skip
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
        )
    if beat is not None:
        procs.append(
            subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "hamla", "beat", "-s", str(beat), "-l", "WARNING"],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
        )
    return procs


def _stop(procs, sig=signal.SIGTERM):
    for proc in procs:
        if proc.poll() is None:
            os.killpg(proc.pid, sig)
    for proc in procs:
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(5)


def _wait_sent(message, since, timeout):
    while Message.objects.filter(pk=message.pk).values_list("status", flat=True).first() != "sent":
        time.sleep(0.2)
        if time.perf_counter() - since > timeout:
            raise CommandError(f"dispatch did not finish: {message.counts()}")


def _recovery(env, workers, size, procs, messages):
    """A send of `size` during which every worker is SIGKILLed at one third, then started
    again under the same names (with a beat). Returns its figures; the processes it starts
    are added to `procs`, its message to `messages`."""
    contact_list, _ = ContactList.objects.get_or_create(name=RECOVERY_LIST)
    ids = Contact.objects.filter(memberships__contact_list__name=LIST_NAME).order_by("pk").values_list("pk", flat=True)
    Membership.objects.bulk_create([Membership(contact_id=pk, contact_list=contact_list) for pk in ids[:size]])
    message = Message.objects.create(subject_ar="نشرة الاستعادة {{ first_name }}", body_ar=BODY.read_text("utf-8"))
    messages.append(message)
    message.lists.add(contact_list)
    message.schedule()
    message.start()
    kick(message, lanes=max(2, workers * 2))
    sent = Delivery.objects.filter(message=message, status="sent")
    while sent.count() < size // 3:
        time.sleep(0.05)
    _stop(procs, signal.SIGKILL)
    at_kill = sent.count()
    beat = Path(tempfile.mkdtemp(prefix="hamla-bench-beat-")) / "schedule"
    restarted = time.perf_counter()
    procs += _start_workers(env, workers, beat=beat)
    while sent.count() <= at_kill:
        time.sleep(0.1)
        if time.perf_counter() - restarted > 600:
            raise CommandError(f"the send did not resume: {message.counts()}")
    resumed = time.perf_counter() - restarted
    _wait_sent(message, restarted, 600)
    counts = message.counts()
    figures = {
        "recovery_recipients": size,
        "recovery_killed_at_sent": at_kill,
        "recovery_resumed_seconds": round(resumed, 2),
        "recovery_seconds": round(time.perf_counter() - restarted, 2),
        "recovery_sent": counts["sent"],
        "recovery_in_doubt": counts["in_doubt"],
    }
    return figures


def _contacts(count):
    """A list of `count` subscribed synthetic contacts (created once, reused by later runs)."""
    contact_list, _ = ContactList.objects.get_or_create(name=LIST_NAME)
    have = Membership.objects.filter(contact_list=contact_list).count()
    chunk = 5000
    for start in range(have, count, chunk):
        batch = []
        for i in range(start, min(count, start + chunk)):
            contact = Contact(status=Contact.Status.SUBSCRIBED, language="ar" if i % 3 else "en", source=SOURCE)
            contact.email = f"bench{i}@bench.invalid"
            contact.given_name = f"مشترك {i}"
            batch.append(contact)
        with transaction.atomic():
            created = Contact.objects.bulk_create(batch)
            Membership.objects.bulk_create([Membership(contact=c, contact_list=contact_list) for c in created])
    return contact_list


def _bare_loop(contact_list, port, count):
    """Render + build + send `count` messages over one SMTP connection, as a worker does
    (messaging/wire.py), nothing else."""
    body = BODY.read_text(encoding="utf-8")
    people = [
        (c.pk, c.email, c.given_name, c.family_name)
        for c in Contact.objects.filter(memberships__contact_list=contact_list)[:count]
    ]
    conn = get_connection("django.core.mail.backends.smtp.EmailBackend", host="127.0.0.1", port=port)
    conn.open()
    fast = wire.Wire.for_connection(conn)  # as a worker sends over Django's SMTP backend
    token_url, prefs_url = tokens.unsubscribe_url("TOKEN"), tokens.preferences_url("TOKEN")
    t0 = time.perf_counter()
    prepared = emails.prepare("نشرة تجريبية {{ first_name }}", body, "ar")
    for pk, address, given, family in people:
        token = tokens.make(pk, 0)
        unsubscribe = token_url.replace("TOKEN", token)
        values = {
            "first_name": given,
            "last_name": family,
            "unsubscribe_url": unsubscribe,
            "preferences_url": prefs_url.replace("TOKEN", token),
        }
        rendered = fast.render(prepared, address, values)
        if rendered is None:
            conn.send_messages([emails.build(prepared, address, values, emails.unsubscribe_headers(unsubscribe))])
        else:
            fast.send(rendered)
    elapsed = time.perf_counter() - t0
    conn.close()
    return {"messages": len(people), "rate": len(people) / elapsed}


def _bare_minimal(contact_list, port, count):
    """A minimal `EmailMessage` per recipient, sent over one SMTP connection: the floor."""
    addresses = [c.email for c in Contact.objects.filter(memberships__contact_list=contact_list)[:count]]
    conn = get_connection("django.core.mail.backends.smtp.EmailBackend", host="127.0.0.1", port=port)
    conn.open()
    t0 = time.perf_counter()
    for address in addresses:
        conn.send_messages([EmailMessage("Newsletter", "Hello", settings.DEFAULT_FROM_EMAIL, [address])])
    elapsed = time.perf_counter() - t0
    conn.close()
    return {"messages": len(addresses), "rate": len(addresses) / elapsed}


def _cleanup(message, keep_contacts=False):
    if message is not None:
        Delivery.objects.filter(message=message)._raw_delete(connection.alias)
        message.delete()
    recovery_list = ContactList.objects.filter(name=RECOVERY_LIST).first()
    if recovery_list is not None:
        Membership.objects.filter(contact_list=recovery_list)._raw_delete(connection.alias)
        recovery_list.delete()
    if keep_contacts:
        return
    contact_list = ContactList.objects.filter(name=LIST_NAME).first()
    if contact_list is not None:
        Membership.objects.filter(contact_list=contact_list)._raw_delete(connection.alias)
        contact_list.delete()
    Contact.objects.filter(source=SOURCE)._raw_delete(connection.alias)


def _wait_port(port, timeout=10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise CommandError("the SMTP sink did not start")


def _wait_workers(app, count, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        replies = app.control.ping(timeout=0.5) or []
        if len(replies) >= count:
            return
    raise CommandError("the benchmark workers did not start")
