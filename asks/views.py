"""The organizer's pages for asks: create and edit (with an event's shifts), open, close and
cancel, the responses with their counts, the hand confirmation of a phone-only response,
and the petition PDF for its target. Check-in at the door is asks/checkin.py.

Organizers and admins only (accounts.decorators.organizer_required: volunteers get 403).
Every page that shows who responded is audited and, like every staff page, never cached
(accounts.middleware.PrivacyHeadersMiddleware). Searches are POSTed, so an email or a phone
typed into them never lands in a URL.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts.confirm import Confirmation, confirmed, render_confirmation
from accounts.decorators import organizer_required
from accounts.models import audit
from accounts.roles import is_admin
from campaigns.models import Campaign
from contacts.masking import mask_email, mask_phone

from . import breakdown, reminders
from .closing import may_close
from .event_tasks import snapshot, starts_moved, tell_changed, tell_promoted, told_of_change
from .forms import AskForm, SearchForm, ShiftFormSet, chosen_zone
from .models import Ask, Response
from .people import search
from .petition_pdf import render_petition
from .responses import after_confirming

PAGE_SIZE = 50
SEARCH_CAP = 5000


def _ask(pk):
    return get_object_or_404(Ask.objects.select_related("campaign"), pk=pk)


@organizer_required
def ask_create(request, pk, kind):
    campaign = get_object_or_404(Campaign, pk=pk)
    if kind not in Ask.Kind.values:
        raise Http404
    return _ask_form(request, Ask(campaign=campaign, kind=kind))


@organizer_required
def ask_edit(request, pk):
    return _ask_form(request, _ask(pk))


def _ask_form(request, ask):
    creating = ask.pk is None
    data = request.POST if request.method == "POST" else None
    # Before the form is validated: that writes the posted values into `ask`.
    before = snapshot(ask) if not creating and ask.is_event else None
    form = AskForm(data, instance=ask)
    shifts = None
    if ask.is_event:
        zone = chosen_zone(data, ask)
        shifts = ShiftFormSet(data, instance=ask, form_kwargs={"zone": zone}, prefix="shifts")
    if data is not None and form.is_valid() and (shifts is None or shifts.is_valid()):
        with transaction.atomic():
            ask = form.save()
            if shifts is not None:
                shifts.instance = ask
                shifts.save()
            changes, moved = [], []
            if before is not None:  # an event edited: one comparison decides reminders and notices
                after = snapshot(ask)
                if starts_moved(before, after):
                    reminders.rescheduled(ask)
                if ask.status == Ask.Status.OPEN:
                    # More capacity or slots free seats now, not at the next withdrawal.
                    Ask.objects.select_for_update().filter(pk=ask.pk).first()
                    tell_promoted(ask.promote_waitlist())
                changes, moved = tell_changed(before, ask, after)
        audit(request.user, "ask.create" if creating else "ask.edit", ask, campaign=ask.campaign_id)
        messages.success(request, _("Ask saved."))
        if changes or moved:
            _say_who_is_told(request, ask, changes, moved)
        return redirect(ask)
    return render(
        request,
        "asks/form.html",
        {"form": form, "shifts": shifts, "ask": ask, "campaign": ask.campaign, "creating": creating},
    )


def _say_who_is_told(request, ask, changes, moved):
    """After an edit that moved an open event or some of its shifts: those concerned are mailed
    the change; those who gave only a phone are not, so the organizer is told how many to
    call (no one named)."""
    attending = told_of_change(ask, changes, moved)
    messages.info(request, _("Its attendees are being told of the change by mail."))
    unreachable = attending.filter(email_hash=None).count()
    if unreachable:
        messages.warning(
            request,
            ngettext(
                "%(n)s attendee gave only a phone number: call them.",
                "%(n)s attendees gave only a phone number: call them.",
                unreachable,
            )
            % {"n": unreachable},
        )


@organizer_required
def ask_detail(request, pk):
    """The ask's page for organizers: its facts and figures (counts only, no one named)."""
    ask = _ask(pk)
    return render(
        request,
        "asks/detail.html",
        {
            "ask": ask,
            "campaign": ask.campaign,
            **breakdown.figures(ask),
            "next_statuses": [
                s for s in Ask.Status if ask.can_move_to(s) and (s != Ask.Status.CLOSED or may_close(ask))
            ],
            "public_path": ask.public_url() if ask.status != Ask.Status.DRAFT else "",
        },
    )


@require_POST
@organizer_required
def ask_status(request, pk):
    """Open, close or cancel. Closing and cancelling go through the confirmation step, which
    says what will happen; the POST acts only with confirm=<the status>."""
    ask = _ask(pk)
    target = request.POST.get("status", "")
    if target not in Ask.Status.values or not ask.can_move_to(target):
        messages.error(request, _("This ask cannot move to that status."))
        return redirect(ask)
    if target in (Ask.Status.CLOSED, Ask.Status.CANCELLED) and not confirmed(request, target):
        return render_confirmation(request, _status_confirmation(ask, target))
    old = ask.status
    try:
        if target == Ask.Status.OPEN:
            ask.open()
        elif target == Ask.Status.CLOSED:
            ask.close()
        else:
            ask.cancel()
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(ask)
    audit(request.user, "ask.status", ask, old=old, new=ask.status)
    if target == Ask.Status.CLOSED:
        messages.success(request, _("Closed, and entered in the campaign's history."))
    else:
        messages.success(request, _("Status changed to %(status)s.") % {"status": ask.get_status_display()})
    return redirect(ask)


def _status_confirmation(ask, target):
    if target == Ask.Status.CLOSED:
        consequences = [
            _("It stops taking responses; its page stays online with its result."),
            _("Its result is entered in the campaign's mobilisation history (an action you can edit later)."),
        ]
        if ask.is_event:
            consequences.append(_("The attendance entered is the number checked in at the door."))
        question, button = _("Close ‘%(title)s’?"), _("Yes, close it")
    else:
        consequences = [_("It stops taking responses; its page says it was cancelled.")]
        if ask.is_event:
            consequences.append(_("Every confirmed and waitlisted attendee is sent a cancellation notice."))
        consequences.append(_("This cannot be undone."))
        question, button = _("Cancel ‘%(title)s’?"), _("Yes, cancel it")
    return Confirmation(
        code=target,
        question=question % {"title": ask.title},
        consequences=consequences,
        button=button,
        action=reverse("asks:status", args=[ask.pk]),
        back=ask.get_absolute_url(),
        fields=[("status", target)],
        danger=target == Ask.Status.CANCELLED,
    )


@organizer_required
def responses(request, pk):
    """Who responded, a page at a time (GET ?page=), or what a search finds (POST q). The
    counts stand on top; emails and phones are masked for organizers unless they press
    "Show" (POST reveal), as on a contact's page. Audited either way."""
    ask = _ask(pk)
    form = SearchForm(request.POST if request.method == "POST" else None)
    q = form.cleaned_data["q"].strip() if form.is_valid() else ""
    revealed = request.method == "POST" and "reveal" in request.POST
    everyone = ask.responses.select_related("shift", "print_run").order_by("-pk")
    note, page = "", None
    if q:
        people, note = search(everyone, q, cap=SEARCH_CAP)
    else:
        page = Paginator(everyone, PAGE_SIZE).get_page(request.POST.get("page") or request.GET.get("page"))
        people = list(page.object_list)
    full = revealed or is_admin(request.user)
    for person in people:
        person.shown_email = person.email if full else mask_email(person.email)
        person.shown_phone = person.phone if full else mask_phone(person.phone)
    ids = [person.pk for person in people]
    code = "ask.responses_reveal" if revealed else "ask.responses_view"
    audit(request.user, code, ask, shown=len(ids), first=ids[0] if ids else 0, last=ids[-1] if ids else 0)
    return render(
        request,
        "asks/responses.html",
        {
            "ask": ask,
            "campaign": ask.campaign,
            "people": people,
            "page": page,
            "form": form,
            "q": q,
            "note": note,
            "masked": not full,
            **breakdown.figures(ask),
        },
    )


@require_POST
@organizer_required
def response_confirm(request, pk, response_pk):
    """Confirm by hand a pending response that gave only a phone (no mail to click): the
    organizer has called them. Responses with an email confirm themselves."""
    ask = _ask(pk)
    response = get_object_or_404(Response, pk=response_pk, ask=ask)
    if response.email_hash or response.status != Response.Status.PENDING:
        messages.error(request, _("Only a pending response with a phone and no email is confirmed by hand."))
        return redirect("asks:responses", pk=ask.pk)
    with transaction.atomic():  # "keep me informed" and the attendee mail follow it, or nothing does
        status = response.confirm()
        if status is not None:
            after_confirming(response)
            audit(request.user, "ask.response_confirm", ask, response=response.pk, status=status)
    if status is None:  # confirmed meanwhile, or the ask is no longer open
        messages.error(request, _("Not confirmed: the ask is no longer open, or this was confirmed already."))
    else:
        messages.success(request, _("Confirmed.") if status == Response.Status.CONFIRMED else _("Put on the waitlist."))
    return redirect("asks:responses", pk=ask.pk)


@organizer_required
def petition_download(request, pk):
    """The petition for delivery to its target: count, neighbourhoods, and the names of the
    signers who agreed to be named (asks/petition_pdf.py). ?lang=ar|en. Audited."""
    ask = _ask(pk)
    if ask.kind != Ask.Kind.PETITION:
        raise Http404
    language = request.GET.get("lang") if request.GET.get("lang") in ("ar", "en") else "ar"
    pdf, named = render_petition(ask, language)
    audit(request.user, "ask.petition_pdf", ask, named=named, language=language)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="petition-{ask.pk}-{language}.pdf"'
    response["Cache-Control"] = "no-store, private"
    return response
