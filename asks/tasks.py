"""Celery tasks of the public side of asks: the confirmation links and the purge of responses
nobody confirmed. (Events' tasks live in asks/event_tasks.py.)

Thin and safe to retry: each reads the row as it is now, so a task delivered late or twice
does what is still true (no mail for a response confirmed or purged meanwhile)."""

from celery import shared_task

from . import confirmations
from .models import Response


@shared_task
def send_confirmations():
    """Send every owed "please confirm" link (asks/confirmations.py): kicked after the
    answers' commits, and run by beat for what a lost kick left. Safe to run twice at once:
    each row is taken by one drain. Fails (the reason only) when the mail server is down;
    the links stay owed."""
    return confirmations.send_due()


@shared_task
def send_confirmation(response_pk):
    """The task each answer queued before links were sent from the responses table: a link
    it stood for is owed now, and drained with the rest."""
    response = Response.objects.filter(pk=response_pk).first()
    if response is not None:
        response.owe_link()
    return confirmations.send_due()


@shared_task
def purge_unconfirmed_responses():
    """Periodic (beat): delete responses nobody confirmed within the life of their link
    (asks/responses.py purge_unconfirmed). Safe to run twice at once."""
    from .responses import purge_unconfirmed

    return {"deleted": purge_unconfirmed()}
