"""Celery tasks for events: an attendee's mail, the cancellation and change notices (the
event moved, or a volunteer's shift did), the reminder sweep.

Thin and safe to retry: each reads the rows it mails about as they are now, so a task
delivered late or twice mails what is true then (a response withdrawn meanwhile gets
nothing; an ask reopened… cannot be: cancelled is final).

Delivery: the attendee mail and the cancellation and change notices are at least once — a worker
killed after the SMTP server took a mail and before the task was acknowledged sends it
again on redelivery (acks_late). A second "you are registered" is harmless; a lost one
leaves someone without the place. Reminders are at most once (asks/reminders.py).
"""

import logging

from celery import shared_task
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

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


def _mail_each(responses, mail_of, what):
    """Mail each of `responses` what `mail_of(response)` names: (kind, change codes). Returns
    how many were mailed. One refused address must not keep the rest from hearing the news: a
    task that raises is acknowledged all the same, and the loop would end there. A refusal is
    logged by response id and the error's class (MailFailed), never the address."""
    sent = 0
    for response in responses.select_related("ask__campaign", "shift").iterator(chunk_size=200):
        kind, changes = mail_of(response)
        try:
            mailed = event_mail.send(response, kind, changes)
        except MailFailed as failed:
            log.warning("%s for response %s not sent (%s)", what, response.pk, failed)
            continue
        if mailed and kind in event_mail.PLACE_KINDS:
            # After the send, not before as send_attendee_mail does: a refused notice must
            # not use up the reminder that would still bring the time and place.
            reminders.mark_covered(response)
        sent += mailed
    return sent


@shared_task(acks_late=True)
def send_cancellation_notices(ask_pk):
    """Tell every confirmed and waitlisted attendee of a cancelled event (Ask.cancel queues
    this). Returns how many were mailed; a refused address is logged (by response id) and skipped."""
    ask = Ask.objects.filter(pk=ask_pk, status=Ask.Status.CANCELLED, kind=Ask.Kind.EVENT).first()
    if ask is None:
        return 0
    told = Response.objects.filter(ask=ask, status__in=[Response.Status.CONFIRMED, Response.Status.WAITLISTED])
    return _mail_each(told, lambda response: ("cancelled", ()), "cancellation notice")


def snapshot(ask):
    """What an attendee was told about `ask` that an edit can change, by the codes of
    event_mail.CHANGES, and each shift's start and end by its id ("shifts"). Take it before a
    form touches the instance (ModelForm's validation writes the posted values into it, and
    the shift forms into theirs: hence the shifts are read from the database). Times to the
    minute: the form holds no seconds, so an event made elsewhere with seconds is not "moved"
    by a save that did not touch its time."""

    def minute(moment):
        return moment.replace(second=0, microsecond=0) if moment else None

    return {
        "when": (minute(ask.starts), minute(ask.ends), ask.time_zone),
        "area": (ask.area_ar, ask.area_en),
        "place": ask.place,
        "shifts": {
            pk: (minute(starts), minute(ends)) for pk, starts, ends in ask.shifts.values_list("pk", "starts", "ends")
        },
    }


def starts_moved(before, after):
    """Whether the event's start, or a shift's, differs between two snapshots, or a shift was
    added or removed: the reminders already sent were for the old times. An end moved alone
    changes no reminder (they count down to the start)."""

    def starts(snap):
        return snap["when"][0], {pk: times[0] for pk, times in snap["shifts"].items()}

    return starts(before) != starts(after)


def is_over(ask, now=None):
    """Whether the event has ended (its end, else its start, is past): nobody is told of an
    edit after that (an organizer correcting the end time afterwards mails no one)."""
    end = ask.ends or ask.starts
    return end is not None and end <= (now or timezone.now())


def tell_changed(before, ask, after):
    """After an organizer's edit of `ask` (saved, its transaction not yet committed): queue
    the change notices, once the edit commits, when the ask is an open event that is not over
    and its time, zone, area or place, or a shift's start or end, differs between `before`
    and `after` (snapshots taken around the edit). Returns (codes of what changed about the
    event, ids of the shifts moved); both empty when nobody is told (a draft: nobody attends
    one). A shift added has nobody to tell; one deleted had nobody either (the shift form
    refuses to delete a chosen one)."""
    changes = [code for code in event_mail.CHANGES if code in after and before[code] != after[code]]
    moved = sorted(
        pk for pk, times in after["shifts"].items() if pk in before["shifts"] and before["shifts"][pk] != times
    )
    if not (changes or moved) or not ask.is_event or ask.status != Ask.Status.OPEN or is_over(ask):
        return [], []
    pk = ask.pk
    transaction.on_commit(lambda: send_change_notices.delay(pk, changes, moved))
    return changes, moved


def _what_changed_for(response, changes, moved):
    """The codes a notice tells `response`: the event's changes, "shift" when its own shift
    moved, and not the place for someone on the waitlist (they are not shown it)."""
    codes = [code for code in changes if code != "place" or response.status == Response.Status.CONFIRMED]
    if response.shift_id in moved:
        codes.append("shift")
    return [code for code in event_mail.CHANGES if code in codes]


def told_of_change(ask, changes, moved):
    """The responses a change notice goes to: confirmed attendees when the event changed,
    waitlisted ones when it changed other than its exact place, and either kind whose own
    shift moved. The view counts those among them who gave only a phone."""
    everyone = Q(shift_id__in=moved)
    confirmed = Q(status=Response.Status.CONFIRMED) & (Q() if changes else everyone)
    waitlisted = Q(status=Response.Status.WAITLISTED) & (Q() if set(changes) - {"place"} else everyone)
    return Response.objects.filter(confirmed | waitlisted, ask=ask)


@shared_task(acks_late=True)
def send_change_notices(ask_pk, changes, moved_shifts=()):
    """Tell every confirmed and waitlisted attendee that an open event moved, and each who
    chose a shift that moved (`moved_shifts`, their ids) that it did — one mail a person
    saying all that changed for them (tell_changed queues this): the event and the shift as
    they stand when this runs, so a notice delivered late, or twice, mails what is true then,
    and none goes once the event is cancelled or over. Confirmed attendees get the exact
    place, the waitlisted the area only, and no mail when the exact place is all that changed
    for them (they are not shown it; the "a place freed up" mail will carry it). Returns how
    many were mailed; a refused address is logged (by response id) and skipped."""
    ask = Ask.objects.filter(pk=ask_pk, status=Ask.Status.OPEN, kind=Ask.Kind.EVENT).first()
    changes = [code for code in event_mail.CHANGES if code in changes and code != "shift"]
    moved = set(moved_shifts)
    if ask is None or not (changes or moved) or is_over(ask):
        return 0

    def mail_of(response):
        kind = "changed" if response.status == Response.Status.CONFIRMED else "changed_waitlisted"
        return kind, _what_changed_for(response, changes, moved)

    return _mail_each(told_of_change(ask, changes, moved), mail_of, "change notice")


@shared_task(acks_late=True)
def send_reminders():
    """Celery beat, every few minutes: the 24 h and 2 h reminders now due (asks/reminders.py)."""
    return reminders.send_due()
