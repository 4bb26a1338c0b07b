"""Claiming and sending batches of deliveries (called by messaging.tasks).

The protocol, which is what makes a send "effectively once":

1. A task claims up to `size` QUEUED rows of one message (SENDING, claimed_by =
   "<worker lease>/<Celery task id>", claimed_at = now) — `select_for_update(skip_locked=True)`
   on PostgreSQL, a conditional update on SQLite — so two workers never hold the
   same row.
2. It sends them in id order over one reused email connection, and records each
   outcome with one UPDATE right after the provider accepted the message. So at
   any instant at most one row per worker process is "in flight".
3. Between small groups it re-reads the message status: pause or cancel stop the
   batch within seconds and the unsent claimed rows go back to the queue; so does
   a graceful stop of the worker (SIGTERM), whose rows other nodes then take. Every
   write is conditional on the row still being claimed by this task, and every few
   seconds the task renews its claim, its worker's lease and the message's
   progress time, so the sweep never takes rows from a live batch; if it ever
   did, the batch stops at once.
4. If a pool process dies, Celery redelivers the same task (acks_late +
   reject_on_worker_lost), same task id, on any node: it finds that task's rows
   still SENDING, re-queues them and flags the first (the only one that can have
   been in flight) as in doubt. If the whole worker died, its lease lapses within
   HAMLA_LEASE_SECONDS and the sweep does the same for every row it held, then
   chains the send again (messaging/leases.py); a restarted node does it when it
   starts. Claims with no lease are released after HAMLA_CLAIM_STALE_SECONDS.
5. A batch lasts at most BATCH_SECONDS; the task then puts the rest back and
   chains the next, so batches stay short whatever the rate limit or provider.
"""

import enum
import logging
import random
import time
from datetime import timedelta

from django.conf import settings
from django.core.mail import get_connection
from django.db import connection, transaction
from django.db.models import Min, Q
from django.utils import timezone

from core.mailerrors import classify
from core.scrub import scrub_exception

from . import emails, leases, tokens, wire
from .models import Delivery, Message
from .ratelimit import Limiter

log = logging.getLogger(__name__)

BATCH_SIZE = 500
GROUP_SIZE = 50  # rows between two status checks (pause/cancel latency)…
CHECK_SECONDS = 1.0  # …or seconds, whichever comes first
MAX_ATTEMPTS = 8
BATCH_SECONDS = 60  # with a rate limit, a batch is cut to about this long


class Stop(enum.Enum):
    """Why a batch stopped before recording an outcome for each of its rows."""

    PROVIDER_UNAVAILABLE = "provider_unavailable"  # refusing everything for now: the chain retries later
    TIMESLICE = "timeslice"  # a batch lasts at most BATCH_SECONDS: the chain goes on
    CLAIM_LOST = "claim_lost"  # the sweep gave our rows to another worker: touch nothing more
    SHUTDOWN = "shutdown"  # the worker is stopping gracefully: rows back, the chain goes to other nodes
    PAUSED = "paused"
    CANCELLED = "cancelled"
    NOT_SENDING = "not_sending"  # any other move out of "sending" (back to a draft, finished)

    @classmethod
    def for_status(cls, status):
        """The stop for a message found in `status` (anything but sending) mid-batch."""
        return {Message.Status.PAUSED: cls.PAUSED, Message.Status.CANCELLED: cls.CANCELLED}.get(status, cls.NOT_SENDING)

    @property
    def chain_goes_on(self):
        """Whether the batch chain continues after this stop (pauses resume with a new chain)."""
        return self in (Stop.PROVIDER_UNAVAILABLE, Stop.TIMESLICE, Stop.SHUTDOWN)


class Transient(Exception):
    pass


def backoff(attempts):
    """Seconds before retry number `attempts` (1, 2, 4 … capped at 60), with jitter."""
    return min(60.0, 2.0 ** max(0, attempts - 1)) * random.uniform(0.8, 1.2)


def claim(message_id, claim_id, size):
    """Mark up to `size` due QUEUED rows as SENDING for `claim_id`; returns their ids, in order."""
    now = timezone.now()
    due = Delivery.objects.filter(message_id=message_id, status=Delivery.Status.QUEUED).exclude(next_attempt_at__gt=now)
    with transaction.atomic():
        if connection.features.has_select_for_update_skip_locked:
            ids = list(due.order_by("id").select_for_update(skip_locked=True).values_list("id", flat=True)[:size])
        else:
            ids = list(due.order_by("id").values_list("id", flat=True)[:size])
        if not ids:
            return []
        Delivery.objects.filter(pk__in=ids, status=Delivery.Status.QUEUED).update(
            status=Delivery.Status.SENDING, claimed_by=claim_id, claimed_at=now
        )
    return list(
        Delivery.objects.filter(claimed_by=claim_id, status=Delivery.Status.SENDING, message_id=message_id)
        .order_by("id")
        .values_list("id", "contact_id")
    )


class Recorder:
    """One UPDATE per outcome, on the raw cursor (the ORM's per-call overhead is most of
    the cost at a thousand messages a second)."""

    def __init__(self):
        self.table = Delivery._meta.db_table
        self.cursor = connection.cursor()
        # Losing the last few hundred milliseconds of status on a database *server* crash
        # only turns those rows into in-doubt ones; a process crash loses nothing.
        if connection.vendor == "postgresql":
            self.cursor.execute("SET synchronous_commit TO OFF")

    def sent(self, pk, claim_id, language, provider_id):
        """Record a send; False when the row is no longer this task's claim."""
        # The database driver's own cursor under Django's wrapper, whose bookkeeping per
        # statement (and, with DEBUG, its query log) costs as much as the driver's.
        params = [
            Delivery.Status.SENT,
            timezone.now(),
            language,
            provider_id[:255],
            pk,
            Delivery.Status.SENDING,
            claim_id,
        ]
        with connection.wrap_database_errors:  # Django's exceptions, as from the wrapper
            self.cursor.cursor.execute(
                f"UPDATE {self.table} SET status = %s, sent_at = %s, language = %s, provider_message_id = %s, "  # noqa: S608
                "attempts = attempts + 1, error = '' WHERE id = %s AND status = %s AND claimed_by = %s",
                params,
            )
        return self.cursor.cursor.rowcount == 1

    def close(self):
        if connection.vendor == "postgresql":
            self.cursor.execute("RESET synchronous_commit")
        self.cursor.close()


def _outcome(pk, claim_id, status, **fields):
    Delivery.objects.filter(pk=pk, status=Delivery.Status.SENDING, claimed_by=claim_id).update(status=status, **fields)


def _release(ids, claim_id, status=Delivery.Status.QUEUED):
    if ids:
        Delivery.objects.filter(pk__in=ids, status=Delivery.Status.SENDING, claimed_by=claim_id).update(
            status=status, claimed_by="", claimed_at=None
        )


def _renew(message_id, claim_id, expected):
    """Renew this task's claim, its worker's lease and the message's progress time; False
    if fewer than `expected` rows are still claimed (the sweep took them: the worker
    looked dead)."""
    now = timezone.now()
    renewed = Delivery.objects.filter(
        message_id=message_id, claimed_by=claim_id, status=Delivery.Status.SENDING
    ).update(claimed_at=now)
    Message.objects.filter(pk=message_id).update(last_progress=now)
    lease = leases.lease_of(claim_id)
    if lease and renewed >= expected:
        leases.renew(lease)
    return renewed >= expected


def renew_every():
    """Seconds between claim renewals: well inside the sweep's thresholds and the lease."""
    return min(settings.HAMLA_CLAIM_STALE_SECONDS, settings.HAMLA_STALL_SECONDS, leases.ttl()) / 4


def _load_contacts(contact_ids):
    from contacts.models import Contact

    fields = ("id", "status", "language", "email_enc", "given_name_enc", "family_name_enc")
    return {c.pk: c for c in Contact.objects.filter(pk__in=contact_ids).only(*fields)}


def batch_size():
    rate = float(settings.HAMLA_SEND_RATE or 0)
    size = getattr(settings, "HAMLA_DISPATCH_BATCH", BATCH_SIZE)
    return max(1, min(size, int(rate * BATCH_SECONDS))) if rate > 0 else size


def send_batch(message_id, claim_id, size=None):
    """Claim and send one batch of `message_id` (see the module docstring). Returns a dict
    with counts and `more` (rows still queued) and `delay` (seconds before the next batch)."""
    result = {"sent": 0, "failed": 0, "suppressed": 0, "deferred": 0, "released": 0, "more": False, "delay": 0.0}
    message = Message.objects.select_related("campaign").get(pk=message_id)
    # Rows still SENDING under this task id are from an earlier run of this very task,
    # killed mid-batch (on this node or another): re-queue them (the in-flight one
    # flagged in doubt).
    task = leases.task_of(claim_id)
    previous = Delivery.objects.filter(message_id=message_id, status=Delivery.Status.SENDING).filter(
        # The task id alone (no lease) or "<any lease>/<task>" (this claim_id among them).
        Q(claimed_by=task) | Q(claimed_by__endswith=f"{leases.SEPARATOR}{task}")
    )
    if previous.exists():
        result["recovered"] = Delivery.release_in_doubt(previous)
    if message.status != Message.Status.SENDING:
        return result
    rows = claim(message_id, claim_id, size or batch_size())
    if not rows:
        result["more"], result["delay"] = _remaining(message)
        return result
    try:
        stop, leftover = _send_claimed(message, claim_id, rows, result)
    except Exception:
        # Something other than the provider failed (the database, most likely): give the
        # rows back now rather than after the stale-claim timeout. The first of them may
        # have reached the provider, so it is flagged in doubt.
        try:
            Delivery.release_in_doubt(Delivery.objects.filter(message_id=message_id, claimed_by=claim_id))
        except Exception:  # noqa: BLE001 - the sweep will release them later
            log.warning("could not release the claimed rows of %s", claim_id, exc_info=True)
        raise
    if stop is Stop.PROVIDER_UNAVAILABLE:
        message.note_waiting(Message.Wait.PROVIDER_UNAVAILABLE, result.get("reason", ""))
    elif result["sent"]:
        message.clear_waiting()
    cancelled = stop is Stop.CANCELLED
    _release(leftover, claim_id, Delivery.Status.CANCELLED if cancelled else Delivery.Status.QUEUED)
    result["released"] = len(leftover)
    Message.objects.filter(pk=message_id).update(last_progress=timezone.now())
    current = Message.objects.filter(pk=message_id).values_list("status", flat=True).first()
    if current == Message.Status.CANCELLED:
        Delivery.drop_cancelled(message_id=message_id)  # a cancel that landed while it held its rows
    # A resume that landed while this batch was stopping for a pause found no queued row
    # to start a chain for: this one carries on.
    resumed = stop is Stop.PAUSED and current == Message.Status.SENDING
    more, delay = _remaining(message)
    result["more"] = more and (stop is None or stop.chain_goes_on or resumed)
    result["delay"] = max(result["delay"], delay)
    return result


def _send_claimed(message, claim_id, rows, result):
    """Send the claimed `rows` in order; returns (a Stop, or None when every row has its
    outcome, and the ids to give back)."""
    contacts = _load_contacts([contact_id for _pk, contact_id in rows if contact_id])
    campaign_title = message.campaign if message.campaign_id else ""  # titled in each language
    prepared = {}
    token_url = tokens.unsubscribe_url("TOKEN")
    prefs_url = tokens.preferences_url("TOKEN")
    limiter = Limiter()
    recorder = Recorder()
    email_connection = get_connection()
    pending = [pk for pk, _c in rows]
    stop = None
    next_index = 0  # rows before this one have their outcome recorded
    started = checked = renewed = time.monotonic()
    try:
        try:
            email_connection.open()  # one connection for the whole batch
        except Exception as exc:  # noqa: BLE001 - the provider is unreachable: retry the batch later
            transient, _whole, reason = classify(exc)
            log.warning("cannot connect to the email provider: %s", reason)
            stop, result["delay"], result["reason"] = Stop.PROVIDER_UNAVAILABLE, backoff(2), reason
            rows = []
        # Django's SMTP backend: each message flattened from a template (messaging/wire.py).
        fast = wire.Wire.for_connection(email_connection)
        for index, (pk, contact_id) in enumerate(rows):
            if index and (index % GROUP_SIZE == 0 or time.monotonic() - checked > CHECK_SECONDS):
                checked = time.monotonic()
                current = Message.objects.filter(pk=message.pk).values_list("status", flat=True).first()
                if current != Message.Status.SENDING:
                    stop = Stop.for_status(current)
                    break
                if checked - started > BATCH_SECONDS:
                    stop = Stop.TIMESLICE
                    break
                if checked - renewed > renew_every():
                    renewed = checked
                    if not _renew(message.pk, claim_id, len(pending) - index):
                        log.warning("batch %s lost its claim; stopping", claim_id)
                        return Stop.CLAIM_LOST, []
            if leases.stopping():  # one read of memory shared with the worker's main process
                stop = Stop.SHUTDOWN
                break
            next_index = index + 1
            contact = contacts.get(contact_id)
            if contact is None or not contact.is_sendable:
                _outcome(pk, claim_id, Delivery.Status.SUPPRESSED, error=contact.status if contact else "erased")
                result["suppressed"] += 1
                continue
            try:
                address = contact.email
                if not address:
                    _outcome(pk, claim_id, Delivery.Status.SUPPRESSED, error="no email")
                    result["suppressed"] += 1
                    continue
                language, subject, body = message.content_for(contact.language)
                if language not in prepared:
                    prepared[language] = emails.prepare(subject, body, language, campaign_title)
                token = tokens.make(contact_id, message.pk)
                unsubscribe = token_url.replace("TOKEN", token)
                values = {
                    "first_name": contact.given_name,
                    "last_name": contact.family_name,
                    "unsubscribe_url": unsubscribe,
                    "preferences_url": prefs_url.replace("TOKEN", token),
                }
                email = fast.render(prepared[language], address, values) if fast else None
                if email is None:
                    email = emails.build(prepared[language], address, values, emails.unsubscribe_headers(unsubscribe))
            except Exception as exc:  # noqa: BLE001 - this recipient cannot be written to; the rest can
                # No traceback: its text could quote the recipient.
                log.warning("delivery %s could not be built: %s", pk, scrub_exception(exc, limit=500))
                _outcome(pk, claim_id, Delivery.Status.FAILED, error=f"not built: {exc.__class__.__name__}"[:255])
                result["failed"] += 1
                continue
            limiter.acquire()
            try:
                if isinstance(email, wire.Rendered):
                    provider_id = fast.send(email)
                else:
                    email_connection.send_messages([email])
                    provider_id = _provider_id(email)
            except Exception as exc:  # noqa: BLE001 - every failure is classified and recorded
                transient, whole, reason = classify(exc)
                attempts = Delivery.objects.filter(pk=pk).values_list("attempts", flat=True).first() + 1
                if transient and attempts < MAX_ATTEMPTS:
                    delay = backoff(attempts)
                    _outcome(
                        pk,
                        claim_id,
                        Delivery.Status.QUEUED,
                        attempts=attempts,
                        error=reason,
                        claimed_by="",
                        next_attempt_at=timezone.now() + timedelta(seconds=delay),
                    )
                    result["deferred"] += 1
                    log.info("delivery %s deferred %.1fs: %s", pk, delay, reason)
                    if whole:
                        result["delay"], result["reason"] = delay, reason
                        stop = Stop.PROVIDER_UNAVAILABLE
                        break
                else:
                    _outcome(pk, claim_id, Delivery.Status.FAILED, attempts=attempts, error=reason)
                    result["failed"] += 1
                continue
            if not recorder.sent(pk, claim_id, language, provider_id):
                log.warning("batch %s lost its claim on delivery %s; stopping", claim_id, pk)
                return Stop.CLAIM_LOST, []
            result["sent"] += 1
    finally:
        recorder.close()
        try:
            email_connection.close()
        except Exception:  # noqa: BLE001 - a broken connection is already closed for our purposes
            log.debug("closing the email connection failed", exc_info=True)
    return stop, (pending[next_index:] if stop is not None else [])


def _provider_id(email):
    status = getattr(email, "anymail_status", None)
    if status is not None and status.message_id:
        return str(status.message_id)
    return email.extra_headers.get("Message-ID", "")


def _remaining(message):
    """(rows still queued?, seconds until the earliest of them is due)."""
    now = timezone.now()
    queued = Delivery.objects.filter(message_id=message.pk, status=Delivery.Status.QUEUED)
    if queued.exclude(next_attempt_at__gt=now).exists():
        return True, 0.0
    first = queued.aggregate(first=Min("next_attempt_at"))["first"]
    if first is None:
        return False, 0.0
    return True, max(0.0, (first - now).total_seconds())


def wait_idle(message_id, timeout=60.0):
    """Block until no row of the message is SENDING (used by tools and tests)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not Delivery.objects.filter(message_id=message_id, status=Delivery.Status.SENDING).exists():
            return True
        time.sleep(0.1)
    return False
