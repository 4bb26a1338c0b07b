"""Answering an ask from its public page: request, confirm by the emailed link, purge.

Modelled on the newsletter signup (contacts/signup.py) and answering the same way:

- The answer never says whether someone already responded. A second submission with the
  same email (or phone) finds the stored response through the (ask, person_hash) unique
  constraint and is answered exactly like a first; it never overwrites what is stored (a
  stranger must not rename someone), and it sends the confirmation link again only while
  the response is pending and within the mail limit. An RSVP withdrawn ("I can't come") is
  reopened, pending again (Response.reopen): people change their minds, and the one
  response per person per ask would otherwise shut them out for good.
- Floods: per client address at most RESPONSES_PER_IP an hour, three times the signup's
  limit. Why more: at a demonstration or a crowded square, hundreds of phones share one
  carrier-grade NAT address, and a petition's moment is exactly such a crowd; a signup
  does not have its moment there. Per person (an email's blind index) at most
  MAILS_PER_PERSON confirmation mails an hour, across asks, so a form cannot bomb
  someone's inbox: the extra mails are silently dropped (counted where the mail is sent,
  asks/confirmations.py). Both count in Redis, else in the database (contacts/limits.py),
  never in a cache that could forget them before the hour is over.
- Speed: the POST path is two round trips — the client's limit count (Redis, or a row of
  its own) and one INSERT, which also owes the link — and locks no shared row: no counter of
  signatures is bumped (asks/counts.py counts, cached) and the mail leaves from the worker
  (asks/confirmations.py), which the request only kicks, at most a few times a second.
- Only a confirmed response counts (Response.confirm). Confirming with "keep me informed"
  ticked makes the signer a contact through contacts' own API, with a consent event naming
  the ask's kind, campaign and print run; someone who unsubscribed before is not brought back.
- A phone-only response cannot get the link: it stays pending until an organizer confirms
  it by hand (`after_confirming` is what that step runs too). Pending responses are deleted
  once nothing can confirm them (purge_unconfirmed, run by beat): after a link's life, a
  month for a phone-only one, at once when the ask is no longer open. A stranger's typing
  does not stay on file.
"""

from contextlib import nullcontext
from datetime import timedelta

from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from contacts import limits
from contacts.models import Contact
from core.clientip import client_ip

from . import confirmations, tokens
from .models import Ask, Response

RESPONSES_PER_IP = 30
WINDOW = 3600
MAX_AGE = tokens.CONFIRM_MAX_AGE
# A phone-only answer has no link: it waits for an organizer to call. A month is a few calling
# rounds; past it, a stranger's typing does not stay on file.
PHONE_MAX_AGE = 30 * 24 * 3600
# Contacts that left or cannot be mailed stay so: ticking a box on a petition is not a
# fresh subscription for them (they may resubscribe through the newsletter signup).
NOT_BROUGHT_BACK = (Contact.Status.UNSUBSCRIBED, Contact.Status.BOUNCED, Contact.Status.COMPLAINED)


class RateLimited(Exception):
    """Too many responses from this client address this hour; nothing was stored or sent."""


class Closed(Exception):
    """The ask does not take responses (not open); nothing was stored."""


def request_response(request, ask, form, print_run=None):
    """Store the response of a valid public form (asks/public_forms.py) to `ask`, pending,
    credited to `print_run`, and queue its confirmation mail. Returns how the person will
    confirm — "email" (a link is on its way) or "phone" (an organizer will call) — which
    depends only on what was typed, never on what is stored. Raises Closed or RateLimited."""
    data = form.cleaned_data
    reach = "email" if data.get("email") else "phone"
    if ask.status != Ask.Status.OPEN:
        raise Closed
    if form.is_bot:
        return reach
    if not limits.hit(f"asks:ip:{client_ip(request)}", RESPONSES_PER_IP, WINDOW):
        raise RateLimited
    response = Response(
        ask=ask,
        language=data["language"],
        keep_informed=data.get("keep_informed", False),
        named=data.get("named", False),
        print_run=print_run,
        shift=data.get("shift"),
    )
    response.given_name = data["given_name"]
    response.family_name = data.get("family_name", "")
    response.email = data.get("email", "")
    response.phone = data.get("phone", "")
    response.neighbourhood = data.get("neighbourhood", "")
    response.set_person()
    if response.email_hash:
        response.mail_due_at = timezone.now()  # the link is owed: asks/confirmations.py
    try:
        # A savepoint only inside a caller's transaction, where it keeps the duplicate's error
        # from breaking that transaction. A request runs in autocommit: there the INSERT is
        # its own transaction, and a BEGIN and COMMIT around it were two more round trips
        # per signature (`manage.py bench signatures`).
        with transaction.atomic() if connection.in_atomic_block else nullcontext():
            response.save()
        owed = response.mail_due_at is not None
    except IntegrityError:  # this person already answered this ask: keep what is stored
        response = Response.objects.filter(ask=ask, person_hash=response.person_hash).first()
        if response is None:  # purged in between: nothing to confirm, the answer stays the same
            return reach
        if response.status == Response.Status.WITHDRAWN:  # changed their mind: confirm afresh
            owed = response.reopen(shift=data.get("shift")) and response.mail_due_at is not None
        else:
            owed = response.owe_link()
    if owed:
        transaction.on_commit(confirmations.kick)
    return reach


def response_for_token(token):
    """The response a confirmation link stands for, or None (bad, expired, purged)."""
    return tokens.read(token, "confirm")


def confirm_response(token):
    """Confirm the response a confirmation link stands for. Returns the response (its status
    says what happened: confirmed, waitlisted, or unchanged when it was not pending or its ask
    is no longer open), or None for a bad, expired or purged link. Idempotent."""
    response = response_for_token(token)
    if response is None or response.ask.status != Ask.Status.OPEN:
        return response
    with transaction.atomic():
        if response.confirm() is not None:
            after_confirming(response)
    return response


def after_confirming(response):
    """What follows a confirmation, by the link or by an organizer's hand (a phone-only
    response): the signer becomes a contact when they asked to be kept informed, and an
    event's attendee gets the mail with the place (asks/event_tasks.py) once this commits."""
    if response.keep_informed:
        contact = keep_informed(response)
        if contact is not None:
            Response.objects.filter(pk=response.pk).update(contact=contact)
            response.contact = contact
    if response.ask.is_event:
        from .event_tasks import send_attendee_mail

        pk = response.pk
        transaction.on_commit(lambda: send_attendee_mail.delay(pk))


def keep_informed(response):
    """The contact for a confirmed response whose signer ticked "keep me informed": the one
    with its email (blind index), else the only one with its phone (a family may share a
    number: with several, none is guessed), else a new one. Through contacts' own
    Contact.confirm, so the consent event records the ask's kind as its method, with the
    campaign and print run. A contact who unsubscribed, bounced or complained is linked but
    stays as they are. Returns the contact, or None when the response has no way to reach anyone."""
    ask = response.ask
    with transaction.atomic():
        contact = None
        if response.email_hash:
            contact = Contact.objects.select_for_update().filter(email_hash=response.email_hash).first()
        elif response.phone_hash:
            same_phone = list(Contact.objects.filter(phone_hash=response.phone_hash)[:2])
            contact = same_phone[0] if len(same_phone) == 1 else None
        else:
            return None
        if contact is None:
            contact = _new_contact(response)
        if contact.status not in NOT_BROUGHT_BACK:
            contact.confirm(method=ask.kind, campaign=ask.campaign, print_run=response.print_run)
    return contact


def _new_contact(response):
    """A PENDING contact from the response (Contact.confirm then subscribes it); a concurrent
    confirmation that made the same address's contact first is found instead."""
    contact = Contact(status=Contact.Status.PENDING, source=response.ask.kind, language=response.language)
    contact.given_name = response.given_name
    contact.family_name = response.family_name
    contact.email = response.email
    contact.phone = response.phone
    contact.neighbourhood = response.neighbourhood
    if response.print_run is not None:
        contact.city = response.print_run.city
    try:
        with transaction.atomic():
            contact.save()
    except IntegrityError:  # the same email's contact was made meanwhile
        contact = Contact.objects.select_for_update().get(email_hash=response.email_hash)
    return contact


def unconfirmed(now=None):
    """Pending responses nothing can confirm any more: with an email, after the link's life;
    phone-only, after PHONE_MAX_AGE (no link expires: they wait for an organizer's call);
    any, once the ask is no longer open (Response.confirm refuses then)."""
    now = now or timezone.now()
    expired = Q(email_hash__isnull=False, created__lt=now - timedelta(seconds=MAX_AGE)) | Q(
        email_hash__isnull=True, created__lt=now - timedelta(seconds=PHONE_MAX_AGE)
    )
    over = ~Q(ask__status=Ask.Status.OPEN)
    return Response.objects.filter(expired | over, status=Response.Status.PENDING)


def purge_unconfirmed(now=None, limit=5000):
    """Delete up to `limit` unconfirmed responses; how many. One conditional DELETE per
    batch: a response confirmed meanwhile is no longer pending and stays. Safe to run twice
    at once. The ended flood counts go with contacts' own purge (contacts/signup.py). The
    "please confirm" mails stay in the development outbox (production keeps no copy): they
    hold the address and our own words, nothing else the stranger typed."""
    pks = list(unconfirmed(now).values_list("pk", flat=True)[:limit])
    if not pks:
        return 0
    return unconfirmed(now).filter(pk__in=pks).delete()[1].get(Response._meta.label, 0)
