"""Celery tasks of the public side of asks: the confirmation mail and the purge of responses
nobody confirmed. (Events' tasks live in asks/event_tasks.py.)

Thin and safe to retry: each reads the row as it is now, so a task delivered late or twice
does what is still true (no mail for a response confirmed or purged meanwhile)."""

from celery import shared_task

from core.db.compiled import CompiledQuery

from . import emails
from .models import Response

# Compiled once per worker process (core/db/compiled.py): building and compiling this
# queryset was a fifth of the CPU a confirmation mail cost the worker. No pk is negative.
PENDING_RESPONSE = CompiledQuery(
    lambda pk: Response.objects.select_related("ask").filter(pk=pk, status=Response.Status.PENDING).order_by(), pk=-1
)


@shared_task(acks_late=True)
def send_confirmation(response_pk):
    """Mail the "please confirm" link of a response that is still pending and has an email.
    A second delivery sends a second copy of the same link, which is harmless."""
    response = PENDING_RESPONSE.first(pk=response_pk)
    if response is None or not response.email_hash:
        return False
    emails.send_confirmation(response)
    return True


@shared_task
def purge_unconfirmed_responses():
    """Periodic (beat): delete responses nobody confirmed within the life of their link
    (asks/responses.py purge_unconfirmed). Safe to run twice at once."""
    from .responses import purge_unconfirmed

    return {"deleted": purge_unconfirmed()}
