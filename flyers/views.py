import base64
import logging
from datetime import timedelta

from django.contrib import messages
from django.core.cache import cache
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.decorators import organizer_required, staff_required
from accounts.models import audit
from accounts.roles import is_organizer
from campaigns.models import Campaign

from . import render as engine
from .errors import FlyerLayoutError
from .forms import BatchForm, DropForm, FlyerForm, PrintOptionsForm, PrintRunForm
from .models import BatchRender, Flyer, PrintRun, flyer_totals, response_counts, signup_counts, with_drop_copies
from .tasks import render_batch

logger = logging.getLogger(__name__)
NUDGE_AFTER = timedelta(minutes=1)

# Campaigns volunteers may print for.
PRINTABLE = (Campaign.Status.PLANNED, Campaign.Status.ACTIVE)


def _printable_flyer(request, pk):
    """The flyer, if this user may print it: organizers any, volunteers those of live campaigns."""
    flyers = Flyer.objects.select_related("campaign")
    if not is_organizer(request.user):
        flyers = flyers.filter(campaign__status__in=PRINTABLE)
    return get_object_or_404(flyers, pk=pk)


def _visible_run(request, code):
    runs = PrintRun.objects.select_related("flyer__campaign")
    if not is_organizer(request.user):
        runs = runs.filter(volunteer=request.user)
    return get_object_or_404(runs, code=code)


def _pdf_name(flyer, layout, run=None):
    suffix = f"-{run.code}" if run else ""
    return f"flyer-{flyer.pk}-{layout}{suffix}.pdf"


# --- Organizer pages -----------------------------------------------------------


@organizer_required
def flyer_list(request):
    flyers = flyer_totals(Flyer.objects.select_related("campaign").order_by("campaign_id", "name"))
    return render(request, "flyers/list.html", {"flyers": flyers})


@organizer_required
def flyer_edit(request, pk=None):
    flyer = get_object_or_404(Flyer, pk=pk) if pk else Flyer()
    initial = {}
    if pk is None and request.GET.get("campaign", "").isdigit():
        initial["campaign"] = request.GET["campaign"]
    form = FlyerForm(request.POST or None, request.FILES or None, instance=flyer, initial=initial)
    preview = None
    if request.method == "POST" and form.is_valid():
        if "preview" not in request.POST:
            creating = flyer.pk is None
            flyer = form.save()
            audit(request.user, "flyer.create" if creating else "flyer.update", flyer)
            messages.success(request, _("The flyer is saved."))
            return redirect(flyer)
        try:
            png = engine.preview_png(form.preview_pdf)
            preview = "data:image/png;base64," + base64.b64encode(png.read_bytes()).decode()
        except engine.PreviewUnavailable:
            messages.warning(request, _("The preview image could not be made, but the flyer lays out correctly."))
    elif flyer.pk and request.method == "GET":
        preview = "url"
    return render(request, "flyers/edit.html", {"form": form, "flyer": flyer, "preview": preview})


@organizer_required
@require_POST
def draft_preview(request, pk=None):
    """PNG of the unsaved form (for the editor's live preview script); 422 with the reason
    as text when the flyer cannot be laid out. Nothing is saved."""
    flyer = get_object_or_404(Flyer, pk=pk) if pk else Flyer()
    form = FlyerForm(request.POST, request.FILES or None, instance=flyer)
    if not form.is_valid():
        errors = [str(e) for errors in form.errors.values() for e in errors]
        return HttpResponse("\n".join(errors), status=422, content_type="text/plain; charset=utf-8")
    try:
        png = engine.preview_png(form.preview_pdf)
    except engine.PreviewUnavailable:
        return HttpResponse(status=503)
    return FileResponse(png.open("rb"), content_type="image/png")


@organizer_required
def flyer_detail(request, pk):
    flyer = get_object_or_404(Flyer.objects.select_related("campaign"), pk=pk)
    runs = list(with_drop_copies(flyer.print_runs.select_related("volunteer")).prefetch_related("drops"))
    counts, responses = signup_counts(runs), response_counts(runs)
    for run in runs:
        run.signup_count = counts.get(run.pk, 0)
        run.response_total = responses.get(run.pk, 0)
    context = {
        "flyer": flyer,
        "target": flyer.resolved_target(),
        "runs": runs,
        "batch_form": BatchForm(flyer),
        "batches": flyer.batches.all()[:10],
        "totals": flyer_totals([flyer])[0],
        "preview_query": PrintOptionsForm.for_request({}, flyer).query(),
    }
    return render(request, "flyers/detail.html", context)


@organizer_required
@require_POST
def batch_create(request, pk):
    flyer = get_object_or_404(Flyer, pk=pk)
    form = BatchForm(flyer, request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose at least one print run and a layout."))
        return redirect(flyer)
    batch = BatchRender.objects.create(
        flyer=flyer,
        layout=form.cleaned_data["layout"],
        grayscale=form.cleaned_data["ink"] == "grayscale",
        crop_marks=form.cleaned_data["crop_marks"],
        requested_by=request.user,
    )
    batch.print_runs.set(form.cleaned_data["print_runs"])
    audit(request.user, "flyer.batch", flyer, batch=batch.pk, print_runs=len(form.cleaned_data["print_runs"]))
    transaction.on_commit(lambda: _enqueue(batch.pk))
    return redirect(batch)


def _enqueue(batch_id):
    try:
        render_batch.delay(batch_id)
    except Exception:  # noqa: BLE001 - broker down: the batch stays queued and the page asks again
        logger.exception("could not enqueue flyer batch %s", batch_id)


@organizer_required
def batch_detail(request, pk):
    batch = get_object_or_404(BatchRender.objects.select_related("flyer"), pk=pk)
    waited = timezone.now() - batch.created
    # A task lost before any worker took it (broker restarted, enqueue failed) is sent again,
    # at most once a minute; claim() makes a duplicate harmless.
    if batch.status == BatchRender.Status.QUEUED and waited > NUDGE_AFTER:
        if cache.add(f"flyers:batch-nudge:{batch.pk}", 1, int(NUDGE_AFTER.total_seconds())):
            _enqueue(batch.pk)
    return render(request, "flyers/batch.html", {"batch": batch, "runs": batch.print_runs.all()})


@organizer_required
def batch_download(request, pk):
    batch = get_object_or_404(BatchRender, pk=pk, status=BatchRender.Status.READY)
    path = engine.cached_path(batch.content_key)
    if not path.exists():
        # The cache was cleared: render again in the worker rather than in this request.
        BatchRender.objects.filter(pk=batch.pk).update(status=BatchRender.Status.QUEUED)
        transaction.on_commit(lambda: _enqueue(batch.pk))
        return redirect(batch)
    name = f"flyers-{batch.flyer_id}-{batch.layout}-batch{batch.pk}.pdf"
    return FileResponse(path.open("rb"), as_attachment=True, filename=name, content_type="application/pdf")


# --- Volunteer pages (volunteers and organizers) -------------------------------


@staff_required
def volunteer(request):
    campaigns = (
        Campaign.objects.filter(status__in=PRINTABLE, flyers__isnull=False)
        .distinct()
        .prefetch_related("flyers")
        .order_by("-start_date", "-id")
    )
    my_runs = PrintRun.objects.filter(volunteer=request.user).select_related("flyer")[:20]
    return render(request, "flyers/volunteer.html", {"campaigns": campaigns, "my_runs": my_runs})


@staff_required
def print_flyer(request, pk):
    """Log a print run first (its PDF's QR code counts its copies), then pick paper and ink;
    the untracked PDF comes second. Where the copies went is logged afterwards, on the run's page."""
    flyer = _printable_flyer(request, pk)
    options = PrintOptionsForm.for_request(request.POST if request.method == "POST" else request.GET, flyer)
    run_form = PrintRunForm(request.POST or None)
    if request.method == "POST" and run_form.is_valid():
        run = run_form.save(commit=False)
        run.flyer = flyer
        run.volunteer = request.user
        run.save()
        audit(request.user, "flyer.print_run", run, flyer=flyer.pk, quantity=run.quantity)
        messages.success(
            request,
            _("Print run logged. Download the PDF below: its QR code counts this run. Add where the copies go here."),
        )
        return redirect(f"{run.get_absolute_url()}?{options.query()}")
    error = None
    try:
        engine.render_pdf(flyer.spec(grayscale=options.grayscale), options.selected_layout, crop_marks=True)
    except FlyerLayoutError as exc:
        error = engine.user_message(exc)
    context = {"flyer": flyer, "options": options, "run_form": run_form, "error": error}
    return render(request, "flyers/print.html", context)


@staff_required
def print_run(request, code):
    """The run's PDF, its figures, its drops; the copies printed and the drops can be corrected here."""
    run = _visible_run(request, code)
    options = PrintOptionsForm.for_request(request.GET, run.flyer)
    run_form = PrintRunForm(request.POST or None, instance=run, prefix="run")
    if request.method == "POST":
        if run_form.is_valid():
            run_form.save()
            audit(request.user, "flyer.print_run_update", run, quantity=run.quantity)
            messages.success(request, _("The print run is corrected."))
            return redirect(f"{run.get_absolute_url()}?{options.query()}")
        run.refresh_from_db()
    return _run_page(request, run, options, run_form=run_form, status=422 if request.method == "POST" else 200)


def _run_page(request, run, options, run_form=None, drop_form=None, status=200):
    drops = list(run.drops.select_related("volunteer"))
    for drop in drops:
        drop.editable = _may_edit_drop(request.user, drop)
    context = {
        "run": run,
        "flyer": run.flyer,
        "options": options,
        "signups": run.signups(),
        "responses": run.response_count(),
        "drops": drops,
        "dropped": sum(d.copies for d in drops),
        "distributed": run.distributed,
        "run_form": run_form or PrintRunForm(instance=run, prefix="run"),
        "drop_form": drop_form or DropForm(run, prefix="drop", initial={"city": run.flyer.campaign.city}),
    }
    return render(request, "flyers/run.html", context, status=status)


def _may_edit_drop(user, drop):
    """Organizers correct any drop; a volunteer their own."""
    return is_organizer(user) or (drop.volunteer_id is not None and drop.volunteer_id == user.pk)


@staff_required
@require_POST
def drop_add(request, code):
    run = _visible_run(request, code)
    form = DropForm(run, request.POST, prefix="drop")
    if not form.is_valid():
        options = PrintOptionsForm.for_request(request.GET, run.flyer)
        return _run_page(request, run, options, drop_form=form, status=422)
    drop = form.save(commit=False)
    drop.print_run, drop.volunteer = run, request.user
    drop.save()
    audit(request.user, "flyer.drop", run, copies=drop.copies)
    messages.success(request, _("The drop is logged."))
    # Back to the run with the paper and ink the volunteer chose, ready to download.
    return redirect(f"{run.get_absolute_url()}?{PrintOptionsForm.for_request(request.GET, run.flyer).query()}")


@staff_required
def drop_edit(request, code, pk):
    """Correct a drop (its place, copies or date) after the fact."""
    run = _visible_run(request, code)
    drop = get_object_or_404(run.drops, pk=pk)
    if not _may_edit_drop(request.user, drop):
        raise Http404
    form = DropForm(run, request.POST or None, instance=drop)
    if request.method == "POST" and form.is_valid():
        form.save()
        audit(request.user, "flyer.drop_update", run, copies=drop.copies)
        messages.success(request, _("The drop is corrected."))
        return redirect(run)
    status = 422 if request.method == "POST" else 200
    context = {"run": run, "flyer": run.flyer, "drop": drop, "form": form}
    return render(request, "flyers/drop.html", context, status=status)


def _render_for(request, flyer, run=None):
    options = PrintOptionsForm.for_request(request.GET, flyer)
    spec = flyer.spec(print_run=run, grayscale=options.grayscale)
    return engine.render_pdf(spec, options.selected_layout, crop_marks=True), options


@staff_required
def download(request, pk):
    flyer = _printable_flyer(request, pk)
    run = None
    if request.GET.get("run"):
        run = _visible_run(request, request.GET["run"])
        if run.flyer_id != flyer.pk:
            raise Http404
    try:
        path, options = _render_for(request, flyer, run)
    except FlyerLayoutError as exc:
        return HttpResponse(engine.user_message(exc), status=422, content_type="text/plain; charset=utf-8")
    name = _pdf_name(flyer, options.selected_layout, run)
    return FileResponse(path.open("rb"), as_attachment=True, filename=name, content_type="application/pdf")


@staff_required
def preview(request, pk):
    flyer = _printable_flyer(request, pk)
    try:
        path, _options = _render_for(request, flyer)
        png = engine.preview_png(path)
    except (FlyerLayoutError, engine.PreviewUnavailable):
        raise Http404
    response = FileResponse(png.open("rb"), content_type="image/png")
    # Content-addressed underneath, but the URL is not: keep it short.
    response["Cache-Control"] = "private, max-age=60"
    return response
