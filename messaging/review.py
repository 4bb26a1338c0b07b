"""The review before a send: who a newsletter reaches, in words, and the confirmation step
that states it ("Send to 1234 supporters (1100 in Arabic, 134 in English) now?").

The counts come from Message.review(), which counts the rows planning would insert (the
same SQL as Message.plan()), so what the organizer confirms is what the send plans.
"""

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext

from accounts.confirm import Confirmation

from .models import NO_EMAIL

LANGUAGES = {"ar": gettext_lazy("%(count)s in Arabic"), "en": gettext_lazy("%(count)s in English")}
REASONS = {
    "unsubscribed": gettext_lazy("unsubscribed"),
    "bounced": gettext_lazy("address bounced"),
    "complained": gettext_lazy("marked a newsletter as spam"),
    "pending": gettext_lazy("signup not confirmed yet"),
    NO_EMAIL: gettext_lazy("no email address"),
}


def summary(review):
    """The review as the message page shows it."""
    return {
        "recipients": review.recipients,
        "languages": pgettext("between items of a list", ", ").join(_languages(review)),
        "suppressed": review.suppressed_total,
        "reasons": _reasons(review),
    }


def _languages(review):
    return [
        LANGUAGES[code] % {"count": review.by_language[code]} for code in ("ar", "en") if review.by_language.get(code)
    ]


def _reasons(review):
    return [
        _("%(reason)s: %(count)s") % {"reason": REASONS.get(reason, reason), "count": count}
        for reason, count in sorted(review.suppressed.items(), key=lambda item: -item[1])
    ]


def zone_label(at=None):
    """The time zone schedules are read in, with its offset at `at` (default now), e.g.
    "Europe/Istanbul, UTC+03:00"."""
    local = timezone.localtime(at)
    offset = local.strftime("%z")
    return f"{timezone.get_current_timezone_name()}, UTC{offset[:3]}:{offset[3:]}"


def when(at):
    """`at` in the local time zone, with the zone: "2026-05-01 09:00 (Europe/Istanbul, UTC+03:00)"."""
    return f"{date_format(timezone.localtime(at), 'Y-m-d H:i')} ({zone_label(at)})"


def confirmation(message, review, at):
    """The confirmation step of "send now" (`at` None) or "schedule at `at`"."""
    count = review.recipients
    languages = pgettext("between items of a list", ", ").join(_languages(review))
    if at is None:
        if count:
            question = ngettext(
                "Send to %(count)s supporter (%(languages)s) now?",
                "Send to %(count)s supporters (%(languages)s) now?",
                count,
            ) % {"count": count, "languages": languages}
        else:
            question = _("No supporter in this audience can receive it now. Send it anyway?")
        consequences = [
            _(
                "Sending starts within seconds. You can pause or cancel it while it runs; "
                "what has gone out cannot be called back."
            )
        ]
        code, button = "send", _("Yes, send now")
        action = reverse("messaging:send", args=[message.pk])
        fields = []
    else:
        if count:
            question = ngettext(
                "Send to %(count)s supporter (%(languages)s) at %(time)s?",
                "Send to %(count)s supporters (%(languages)s) at %(time)s?",
                count,
            ) % {"count": count, "languages": languages, "time": when(at)}
        else:
            question = _("No supporter in this audience can receive it now. Schedule it for %(time)s anyway?") % {
                "time": when(at)
            }
        consequences = [
            _(
                "The audience is counted again when sending starts: "
                "supporters who join or leave before then are counted then."
            ),
            _("Until then you can edit it or take it back to the drafts."),
        ]
        code, button = "schedule", _("Yes, schedule it")
        action = reverse("messaging:schedule", args=[message.pk])
        fields = [("send_at", timezone.localtime(at).strftime("%Y-%m-%dT%H:%M"))]
    skipped = review.suppressed_total
    if skipped:
        consequences.insert(
            0,
            ngettext(
                "%(count)s more supporter in the audience is skipped (%(reasons)s).",
                "%(count)s more supporters in the audience are skipped (%(reasons)s).",
                skipped,
            )
            % {"count": skipped, "reasons": pgettext("between items of a list", ", ").join(_reasons(review))},
        )
    return Confirmation(
        code=code,
        question=question,
        consequences=consequences,
        button=button,
        action=action,
        back=message.get_absolute_url(),
        fields=fields,
        danger=False,
    )
