"""What a send is doing right now, for its page and `message_status --json`: which workers
hold its claims (node, rows, lease age), when its last row went out, and why it is waiting
(a Message.Wait code with a translated sentence). Never an address: the stored detail is
the scrubbed error class the batch recorded."""

from datetime import timedelta

from django.conf import settings
from django.db.models import Max
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from . import leases
from .models import Delivery, Message


def report(message):
    """Who holds claims, when the last row went out and why the send waits. Only a send under
    way (sending or paused) has any of these: the page polls this every 2 s, so drafts and
    finished sends answer without a query."""
    if message.status not in (Message.Status.SENDING, Message.Status.PAUSED):
        return {"workers": [], "last_sent_at": None, "waiting": None}
    holders = leases.holders(message.pk)
    last_sent = Delivery.objects.filter(message=message, sent_at__isnull=False).aggregate(last=Max("sent_at"))["last"]
    code, since = waiting(message, holders)
    return {
        "workers": holders,
        "last_sent_at": last_sent.isoformat() if last_sent else None,
        "waiting": {
            "reason": code,
            "since": since.isoformat() if since else None,
            "detail": message.wait_detail if code == Message.Wait.PROVIDER_UNAVAILABLE else "",
            "text": sentence(code, since),
        }
        if code
        else None,
    }


def waiting(message, holders=None):
    """(Message.Wait code or "", since when or None) for `message` now."""
    if message.status == Message.Status.PAUSED:
        return Message.Wait.PAUSED, None
    if message.status != Message.Status.SENDING:
        return "", None
    if message.wait_reason == Message.Wait.PROVIDER_UNAVAILABLE:
        return Message.Wait.PROVIDER_UNAVAILABLE, message.wait_since
    holders = leases.holders(message.pk) if holders is None else holders
    if not any(holder["alive"] or not holder["node"] for holder in holders):
        idle_since = timezone.now() - timedelta(seconds=leases.ttl())
        queued = Delivery.objects.filter(message=message, status=Delivery.Status.QUEUED).exists()
        if queued and (not leases.live() or (message.last_progress and message.last_progress < idle_since)):
            return Message.Wait.NO_WORKER, message.last_progress
    if float(settings.HAMLA_SEND_RATE or 0) > 0 and holders:
        return Message.Wait.RATE_LIMITED, None
    return "", None


def sentence(code, since=None):
    if not code:
        return ""
    if code == Message.Wait.PROVIDER_UNAVAILABLE:
        if since is None:
            return _("Mail server unreachable, retrying.")
        when = formats.time_format(timezone.localtime(since), "H:i")
        return _("Mail server unreachable since %(time)s, retrying.") % {"time": when}
    if code == Message.Wait.NO_WORKER:
        return _("Waiting for a worker.")
    if code == Message.Wait.PAUSED:
        return _("Paused.")
    if code == Message.Wait.RATE_LIMITED:
        return _("Rate limited: at most %(rate)s messages a second.") % {"rate": f"{settings.HAMLA_SEND_RATE:g}"}
    return ""
