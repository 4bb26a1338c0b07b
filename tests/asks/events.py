"""Events and RSVPs for the tests/asks/test_event_*.py tests, and the mails they get."""

import email
import re
from datetime import timedelta

from django.core import mail
from django.utils import timezone

from asks.models import Ask, Response, Shift
from tests.flyers.factories import make_campaign

PLACE = "Bab al-Faraj clock tower, east gate"


def make_event(capacity=None, starts_in=timedelta(days=3), place=PLACE, slug="cleanup", **extra):
    campaign = make_campaign(slug=f"campaign-{slug}")
    event = Ask(campaign=campaign, kind=Ask.Kind.EVENT, status=Ask.Status.OPEN, slug=slug, capacity=capacity, **extra)
    event.title_ar, event.title_en = "يوم تنظيف باب الفرج", "Bab al-Faraj clean-up"
    event.area_ar, event.area_en = "حي باب الفرج", "Bab al-Faraj quarter"
    event.starts = timezone.now() + starts_in
    event.ends = event.starts + timedelta(hours=4)
    event.place = place
    event.save()
    return event


def make_shift(event, slots, offset=timedelta(0), label="Cleaning"):
    return Shift.objects.create(
        ask=event, label_en=label, label_ar="تنظيف", starts=event.starts + offset,
        ends=event.starts + offset + timedelta(hours=2), slots=slots,
    )  # fmt: skip


def rsvp(event, name, language="ar", shift=None):
    """A pending RSVP from <name>@example.org."""
    response = Response(ask=event, shift=shift, language=language)
    response.given_name, response.email = name, f"{name}@example.org"
    response.set_person()
    response.save()
    return response


def confirmed(event, name, language="ar", shift=None):
    response = rsvp(event, name, language, shift)
    response.confirm()
    return response


def mails_to(name):
    return [m for m in mail.outbox if m.to == [f"{name}@example.org"]]


def everything_in(message):
    """Subject, text and HTML of a sent mail, as one string (what a reader could see)."""
    parts = [message.subject, message.body] + [content for content, _type in getattr(message, "alternatives", [])]
    return "\n".join(parts)


def html_of(message):
    return next(content for content, kind in message.alternatives if kind == "text/html")


def language_and_direction(message):
    """("ar", "rtl") from the HTML part's root element."""
    found = re.search(r'<html lang="([a-z]+)" dir="(rtl|ltr)"', html_of(message))
    return found.groups() if found else None


def qr_png_of(message):
    """The inline QR image's bytes and its Content-ID, from the message as it goes on the wire."""
    parsed = email.message_from_bytes(message.message().as_bytes())
    for part in parsed.walk():
        if part.get_content_type() == "image/png":
            return part.get_payload(decode=True), part["Content-ID"].strip("<>")
    return None, None


def links_in(message):
    return re.findall(r"https?://[^\s\"<>]+", message.body)


class RefusingBackend:
    """A mail server that is down: every send raises, as SMTP does when it refuses."""

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("mail server down")


class RecipientRefusingBackend:
    """A mail server that refuses the recipient, naming the address in the error as SMTP does."""

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        import smtplib

        refused = {address: (550, b"5.1.1 no such user") for message in messages for address in message.to}
        raise smtplib.SMTPRecipientsRefused(refused)


class RefusingAmalBackend:
    """A mail server that refuses amal@example.org (naming her, as SMTP does) and takes the
    rest into the locmem outbox."""

    def __init__(self, *args, **kwargs):
        from django.core.mail.backends.locmem import EmailBackend

        self.others = EmailBackend()

    def send_messages(self, messages):
        import smtplib

        if any("amal@example.org" in message.to for message in messages):
            raise smtplib.SMTPRecipientsRefused({"amal@example.org": (550, b"5.1.1 no such user")})
        return self.others.send_messages(messages)
