"""The signup confirmation email (the one module in contacts that sends mail)."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _


def send_confirmation(contact, token, language="ar"):
    """Send the double opt-in link to the contact's address, in `language`."""
    language = language if language in ("ar", "en") else ("en" if language == "tr" else "ar")
    url = settings.SITE_URL + reverse("public:signup_confirm", args=[token])
    with translation.override(language):
        context = {"url": url, "given_name": contact.given_name, "rtl": language == "ar", "language": language}
        subject = _("Please confirm your subscription")
        text = render_to_string("contacts/email/confirm.txt", context)
        html = render_to_string("contacts/email/confirm.html", context)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [contact.email])
    message.attach_alternative(html, "text/html")
    message.send()
