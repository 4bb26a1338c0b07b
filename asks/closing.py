"""Closing an ask: it stops taking responses, and what it achieved becomes an entry in the
campaign's mobilisation history (campaigns.Action) without anyone retyping it.

An event becomes "Clean-up held: 48 attended, 3 shifts filled" on the event's local date,
with the checked-in count as its participants; a petition "Petition closed: 1,234
signatures", a pledge "Pledge closed: 310 pledges", dated the day it closed. Signers and
pledgers are not entered as participants: the history's participants are people who were
there, and the campaign's participants goal counts the same (campaigns.models).
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from campaigns.models import Action, Campaign

from .models import Ask, Response

ACTION_KIND = {
    Campaign.Kind.CLEANUP: Action.Kind.CLEANUP,
    Campaign.Kind.DEMONSTRATION: Action.Kind.DEMONSTRATION,
}


def number(n):
    """1234 -> "1,234" in both languages (Western digits everywhere, see README)."""
    return f"{n:,}"


def result(ask):
    """What the ask achieved, as figures: {"confirmed", "checked_in", "shifts_filled", "shifts"}."""
    counts = ask.responses.aggregate(
        confirmed=Count("pk", filter=Q(status=Response.Status.CONFIRMED)),
        checked_in=Count("pk", filter=Q(status=Response.Status.CONFIRMED, checked_in_at__isnull=False)),
    )
    shifts = ask.shifts.annotate(
        taken=Count("responses", filter=Q(responses__status=Response.Status.CONFIRMED))
    ).values_list("taken", "slots")
    shifts = list(shifts)
    counts["shifts"] = len(shifts)
    counts["shifts_filled"] = sum(1 for taken, slots in shifts if taken >= slots)
    return counts


def describe(ask, figures):
    """The history entry's description in the active language."""
    if ask.is_event:
        kind = ask.campaign.kind
        if kind == Campaign.Kind.CLEANUP:
            held = _("Clean-up held")
        elif kind == Campaign.Kind.DEMONSTRATION:
            held = _("Demonstration held")
        else:
            held = _("Event held")
        text = (
            held
            + ": "
            + ngettext("%(n)s attended", "%(n)s attended", figures["checked_in"]) % {"n": number(figures["checked_in"])}
        )
        if figures["shifts"]:
            text += _(", ") + ngettext("%(n)s shift filled", "%(n)s shifts filled", figures["shifts_filled"]) % {
                "n": number(figures["shifts_filled"])
            }
        return f"{text} — {ask.title}"
    if ask.kind == Ask.Kind.PETITION:
        line = ngettext("Petition closed: %(n)s signature", "Petition closed: %(n)s signatures", figures["confirmed"])
    else:
        line = ngettext("Pledge closed: %(n)s pledge", "Pledge closed: %(n)s pledges", figures["confirmed"])
    return f"{line % {'n': number(figures['confirmed'])}} — {ask.title}"


def may_close(ask):
    """Whether closing makes sense now: an event only once it has started."""
    return not ask.is_event or (ask.starts is not None and ask.starts <= timezone.now())


def close(ask):
    """Open → closed, once, and its result into the campaign's history.

    Guarantee: in one transaction, a conditional update moves the ask from open to closed
    (Ask._move); only the call that moved it creates the Action and links it as
    Ask.history_action, so two organizers closing at once, or a double click, make one
    Action; the other call raises ValidationError and changes nothing. The figures are
    read after the move, so no response confirmed meanwhile is left out of them. An event
    that has not started yet is refused (code "event_not_started"): its history entry would
    say nobody came. Returns the Action."""
    if not may_close(ask):
        raise ValidationError(_("An event can be closed once it has started."), code="event_not_started")
    with transaction.atomic():
        ask._move(Ask.Status.CLOSED)
        figures = result(ask)
        descriptions = {}
        for language in ("ar", "en"):
            with translation.override(language):
                descriptions[language] = describe(ask, figures)
        campaign = ask.campaign
        if ask.is_event:
            kind = ACTION_KIND.get(campaign.kind, Action.Kind.OTHER)
            date = ask.local_starts().date()
            participants = figures["checked_in"]
        else:
            kind, date, participants = Action.Kind.OTHER, timezone.localdate(), None
        action = Action.objects.create(
            campaign=campaign,
            kind=kind,
            date=date,
            city=campaign.city,
            neighbourhood=campaign.neighbourhood,
            description_ar=descriptions["ar"],
            description_en=descriptions["en"],
            participants=participants,
            is_public=True,
        )
        Ask.objects.filter(pk=ask.pk, history_action__isnull=True).update(history_action=action)
        ask.history_action = action
        return action
