"""The mails an event's attendee gets (asks/event_tasks.py and asks/reminders.py send them).

One template pair (asks/email/event.html, .txt) for eight kinds of mail, each in the
response's language, Arabic right to left:

- ``confirmed``: the event's time in its own time zone, the exact place, the chosen shift,
  the check-in QR code and the "I can't come" link;
- ``waitlisted``: on the waitlist, told by mail if a place frees up (no place);
- ``promoted``: a place freed up: as ``confirmed``;
- ``reminder_day`` / ``reminder_hours``: 24 h and 2 h before, as ``confirmed``;
- ``cancelled``: the event is off (no place, no links: there is nothing left to do);
- ``changed``: the organizer moved the event (its time, zone, area or place) or the
  attendee's shift (its start or end): what changed (CHANGES, the codes the task is given),
  then the event as it now stands, as ``confirmed``;
- ``changed_waitlisted``: the same for someone on the waitlist, with the area only.

The exact place is in these mails only (never the public pages, never the "please
confirm" mail, which a stranger can make Hamla send to anyone): PLACE_KINDS names the
kinds that carry it. Nothing a stranger typed goes in either: no name, no address; the
event's words are the organisation's own. The QR code is an inline PNG (multipart/related,
referenced by Content-ID) with the same URL written under it, for a mail client that
shows no images.
"""

import io
from datetime import timedelta
from email.mime.image import MIMEImage
from email.utils import make_msgid

import segno
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from core.mailheaders import StandardEmail, sender_domain
from organisation.models import Organisation

from . import tokens
from .emails import deliver, mail_language

KINDS = (
    "confirmed",
    "waitlisted",
    "promoted",
    "reminder_day",
    "reminder_hours",
    "cancelled",
    "changed",
    "changed_waitlisted",
)
# The kinds that go to a confirmed attendee: with the exact place and the check-in code.
PLACE_KINDS = ("confirmed", "promoted", "reminder_day", "reminder_hours", "changed")
# What a "changed" mail can say changed, in the order it says it: the date or time (start,
# end or time zone), the reader's own shift's start or end, the public area, the exact place.
CHANGES = ("when", "shift", "area", "place")


def checkin_url(response):
    """The absolute check-in address the QR code encodes (asks/checkin.py reads it at the door)."""
    return settings.SITE_URL + reverse("asks:checkin_token", args=[tokens.make(response, "checkin")])


def withdraw_url(response):
    """The absolute "I can't come" address (public_pages/ask_links.py)."""
    return settings.SITE_URL + reverse("public:ask_withdraw", args=[tokens.make(response, "withdraw")])


def qr_png(url):
    """The QR code of `url` as PNG bytes: error correction M, 6 px modules, the standard
    4-module quiet zone (a phone camera needs it to find the code on a white mail)."""
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="png", scale=6, border=4, dark="#000", light="#fff")
    return buffer.getvalue()


def when_text(start, end):
    """("Saturday 5 December 2026", "09:00–13:00") in the active language; `end` may be None."""
    day = formats.date_format(start, "l j F Y")
    hours = formats.time_format(start, "H:i")
    if end is not None and end.date() == start.date():
        hours += "–" + formats.time_format(end, "H:i")
    elif end is not None:
        hours += " – " + formats.date_format(end, "j F Y") + " " + formats.time_format(end, "H:i")
    return day, hours


def shift_when(shift, ask):
    """(day, hours) of `shift` in the event's time zone and the active language: ("", "09:00–11:00")
    on the event's first day, ("Sun 6 Dec", "09:00–11:00") when the hours alone would mislead —
    the shift is on another day, runs past midnight, or the event spans several days (then
    every shift has its day, the first day's too, so none reads as "every day")."""
    zone = ask.zone()
    start, end = shift.starts.astimezone(zone), shift.ends.astimezone(zone)
    hours = formats.time_format(start, "H:i") + "–" + formats.time_format(end, "H:i")
    first = ask.local_starts()
    dated = _last_day(start, end) != start.date() or first is None or start.date() != first.date()
    last = ask.local_ends()
    if first is not None and last is not None:
        dated = dated or _last_day(first, last) != first.date()
    # Translators: a shift's day in Django's date format: Arabic reads better with full names ("l j F").
    day = formats.date_format(start, pgettext("shift day", "D j M")) if dated else ""
    return day, hours


def _last_day(start, end):
    """The day a span ends on, an end at midnight sharp counting as the day before."""
    return max(start, end - timedelta(microseconds=1)).date()


def _subject(kind, title):
    subjects = {
        "confirmed": _("You are registered: %(title)s"),
        "waitlisted": _("You are on the waitlist: %(title)s"),
        "promoted": _("A place freed up, you are in: %(title)s"),
        "reminder_day": _("Tomorrow: %(title)s"),
        "reminder_hours": _("Starting soon: %(title)s"),
        "cancelled": _("Cancelled: %(title)s"),
        "changed": _("Changed: %(title)s"),
        "changed_waitlisted": _("Changed: %(title)s"),
    }
    return subjects[kind] % {"title": title}


def _change_names(changes, with_place):
    """What changed, in words: the codes of CHANGES given, in their order; the place only for
    a reader who is shown it."""
    names = {
        "when": _("the date or time"),
        "shift": _("the time of your shift"),
        "area": _("the area"),
        "place": _("the exact place"),
    }
    return [(code, names[code]) for code in CHANGES if code in changes and (with_place or code != "place")]


def build(response, kind, changes=()):
    """The message for `response` and `kind` (one of KINDS), not yet sent. `changes`: for the
    "changed" kinds, the codes of CHANGES that changed."""
    if kind not in KINDS:
        raise ValueError(kind)
    ask = response.ask
    language = mail_language(response)
    profile = Organisation.current()
    with_place = kind in PLACE_KINDS
    shift = response.shift
    qr = None
    with translation.override(language):
        title = ask.title
        day, hours = when_text(ask.local_starts(), ask.local_ends())
        shift_day, shift_hours = shift_when(shift, ask) if shift else ("", "")
        context = {
            "kind": kind,
            "language": language,
            "rtl": language == "ar",
            # The plain-text part's list comma: Arabic has its own (،).
            "comma": "، " if language == "ar" else ", ",
            "organisation_name": profile.name_in(language),
            "contact_line": profile.contact_line,
            "accent": profile.accent or "#0b6e4f",
            "title": title,
            "day": day,
            "hours": hours,
            "time_zone": ask.time_zone,
            "area": ask.area,
            "place": ask.place if with_place else "",
            "shift": shift.label if shift else "",
            # Apart: the HTML sets the hours left to right, the day in the reader's direction.
            "shift_day": shift_day,
            "shift_hours": shift_hours,
            "withdraw_url": withdraw_url(response) if kind != "cancelled" else "",
            "checkin_url": checkin_url(response) if with_place else "",
            "changes": _change_names(changes, with_place),
        }
        context["changed"] = [code for code, _name in context["changes"]]
        if with_place:
            qr = qr_png(context["checkin_url"])
            context["qr_cid"] = make_msgid("checkin", domain=sender_domain(profile.from_email()))[1:-1]
        subject = _subject(kind, title)
        text = render_to_string("asks/email/event.txt", context)
        html = render_to_string("asks/email/event.html", context)
    message = StandardEmail(subject, text, profile.from_email(), [response.email])
    message.attach_alternative(html, "text/html")
    if qr is not None:
        # multipart/related: the HTML part shows the image by cid: rather than as an attachment.
        message.mixed_subtype = "related"
        image = MIMEImage(qr, "png")
        image.add_header("Content-ID", f"<{context['qr_cid']}>")
        image.add_header("Content-Disposition", "inline", filename="checkin.png")
        message.attach(image)
    return message


def send(response, kind, changes=()):
    """Send `kind` to `response`; False when it has no email (phone-only, confirmed by hand).
    Raises emails.MailFailed when the backend refuses."""
    if not response.email_hash:
        return False
    deliver(build(response, kind, changes))
    return True
