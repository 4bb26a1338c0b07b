"""What asks add to a campaign's goals (campaigns.goals): a bar per ask that has a goal, and
the check-ins of events into the campaign's participants.

A bar per ask: signatures of a petition, pledges of a pledge, attendance of an event, each
against that ask's own goal (an event without one is measured against its capacity).
Attendance is the number checked in at the door once the event has started, and the
confirmed RSVPs before it: before the day, "42 of 60 coming" is what an organizer needs.

Participants: the campaign's own figure sums its history's actions; an event that is over
becomes such an action when it is closed (asks/closing.py), with its check-ins as
participants. Until then its check-ins are contributed here, so they count at once and
never twice: an event stops contributing as soon as it has a history entry.

Numbers only, never who.
"""

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from campaigns.goals import total
from campaigns.models import Goal

from .models import Ask, Response

LABELS = {
    Ask.Kind.PETITION: lambda title: _("Signatures: %(title)s") % {"title": title},
    Ask.Kind.PLEDGE: lambda title: _("Pledges: %(title)s") % {"title": title},
    Ask.Kind.EVENT: lambda title: _("Attendance: %(title)s") % {"title": title},
}


def checked_in_not_in_history(campaign):
    """Figure for campaigns.goals.contribute("participants"): attendees checked in at events
    that have no history entry yet."""
    arrived = Response.objects.filter(
        ask__campaign=campaign,
        ask__kind=Ask.Kind.EVENT,
        ask__history_action__isnull=True,
        status=Response.Status.CONFIRMED,
        checked_in_at__isnull=False,
    )
    return total(arrived, "ask__campaign", Count("pk"))


def ask_bars(campaign):
    """Goal bars of the campaign's asks (drafts and cancelled ones left out), in their order."""
    confirmed = Q(responses__status=Response.Status.CONFIRMED)
    asks = (
        Ask.objects.filter(campaign=campaign, status__in=[Ask.Status.OPEN, Ask.Status.CLOSED])
        .filter(Q(goal__gt=0) | Q(kind=Ask.Kind.EVENT, capacity__gt=0))
        .annotate(
            n_confirmed=Count("responses", filter=confirmed),
            n_checked_in=Count("responses", filter=confirmed & Q(responses__checked_in_at__isnull=False)),
        )
    )
    now = timezone.now()
    bars = []
    for ask in asks:
        value, note = ask.n_confirmed, None
        if ask.is_event:
            started = ask.starts is not None and ask.starts <= now
            value = ask.n_checked_in if started else ask.n_confirmed
            note = (
                _("Checked in at the door.")
                if started
                else _("Confirmed RSVPs; checked in at the door once it starts.")
            )
        bars.append(Goal(f"ask-{ask.pk}", LABELS[ask.kind](ask.title), ask.goal or ask.capacity, value, note))
    return bars


def register():
    from campaigns import goals

    goals.register_bars(ask_bars)
    goals.contribute("participants", checked_in_not_in_history)
