"""Check-in at the door, on an organizer's phone: the event's confirmed attendees with a
search box and a big "Check in" button each (no JavaScript needed), and the page a scanned
QR code opens (the attendee's mail carries /asks/checkin/<token>/, asks.tokens "checkin").

The scan page is for the event being checked in: opening an event's door list remembers
that event in the organizer's session, and a token of another event then answers 404, as
a bad token does, so a ticket for Saturday's clean-up does not let anyone into Friday's
demonstration. Who was shown and who was checked in is audited; the pages hold names, so
they are never cached (accounts.middleware.PrivacyHeadersMiddleware: staff pages).
"""

from django.contrib import messages
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.decorators import organizer_required
from accounts.models import audit

from . import tokens
from .forms import SearchForm
from .models import Ask, Response
from .people import search

DOOR_SESSION_KEY = "asks.door_event"
# An event's door list is its confirmed attendees; past this many the search narrows it.
LIST_CAP = 300


def door_counts(ask):
    """{"confirmed", "checked_in"} of an event, counted now (the door needs live figures)."""
    return ask.responses.filter(status=Response.Status.CONFIRMED).aggregate(
        confirmed=Count("pk"), checked_in=Count("pk", filter=Q(checked_in_at__isnull=False))
    )


def attendees(ask):
    return ask.responses.filter(status=Response.Status.CONFIRMED).select_related("shift")


def _event(pk):
    return get_object_or_404(Ask.objects.select_related("campaign"), pk=pk, kind=Ask.Kind.EVENT)


@organizer_required
def checkin_list(request, pk):
    """GET: the door list; POST with `q`: the same list narrowed by the search (a POST, so a
    name or a phone number never lands in the browser's history)."""
    ask = _event(pk)
    request.session[DOOR_SESSION_KEY] = ask.pk
    form = SearchForm(request.POST if request.method == "POST" else None)
    q = form.cleaned_data["q"].strip() if form.is_valid() else ""
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
    """The page a scanned QR opens: the attendee and a Check in button (POST here)."""
    response = tokens.read(token, "checkin")
    door = request.session.get(DOOR_SESSION_KEY)
    if response is None or not response.ask.is_event or (door is not None and door != response.ask_id):
        raise Http404
    if request.method == "POST":
        _check_in(request, response)
        return redirect("asks:checkin_token", token=token)
    if request.method != "GET":
        raise Http404
    audit(request.user, "ask.door_scan", response.ask, response=response.pk)
    return render(
        request,
        "asks/checkin_token.html",
        {"ask": response.ask, "person": response, "token": token, "counts": door_counts(response.ask)},
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
