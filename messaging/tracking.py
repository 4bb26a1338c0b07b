"""Provider tracking: anymail webhooks update deliveries; bounces, complaints, provider-side
unsubscribes and drops of suppressed addresses stop all sending to the contact.

Anymail accepts unauthenticated webhook calls when no WEBHOOK_SECRET is set (it
only warns). Hamla refuses them instead: every anymail webhook view is wrapped
so that, without a configured secret, it answers 403.

Every provider Hamla names (Postmark, Mailgun, SendGrid, Brevo, Amazon SES) is checked
against that provider's own sample payloads in tests/messaging/test_provider_payloads.py.
"""

import logging
from functools import wraps

from anymail.exceptions import AnymailAPIError, AnymailConfigurationError
from anymail.signals import tracking
from django.conf import settings
from django.dispatch import receiver
from django.http import (
    Http404,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseForbidden,
    HttpResponseNotAllowed,
)
from django.urls import URLPattern

from core.scrub import scrub

from .models import Delivery

try:  # Amazon SES confirms its SNS subscription through boto3 (a dependency; see requirements.txt).
    from botocore.exceptions import BotoCoreError, ClientError

    AWS_ERRORS = (BotoCoreError, ClientError)
except ImportError:  # pragma: no cover
    AWS_ERRORS = ()

log = logging.getLogger(__name__)

S = Delivery.Status
# anymail event types that only move the delivery up.
ENGAGEMENT = {"delivered": S.DELIVERED, "opened": S.OPENED, "clicked": S.CLICKED}

# Not a Delivery status: a temporary bounce, noted on the delivery.
SOFT_BOUNCE = "soft"

# What stops sending to a contact: a Contact status reached through suppress() or unsubscribe().
BOUNCED, COMPLAINED, UNSUBSCRIBED = "bounced", "complained", "unsubscribed"

# anymail's reject_reason of a refused or dropped message -> what it says about the address.
# "blocked", "timed_out", "other" (content, reputation, policy) say nothing about it.
REJECT_REASONS = {"bounced": BOUNCED, "invalid": BOUNCED, "spam": COMPLAINED, "unsubscribed": UNSUBSCRIBED}

# A provider posts malformed events only by mistake; a 400 tells it so, where these would be 500s.
MALFORMED = (AnymailAPIError, ValueError, KeyError, TypeError)

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
        except MALFORMED as exc:
            # Only the class: anymail's messages quote the body, addresses included.
            log.warning("malformed webhook call to %s (%s)", request.path, type(exc).__name__)
            return HttpResponseBadRequest("malformed event")
        except AWS_ERRORS as exc:
            # Amazon SES: confirming the SNS subscription failed (AWS refused the token, or
            # no AWS credentials here). SNS can resend the confirmation from its console.
            log.error("could not confirm the Amazon SNS subscription (%s): check AWS credentials", type(exc).__name__)
            return HttpResponse("subscription not confirmed", status=502)

    return wrapped


def guarded_anymail_urls():
    """anymail's URL patterns, each view refusing calls while no webhook secret is configured."""
    import anymail.urls

    patterns = [
        URLPattern(p.pattern, _require_secret(p.callback), p.default_args, p.name) for p in anymail.urls.urlpatterns
    ]
    return patterns, "anymail"


def classify(esp_name, event):
    """(Delivery status or None, what it means for the contact or None) for one anymail event.

    A soft bounce gives (SOFT_BOUNCE, None): noted on the delivery only. Events that change
    nothing give (None, None), among them "subscribed" (a provider lifting its suppression):
    only the person, through Hamla, subscribes again."""
    kind, raw = event.event_type, event.esp_event
    if kind in ENGAGEMENT:
        return ENGAGEMENT[kind], None
    if kind == "complained":
        return S.COMPLAINED, COMPLAINED
    if kind == "bounced":
        if is_soft_bounce(esp_name, raw):
            return SOFT_BOUNCE, None
        dropped = suppressed_at_provider(esp_name, raw)
        if dropped:
            return S.REJECTED, dropped
        return S.BOUNCED, BOUNCED
    if kind == "unsubscribed":
        # Postmark reports its suppression after a hard bounce or a complaint as an
        # unsubscribe, with that cause as the reason.
        cause = REJECT_REASONS.get(event.reject_reason, UNSUBSCRIBED)
        return {BOUNCED: S.BOUNCED, COMPLAINED: S.COMPLAINED}.get(cause, S.UNSUBSCRIBED), cause
    if kind == "rejected":
        return S.REJECTED, suppressed_at_provider(esp_name, raw) or REJECT_REASONS.get(event.reject_reason)
    return None, None


@receiver(tracking)
def handle_tracking(sender, event, esp_name, **kwargs):
    """Map the provider message id to a Delivery and move it up; a hard bounce, a complaint,
    an unsubscribe at the provider, or a drop because the provider has the address on its
    suppression list stops all sending to the contact (with a ConsentEvent saying so)."""
    status, effect = classify(esp_name, event)
    if status is None or not event.message_id:
        return
    delivery = Delivery.objects.filter(provider_message_id=event.message_id).select_related("contact").first()
    if delivery is None:
        log.info("%s event for an unknown message id", esp_name)
        return
    if status == SOFT_BOUNCE:
        # Temporary: the provider may still deliver it, so the status stays where it is
        # (a later "delivered" must count) and the contact is not suppressed.
        Delivery.objects.filter(pk=delivery.pk).update(error="soft bounce", event_at=event.timestamp)
        return
    # Providers quote the recipient in their reasons ("550 5.1.1 <ali@example.com>…").
    delivery.record_event(status, when=event.timestamp, detail=scrub(event.reject_reason or "", limit=255))
    contact = delivery.contact
    if effect == UNSUBSCRIBED and contact is not None:
        # The message (read only here, not for every event) gives the consent event its campaign.
        contact.unsubscribe("webhook", message=delivery.message)
    elif effect is not None and contact is not None:
        contact.suppress(effect, method="webhook", message=delivery.message_id, detail={"esp": esp_name})


# SparkPost bounce classes for temporary failures (DNS, mailbox full, too large, timeout, transient).
SPARKPOST_SOFT_CLASSES = {"20", "21", "22", "23", "24", "70"}


def is_soft_bounce(esp_name, raw):
    """True when the provider's own event says the bounce was temporary. Anymail reports
    some soft bounces as "bounced" (Postmark, Brevo, Mandrill, MailerSend, SparkPost, Amazon
    SES, SendGrid's "blocked"); a full mailbox must not suppress a supporter for good. Other
    providers report temporary failures as "deferred", which never suppresses."""
    if not isinstance(raw, dict):
        return False
    name = (esp_name or "").lower()
    if name == "postmark":
        return raw.get("Type") in ("SoftBounce", "Transient", "DnsError", "VirusNotification")
    if name in ("brevo", "sendinblue", "mandrill"):
        return raw.get("event") in ("soft_bounce", "soft_bounced")
    if name == "sendgrid":
        # "blocked": the receiving server refused it for now; SendGrid does not suppress it.
        return raw.get("type") == "blocked"
    if name == "mailersend":
        return (raw.get("data") or {}).get("type") == "soft_bounced"
    if name == "amazon ses":
        return (raw.get("bounce") or {}).get("bounceType") in ("Transient", "Undetermined")
    if name == "sparkpost":
        events = (raw.get("msys") or {}).values()
        return any(str((e or {}).get("bounce_class")) in SPARKPOST_SOFT_CLASSES for e in events)
    return False


# Mailgun's "failed" reasons for a message it dropped because the address is on one of its
# suppression lists (anymail reports them as bounces, or "other").
MAILGUN_SUPPRESSIONS = {
    "suppress-bounce": BOUNCED,
    "suppress-complaint": COMPLAINED,
    "suppress-unsubscribe": UNSUBSCRIBED,
}
# ... and the codes Mailgun gives those drops (older events carry only these).
MAILGUN_SUPPRESSION_CODES = {605: BOUNCED, 606: UNSUBSCRIBED, 607: COMPLAINED}
# SendGrid's drop reasons anymail leaves as "other".
SENDGRID_DROPS = {"spam reporting address": COMPLAINED}


def suppressed_at_provider(esp_name, raw):
    """For a message the provider dropped because it holds the address on a suppression
    list: the cause (bounced, complained, unsubscribed), where anymail's reject_reason does
    not tell it. None otherwise."""
    if not isinstance(raw, dict):
        return None
    name = (esp_name or "").lower()
    if name == "mailgun":
        data = raw.get("event-data") or {}
        code = (data.get("delivery-status") or {}).get("code")
        return MAILGUN_SUPPRESSIONS.get(data.get("reason")) or MAILGUN_SUPPRESSION_CODES.get(code)
    if name == "sendgrid" and raw.get("event") == "dropped":
        return SENDGRID_DROPS.get(str(raw.get("reason") or "").lower())
    if name in ("brevo", "sendinblue") and raw.get("event") == "blocked":
        # Brevo blocks contacts on its blocklist (earlier hard bounces, complaints or
        # unsubscribes, which it does not tell apart here): the address cannot be mailed.
        return BOUNCED
    if name == "postmark" and raw.get("Type") == "ManuallyDeactivated":
        # The address is deactivated on Postmark's suppression list.
        return BOUNCED
    return None
