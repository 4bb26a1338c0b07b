"""The "please confirm" mail of a signature, a pledge or an RSVP (sent by asks/tasks.py).

Anyone can make Hamla send this mail to any address by typing it into a public form, so,
as contacts' signup mail (contacts/emails.py), it carries nothing the signer typed: no
name, no neighbourhood, not even the address's local part. Only the organisation's own
words (its name, the ask's title) and the link. Nor the exact place of an event: a stranger
could have it mailed to themselves; confirmed attendees get it in asks/event_mail.py.
"""

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from core.i18n import bilingual
from core.mailheaders import StandardEmail
from organisation.models import Organisation

from . import tokens
from .models import Ask


class MailFailed(Exception):
    """A mail was not sent. It carries the error's class only, and no chained traceback: an
    SMTP refusal's text names the address, and a worker logs what a task raises."""


def deliver(message):
    """Send `message`; raises MailFailed (nothing personal in it) when the backend refuses."""
    try:
        message.send()
    except Exception as exc:  # noqa: BLE001 - whatever the backend raises, told by its class only
        raise MailFailed(type(exc).__name__) from None


def mail_language(response):
    """ "ar" or "en" for the response (a Turkish reader gets English, as contacts' mail does)."""
    if response.language in ("ar", "en"):
        return response.language
    return "en" if response.language == "tr" else "ar"


def confirm_url(response):
    return settings.SITE_URL + reverse("public:response_confirm", args=[tokens.make(response, "confirm")])


def subject_for(kind):
    return {
        Ask.Kind.PETITION: _("Please confirm your signature"),
        Ask.Kind.PLEDGE: _("Please confirm your pledge"),
        Ask.Kind.EVENT: _("Please confirm your place"),
    }[kind]


def confirmation_message(response, profile=None):
    """The mail with the confirmation link to the response's address, in the response's
    language (sent by asks/confirmations.py, which reads the organisation's `profile` once
    for a batch)."""
    language = mail_language(response)
    ask = response.ask
    profile = profile or Organisation.current()
    with translation.override(language):
        context = {
            "url": confirm_url(response),
            "rtl": language == "ar",
            "language": language,
            "kind": ask.kind,
            # The organisation's own words only, never the signer's.
            "ask_title": bilingual(ask, "title", language),
            "organisation_name": profile.name_in(language),
            "contact_line": profile.contact_line,
            "accent": profile.accent or "#0b6e4f",
        }
        subject = subject_for(ask.kind)
        text = render_to_string("asks/email/confirm_response.txt", context)
        html = render_to_string("asks/email/confirm_response.html", context)
    message = StandardEmail(subject, text, profile.from_email(), [response.email])
    message.attach_alternative(html, "text/html")
    return message
