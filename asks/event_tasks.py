"""Celery tasks for events: an attendee's mail, the cancellation notices, the reminder sweep.

Thin and safe to retry: each reads the rows it mails about as they are now, so a task
delivered late or twice mails what is true then (a response withdrawn meanwhile gets
nothing; an ask reopened… cannot be: cancelled is final).

Delivery: the attendee mail and the cancellation notices are at least once — a worker
killed after the SMTP server took a mail and before the task was acknowledged sends it
again on redelivery (acks_late). A second "you are registered" is harmless; a lost one
leaves someone without the place. Reminders are at most once (asks/reminders.py).
"""

import logging

from celery import shared_task
from django.db import transaction

from . import event_mail, reminders
from .emails import MailFailed
from .models import Ask, Response

log = logging.getLogger(__name__)


@shared_task(acks_late=True)
def send_attendee_mail(response_pk, promoted=False):
    """The mail for one RSVP as it stands now: confirmed (with the place and check-in code),
    waitlisted, or — with `promoted` — moved up from the waitlist. Queue it after the
    transaction that confirmed, waitlisted or promoted the response commits."""
    response = Response.objects.select_related("ask__campaign", "shift").filter(pk=response_pk).first()
    if response is None or not response.ask.is_event or response.ask.status != Ask.Status.OPEN:
        return None
    if response.status == Response.Status.WAITLISTED:
        kind = "waitlisted"
    elif response.status == Response.Status.CONFIRMED:
        kind = "promoted" if promoted else "confirmed"
        # A mail with the place and time sent inside a reminder's window stands for that
        # reminder: no "tomorrow" reminder minutes after "you are registered".
        reminders.mark_covered(response)
    else:
        return None
    event_mail.send(response, kind)
    return kind


def tell_promoted(promoted):
    """Queue the "a place freed up" mail for each response Ask.promote_waitlist (or
    Response.withdraw) returned, once the transaction that promoted them commits."""
    for response in promoted or ():
        transaction.on_commit(lambda pk=response.pk: send_attendee_mail.delay(pk, promoted=True))


@shared_task(acks_late=True)
def send_cancellation_notices(ask_pk):
    """Tell every confirmed and waitlisted attendee of a cancelled event (Ask.cancel queues
    this). Returns how many were mailed; a refused address is logged (by response id) and skipped."""
    ask = Ask.objects.filter(pk=ask_pk, status=Ask.Status.CANCELLED, kind=Ask.Kind.EVENT).first()
    if ask is None:
        return 0
    told = Response.objects.filter(
        ask=ask, status__in=[Response.Status.CONFIRMED, Response.Status.WAITLISTED]
    ).select_related("ask__campaign", "shift")
    sent = 0
    for response in told.iterator(chunk_size=200):
        # One refused address must not keep the rest from hearing it is off: a task that
        # raises is acknowledged all the same, and the loop would end there.
        try:
            event_mail.send(response, "cancelled")
        except MailFailed as failed:
            log.warning("cancellation notice for response %s not sent (%s)", response.pk, failed)
            continue
        sent += 1
    return sent


@shared_task(acks_late=True)
def send_reminders():
    """Celery beat, every few minutes: the 24 h and 2 h reminders now due (asks/reminders.py)."""
    return reminders.send_due()
