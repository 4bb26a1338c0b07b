"""Celery tasks for events: an attendee's mail, the cancellation notices.

Thin and safe to retry: each reads the current state of the rows it mails about, so a task
delivered late or twice mails what is true now (a response withdrawn meanwhile gets none)."""

from celery import shared_task

from . import event_mail
from .models import Ask, Response


@shared_task(acks_late=True)
def send_attendee_mail(response_pk):
    """The confirmed/waitlisted/promoted mail for one RSVP, as it stands now."""
    response = Response.objects.select_related("ask__campaign", "shift").filter(pk=response_pk).first()
    if response is None or not response.ask.is_event:
        return False
    if response.status not in (Response.Status.CONFIRMED, Response.Status.WAITLISTED):
        return False
    event_mail.send_attendee_mail(response)
    return True


@shared_task(acks_late=True)
def send_cancellation_notices(ask_pk):
    """Tell every confirmed and waitlisted attendee of a cancelled event."""
    ask = Ask.objects.filter(pk=ask_pk, status=Ask.Status.CANCELLED).first()
    if ask is None:
        return 0
    sent = 0
    for response in ask.responses.filter(
        status__in=[Response.Status.CONFIRMED, Response.Status.WAITLISTED]
    ).select_related("ask__campaign", "shift"):
        event_mail.send_cancellation(response)
        sent += 1
    return sent
