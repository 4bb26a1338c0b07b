"""Worker leases: a claimed delivery belongs to a worker instance that proves it is alive.

Each Celery worker instance (one node, e.g. ``celery@host`` or ``-n a@%h``, per start)
inserts a WorkerLease row when it starts (``worker_init``, before its pool processes are
forked, so they inherit the lease id) and renews it from a thread of its main process
every RENEW_FRACTION of HAMLA_LEASE_SECONDS; its batches renew it too whenever they renew
their claims. Both write ``expires_at = now() + TTL`` on the *database's* clock, which the
sweep compares with the same clock, so machines whose clocks differ never take each
other's rows. Batches claim rows as ``"<lease id>/<task id>"`` (dispatch.claim_id).

- Lease lapsed (a worker SIGKILLed, its machine gone): the sweep (beat, every
  HAMLA_SWEEP_SECONDS) releases its rows at once, the first of each batch in doubt
  (Delivery.release_in_doubt), and gives the send new batch chains.
- Same node started again: the new instance releases its predecessors' claims before it
  takes any task, and chains their sends again.
- Graceful stop (SIGTERM to the main process, ``worker_shutting_down``): a flag shared
  with the pool processes stops every running batch at its next check (under a second),
  which gives its rows back and chains the rest to the other nodes; ``worker_shutdown``
  then releases whatever is left and deletes the lease.
- HAMLA_CLAIM_STALE_SECONDS stays as the last resort for claims with no lease (work run
  outside a worker) or a lease row that cannot be trusted.

Sizing the TTL: measured during `bench dispatch --recipients 20000` (two worker processes
sending at full speed into the SMTP sink, PostgreSQL and Redis on the same 2 cores, load
average 8–9 from other test runs sharing the machine), renewals due every 3 s came at most
49 ms late (typically 1–20 ms; sampled every 3 s, the longest gap between two renewals
seen from outside was 3.4 s). The lateness of the last renewal and the worst one are kept
on each lease (``late_ms``, ``max_late_ms``). A 15 s TTL rides out four missed renewals
in a row, some 250 times the worst lateness measured, and a batch that is sending renews
the lease as well, so a slow but live worker keeps its rows; recovery after a crash is
TTL + one sweep, about 20 s.
"""

import logging
import os
import threading
import time
import uuid
from datetime import timedelta
from multiprocessing import RawValue

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.db.models import Count, DateTimeField, ExpressionWrapper, Q, Value
from django.db.models.functions import Now
from django.utils import timezone

from .models import Delivery, Message, WorkerLease

log = logging.getLogger(__name__)

SEPARATOR = "/"
RENEW_FRACTION = 0.2  # renew every fifth of the TTL
# Sends whose claims the sweep looks at: a dead worker's rows can also belong to a send
# paused, or cancelled (in the last day: older ones are left to the stale timeout) while
# it held them.
CANCELLED_LOOKBACK = timedelta(days=1)

_state = {"lease": None, "node": None, "stopping": None, "thread": None, "halt": None}


def ttl():
    return float(getattr(settings, "HAMLA_LEASE_SECONDS", 15))


def renew_every():
    return ttl() * RENEW_FRACTION


def _expiry():
    return ExpressionWrapper(Now() + Value(timedelta(seconds=ttl())), output_field=DateTimeField())


# --- Claim ids ----------------------------------------------------------------


def current():
    """The lease id of this worker instance (inherited by its pool processes), or None
    outside a worker."""
    return _state["lease"]


def claim_id(task_id, lease=None):
    lease = lease or current()
    return f"{lease}{SEPARATOR}{task_id}" if lease else task_id


def lease_of(claimed_by):
    head, sep, _tail = (claimed_by or "").partition(SEPARATOR)
    return head if sep else None


def task_of(claimed_by):
    return (claimed_by or "").rpartition(SEPARATOR)[2]


def stopping():
    """True once this worker was asked to stop gracefully: batches hand their rows back."""
    flag = _state["stopping"]
    return bool(flag is not None and flag.value)


# --- Lease rows ---------------------------------------------------------------


def acquire(node, pid=None):
    """Start a lease for a new instance of `node`; its predecessors' claims are released
    first (their sends get new chains). Returns the lease id."""
    lease = uuid.uuid4().hex[:12]
    predecessors = list(WorkerLease.objects.filter(node=node).values_list("pk", flat=True))
    if predecessors:
        released, messages = release(predecessors)
        log.info("worker %s restarted: %d rows of its previous instance released", node, released)
        # Its chains died with it even where it held no rows at that instant.
        idle = Message.objects.filter(status=Message.Status.SENDING).exclude(deliveries__status=Delivery.Status.SENDING)
        _rechain(set(messages) | set(idle.values_list("pk", flat=True)))
    WorkerLease.objects.create(pk=lease, node=node, pid=pid or os.getpid(), renewed_at=Now(), expires_at=_expiry())
    return lease


def renew(lease, late_ms=None):
    """Push the lease's expiry a TTL ahead; False when it is gone (released as dead: the
    instance's running batches will find their claims lost and stop)."""
    fields = {"renewed_at": Now(), "expires_at": _expiry()}
    if late_ms is not None:
        fields["late_ms"] = late_ms
    updated = WorkerLease.objects.filter(pk=lease).update(**fields)
    if updated and late_ms is not None:
        WorkerLease.objects.filter(pk=lease, max_late_ms__lt=late_ms).update(max_late_ms=late_ms)
    return updated == 1


def live():
    """Live worker instances: [{"node", "lease", "age_seconds", "max_late_ms"}], by node."""
    now = timezone.now()
    rows = WorkerLease.objects.filter(expires_at__gte=Now()).order_by("node")
    return [
        {
            "node": row.node,
            "lease": row.pk,
            "age_seconds": round(max(0.0, (now - row.renewed_at).total_seconds()), 1),
            "max_late_ms": round(row.max_late_ms),
        }
        for row in rows
    ]


def _claims(message_ids=None):
    """{claimed_by: rows} of rows being sent, for `message_ids` (default: every send that
    can hold claims), one index range scan per message."""
    if message_ids is None:
        recent = timezone.now() - CANCELLED_LOOKBACK
        claiming = Q(status__in=[Message.Status.SENDING, Message.Status.PAUSED]) | Q(
            status=Message.Status.CANCELLED, finished_at__gte=recent
        )
        message_ids = list(Message.objects.filter(claiming).values_list("pk", flat=True))
    held = {}
    for message_id in message_ids:
        rows = (
            Delivery.objects.filter(message_id=message_id, status=Delivery.Status.SENDING)
            .values("claimed_by")
            .annotate(n=Count("id"))
            .order_by()
        )
        for row in rows:
            held[(message_id, row["claimed_by"])] = row["n"]
    return held


def release(leases, message_ids=None):
    """Give back every row claimed under `leases` (first of each batch in doubt). Returns
    (rows released, ids of the messages they belong to)."""
    leases = set(leases)
    dead = {}
    for (message_id, claimed_by), _n in _claims(message_ids).items():
        if lease_of(claimed_by) in leases:
            dead.setdefault(message_id, []).append(claimed_by)
    released = 0
    for message_id, claims in dead.items():
        rows = Delivery.objects.filter(message_id=message_id, claimed_by__in=claims)
        released += Delivery.release_in_doubt(rows)
    WorkerLease.objects.filter(pk__in=leases).delete()
    return released, sorted(dead)


def release_dead():
    """The sweep's step: release the rows of every lapsed lease, and of claims naming a
    lease that does not exist. Returns (rows released, message ids)."""
    alive = set(WorkerLease.objects.filter(expires_at__gte=Now()).values_list("pk", flat=True))
    held = _claims()
    dead = {lease_of(claimed_by) for (_m, claimed_by) in held} - alive - {None}
    lapsed = set(WorkerLease.objects.filter(expires_at__lt=Now()).values_list("pk", flat=True))
    if not dead and not lapsed:
        return 0, []
    for row in WorkerLease.objects.filter(pk__in=dead | lapsed):
        log.warning("worker %s stopped renewing its lease: releasing its claims", row.node)
    messages = sorted({m for (m, claimed_by) in held if lease_of(claimed_by) in dead})
    return release(dead | lapsed, messages)


def holders(message_id):
    """Who is sending `message_id` right now: [{"node", "rows", "lease_age_seconds", "alive"}].
    Claims with no lease (work run outside a worker) are listed under node "" ."""
    now = timezone.now()
    held = _claims([message_id])
    per_lease = {}
    for (_m, claimed_by), n in held.items():
        key = lease_of(claimed_by)
        per_lease[key] = per_lease.get(key, 0) + n
    leases = {row.pk: row for row in WorkerLease.objects.filter(pk__in=[k for k in per_lease if k])}
    alive = set(WorkerLease.objects.filter(pk__in=list(leases), expires_at__gte=Now()).values_list("pk", flat=True))
    result = []
    for key, n in per_lease.items():
        row = leases.get(key)
        result.append(
            {
                "node": row.node if row else "",
                "rows": n,
                "lease_age_seconds": round(max(0.0, (now - row.renewed_at).total_seconds()), 1) if row else None,
                "alive": key in alive,
            }
        )
    return sorted(result, key=lambda holder: holder["node"])


def _rechain(message_ids):
    """New batch chains for sends whose rows were just given back: the dead worker's own
    chain tasks may sit unacknowledged in Redis for the visibility timeout (an hour)."""
    from . import tasks

    for message in Message.objects.filter(pk__in=message_ids, status=Message.Status.SENDING):
        try:
            tasks.kick(message)
        except Exception:  # noqa: BLE001 - the sweep chains it again if this fails
            log.warning("could not chain message %s again", message.pk, exc_info=True)


# --- The worker's side (Celery signals) -----------------------------------------


def _heartbeat(lease, halt):
    interval = renew_every()
    due = time.monotonic() + interval
    while not halt.wait(max(0.0, due - time.monotonic())):
        late_ms = max(0.0, (time.monotonic() - due) * 1000)
        due = time.monotonic() + interval
        try:
            if not renew(lease, late_ms=late_ms):
                # Released as dead (or deleted by hand): this instance is alive, so it
                # comes back; the rows it held are someone else's now.
                log.warning("the lease of %s was released while it ran; taking a new one", _state["node"])
                WorkerLease.objects.create(
                    pk=lease, node=_state["node"], pid=os.getpid(), renewed_at=Now(), expires_at=_expiry()
                )
        except Exception:  # noqa: BLE001 - the database restarting: try again next time
            log.warning("could not renew the worker lease", exc_info=True)
            close_old_connections()
            connection.close()
        else:
            if connection.vendor == "sqlite":
                # The pool forks replacement processes from this process at any time, and a
                # child cannot set aside a connection another thread holds: an open SQLite
                # handle inherited across a fork is how a database gets corrupted.
                connection.close()
    connection.close()


def on_worker_init(sender=None, **_kwargs):
    """Before the pool forks: take this instance's lease (releasing a predecessor's claims)
    and create the stop flag the pool processes share."""
    node = getattr(sender, "hostname", None) or f"celery@{os.uname().nodename}"
    _state["node"] = node
    _state["stopping"] = RawValue("b", 0)
    try:
        _state["lease"] = acquire(node)
    except Exception:  # noqa: BLE001 - without a lease, claims fall back to the stale timeout
        log.exception("worker %s could not take a lease", node)
        _state["lease"] = None
    finally:
        connection.close()  # not shared with the forked pool processes


def on_worker_ready(**_kwargs):
    """Once the pool is up (no fork after a thread started holding locks): the heartbeat."""
    lease = current()
    if lease is None or _state["thread"] is not None:
        return
    halt = threading.Event()
    thread = threading.Thread(target=_heartbeat, args=(lease, halt), name="hamla-lease", daemon=True)
    _state["thread"], _state["halt"] = thread, halt
    thread.start()


def on_worker_shutting_down(**_kwargs):
    """SIGTERM/SIGINT in the main process (a signal handler: only set the shared flag)."""
    flag = _state["stopping"]
    if flag is not None:
        flag.value = 1


def on_worker_shutdown(**_kwargs):
    """The pool has stopped: give back whatever is still claimed and end the lease."""
    lease = current()
    if lease is None:
        return
    if _state["halt"] is not None:
        _state["halt"].set()
        _state["thread"].join(5)
    try:
        with transaction.atomic():
            released, messages = release([lease])
        if released:
            _rechain(messages)
        log.info("worker %s stopped: %d claimed rows handed back", _state["node"], released)
    except Exception:  # noqa: BLE001 - its lease lapses and the sweep does it
        log.warning("could not hand back the claims of %s", _state["node"], exc_info=True)
    _state["lease"] = None


def connect():
    """Called from MessagingConfig.ready(): a worker process takes a lease."""
    from celery import signals

    signals.worker_init.connect(on_worker_init, dispatch_uid="messaging.leases.init", weak=False)
    signals.worker_ready.connect(on_worker_ready, dispatch_uid="messaging.leases.ready", weak=False)
    signals.worker_shutting_down.connect(
        on_worker_shutting_down, dispatch_uid="messaging.leases.shutting_down", weak=False
    )
    signals.worker_shutdown.connect(on_worker_shutdown, dispatch_uid="messaging.leases.shutdown", weak=False)
