import re

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language_bidi
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.confirm import Confirmation, confirmed, render_confirmation
from accounts.decorators import organizer_required
from accounts.models import audit
from core.i18n import current_language

from .charts import year_bars
from .dashboard import panels_for
from .forms import ActionForm, CampaignFilterForm, CampaignForm, HistoryFilterForm
from .models import Action, Campaign, years_of
from .report import render_history_report
from .results import for_campaigns

PAGE_SIZE = 50
DASHBOARD_ACTIONS = 100
HISTORY_FIELDS = [
    "campaign",
    "kind",
    "date",
    "date_approximate",
    "city",
    "neighbourhood",
    "description_ar",
    "description_en",
    "participants",
    "outcome",
]


def _cities(queryset):
    return list(queryset.exclude(city="").order_by("city").values_list("city", flat=True).distinct())


@organizer_required
def campaign_list(request):
    years = sorted(years_of(Campaign.objects.all(), "start_date"), reverse=True)
    form = CampaignFilterForm(request.GET or None, years=years, cities=_cities(Campaign.objects.all()))
    campaigns = form.filter(Campaign.objects.all()).with_action_count()
    page = Paginator(campaigns, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "campaigns/list.html", {"form": form, "page": page, "query": query.urlencode()})


@organizer_required
def campaign_detail(request, pk):
    campaign = get_object_or_404(Campaign.objects.with_progress(), pk=pk)
    # The newest actions; a long campaign's whole timeline is paginated on the history page.
    actions = campaign.actions.all()[:DASHBOARD_ACTIONS]
    return render(
        request,
        "campaigns/detail.html",
        {
            "campaign": campaign,
            "goals": campaign.all_goals(),
            "actions": actions,
            "panels": panels_for(campaign),
            "next_statuses": [s for s in Campaign.Status if campaign.can_move_to(s)],
            "public_link": settings.SITE_URL + campaign.public_url(),
        },
    )


@organizer_required
def campaign_create(request):
    form = CampaignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        campaign = form.save()
        audit(request.user, "campaign.create", campaign)
        messages.success(request, _("Campaign created."))
        return redirect(campaign)
    return render(request, "campaigns/form.html", {"form": form})


@organizer_required
def campaign_edit(request, pk):
    campaign = get_object_or_404(Campaign, pk=pk)
    form = CampaignForm(request.POST or None, instance=campaign)
    if request.method == "POST" and form.is_valid():
        # Only the form's own fields: a status move made meanwhile (campaign.move_to) is kept.
        form.save(commit=False).save(update_fields=[*form.Meta.fields, "updated"])
        audit(request.user, "campaign.edit", campaign, fields=sorted(form.changed_data))
        messages.success(request, _("Campaign saved."))
        return redirect(campaign)
    return render(request, "campaigns/form.html", {"form": form, "campaign": campaign})


@require_POST
@organizer_required
def campaign_status(request, pk):
    """Start, complete, cancel or reopen. Cancelling goes through a confirmation step that
    says what will happen (the POST acts only with confirm=cancel); reopening a cancelled
    campaign is `Campaign.reopen` (audited there)."""
    campaign = get_object_or_404(Campaign, pk=pk)
    old = campaign.status
    target = request.POST.get("status", "")
    if target not in Campaign.Status.values:
        messages.error(request, _("Unknown status."))
        return redirect(campaign)
    if target == Campaign.Status.CANCELLED and campaign.can_move_to(target) and not confirmed(request, "cancel"):
        return render_confirmation(request, _cancel_confirmation(campaign))
    try:
        if old == Campaign.Status.CANCELLED and target == Campaign.Status.PLANNED:
            campaign.reopen(by=request.user)
        else:
            campaign.move_to(target)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if target == Campaign.Status.PLANNED:
            messages.success(request, _("The campaign is reopened: it is planned again."))
        else:
            audit(request.user, "campaign.status", campaign, old=old, new=campaign.status)
            messages.success(request, _("Status changed to %(status)s.") % {"status": campaign.get_status_display()})
    return redirect(campaign)


def _cancel_confirmation(campaign):
    consequences = [_("It is marked cancelled and stops counting as active.")]
    if campaign.is_public:
        consequences.append(
            _(
                "Its public page stays online and still takes signups: to take it down, "
                "make the campaign private on its edit page."
            )
        )
    consequences.append(
        _(
            "Its open petitions, pledges and events are cancelled with it; everyone who said they "
            "would come to one of its events is told by email."
        )
    )
    consequences.append(
        _("Its history stays: actions, flyers, print runs and signups are kept, and it can be reopened later.")
    )
    return Confirmation(
        code="cancel",
        question=_("Cancel the campaign ‘%(title)s’?") % {"title": campaign.title},
        consequences=consequences,
        button=_("Yes, cancel the campaign"),
        keep=_("No, keep it running"),
        action=reverse("campaigns:status", args=[campaign.pk]),
        back=campaign.get_absolute_url(),
        fields=[("status", Campaign.Status.CANCELLED)],
    )


@organizer_required
def action_add(request, pk):
    campaign = get_object_or_404(Campaign, pk=pk)
    action = Action(campaign=campaign, city=campaign.city, neighbourhood=campaign.neighbourhood)
    return _action_form(request, campaign, action)


@organizer_required
def action_edit(request, pk, action_pk):
    campaign = get_object_or_404(Campaign, pk=pk)
    action = get_object_or_404(Action, pk=action_pk, campaign=campaign)
    return _action_form(request, campaign, action)


def _action_form(request, campaign, action):
    # Today is only a suggestion for a new action: an existing one keeps its own date, or
    # saving a typo fix would move the 2011 founding to today.
    initial = {"date": timezone.localdate()} if action.pk is None else {}
    form = ActionForm(request.POST or None, instance=action, initial=initial)
    if request.method == "POST" and form.is_valid():
        creating = action.pk is None
        form.save()
        audit(request.user, "action.create" if creating else "action.edit", action, campaign=campaign.pk)
        messages.success(request, _("Action recorded.") if creating else _("Action saved."))
        return redirect(campaign)
    return render(request, "campaigns/action_form.html", {"form": form, "campaign": campaign, "action": action})


@organizer_required
def history(request):
    form = HistoryFilterForm(request.GET or None, cities=_cities(Action.objects.all()))
    base = Action.objects.all()
    # One scan gives both the year choices (all actions) and the chart (the filtered ones).
    if form.has_filters():
        all_years, counts = years_of(base, "date", matching=form.q(by_year=False))
    else:
        all_years = counts = years_of(base, "date")
    form.set_years(sorted(all_years, reverse=True))
    span = (min(all_years), max(all_years)) if all_years else None
    actions = (
        form.filter(base)
        .select_related("campaign")
        .only(*HISTORY_FIELDS, "campaign__title_ar", "campaign__title_en", "campaign__kind")
        .order_by("-date", "-id")
    )
    page = Paginator(actions, PAGE_SIZE).get_page(request.GET.get("page"))
    # Other apps' results (asks and what they achieved) for the campaigns this page shows.
    shown = {action.campaign_id: action.campaign for action in page.object_list}
    results = for_campaigns(shown)
    query = request.GET.copy()
    query.pop("page", None)
    chart_query = query.copy()
    chart_query.pop("year", None)
    return render(
        request,
        "campaigns/history.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "chart_query": chart_query.urlencode(),
            # The axis spans the whole history even when filters leave some years empty.
            "chart": year_bars(counts, span=span, rtl=get_language_bidi()),
            "selected_year": form.values.get("year"),
            "only_campaign": Campaign.objects.filter(pk=form.values["campaign"]).first()
            if form.values.get("campaign")
            else None,
            "total": sum(counts.values()),
            "results": [(shown[pk], results[pk]) for pk in shown if pk in results],
        },
    )


@organizer_required
def history_report(request):
    """The printable report as a download; ?year= narrows it, ?lang= picks ar or en."""
    language = request.GET.get("lang")
    if language not in ("ar", "en"):
        language = current_language()
    year = request.GET.get("year", "")
    year = int(year) if re.fullmatch(r"[0-9]{4}", year) and 1900 <= int(year) <= 2200 else None
    pdf = render_history_report(year=year, language=language)
    name = f"hamla-history-{year or 'all'}-{language}.pdf"
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
