"""Event reminders, 24 h and 2 h before, each at most once per attendee.

Celery beat runs `send_due` every few minutes (asks.event_tasks.send_reminders). A
reminder is due for a confirmed RSVP of an open event whose start — the chosen shift's
start when there is one, since that is when this person is expected — falls in its
window: (now, now + 2 h] for the 2 h reminder, (now + 2 h, now + 24 h] for the 24 h one.
An event that starts within 2 h gets the 2 h reminder only: the day reminder would say the
same a moment earlier.

At most once. Each reminder is claimed before it is sent, by a conditional UPDATE of its
own row (reminded_day_at / reminded_hours_at from NULL to now) that commits on its own: of
two beats, or two workers running the sweep at once, exactly one claims a given reminder.
The trade-off, chosen: a worker killed between claim and send loses that one reminder
rather than risking a second copy (the attendee still has the confirmation mail with
everything in it; a reminder that arrives twice teaches people to ignore them). A send
that fails with an exception (the mail server refused) is not a crash: the claim is
released and the next beat tries again.

No row is locked while mailing. select_for_update(skip_locked=True) would let a sweep
pass over rows another holds, but the claim already decides alone, and a row locked by a
withdrawal in progress is better waited for: PostgreSQL re-checks the UPDATE's condition
after the lock, so an attendee who has just said "I can't come" is not reminded.

Confirmation mail counts (`mark_covered`). The "you are registered" or "a place freed up"
mail carries the time, the place and the "I can't come" link — all a reminder says. When it
goes inside a reminder's window it stands for that reminder: someone who confirms at
10:00 for an event at 15:00 gets no "tomorrow" mail at 10:05 and still gets the 2 h one at
13:00; someone who confirms at 14:00 gets neither (their confirmation is an hour old when
they leave). Deciding this when the mail goes, not from `confirmed_at`, also covers people
moved up from the waitlist, whose confirmed_at is when they first confirmed.
"""

import logging
from datetime import timedelta

from django.db.models import F, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from . import event_mail
from .models import Ask, Response

log = logging.getLogger(__name__)

DAY = timedelta(hours=24)
HOURS = timedelta(hours=2)
# Reminder kind → the column that records it.
FIELDS = {"reminder_day": "reminded_day_at", "reminder_hours": "reminded_hours_at"}


def attending():
    """Confirmed RSVPs of open events that have an email to reach, annotated with `begins`: the
    shift's start, else the event's."""
    return (
        Response.objects.filter(status=Response.Status.CONFIRMED, ask__kind=Ask.Kind.EVENT, ask__status=Ask.Status.OPEN)
        .exclude(email_hash=None)
        .annotate(begins=Coalesce(F("shift__starts"), F("ask__starts")))
    )


def due(kind, now):
    """The responses whose `kind` reminder is due at `now` and not yet sent."""
    field = FIELDS[kind]
    rows = attending().filter(begins__gt=now, **{f"{field}__isnull": True})
    if kind == "reminder_hours":
        return rows.filter(begins__lte=now + HOURS)
    return rows.filter(begins__gt=now + HOURS, begins__lte=now + DAY)


def claim(pk, kind, now):
    """Mark the `kind` reminder of response `pk` as sent, if nobody has and it is still
    confirmed. True for the one caller that did. Claiming the 2 h reminder also settles the
    day one (never sent after it)."""
    field = FIELDS[kind]
    changes = {field: now}
    if kind == "reminder_hours":
        changes["reminded_day_at"] = Coalesce(F("reminded_day_at"), Value(now))
    rows = Response.objects.filter(pk=pk, status=Response.Status.CONFIRMED, **{f"{field}__isnull": True})
    return rows.update(**changes) == 1


def release(pk, kind, stamp):
    """Undo our own claim (the send failed), so the next beat tries again."""
    field = FIELDS[kind]
    Response.objects.filter(pk=pk, **{field: stamp}).update(**{field: None})


def send_due(now=None):
    """Claim and send every due reminder; returns {kind: number sent}."""
    now = now or timezone.now()
    sent = {}
    # The 2 h ones first: they settle the day ones of events that start soon.
    for kind in ("reminder_hours", "reminder_day"):
        sent[kind] = 0
        for pk in list(due(kind, now).values_list("pk", flat=True)):
            if not claim(pk, kind, now):
                continue  # another sweep has it, or the attendee withdrew meanwhile
            response = Response.objects.select_related("ask__campaign", "shift").get(pk=pk)
            if response.ask.status != Ask.Status.OPEN:
                continue  # cancelled since the query: the cancellation notice says all
            try:
                event_mail.send(response, kind)
            except Exception as exc:  # noqa: BLE001 - whatever the backend raises, the claim is released
                # The class only, no traceback: an SMTP refusal's text names the address.
                log.warning(
                    "event reminder %s for response %s failed (%s); released for the next beat",
                    kind, pk, type(exc).__name__,
                )  # fmt: skip
                release(pk, kind, now)
                continue
            sent[kind] += 1
    return sent


def mark_covered(response, now=None):
    """A mail with the place and time is about to go to `response`: let it stand for the
    reminders whose window it falls in (see the module docstring)."""
    now = now or timezone.now()
    begins = attending().filter(pk=response.pk).values_list("begins", flat=True).first()
    if begins is None or begins <= now:
        return
    if begins <= now + HOURS:
        claim(response.pk, "reminder_hours", now)
    elif begins <= now + DAY:
        claim(response.pk, "reminder_day", now)


def rescheduled(ask):
    """The event's time (or a shift's) changed: the reminders sent were for the old time, so
    each attendee is reminded again before the new one. Returns how many responses were reset."""
    return (
        Response.objects.filter(ask=ask)
        .exclude(reminded_day_at=None, reminded_hours_at=None)
        .update(reminded_day_at=None, reminded_hours_at=None)
    )
