"""The mails an event's attendee gets (see asks/event_tasks.py for when)."""

from django.utils import translation
from django.utils.translation import gettext as _

from core.mailheaders import StandardEmail
from organisation.models import Organisation


def send_attendee_mail(response):
    """Tell `response` where it stands: confirmed (with the place) or waitlisted."""
    profile = Organisation.current()
    ask = response.ask
    with translation.override(response.language):
        if response.status == response.Status.CONFIRMED:
            subject = _("You are registered: %(title)s") % {"title": ask.title}
            body = f"{ask.title}\n{ask.place}\n"
        else:
            subject = _("You are on the waitlist: %(title)s") % {"title": ask.title}
            body = f"{ask.title}\n"
    StandardEmail(subject, body, profile.from_email(), [response.email]).send()


def send_cancellation(response):
    profile = Organisation.current()
    with translation.override(response.language):
        subject = _("Cancelled: %(title)s") % {"title": response.ask.title}
    StandardEmail(subject, subject, profile.from_email(), [response.email]).send()
