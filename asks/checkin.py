"""Check-in at the door, on an organizer's phone: the event's confirmed attendees with a
search box and a big "Check in" button each (no JavaScript needed), and the page a scanned
QR code opens (the attendee's mail carries /asks/checkin/<token>/, asks.tokens "checkin").

A code is accepted only at its own event's door. Door tools that have been at it a while
(pretix's check-in lists, Eventbrite's organizer app) bind the scanner to one event first
and then refuse another event's ticket loudly, saying which event it is for, rather than
take whatever ticket is shown. Here the scanner is the phone's own camera app, which opens
the code's address in the browser, so the binding lives in the organizer's session: opening
an event's door list makes it this phone's door (DOOR_SESSION_KEY). Putting the event in the
QR code's address would not help: the token already names its event; what the server must
learn is which event is at the door, and only the organizer's phone knows that.

- At a door, another event's code is refused (``other_event``, 409), naming the event it is
  for and nobody, and nothing changes: a ticket for Saturday's clean-up does not let anyone
  into Friday's demonstration.
- With no door list opened, the scanned page names the event and its day, and the button is
  "Yes, this event: check in"; the POST must name that event (``door``) or is refused
  (``door_unconfirmed``, 400). Confirming makes it the phone's door, so the next scans are
  checked against it without asking again.
- A handheld scanner types the code's address into whatever has focus, here the door list's
  search box: the list then shows that attendee, or refuses another event's code alike.

Who was shown and who was checked in is audited (a refusal shows no one and changes nothing);
the pages hold names, so they are never cached (accounts.middleware.PrivacyHeadersMiddleware:
staff pages).
"""

from urllib.parse import urlsplit

from django.contrib import messages
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.decorators import organizer_required
from accounts.models import audit

from . import tokens
from .event_mail import when_text
from .forms import SearchForm
from .models import Ask, Response
from .people import search

DOOR_SESSION_KEY = "asks.door_event"
# An event's door list is its confirmed attendees; past this many the search narrows it.
LIST_CAP = 300
REFUSALS = {"other_event": 409, "door_unconfirmed": 400}


def door_counts(ask):
    """{"confirmed", "checked_in"} of an event, counted now (the door needs live figures)."""
    return ask.responses.filter(status=Response.Status.CONFIRMED).aggregate(
        confirmed=Count("pk"), checked_in=Count("pk", filter=Q(checked_in_at__isnull=False))
    )


def attendees(ask):
    return ask.responses.filter(status=Response.Status.CONFIRMED).select_related("shift")


def _event(pk):
    return get_object_or_404(Ask.objects.select_related("campaign"), pk=pk, kind=Ask.Kind.EVENT)


def _scanned(text):
    """The response a check-in code's address stands for, when `text` is one (typed by a
    handheld scanner into the search box); None for anything else, a name or a bad code."""
    try:
        match = resolve(urlsplit(text).path)
    except (Resolver404, ValueError):
        return None
    if match.view_name != "asks:checkin_token":
        return None
    return tokens.read(match.kwargs["token"], "checkin")


@organizer_required
def checkin_list(request, pk):
    """GET: the door list; POST with `q`: the same list narrowed by the search (a POST, so a
    name or a phone number never lands in the browser's history), or the one attendee whose
    code was scanned into it."""
    ask = _event(pk)
    request.session[DOOR_SESSION_KEY] = ask.pk
    form = SearchForm(request.POST if request.method == "POST" else None)
    q = form.cleaned_data["q"].strip() if form.is_valid() else ""
    scanned = _scanned(q) if q else None
    if scanned is not None and scanned.ask_id != ask.pk:
        return _refused(request, scanned, "other_event", door=ask)
    if scanned is not None:
        people, note = [r for r in [scanned] if r.status == Response.Status.CONFIRMED], ""
    else:
        people, note = search(attendees(ask), q, cap=LIST_CAP)
    people.sort(key=lambda r: (r.checked_in_at is not None, r.name.casefold()))
    audit(request.user, "ask.door_list", ask, shown=len(people), searched=bool(q))
    return render(
        request,
        "asks/checkin.html",
        {"ask": ask, "people": people, "form": form, "q": q, "note": note, "counts": door_counts(ask)},
    )


@require_POST
@organizer_required
def checkin_response(request, pk, response_pk):
    ask = _event(pk)
    response = get_object_or_404(Response, pk=response_pk, ask=ask)
    _check_in(request, response)
    return redirect("asks:checkin", pk=ask.pk)


@organizer_required
def checkin_token(request, token):
    """The page a scanned QR opens: the event and the attendee, and a Check in button (POST
    here with `door`, the event the organizer saw and confirms). See the module docstring."""
    response = tokens.read(token, "checkin")
    if response is None or not response.ask.is_event or request.method not in ("GET", "POST"):
        raise Http404
    door = request.session.get(DOOR_SESSION_KEY)
    if door is not None and door != response.ask_id:
        return _refused(request, response, "other_event", door=Ask.objects.filter(pk=door).first())
    if request.method == "POST":
        posted = request.POST.get("door", "")
        if posted != str(response.ask_id):
            return _refused(request, response, "other_event" if posted else "door_unconfirmed")
        request.session[DOOR_SESSION_KEY] = response.ask_id
        _check_in(request, response)
        return redirect("asks:checkin_token", token=token)
    audit(request.user, "ask.door_scan", response.ask, response=response.pk)
    return render(
        request,
        "asks/checkin_token.html",
        {
            "ask": response.ask,
            "when": when_text(response.ask.local_starts(), response.ask.local_ends()),
            "person": response,
            "token": token,
            "counts": door_counts(response.ask),
            "confirm_door": door is None,
        },
    )


def _refused(request, response, refusal, door=None):
    """The refusal page: which event the code is for (and the door's, when known), no name."""
    ask = response.ask
    return render(
        request,
        "asks/checkin_refused.html",
        {"refusal": refusal, "ask": ask, "when": when_text(ask.local_starts(), ask.local_ends()), "door": door},
        status=REFUSALS[refusal],
    )


def _check_in(request, response):
    # Messages name nobody: Django keeps them in a cookie, and a name must not sit in the browser.
    if response.ask.status != response.ask.Status.OPEN:
        messages.error(request, _("This event is not open: nobody is checked in any more."))
    elif response.status != Response.Status.CONFIRMED:
        messages.error(request, _("Not a confirmed attendee: not checked in."))
    elif response.check_in():
        audit(request.user, "ask.check_in", response.ask, response=response.pk)
        messages.success(request, _("Checked in."))
    else:
        messages.info(request, _("Already checked in."))
