"""Public double opt-in signup, shared by /signup/, campaign pages and flyer QR codes.

The response is the same whether or not the email is already known: a new
address gets a PENDING contact, a known one is left untouched (a stranger must
not be able to rename someone), and both get a confirmation email. Only the
click on the emailed link (contact.confirm) makes anyone SUBSCRIBED.

Floods: per client address at most SIGNUPS_PER_IP an hour; per email address at
most MAILS_PER_EMAIL confirmation mails an hour (so the form cannot be used to
bomb someone's inbox) — the extra ones are silently dropped. The counts live in the
database (contacts/limits.py), so they hold for the whole hour with or without Redis.

A signup nobody confirms within MAX_AGE (the life of its link) is erased by the beat
task contacts.tasks.purge_unconfirmed_signups: a stranger's typing does not stay on file.
"""

import time
from datetime import UTC, datetime, timedelta

from django.core import signing
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from core.clientip import client_ip

from . import crypto, limits
from .emails import send_confirmation
from .models import ConsentEvent, Contact, Membership

SALT = "contacts.signup.confirm"
MAX_AGE = 7 * 24 * 3600
SIGNUPS_PER_IP = 10
MAILS_PER_EMAIL = 3
WINDOW = 3600


class RateLimited(Exception):
    """Too many signups from this client; nothing was stored or sent."""


def _hit(key, limit):
    """Count one hit in the window; True while under the limit."""
    return limits.hit(key, limit, WINDOW)


def make_token(contact, campaign=None, print_run=None, contact_list=None):
    # The index prefix ties the token to this address: an id reused after an erasure
    # (SQLite can reuse the highest id) must not confirm someone else. The time lets a
    # later unsubscribe outrank it.
    payload = {"c": contact.pk, "h": (contact.email_hash or "")[:16], "t": round(time.time(), 3)}
    if campaign is not None:
        payload["cp"] = campaign.pk
    if print_run is not None:
        payload["pr"] = print_run.pk
    if contact_list is not None:
        payload["l"] = contact_list.pk
    return signing.dumps(payload, salt=SALT, compress=True)


def read_token(token):
    """The payload of a valid, unexpired token, or None."""
    try:
        return signing.loads(token, salt=SALT, max_age=MAX_AGE)
    except signing.BadSignature:
        return None


def request_signup(request, form, campaign=None, print_run=None, contact_list=None):
    """Handle a valid SignupForm. Returns True when the request was accepted (the same
    answer for new and known emails, and for bots caught by the honeypot); raises
    RateLimited when this client has signed up too often."""
    if form.is_bot:
        return True
    if not _hit(f"signup:ip:{client_ip(request)}", SIGNUPS_PER_IP):
        raise RateLimited
    data = form.cleaned_data
    digest = crypto.blind_index(data["email"], "email")
    if campaign is None and print_run is not None:
        campaign = print_run.flyer.campaign
    with transaction.atomic():
        contact = Contact.objects.select_for_update().filter(email_hash=digest).first()
        if contact is None:
            contact = Contact(status=Contact.Status.PENDING, source="signup", language=data["language"])
            contact.email = data["email"]
            contact.given_name = data.get("given_name", "")
            if print_run is not None:
                contact.city, contact.neighbourhood = print_run.city, print_run.neighbourhood
            contact.save()
        ConsentEvent.objects.create(
            contact=contact,
            kind=ConsentEvent.Kind.REQUESTED,
            method="signup_form",
            campaign=campaign,
            print_run=print_run,
            contact_list=contact_list,
        )
    if _hit(f"signup:email:{digest}", MAILS_PER_EMAIL):
        token = make_token(contact, campaign, print_run, contact_list)
        # Mail in the language asked for now, not a stored one the requester cannot see.
        send_confirmation(contact, token, language=data["language"])
    return True


def contact_for_token(token):
    """(contact, payload) for a token that may still confirm, else None: bad, expired,
    erased, or older than the contact's last unsubscribe or complaint (a confirmation
    mail from before someone left must not bring them back)."""
    payload = read_token(token)
    if not payload:
        return None
    contact = Contact.objects.filter(pk=payload.get("c")).first()
    if contact is None or (contact.email_hash or "")[:16] != payload.get("h"):
        return None
    issued = datetime.fromtimestamp(payload.get("t", 0), tz=UTC)
    since = ConsentEvent.objects.filter(contact=contact, created__gt=issued)
    left = Q(kind__in=[ConsentEvent.Kind.UNSUBSCRIBED, ConsentEvent.Kind.COMPLAINED])
    if payload.get("l"):
        left |= Q(kind=ConsentEvent.Kind.LIST_LEFT, contact_list_id=payload["l"])
    if since.filter(left).exists():
        return None
    return contact, payload


def confirm_token(token):
    """Confirm the signup a token stands for. Returns the contact, or None when the
    token may not confirm (see contact_for_token). Confirming twice is harmless
    (contact.confirm is idempotent)."""
    from campaigns.models import Campaign
    from flyers.models import PrintRun

    from .models import ContactList

    found = contact_for_token(token)
    if found is None:
        return None
    contact, payload = found
    contact.confirm(
        method="signup_form",
        campaign=Campaign.objects.filter(pk=payload.get("cp")).first() if payload.get("cp") else None,
        print_run=PrintRun.objects.filter(pk=payload.get("pr")).first() if payload.get("pr") else None,
        contact_list=ContactList.objects.filter(pk=payload.get("l")).first() if payload.get("l") else None,
    )
    return contact


def unconfirmed_signups(now=None):
    """Contacts a signup created and nobody confirmed, whose last request is older than a
    confirmation link lives (so no link that could still confirm them exists): PENDING,
    never confirmed nor subscribed by an organizer or an import, on no list, and with no
    consent event in the last MAX_AGE."""
    cutoff = (now or timezone.now()) - timedelta(seconds=MAX_AGE)
    events = ConsentEvent.objects.filter(contact=OuterRef("pk"))
    consented = events.filter(kind__in=[ConsentEvent.Kind.CONFIRMED, ConsentEvent.Kind.SUBSCRIBED])
    return (
        Contact.objects.filter(status=Contact.Status.PENDING, created__lt=cutoff)
        .exclude(Exists(consented))
        .exclude(Exists(events.filter(created__gte=cutoff)))
        .exclude(Exists(Membership.objects.filter(contact=OuterRef("pk"), subscribed=True)))
    )


def purge_unconfirmed(now=None, limit=5000):
    """Erase (Contact.erase: consent events kept anonymous, outbox mail deleted) up to `limit`
    unconfirmed signups, and forget flood counts whose hour ended. Safe to run twice or at
    once: each contact is locked and checked again before it goes, so one confirmed in the
    meantime stays. Returns how many were erased."""
    erased = 0
    for pk in list(unconfirmed_signups(now).values_list("pk", flat=True)[:limit]):
        with transaction.atomic():
            contact = unconfirmed_signups(now).select_for_update().filter(pk=pk).first()
            if contact is not None:
                contact.erase(None, method="unconfirmed")
                erased += 1
    limits.forget_ended(now)
    return erased
