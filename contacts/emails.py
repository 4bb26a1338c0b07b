"""The signup confirmation email (the one module in contacts that sends mail).

Anyone can make Hamla send this mail to any address, so it carries nothing the signer
typed: no name, not even the address's local part (plus-addressing lets a stranger put
words there too). Only our own text and the confirmation link."""

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from core.mailheaders import StandardEmail
from organisation.models import Organisation


def send_confirmation(contact, token, language="ar"):
    """Send the double opt-in link to the contact's address, in `language`."""
    language = language if language in ("ar", "en") else ("en" if language == "tr" else "ar")
    url = settings.SITE_URL + reverse("public:signup_confirm", args=[token])
    profile = Organisation.current()
    with translation.override(language):
        context = {
            "url": url,
            "rtl": language == "ar",
            "language": language,
            # The organisation's own words only (set by its admins), never the signer's.
            "organisation_name": profile.name_in(language),
            "contact_line": profile.contact_line,
            "accent": profile.accent or "#0b6e4f",
        }
        subject = _("Please confirm your subscription")
        text = render_to_string("contacts/email/confirm.txt", context)
        html = render_to_string("contacts/email/confirm.html", context)
    message = StandardEmail(subject, text, profile.from_email(), [contact.email])
    message.attach_alternative(html, "text/html")
    message.send()
