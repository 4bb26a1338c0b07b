"""Provider tracking: anymail webhooks update deliveries; bounces and complaints suppress.

Anymail accepts unauthenticated webhook calls when no WEBHOOK_SECRET is set (it
only warns). Hamla refuses them instead: every anymail webhook view is wrapped
so that, without a configured secret, it answers 403.
"""

import logging
from functools import wraps

from anymail.exceptions import AnymailConfigurationError
from anymail.signals import tracking
from django.conf import settings
from django.dispatch import receiver
from django.http import Http404, HttpResponseForbidden, HttpResponseNotAllowed
from django.urls import URLPattern

from core.scrub import scrub

from .models import Delivery

log = logging.getLogger(__name__)

# anymail event type -> Delivery status
EVENTS = {
    "delivered": Delivery.Status.DELIVERED,
    "opened": Delivery.Status.OPENED,
    "clicked": Delivery.Status.CLICKED,
    "bounced": Delivery.Status.BOUNCED,
    "complained": Delivery.Status.COMPLAINED,
}


# Providers post events; some check the URL with HEAD first. Nothing else reaches anymail.
WEBHOOK_METHODS = ("POST", "HEAD")


def _require_secret(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not (settings.ANYMAIL or {}).get("WEBHOOK_SECRET"):
            return HttpResponseForbidden("webhooks are disabled until ANYMAIL_WEBHOOK_SECRET is set")
        if request.method not in WEBHOOK_METHODS:
            return HttpResponseNotAllowed(WEBHOOK_METHODS)
        try:
            return view(request, *args, **kwargs)
        except AnymailConfigurationError:
            # A provider that needs its own key (or package) besides the shared secret, and
            # has none here: its webhook does not exist for this site. Not a 500 for strangers.
            log.warning("webhook call for a provider that is not configured: %s", request.path)
            raise Http404("no such webhook") from None

    return wrapped


def guarded_anymail_urls():
    """anymail's URL patterns, each view refusing calls while no webhook secret is configured."""
    import anymail.urls

    patterns = [
        URLPattern(p.pattern, _require_secret(p.callback), p.default_args, p.name) for p in anymail.urls.urlpatterns
    ]
    return patterns, "anymail"


@receiver(tracking)
def handle_tracking(sender, event, esp_name, **kwargs):
    """Map the provider message id to a Delivery and move it up; a hard bounce or a complaint
    suppresses the contact for every future message."""
    status = EVENTS.get(event.event_type)
    if status is None or not event.message_id:
        return
    delivery = Delivery.objects.filter(provider_message_id=event.message_id).select_related("contact").first()
    if delivery is None:
        log.info("%s event for an unknown message id", esp_name)
        return
    if status == Delivery.Status.BOUNCED and is_soft_bounce(esp_name, event.esp_event):
        # Temporary: the provider may still deliver it, so the status stays where it is
        # (a later "delivered" must count) and the contact is not suppressed.
        Delivery.objects.filter(pk=delivery.pk).update(error="soft bounce", event_at=event.timestamp)
        return
    # Providers quote the recipient in their reasons ("550 5.1.1 <ali@example.com>…").
    delivery.record_event(status, when=event.timestamp, detail=scrub(event.reject_reason or "", limit=255))
    if status in (Delivery.Status.BOUNCED, Delivery.Status.COMPLAINED) and delivery.contact is not None:
        delivery.contact.suppress(str(status), method="webhook", message=delivery.message_id, detail={"esp": esp_name})


# SparkPost bounce classes for temporary failures (DNS, mailbox full, too large, timeout, transient).
SPARKPOST_SOFT_CLASSES = {"20", "21", "22", "23", "24", "70"}


def is_soft_bounce(esp_name, raw):
    """True when the provider's own event says the bounce was temporary. Anymail reports
    some soft bounces as "bounced" (Postmark, Brevo, Mandrill, MailerSend, SparkPost, Amazon
    SES); a full mailbox must not suppress a supporter for good. Other providers report
    temporary failures as "deferred", which never suppresses."""
    if not isinstance(raw, dict):
        return False
    name = (esp_name or "").lower()
    if name == "postmark":
        return raw.get("Type") in ("SoftBounce", "Transient", "DnsError", "VirusNotification")
    if name in ("brevo", "sendinblue", "mandrill"):
        return raw.get("event") in ("soft_bounce", "soft_bounced")
    if name == "mailersend":
        return (raw.get("data") or {}).get("type") == "soft_bounced"
    if name == "amazon ses":
        return (raw.get("bounce") or {}).get("bounceType") in ("Transient", "Undetermined")
    if name == "sparkpost":
        events = (raw.get("msys") or {}).values()
        return any(str((e or {}).get("bounce_class")) in SPARKPOST_SOFT_CLASSES for e in events)
    return False
