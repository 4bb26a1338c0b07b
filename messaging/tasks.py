"""Celery tasks for sending newsletters. Thin: the logic lives in models and dispatch.

Scheduling never uses Celery ETAs (on Redis, a task whose ETA exceeds the
visibility timeout is delivered again and again); a beat sweep every few
seconds starts what is due, so a send that fell due while workers were down
starts when they return.
"""

import logging
import math
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError, connection
from django.utils import timezone

from . import dispatch, leases
from .models import Delivery, Message

log = logging.getLogger(__name__)

LANES = 4  # concurrent batch chains per message


@shared_task(bind=True)
def send_batch(self, message_id, size=None):
    """One batch; then chains the next one while rows are queued (or finishes the message).
    The database going away mid-batch (a restarted server) retries this very task once it
    can: same task id, so it finds the rows it had claimed and gives them back (the one in
    flight in doubt) before claiming again. Failing instead would strand those rows under a
    lease that stays alive."""
    try:
        result = dispatch.send_batch(message_id, leases.claim_id(self.request.id), size=size)
    except (OperationalError, InterfaceError) as exc:
        connection.close()
        countdown = min(30, 2 ** min(self.request.retries, 5))
        raise self.retry(exc=exc, countdown=countdown, max_retries=None, queue=_queue(self)) from exc
    if result["more"]:
        send_batch.apply_async((message_id, size), countdown=result["delay"] or None, queue=_queue(self))
    else:
        message = Message.objects.filter(pk=message_id).first()
        if message is not None and message.status == Message.Status.SENDING:
            message.finish_if_done()
    return {k: v for k, v in result.items() if k != "more"}


def _queue(task):
    """The queue the running task came from, so a send stays on the workers that started it."""
    return (task.request.delivery_info or {}).get("routing_key") or None


def kick(message, lanes=None, size=None, queue=None):
    """Enqueue up to LANES batch chains for a sending message; returns how many."""
    queued = Delivery.objects.filter(message=message, status=Delivery.Status.QUEUED).count()
    lanes = lanes or getattr(settings, "HAMLA_DISPATCH_LANES", LANES)
    count = min(lanes, math.ceil(queued / (size or dispatch.batch_size()))) if queued else 0
    for _ in range(count):
        send_batch.apply_async((message.pk, size), queue=queue)
    if not count:
        message.finish_if_done()
    return count


@shared_task(bind=True)
def start_message(self, message_id):
    """Start one message now if it is scheduled and due (the web's "send now")."""
    message = Message.objects.filter(pk=message_id).first()
    if message is not None and message.start():
        kick(message, queue=_queue(self))
        return True
    return False


@shared_task(bind=True)
def sweep(self):
    """Periodic (beat): start due messages, recover abandoned claims, restart stalled sends,
    finish completed ones. Safe to run concurrently with itself: every step is a conditional
    update, so two beats or overlapping ticks cannot start a message twice."""
    now = timezone.now()
    started = 0
    for pk in Message.objects.filter(status=Message.Status.SCHEDULED, send_at__lte=now).values_list("pk", flat=True):
        message = Message.objects.get(pk=pk)
        try:
            if message.start(now=now):
                started += 1
                kick(message, queue=_queue(self))
        except Exception:  # one broken message must not hold up every other one
            log.exception("message %s could not be started", pk)
    # Rows of workers whose lease lapsed (killed, machine gone) come back at once; claims
    # with no lease only after the stale timeout, the last resort.
    released, _messages = leases.release_dead()
    requeued = released + Delivery.requeue_stale(settings.HAMLA_CLAIM_STALE_SECONDS)
    restarted = 0
    stalled_before = now - timedelta(seconds=settings.HAMLA_STALL_SECONDS)
    idle_before = now - timedelta(seconds=leases.ttl())
    for message in Message.objects.filter(status=Message.Status.SENDING):
        stalled = requeued or message.last_progress is None or message.last_progress < stalled_before
        # An orphaned send gets one chain at a time: it may only be waiting behind another
        # send's batches on busy workers.
        if stalled or _orphaned(message, idle_before):
            # Claim the restart, so overlapping sweeps do not both add lanes.
            if Message.objects.filter(pk=message.pk, last_progress=message.last_progress).update(last_progress=now):
                restarted += kick(message, lanes=None if stalled else 1, queue=_queue(self)) > 0
        else:
            message.finish_if_done()
    return {"started": started, "requeued": requeued, "restarted": restarted}


def _orphaned(message, idle_before):
    """Rows due and nobody sending them for a lease's length: the chain died with a worker
    whose tasks Redis only hands out again after its visibility timeout (an hour)."""
    if message.last_progress is None or message.last_progress >= idle_before:
        return False
    rows = Delivery.objects.filter(message=message)
    if rows.filter(status=Delivery.Status.SENDING).exists():
        return False
    due = rows.filter(status=Delivery.Status.QUEUED).exclude(next_attempt_at__gt=timezone.now())
    return due.exists()
