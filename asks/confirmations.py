"""Sending the "please confirm" links: the responses table is its own outbox.

Why not a Celery task per answer, as before: publishing one message to the broker was a
quarter of the CPU a signature's POST cost the web process (`manage.py bench signatures`),
and a task per mail cost the worker a fetch, a connection to the mail server and a trace
each. Worse, it was not safe: a broker that refused the message after the INSERT committed
left a stored answer whose link was never sent.

The protocol:

1. The INSERT that stores an answer with an email also writes `mail_due_at` (the link is
   owed), in the same statement: no extra round trip, and nothing to lose between two
   writes. An answer again with the same address owes it again (Response.owe_link); so
   does an RSVP reopened after "I can't come" (Response.reopen).
2. After the commit, `kick()` asks a worker to drain. Each web process publishes at most
   one kick per KICK_SECONDS: during a burst, one message stands for hundreds of answers.
   A kick refused by the broker is only logged: step 4 sends the links anyway.
3. `send_due()` (the task send_confirmations) takes up to BATCH owed rows with
   `select_for_update(skip_locked=True)` — two drains never take the same row — sends them
   over one connection to the mail server, and clears `mail_due_at` of each row it is done
   with in the same transaction, then takes the next batch until none is owed. A row whose
   mail the server refused for good (a bad address) is done too; a server that is down or
   deferring stops the drain, and the rows it did not reach stay owed. A crash before the
   commit leaves the whole batch owed: its links are sent again (the same link twice is
   harmless; a lost one is not).
4. Beat runs the same drain every DRAIN_SECONDS (settings), for links a lost kick or a
   stopped worker left owed.

The per-person limit (MAILS_PER_PERSON an hour, across asks) is counted here, where the
mail is sent: a link over it is dropped, silently, as before.
"""

import logging
import threading
import time

from celery.result import EagerResult
from django.core.mail import get_connection
from django.db import transaction

from contacts import limits
from core.mailerrors import classify
from organisation.models import Organisation

from . import emails
from .models import Ask, Response

log = logging.getLogger(__name__)

BATCH = 50
MAILS_PER_PERSON = 3
WINDOW = 3600
# A drain started at most this long after an answer committed sends its link.
KICK_SECONDS = 0.25

_kick_lock = threading.Lock()
_last_kick = float("-inf")  # when this process's latest kick runs (monotonic; may be ahead)


def kick():
    """Ask a worker to drain soon; call after the commit that owed a link. At most one kick
    per KICK_SECONDS from this process: an answer committed after the latest kick ran gets
    one scheduled KICK_SECONDS after it (a countdown), and the answers committed before
    that one runs ride on it. A kick run in-process (tests) is over when it returns, so it
    covers nothing after it."""
    global _last_kick
    from .tasks import send_confirmations

    now = time.monotonic()
    with _kick_lock:
        if _last_kick >= now:
            return  # a kick that runs after this commit is on its way
        delay = max(0.0, _last_kick + KICK_SECONDS - now)
        _last_kick = now + delay
    try:
        result = send_confirmations.apply_async(countdown=delay or None)
    except Exception as exc:  # noqa: BLE001 - the broker is down: beat's drain sends the link later
        result = None
        log.warning("could not ask a worker to send confirmation links (%s); beat will", type(exc).__name__)
    if result is None or isinstance(result, EagerResult):
        with _kick_lock:
            _last_kick = float("-inf")


def send_due(batch=BATCH):
    """Send every owed link, BATCH at a time; returns how many mails went out. Raises
    emails.MailFailed (the reason only, no address) when the mail server is down or
    deferring: the rows not reached stay owed for the next drain."""
    sent = 0
    while True:
        with transaction.atomic():
            due = list(
                Response.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("ask")
                .filter(mail_due_at__isnull=False)
                .order_by("mail_due_at")[:batch]
            )
            if not due:
                return sent
            done, mailed, failure = _send(due)
            Response.objects.filter(pk__in=done).update(mail_due_at=None)
        sent += mailed
        if failure is not None:
            raise emails.MailFailed(failure)


def _send(due):
    """Send the links of `due` over one connection: (pks done with, mails sent, None or the
    reason the drain must stop)."""
    done, mailed = [], 0
    profile = Organisation.current()
    connection = get_connection()
    try:
        connection.open()
    except Exception as exc:  # noqa: BLE001 - unreachable: every row stays owed
        return done, mailed, classify(exc)[2]
    try:
        for response in due:
            if response.status != Response.Status.PENDING or not response.email_hash:
                done.append(response.pk)  # confirmed or withdrawn meanwhile: nothing owed
                continue
            if response.ask.status != Ask.Status.OPEN:
                done.append(response.pk)  # closed meanwhile: the link could confirm nothing
                continue
            if not limits.hit(f"asks:mail:{response.email_hash}", MAILS_PER_PERSON, WINDOW):
                done.append(response.pk)  # this address had its share this hour
                continue
            try:
                connection.send_messages([emails.confirmation_message(response, profile)])
            except Exception as exc:  # noqa: BLE001 - every failure is classified, none names the address
                transient, whole, reason = classify(exc)
                if transient or whole:  # down, deferring or refusing everything: stop, keep the rest owed
                    return done, mailed, reason
                log.warning("a confirmation link was refused (%s), response %s", reason, response.pk)
                done.append(response.pk)
                continue
            done.append(response.pk)
            mailed += 1
    finally:
        connection.close()
    return done, mailed, None
