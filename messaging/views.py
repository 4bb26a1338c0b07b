"""Organizer pages: list, compose, preview, test send, schedule, live progress, controls."""

from django.contrib import messages as flash
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST

from accounts.confirm import confirmed, render_confirmation
from accounts.decorators import organizer_required
from accounts.models import audit

from . import activity, emails, review, tasks
from . import compose as composing
from .forms import MessageForm, ScheduleForm, TestSendForm
from .models import Delivery, Message


@organizer_required
def message_list(request):
    items = Message.objects.select_related("campaign").order_by("-created")[:200]
    return render(request, "messaging/list.html", {"items": items})


@organizer_required
def compose(request, pk=None):
    message = get_object_or_404(Message, pk=pk) if pk else None
    if message is not None and not message.is_editable:
        flash.error(request, _("A newsletter cannot be changed once it has started sending."))
        return redirect(message)
    initial = {"campaign": request.GET.get("campaign")} if message is None else None
    form = MessageForm(request.POST or None, instance=message, initial=initial)
    if request.method == "POST" and form.is_valid():
        was_new = message is None
        # An edit needs a fresh decision to send; if the sweep started it meanwhile, refuse.
        unscheduled = not was_new and message.status == Message.Status.SCHEDULED
        if unscheduled and not message.unschedule():
            flash.error(request, _("A newsletter cannot be changed once it has started sending."))
            return redirect(message)
        if unscheduled:
            flash.warning(request, _("Saved as a draft: it is no longer scheduled. Schedule it again to send it."))
        message = form.save(commit=False)
        if was_new:
            message.created_by = request.user
        message.save()
        form.save_m2m()
        audit(request.user, "message.create" if was_new else "message.edit", message)
        return redirect(message)
    return render(request, "messaging/compose.html", {"form": form, "message": message})


def _progress(message):
    counts = message.counts()
    done = counts["total"] - counts["queued"] - counts["sending"]
    sent = sum(counts[s] for s in Delivery.HANDED_OVER)
    rate = eta = None
    if message.started_at and sent:
        end = message.finished_at or timezone.now()
        elapsed = max((end - message.started_at).total_seconds(), 0.001)
        rate = sent / elapsed
        remaining = counts["queued"] + counts["sending"]
        eta = int(remaining / rate) if remaining and message.status == Message.Status.SENDING else None
    return {
        "status": message.status,
        "status_label": message.get_status_display(),
        "counts": counts,
        "sent": sent,
        "percent": int(100 * done / counts["total"]) if counts["total"] else 0,
        "rate": round(rate, 1) if rate else None,
        "eta_seconds": eta,
        # Which workers hold claims, when the last row went out, why it is waiting.
        **activity.report(message),
    }


@organizer_required
def detail(request, pk):
    message = get_object_or_404(Message.objects.select_related("campaign"), pk=pk)
    default_at = message.send_at if message.status == Message.Status.SCHEDULED else None
    return _render_detail(request, message, ScheduleForm(initial={"send_at": default_at}))


def _render_detail(request, message, schedule_form, status=200):
    progress = _progress(message)
    context = {
        "message": message,
        "progress": progress,
        "last_sent": parse_datetime(progress["last_sent_at"]) if progress["last_sent_at"] else None,
        "schedule_form": schedule_form,
        "test_form": TestSendForm(initial={"language": message.languages[0] if message.languages else "ar"}),
        "live": message.status in (Message.Status.SCHEDULED, Message.Status.SENDING),
        "stats": message.stats() if message.status in (Message.Status.SENT, Message.Status.SENDING) else None,
        "delivered_means": Delivery.DELIVERED_MEANS,
        # Before it starts: who it would reach, counted the way the send plans it.
        "review": review.summary(message.review()) if message.is_editable else None,
        "zone": review.zone_label(),
    }
    return render(request, "messaging/detail.html", context, status=status)


@organizer_required
def progress(request, pk):
    message = get_object_or_404(Message, pk=pk)
    return JsonResponse(_progress(message))


@organizer_required
@xframe_options_sameorigin
def preview(request, pk, language):
    """The email as a recipient preferring `language` gets it, with sample merge values."""
    message = get_object_or_404(Message.objects.select_related("campaign"), pk=pk)
    if language not in ("ar", "en"):
        raise Http404
    try:
        used, subject, body = message.content_for(language)
    except ValidationError:
        return HttpResponse(_("Nothing to preview yet."), content_type="text/plain; charset=utf-8")
    campaign_title = message.campaign if message.campaign_id else ""  # titled in each language
    prepared = emails.prepare(subject, body, used, campaign_title)
    html = composing.preview(prepared.html, used)  # merge fields as labelled chips, sample values
    response = HttpResponse(html)
    # The body is sanitised already; the sandbox is a second lock (no scripts, no forms).
    response["Content-Security-Policy"] = "sandbox; default-src 'none'; style-src 'unsafe-inline'"
    return response


@organizer_required
@require_POST
def send_test(request, pk):
    message = get_object_or_404(Message.objects.select_related("campaign"), pk=pk)
    form = TestSendForm(request.POST)
    if not form.is_valid():
        flash.error(request, _("Enter a valid email address for the test."))
        return redirect(message)
    try:
        language, subject, body = message.content_for(form.cleaned_data["language"])
    except ValidationError as exc:
        flash.error(request, " ".join(exc.messages))
        return redirect(message)
    campaign_title = message.campaign if message.campaign_id else ""  # titled in each language
    emails.send_test(subject, body, language, form.cleaned_data["address"], campaign_title)
    audit(request.user, "message.test_sent", message, language=language)
    flash.success(request, _("A test was sent."))
    return redirect(message)


def _refuse(request, message, problem):
    flash.error(request, problem)
    return redirect(message)


def _not_ready(message):
    """Why the newsletter cannot be sent as it is (a sentence), or None."""
    if not message.is_editable:
        return _("That is not possible in the newsletter's current state.")
    try:
        message.full_clean(exclude=["lists", "tags", "segment"])
    except ValidationError as exc:
        return " ".join(exc.messages)
    if not message.has_audience():
        return _("Choose at least one list, tag or saved segment.")
    return None


@organizer_required
@require_POST
def send_now(request, pk):
    """ "Send now": a confirmation page stating who it reaches, then (POST with confirm=send)
    scheduled for this moment and started."""
    message = get_object_or_404(Message, pk=pk)
    problem = _not_ready(message)
    if problem:
        return _refuse(request, message, problem)
    counted = message.review()
    if not confirmed(request, "send"):
        return render_confirmation(request, review.confirmation(message, counted, at=None))
    return _schedule(request, message, timezone.now(), counted, now=True)


@organizer_required
@require_POST
def schedule(request, pk):
    """ "Schedule": a time is required (an empty one is refused with "time_required", it
    never means now); a confirmation page states who it reaches and when, in which time
    zone; the POST with confirm=schedule schedules it."""
    message = get_object_or_404(Message.objects.select_related("campaign"), pk=pk)
    problem = _not_ready(message)
    if problem:
        return _refuse(request, message, problem)
    form = ScheduleForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, message, form, status=422)
    at = form.cleaned_data["send_at"]
    counted = message.review()
    if not confirmed(request, "schedule"):
        return render_confirmation(request, review.confirmation(message, counted, at=at))
    return _schedule(request, message, at, counted, now=False)


def _schedule(request, message, at, counted, now):
    try:
        message.schedule(at=at)
    except ValidationError as exc:
        return _refuse(request, message, " ".join(exc.messages))
    audit(
        request.user,
        "message.schedule",
        message,
        send_at=message.send_at.isoformat(),
        now=now,
        recipients=counted.recipients,
        suppressed=counted.suppressed_total,
    )
    if at <= timezone.now():
        tasks.start_message.delay(message.pk)
        flash.success(request, _("Sending will start in a few seconds."))
    else:
        flash.success(request, _("The newsletter is scheduled."))
    return redirect(message)


@organizer_required
@require_POST
def act(request, pk, action):
    """pause / resume / cancel / unschedule / retry (failed deliveries only)."""
    message = get_object_or_404(Message, pk=pk)
    if action == "pause":
        done = message.pause()
    elif action == "resume":
        done = message.resume()
        if done:
            tasks.kick(message)
    elif action == "cancel":
        done = message.cancel()
    elif action == "unschedule":
        done = message.unschedule()
    elif action == "retry":
        done = message.retry_failed()
        if done:
            tasks.kick(message)
    else:
        raise Http404
    if done:
        audit(request.user, f"message.{action}", message)
        flash.success(request, _("Done."))
    else:
        flash.error(request, _("That is not possible in the newsletter's current state."))
    return redirect(message)
